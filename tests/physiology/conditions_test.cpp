// Tests of physiology::ConditionSet: the latent-severity course, the direction and size of each
// condition's effect on every vital it drives (measured on the vitals model against a control run
// with the same seed, so the noise cancels), ground-truth events, and cohort draws.
#include <gtest/gtest.h>

#include <cmath>

#include "physiology/Conditions.hpp"
#include "physiology/Vitals.hpp"

namespace twinbed::physiology {
namespace {

using namespace sim::literals;

constexpr std::uint64_t SEED = 77;

struct Means {
  double heart_rate = 0, respiration = 0, systolic = 0, diastolic = 0, temperature = 0, spo2 = 0, paco2 = 0,
         weight = 0;
  Consciousness worst = Consciousness::alert;
  bool hypercapnic_target = false;
};

// Means over [from, to), sampled each minute, of a resting adult (Profile defaults) with `specs`.
Means run(const std::vector<ConditionSpec>& specs, sim::Time from, sim::Time to) {
  EventLog log;
  ConditionSet conditions(specs, log);
  VitalsModelParams params;
  params.activity.enabled = false;
  VitalsModel m(Profile{}, params, "p0001", SEED, 0, specs.empty() ? nullptr : &conditions);
  Means r;
  int n = 0;
  for (sim::Time t = from; t < to; t += 1_min) {
    m.advance_to(t);
    const VitalSigns& v = m.current();
    r.heart_rate += v.heart_rate_bpm, r.respiration += v.respiration_rate_per_min, r.systolic += v.systolic_mmhg;
    r.diastolic += v.diastolic_mmhg, r.temperature += v.core_temperature_c, r.spo2 += v.spo2_percent;
    r.paco2 += m.state().paco2_mmhg, r.weight += v.weight_kg;
    r.worst = std::max(r.worst, v.consciousness);
    r.hypercapnic_target = r.hypercapnic_target || v.hypercapnic_target;
    ++n;
  }
  for (double* x : {&r.heart_rate, &r.respiration, &r.systolic, &r.diastolic, &r.temperature, &r.spo2, &r.paco2, &r.weight})
    *x /= n;
  return r;
}

// ---- Names and course ------------------------------------------------------------------------

TEST(ConditionType, NamesRoundTrip) {
  EXPECT_EQ(all_condition_types().size(), 7u);
  for (ConditionType t : all_condition_types()) EXPECT_EQ(condition_type_from_name(condition_type_name(t)), t);
  EXPECT_EQ(condition_type_name(ConditionType::covid_silent_hypoxaemia), "covid_silent_hypoxaemia");
  EXPECT_EQ(condition_type_name(ConditionType::opioid_respiratory_depression), "opioid_respiratory_depression");
  EXPECT_FALSE(condition_type_from_name("flu").has_value());
}

TEST(ConditionLevel, FollowsTheDocumentedCourse) {
  const ConditionSpec s{ConditionType::sepsis, 2_h, 4_h, 10_h, 0.8, 6_h};
  EXPECT_EQ(condition_level(s, 1_h), 0.0);
  EXPECT_NEAR(condition_level(s, 4_h), 0.4, 1e-12);  // smoothstep(1/2) = 1/2
  EXPECT_LT(condition_level(s, 3_h), 0.4 * 0.5);     // slow start
  EXPECT_EQ(condition_level(s, 6_h), 0.8);
  EXPECT_EQ(condition_level(s, 15_h), 0.8);
  EXPECT_NEAR(condition_level(s, 19_h), 0.4, 1e-12);
  EXPECT_EQ(condition_level(s, 22_h), 0.0);
  const ConditionSpec chronic{ConditionType::copd, 0_s, 0_s, 0_s, 1.0, 0_s};
  EXPECT_EQ(condition_level(chronic, 0_s), 1.0);
  EXPECT_EQ(condition_level(chronic, 300_d), 1.0);
  EXPECT_EQ(condition_offset(chronic), sim::Time::max());
  // Offset = course end + the longest lag (sepsis: mentation, 3 h).
  EXPECT_EQ(condition_offset(s), 2_h + 4_h + 10_h + 6_h + 3_h);
}

TEST(ConditionEffects, LagsDelayTheLaterSigns) {
  const ConditionSpec s = default_condition_course(ConditionType::sepsis, 0_s);
  const ConditionResponse r = condition_response(ConditionType::sepsis);
  const Effects early = condition_effects(s, r, 1_h);
  EXPECT_GT(early.temperature_delta_c, 0.0);
  EXPECT_EQ(early.systolic_delta_mmhg, 0.0);  // hypotension lags by 2 h
  const Effects plateau = condition_effects(s, r, 20_h);
  EXPECT_DOUBLE_EQ(plateau.temperature_delta_c, 2.0);
  EXPECT_DOUBLE_EQ(plateau.systolic_delta_mmhg, -35.0);
  EXPECT_EQ(plateau.consciousness, Consciousness::new_confusion);
}

// ---- Each condition's effect on the vitals -------------------------------------------------

TEST(Sepsis, MeetsQsofaAndSirsAtPlateauAndRecovers) {
  const ConditionSpec s = default_condition_course(ConditionType::sepsis, 2_h);  // ramp 12 h, plateau 24 h
  const sim::Time from = 2_h + 12_h + 3_h, to = 2_h + 36_h;
  const Means base = run({}, from, to), sick = run({s}, from, to);
  EXPECT_GE(sick.temperature, 38.3);                    // fever (SIRS > 38)
  EXPECT_GE(sick.heart_rate, base.heart_rate + 35.0);   // +20 and +10/C of fever
  EXPECT_GE(sick.heart_rate, 100.0);
  EXPECT_GE(sick.respiration, 22.0);                    // qSOFA
  EXPECT_LE(sick.systolic, 100.0);                      // qSOFA
  EXPECT_LE(sick.diastolic, base.diastolic - 15.0);
  EXPECT_LE(sick.spo2, base.spo2 - 2.0);
  EXPECT_LE(sick.paco2, 36.0);                           // respiratory alkalosis
  EXPECT_EQ(sick.worst, Consciousness::new_confusion);  // qSOFA altered mentation
  // Early on only the fever has begun; after the course everything is back.
  const Means early_base = run({}, 3_h, 4_h), early = run({s}, 3_h, 4_h);  // before onset + 2 h
  EXPECT_GT(early.temperature, early_base.temperature + 0.02);
  EXPECT_NEAR(early.systolic, early_base.systolic, 1e-9);
  const sim::Time after = condition_offset(s);
  const Means late_base = run({}, after, after + 6_h), late = run({s}, after, after + 6_h);
  EXPECT_NEAR(late.heart_rate, late_base.heart_rate, 1e-9);
  EXPECT_NEAR(late.systolic, late_base.systolic, 1e-9);
  EXPECT_NEAR(late.spo2, late_base.spo2, 0.01);  // PaCO2 lag has settled
  EXPECT_EQ(late.worst, Consciousness::alert);
}

TEST(CovidSilentHypoxaemia, Spo2FallsWithLittleChangeInBreathing) {
  const ConditionSpec s = default_condition_course(ConditionType::covid_silent_hypoxaemia, 0_s);
  const sim::Time from = 26_h, to = 72_h;
  const Means base = run({}, from, to), sick = run({s}, from, to);
  EXPECT_GE(sick.spo2, 85.0);  // Tobin et al. 2020: 85-90 %
  EXPECT_LE(sick.spo2, 90.0);
  EXPECT_LT(sick.respiration - base.respiration, 5.0);  // +2 and fever +2
  EXPECT_LE(sick.respiration, 20.0);                    // still in the NEWS2 zero band
  EXPECT_GT(sick.heart_rate, base.heart_rate + 10.0);
  EXPECT_GT(sick.temperature, base.temperature + 0.6);
  EXPECT_EQ(sick.worst, Consciousness::alert);
}

TEST(Copd, ChronicSpo2InTheTargetRangeAndScale2) {
  const ConditionSpec s = default_condition_course(ConditionType::copd, 0_s);
  const Means base = run({}, 0_s, 2_d), sick = run({s}, 0_s, 2_d);
  EXPECT_GE(sick.spo2, 88.0);
  EXPECT_LE(sick.spo2, 92.0);
  EXPECT_NEAR(sick.paco2, 48.0, 0.5);
  EXPECT_TRUE(sick.hypercapnic_target);
  EXPECT_FALSE(base.hypercapnic_target);
  EXPECT_NEAR(sick.respiration - base.respiration, 4.0, 0.1);
  EXPECT_NEAR(sick.heart_rate - base.heart_rate, 6.0, 0.1);
}

TEST(CopdExacerbation, RaisesBreathingAndHeartRateAndLowersSpo2) {
  const ConditionSpec copd = default_condition_course(ConditionType::copd, 0_s);
  const ConditionSpec ex = default_condition_course(ConditionType::copd_exacerbation, 12_h);  // ramp 24 h
  const sim::Time from = 40_h, to = 84_h;
  const Means stable = run({copd}, from, to), sick = run({copd, ex}, from, to);
  EXPECT_GE(sick.respiration, stable.respiration + 8.0);  // +8 and a little fever
  EXPECT_GE(sick.heart_rate, stable.heart_rate + 15.0);
  EXPECT_LE(sick.spo2, stable.spo2 - 4.0);
  EXPECT_LE(sick.spo2, 87.0);
  EXPECT_GE(sick.paco2, stable.paco2 + 3.5);
  EXPECT_TRUE(sick.hypercapnic_target);
}

TEST(HeartFailureDecompensation, GainsTwoKilogramsOverThreeDays) {
  const ConditionSpec s = default_condition_course(ConditionType::heart_failure_decompensation, 1_d);
  const Means base = run({}, 0_s, 1_d), mid = run({s}, 1_d + 36_h, 1_d + 36_h + 1_min);
  EXPECT_NEAR(mid.weight - base.weight, 1.0, 1e-9);  // half-way through the 3-day ramp
  const sim::Time from = 1_d + 3_d + 1_d, to = 1_d + 3_d + 2_d;  // plateau, after the 24 h lags
  const Means ctl = run({}, from, to), sick = run({s}, from, to);
  EXPECT_NEAR(sick.weight - ctl.weight, 2.0, 1e-9);
  EXPECT_NEAR(sick.heart_rate - ctl.heart_rate, 12.0, 0.1);
  EXPECT_NEAR(sick.respiration - ctl.respiration, 6.0, 0.1);
  EXPECT_LE(sick.spo2, ctl.spo2 - 1.5);
  EXPECT_NEAR(sick.systolic, ctl.systolic, 1e-9);
}

TEST(OpioidRespiratoryDepression, SlowBreathingHypercapniaDesaturationSedation) {
  const ConditionSpec s = default_condition_course(ConditionType::opioid_respiratory_depression, 10_h);
  const sim::Time from = 11_h + 30_min, to = 15_h;  // plateau 11-15 h, after the 15 min lag
  const Means base = run({}, from, to), sick = run({s}, from, to);
  EXPECT_LE(sick.respiration, 8.0);
  EXPECT_GE(sick.paco2, 55.0);
  EXPECT_LE(sick.spo2, base.spo2 - 4.0);
  EXPECT_LT(sick.heart_rate, base.heart_rate);
  EXPECT_LT(sick.systolic, base.systolic);
  EXPECT_EQ(sick.worst, Consciousness::pain);
  // Sedation precedes the fall in breathing rate (Lee et al. 2015).
  const ConditionResponse r = condition_response(ConditionType::opioid_respiratory_depression);
  const Effects early = condition_effects(s, r, 10_h + 30_min);
  EXPECT_EQ(early.consciousness, Consciousness::voice);
  EXPECT_GT(early.respiration_drive_factor, 0.8);
}

TEST(HypertensiveCrisis, SystolicAbove180) {
  const ConditionSpec s = default_condition_course(ConditionType::hypertensive_crisis, 8_h);
  const sim::Time from = 10_h, to = 16_h;  // plateau, by day
  const Means base = run({}, from, to), sick = run({s}, from, to);
  EXPECT_GE(sick.systolic, 180.0);
  EXPECT_NEAR(sick.systolic - base.systolic, 80.0, 0.5);
  EXPECT_NEAR(sick.diastolic - base.diastolic, 45.0, 0.5);
  EXPECT_GT(sick.heart_rate, base.heart_rate + 5.0);
  EXPECT_NEAR(sick.spo2, base.spo2, 1e-9);
}

// ---- Ground truth ----------------------------------------------------------------------------

TEST(ConditionSet, ReportsOneEventPerConditionWithItsCourse) {
  EventLog log;
  const ConditionSpec sepsis{ConditionType::sepsis, 5_h, 6_h, 12_h, 0.7, 8_h};
  const ConditionSpec copd = default_condition_course(ConditionType::copd, 0_s);
  const ConditionSpec later = default_condition_course(ConditionType::hypertensive_crisis, 5_d);
  ConditionSet set({sepsis, copd, later}, log);
  set.advance_to(5_h + 6_h + 12_h + 8_h + 3_h - 1_s);
  EXPECT_TRUE(log.events.empty());
  set.advance_to(2_d);
  ASSERT_EQ(log.events.size(), 1u);
  const GroundTruthEvent& e = log.events[0];
  EXPECT_EQ(e.event_class, EventClass::condition);
  EXPECT_EQ(e.detail, static_cast<std::uint16_t>(ConditionType::sepsis));
  EXPECT_EQ(e.onset, 5_h);
  EXPECT_EQ(e.offset, 5_h + 6_h + 12_h + 8_h + 3_h);  // course + the 3 h mentation lag
  EXPECT_DOUBLE_EQ(e.severity, 0.7);
  EXPECT_DOUBLE_EQ(e.peak, 0.7);
  set.advance_to(3_d);
  set.finish(3_d);  // the chronic COPD ends with the run; the crisis has not begun
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_EQ(log.events[1].detail, static_cast<std::uint16_t>(ConditionType::copd));
  EXPECT_EQ(log.events[1].onset, 0_s);
  EXPECT_EQ(log.events[1].offset, 3_d);
  set.finish(3_d);
  EXPECT_EQ(log.events.size(), 2u);  // each reported once
}

TEST(ConditionSet, RunEndingDuringTheRampReportsTheLevelReached) {
  EventLog log;
  ConditionSet set({ConditionSpec{ConditionType::sepsis, 0_s, 10_h, 10_h, 1.0, 1_h}}, log);
  set.finish(5_h);
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].offset, 5_h);
  EXPECT_NEAR(log.events[0].peak, 0.5, 1e-12);
}

TEST(ConditionSet, EffectsCombine) {
  EventLog log;
  const ConditionSpec copd = default_condition_course(ConditionType::copd, 0_s);
  const ConditionSpec opioid = default_condition_course(ConditionType::opioid_respiratory_depression, 0_s);
  ConditionSet set({copd, opioid}, log);
  const Effects e = set.effects_at(3_h);
  EXPECT_DOUBLE_EQ(e.paco2_delta_mmhg, 8.0);
  EXPECT_DOUBLE_EQ(e.respiration_drive_factor, 0.45);
  EXPECT_DOUBLE_EQ(e.aa_gradient_delta_mmhg, 24.0 + 5.0);
  EXPECT_TRUE(e.hypercapnic_target);
  EXPECT_EQ(e.consciousness, Consciousness::pain);
}

// ---- Cohorts ---------------------------------------------------------------------------------

TEST(DrawConditions, PrevalenceOnsetAndSeverityWithinBounds) {
  ConditionPrevalence sepsis = default_prevalence(ConditionType::sepsis, 0.3, 1_d, 3_d);
  sepsis.severity_min = 0.5;
  sepsis.severity_max = 0.9;
  const std::vector<ConditionPrevalence> cohort = {sepsis};
  constexpr int N = 3000;
  int with = 0;
  double onset_h = 0, severity = 0;
  for (int i = 0; i < N; ++i) {
    std::string id = "p";
    id += std::to_string(i);
    sim::RandomStream rng(SEED, 0, id, "conditions");
    const auto specs = draw_conditions(cohort, 7_d, rng);
    ASSERT_LE(specs.size(), 1u);
    if (specs.empty()) continue;
    ++with;
    ASSERT_GE(specs[0].onset, 1_d);
    ASSERT_LE(specs[0].onset, 3_d);
    ASSERT_GE(specs[0].severity, 0.5);
    ASSERT_LE(specs[0].severity, 0.9);
    EXPECT_EQ(specs[0].ramp, 12_h);
    onset_h += specs[0].onset.seconds() / 3600.0;
    severity += specs[0].severity;
  }
  EXPECT_NEAR(with / double(N), 0.3, 4.0 * std::sqrt(0.3 * 0.7 / N));
  EXPECT_NEAR(onset_h / with, 48.0, 4.0 * (48.0 / std::sqrt(12.0)) / std::sqrt(with));  // U(24, 72) h
  EXPECT_NEAR(severity / with, 0.7, 4.0 * (0.4 / std::sqrt(12.0)) / std::sqrt(with));
}

TEST(DrawConditions, OnsetWindowClippedToTheRunAndEntriesIndependent) {
  const ConditionPrevalence hf = default_prevalence(ConditionType::heart_failure_decompensation, 1.0, 5_d, 20_d);
  sim::RandomStream a(SEED, 0, "p1", "conditions");
  const auto specs = draw_conditions({hf}, 7_d, a);
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_LE(specs[0].onset, 7_d);
  // The second entry's draws do not depend on the first entry's prevalence.
  const ConditionPrevalence copd = default_prevalence(ConditionType::copd, 1.0, 0_s, 0_s);
  for (double p : {0.0, 1.0}) {
    sim::RandomStream r1(SEED, 0, "p1", "conditions");
    const auto with = draw_conditions({default_prevalence(ConditionType::sepsis, p, 0_s, 1_d), hf, copd}, 7_d, r1);
    EXPECT_EQ(with.size(), p == 0.0 ? 2u : 3u);
    EXPECT_EQ(with[with.size() - 2].onset.ns() > 0, true);
    sim::RandomStream r2(SEED, 0, "p1", "conditions");
    const auto reference = draw_conditions({default_prevalence(ConditionType::sepsis, 0.5, 0_s, 1_d), hf, copd}, 7_d, r2);
    EXPECT_EQ(with[with.size() - 2].onset, reference[reference.size() - 2].onset);
  }
}

TEST(ConditionSet, SameSeedSameTrajectory) {
  const std::vector<ConditionSpec> specs = {default_condition_course(ConditionType::sepsis, 1_h)};
  EventLog l1, l2;
  ConditionSet c1(specs, l1), c2(specs, l2);
  VitalsModel a(Profile{}, VitalsModelParams{}, "p0003", SEED, 1, &c1);
  VitalsModel b(Profile{}, VitalsModelParams{}, "p0003", SEED, 1, &c2);
  for (sim::Time t = 0_s; t < 2_d; t += 13_min) {
    a.advance_to(t);
    b.advance_to(t);
    ASSERT_EQ(a.current().heart_rate_bpm, b.current().heart_rate_bpm);
    ASSERT_EQ(a.current().spo2_percent, b.current().spo2_percent);
    ASSERT_EQ(a.current().respiration_rate_per_min, b.current().respiration_rate_per_min);
  }
}

}  // namespace
}  // namespace twinbed::physiology
