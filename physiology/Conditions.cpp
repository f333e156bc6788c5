#include "physiology/Conditions.hpp"

#include <algorithm>
#include <array>
#include <cassert>

namespace twinbed::physiology {
namespace {

constexpr std::array<std::string_view, 7> TYPE_NAMES = {
    "sepsis", "covid_silent_hypoxaemia", "copd", "copd_exacerbation", "heart_failure_decompensation",
    "opioid_respiratory_depression", "hypertensive_crisis"};

using sim::Time;

double smoothstep(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3.0 - 2.0 * x);
}

// Responses at s = 1 for an adult at the Profile defaults; docs/models/conditions.md tabulates the
// resulting vitals. Deltas add to what the vitals model derives (fever also raises HR by 10 bpm/C
// and RR by 2.5 /min/C there), so "HR +20" below means about +40 bpm with a 2 C fever.
ConditionResponse sepsis() {
  // Sepsis-3 (Singer et al., JAMA 315:801, 2016) and qSOFA (Seymour et al., JAMA 315:762, 2016):
  // RR >= 22, SBP <= 100, altered mentation; SIRS signs T > 38, HR > 90 (Bone et al., Chest
  // 101:1644, 1992). Magnitudes and lags typical: fever and tachycardia lead, hypotension and
  // hypoxaemia follow over hours; respiratory alkalosis lowers PaCO2.
  ConditionResponse r;
  r.at_full.temperature_delta_c = 2.0;
  r.at_full.heart_rate_delta_bpm = 20.0;
  r.at_full.respiration_rate_delta_per_min = 6.0;
  r.at_full.systolic_delta_mmhg = -35.0;
  r.at_full.diastolic_delta_mmhg = -20.0;
  r.at_full.aa_gradient_delta_mmhg = 30.0;
  r.at_full.paco2_delta_mmhg = -5.0;
  r.heart_rate_lag = Time::from_min(30);
  r.respiration_lag = Time::from_h(1);
  r.pressure_lag = Time::from_h(2);
  r.gas_exchange_lag = Time::from_h(2);
  r.mentation_lag = Time::from_h(3);
  r.confusion_level = 0.6;  // GCS < 15, the qSOFA criterion
  return r;
}

ConditionResponse covid_silent_hypoxaemia() {
  // "Happy" hypoxaemia: SpO2 85-90 % with little dyspnoea or tachypnoea (Tobin, Laghi & Jubran,
  // AJRCCM 202:356, 2020), and hypocapnia from a modest rise in ventilation. Mild fever.
  ConditionResponse r;
  r.at_full.aa_gradient_delta_mmhg = 41.0;
  r.at_full.respiration_rate_delta_per_min = 2.0;
  r.at_full.paco2_delta_mmhg = -3.0;
  r.at_full.heart_rate_delta_bpm = 8.0;
  r.at_full.temperature_delta_c = 0.8;
  r.heart_rate_lag = Time::from_h(1);
  r.respiration_lag = Time::from_h(2);
  return r;
}

ConditionResponse copd() {
  // Stable hypercapnic COPD: PaCO2 ~48 mmHg, SpO2 88-92 % on air, the BTS target range (O'Driscoll
  // et al., Thorax 72:ii1, 2017) that selects NEWS2 SpO2 scale 2 (RCP 2017); mild tachypnoea and
  // tachycardia (typical).
  ConditionResponse r;
  r.at_full.paco2_delta_mmhg = 8.0;
  r.at_full.aa_gradient_delta_mmhg = 24.0;
  r.at_full.respiration_rate_delta_per_min = 4.0;
  r.at_full.heart_rate_delta_bpm = 6.0;
  r.hypercapnic_target = true;
  return r;
}

ConditionResponse copd_exacerbation() {
  // On top of `copd`: worse dyspnoea over days (GOLD 2023 report), tachypnoea, tachycardia, more
  // V/Q mismatch and acute-on-chronic hypercapnia; SpO2 into the low/mid 80s (typical magnitudes).
  ConditionResponse r;
  r.at_full.respiration_rate_delta_per_min = 8.0;
  r.at_full.heart_rate_delta_bpm = 15.0;
  r.at_full.aa_gradient_delta_mmhg = 6.0;
  r.at_full.paco2_delta_mmhg = 4.0;
  r.at_full.temperature_delta_c = 0.5;
  r.heart_rate_lag = Time::from_h(2);
  r.hypercapnic_target = true;
  return r;
}

ConditionResponse heart_failure_decompensation() {
  // Weight rises ~2 kg over the days before admission (Chaudhry et al., Circulation 116:1549,
  // 2007: increases begin about a week before); congestion then raises HR and RR and lowers SpO2
  // (pulmonary oedema widens the A-a gradient). Lags typical.
  ConditionResponse r;
  r.at_full.weight_delta_kg = 2.0;
  r.at_full.heart_rate_delta_bpm = 12.0;
  r.at_full.respiration_rate_delta_per_min = 6.0;
  r.at_full.aa_gradient_delta_mmhg = 15.0;
  r.heart_rate_lag = Time::from_h(12);
  r.respiration_lag = Time::from_h(24);
  r.gas_exchange_lag = Time::from_h(24);
  return r;
}

ConditionResponse opioid_respiratory_depression() {
  // Opioid-induced respiratory depression: RR <= 8 /min, hypercapnia, desaturation (Dahan et al.,
  // Anesthesiology 112:226, 2010); sedation precedes it (97 % of closed claims, Lee et al.,
  // Anesthesiology 122:659, 2015), so mentation leads and breathing lags. Post-operative
  // atelectasis adds a small A-a gradient. Magnitudes typical.
  ConditionResponse r;
  r.at_full.respiration_drive_factor = 0.45;
  r.at_full.aa_gradient_delta_mmhg = 5.0;
  r.at_full.heart_rate_delta_bpm = -6.0;
  r.at_full.systolic_delta_mmhg = -10.0;
  r.at_full.diastolic_delta_mmhg = -5.0;
  r.respiration_lag = Time::from_min(15);
  r.gas_exchange_lag = Time::from_min(15);
  r.voice_level = 0.4;
  r.pain_level = 0.85;
  return r;
}

ConditionResponse hypertensive_crisis() {
  // SBP > 180 and/or DBP > 120 mmHg (Whelton et al., 2017 ACC/AHA guideline, Hypertension 71:e13,
  // 2018); sympathetic activation raises HR a little (typical).
  ConditionResponse r;
  r.at_full.systolic_delta_mmhg = 80.0;
  r.at_full.diastolic_delta_mmhg = 45.0;
  r.at_full.heart_rate_delta_bpm = 8.0;
  return r;
}

Consciousness consciousness_at(const ConditionResponse& r, double s) {
  if (s >= r.pain_level) return Consciousness::pain;
  if (s >= r.voice_level) return Consciousness::voice;
  if (s >= r.confusion_level) return Consciousness::new_confusion;
  return Consciousness::alert;
}

}  // namespace

std::string_view condition_type_name(ConditionType type) { return TYPE_NAMES[static_cast<std::size_t>(type)]; }

std::optional<ConditionType> condition_type_from_name(std::string_view name) {
  for (std::size_t i = 0; i < TYPE_NAMES.size(); ++i)
    if (TYPE_NAMES[i] == name) return static_cast<ConditionType>(i);
  return std::nullopt;
}

std::vector<ConditionType> all_condition_types() {
  std::vector<ConditionType> types;
  for (std::size_t i = 0; i < TYPE_NAMES.size(); ++i) types.push_back(static_cast<ConditionType>(i));
  return types;
}

ConditionSpec default_condition_course(ConditionType type, sim::Time onset, double severity) {
  // Typical courses (exposed through ConditionSpec): hours for sepsis (Seymour et al. 2016) and
  // hypertensive crises, days for COVID-19 hypoxaemia, COPD exacerbations (GOLD 2023: recovery
  // takes days to weeks) and heart-failure weight gain (Chaudhry et al. 2007); post-operative
  // opioid depression within hours of a dose (Dahan et al. 2010).
  ConditionSpec s{type, onset, Time::from_h(6), Time::from_h(24), severity, Time::from_h(6)};
  switch (type) {
    case ConditionType::sepsis: s.ramp = Time::from_h(12); s.duration = Time::from_h(24); s.recovery = Time::from_h(24); break;
    case ConditionType::covid_silent_hypoxaemia: s.ramp = Time::from_h(24); s.duration = Time::from_h(48); s.recovery = Time::from_h(72); break;
    case ConditionType::copd: s.ramp = Time::zero(); s.duration = Time::zero(); s.recovery = Time::zero(); break;
    case ConditionType::copd_exacerbation: s.ramp = Time::from_h(24); s.duration = Time::from_h(48); s.recovery = Time::from_h(72); break;
    case ConditionType::heart_failure_decompensation: s.ramp = Time::from_h(72); s.duration = Time::from_h(48); s.recovery = Time::from_h(48); break;
    case ConditionType::opioid_respiratory_depression: s.ramp = Time::from_h(1); s.duration = Time::from_h(4); s.recovery = Time::from_h(2); break;
    case ConditionType::hypertensive_crisis: s.ramp = Time::from_h(2); s.duration = Time::from_h(6); s.recovery = Time::from_h(6); break;
  }
  return s;
}

double condition_level(const ConditionSpec& spec, sim::Time t) {
  if (t < spec.onset) return 0.0;
  const Time rise = t - spec.onset;
  if (rise < spec.ramp) return spec.severity * smoothstep(rise.seconds() / spec.ramp.seconds());
  if (spec.duration == Time::zero()) return spec.severity;  // chronic
  const Time plateau_end = spec.onset + spec.ramp + spec.duration;
  if (t < plateau_end) return spec.severity;
  const Time fall = t - plateau_end;
  if (fall >= spec.recovery) return 0.0;
  return spec.severity * (1.0 - smoothstep(fall.seconds() / spec.recovery.seconds()));
}

sim::Time ConditionResponse::max_lag() const {
  return std::max({temperature_lag, heart_rate_lag, respiration_lag, pressure_lag, gas_exchange_lag, weight_lag,
                   mentation_lag});
}

ConditionResponse condition_response(ConditionType type) {
  switch (type) {
    case ConditionType::sepsis: return sepsis();
    case ConditionType::covid_silent_hypoxaemia: return covid_silent_hypoxaemia();
    case ConditionType::copd: return copd();
    case ConditionType::copd_exacerbation: return copd_exacerbation();
    case ConditionType::heart_failure_decompensation: return heart_failure_decompensation();
    case ConditionType::opioid_respiratory_depression: return opioid_respiratory_depression();
    case ConditionType::hypertensive_crisis: return hypertensive_crisis();
  }
  return sepsis();
}

Effects condition_effects(const ConditionSpec& spec, const ConditionResponse& r, sim::Time t) {
  Effects e;
  if (t < spec.onset) return e;
  const Effects& f = r.at_full;
  const auto level = [&](Time lag) { return condition_level(spec, t - lag); };
  const double s_temp = level(r.temperature_lag);
  const double s_hr = level(r.heart_rate_lag);
  const double s_rr = level(r.respiration_lag);
  const double s_bp = level(r.pressure_lag);
  const double s_gas = level(r.gas_exchange_lag);
  e.temperature_delta_c = s_temp * f.temperature_delta_c;
  e.heart_rate_delta_bpm = s_hr * f.heart_rate_delta_bpm;
  e.respiration_rate_delta_per_min = s_rr * f.respiration_rate_delta_per_min;
  e.respiration_drive_factor = 1.0 + s_rr * (f.respiration_drive_factor - 1.0);
  e.systolic_delta_mmhg = s_bp * f.systolic_delta_mmhg;
  e.diastolic_delta_mmhg = s_bp * f.diastolic_delta_mmhg;
  e.aa_gradient_delta_mmhg = s_gas * f.aa_gradient_delta_mmhg;
  e.paco2_delta_mmhg = s_gas * f.paco2_delta_mmhg;
  e.fio2_delta = 0.0;
  e.weight_delta_kg = level(r.weight_lag) * f.weight_delta_kg;
  e.consciousness = consciousness_at(r, level(r.mentation_lag));
  e.hypercapnic_target = r.hypercapnic_target && condition_level(spec, t) > 0.0;
  return e;
}

sim::Time condition_offset(const ConditionSpec& spec) {
  if (spec.duration == Time::zero()) return Time::max();
  return spec.onset + spec.ramp + spec.duration + spec.recovery + condition_response(spec.type).max_lag();
}

ConditionPrevalence default_prevalence(ConditionType type, double prevalence, sim::Time onset_earliest,
                                       sim::Time onset_latest) {
  const ConditionSpec course = default_condition_course(type, onset_earliest);
  return ConditionPrevalence{type, prevalence, onset_earliest, onset_latest, course.ramp, course.duration,
                             course.recovery, 1.0, 1.0};
}

std::vector<ConditionSpec> draw_conditions(const std::vector<ConditionPrevalence>& cohort, sim::Time run_duration,
                                           sim::RandomStream& rng) {
  std::vector<ConditionSpec> specs;
  for (const ConditionPrevalence& c : cohort) {
    const bool present = rng.bernoulli(std::clamp(c.prevalence, 0.0, 1.0));
    const double u_onset = rng.uniform01();
    const double u_severity = rng.uniform01();
    if (!present) continue;
    const Time earliest = std::clamp(c.onset_earliest, Time::zero(), run_duration);
    const Time latest = std::clamp(std::max(c.onset_latest, c.onset_earliest), Time::zero(), run_duration);
    const Time onset = earliest + Time::from_seconds(u_onset * (latest - earliest).seconds());
    const double severity = std::clamp(c.severity_min + u_severity * (c.severity_max - c.severity_min), 0.0, 1.0);
    specs.push_back(ConditionSpec{c.type, onset, c.ramp, c.duration, severity, c.recovery});
  }
  return specs;
}

ConditionSet::ConditionSet(std::vector<ConditionSpec> specs, EventSink& sink)
    : specs_(std::move(specs)), reported_(specs_.size(), false), sink_(sink) {
  for (const ConditionSpec& s : specs_) responses_.push_back(condition_response(s.type));
}

Effects ConditionSet::effects_at(sim::Time t) const {
  Effects total;
  for (std::size_t i = 0; i < specs_.size(); ++i) total += condition_effects(specs_[i], responses_[i], t);
  return total;
}

void ConditionSet::report(std::size_t i, sim::Time end) {
  const ConditionSpec& s = specs_[i];
  GroundTruthEvent event;
  event.event_class = EventClass::condition;
  event.onset = s.onset;
  event.offset = std::min(condition_offset(s), end);
  event.severity = s.severity;
  // The highest level reached: the plateau, or the level when the run ended during the ramp.
  event.peak = condition_level(s, std::min(end, s.onset + s.ramp));
  event.detail = static_cast<std::uint16_t>(s.type);
  sink_.report(event);
  reported_[i] = true;
}

void ConditionSet::advance_to(sim::Time t) {
  for (std::size_t i = 0; i < specs_.size(); ++i)
    if (!reported_[i] && condition_offset(specs_[i]) <= t) report(i, t);
}

void ConditionSet::finish(sim::Time run_end) {
  for (std::size_t i = 0; i < specs_.size(); ++i)
    if (!reported_[i] && specs_[i].onset < run_end) report(i, run_end);
}

}  // namespace twinbed::physiology
