#pragma once
// physiology::ConditionSet: scripted conditions and deteriorations. Each condition is a latent
// severity s(t) in [0, severity] with a documented course
//
//   0 before onset | smooth rise over `ramp` | plateau for `duration` (0 = chronic, to the end)
//   | smooth fall over `recovery` | 0
//
// that drives several vitals, each read at s(t - lag) so that, e.g., fever leads hypotension in
// sepsis. Effects at s = 1 and lags per condition: condition_response(); sources and the expected
// vitals at plateau: docs/models/conditions.md.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "physiology/GroundTruth.hpp"
#include "physiology/Vitals.hpp"
#include "sim/RandomStream.hpp"
#include "sim/Time.hpp"

namespace twinbed::physiology {

// Stored as GroundTruthEvent::detail: append new types at the end.
enum class ConditionType : std::uint16_t {
  sepsis = 0,
  covid_silent_hypoxaemia = 1,
  copd = 2,
  copd_exacerbation = 3,
  heart_failure_decompensation = 4,
  opioid_respiratory_depression = 5,
  hypertensive_crisis = 6,
};

std::string_view condition_type_name(ConditionType type);
std::optional<ConditionType> condition_type_from_name(std::string_view name);
std::vector<ConditionType> all_condition_types();

struct ConditionSpec {
  ConditionType type = ConditionType::sepsis;
  sim::Time onset = sim::Time::zero();
  sim::Time ramp = sim::Time::from_h(6);
  sim::Time duration = sim::Time::zero();  // plateau; zero = chronic (lasts to the end of the run)
  double severity = 1.0;                   // plateau level in [0, 1]
  sim::Time recovery = sim::Time::from_h(6);
};

// The typical course of `type` (ramp, plateau, recovery), documented in docs/models/conditions.md.
ConditionSpec default_condition_course(ConditionType type, sim::Time onset, double severity = 1.0);

// The latent level s(t) in [0, spec.severity]; smoothstep ramps (3x^2 - 2x^3) avoid kinks.
double condition_level(const ConditionSpec& spec, sim::Time t);

// What a condition does at s = 1 (effects scale linearly with s; the drive factor as 1 + s (f - 1))
// and how late each group of vitals follows s.
struct ConditionResponse {
  Effects at_full;  // consciousness and hypercapnic_target unused here: see below
  sim::Time temperature_lag = sim::Time::zero();
  sim::Time heart_rate_lag = sim::Time::zero();
  sim::Time respiration_lag = sim::Time::zero();
  sim::Time pressure_lag = sim::Time::zero();
  sim::Time gas_exchange_lag = sim::Time::zero();  // A-a gradient, PaCO2
  sim::Time weight_lag = sim::Time::zero();
  sim::Time mentation_lag = sim::Time::zero();
  // Level s (after mentation_lag) from which consciousness is at least new confusion, voice, pain
  // (> 1 = never).
  double confusion_level = 2.0;
  double voice_level = 2.0;
  double pain_level = 2.0;
  bool hypercapnic_target = false;  // while s > 0
  sim::Time max_lag() const;
};

ConditionResponse condition_response(ConditionType type);

// The effects of one condition at time t (pure).
Effects condition_effects(const ConditionSpec& spec, const ConditionResponse& response, sim::Time t);

// When a condition's last effect has gone (its course plus the longest lag); Time::max() if chronic.
sim::Time condition_offset(const ConditionSpec& spec);

// Cohort declaration: each patient has the condition with `prevalence`; onset uniform in
// [onset_earliest, onset_latest] (clipped to the run), severity uniform in [severity_min, severity_max].
struct ConditionPrevalence {
  ConditionType type = ConditionType::sepsis;
  double prevalence = 0.0;
  sim::Time onset_earliest = sim::Time::zero();
  sim::Time onset_latest = sim::Time::zero();
  sim::Time ramp = sim::Time::from_h(6);
  sim::Time duration = sim::Time::zero();
  sim::Time recovery = sim::Time::from_h(6);
  double severity_min = 1.0;
  double severity_max = 1.0;
};

// A prevalence entry with the typical course of `type` (default_condition_course).
ConditionPrevalence default_prevalence(ConditionType type, double prevalence, sim::Time onset_earliest,
                                       sim::Time onset_latest);

// Three draws per entry whatever the outcome, so one entry's prevalence never shifts another's
// draws. Key `rng` by the patient's id, purpose "conditions".
std::vector<ConditionSpec> draw_conditions(const std::vector<ConditionPrevalence>& cohort, sim::Time run_duration,
                                           sim::RandomStream& rng);

// One patient's conditions: the EffectSource of its VitalsModel, and the reporter of one
// GroundTruthEvent (class `condition`, detail = type, severity, onset, offset) per condition.
class ConditionSet final : public EffectSource {
public:
  ConditionSet(std::vector<ConditionSpec> specs, EventSink& sink);

  Effects effects_at(sim::Time t) const override;
  // Reports the conditions whose offset is <= t (each once).
  void advance_to(sim::Time t);
  // Reports those begun before `run_end` and not yet reported, with offset min(offset, run_end).
  void finish(sim::Time run_end);

  const std::vector<ConditionSpec>& specs() const { return specs_; }

private:
  void report(std::size_t i, sim::Time end);

  std::vector<ConditionSpec> specs_;
  std::vector<ConditionResponse> responses_;
  std::vector<bool> reported_;
  EventSink& sink_;
};

}  // namespace twinbed::physiology
