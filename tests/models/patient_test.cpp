// The composed patient: the models wired together behave as one patient.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "physiology/OrnsteinUhlenbeck.hpp"
#include "physiology/Patient.hpp"
#include "sim/RandomStream.hpp"

using namespace twinbed;
using namespace twinbed::physiology;
using namespace twinbed::sim::literals;

TEST(OrnsteinUhlenbeck, ExactStepGoldenValues) {
  const OuParams p{75.0, 5.0, sim::Time::from_s(300)};
  // z = 0: pure decay towards the baseline, x' = mu + (x - mu) e^(-1/300).
  EXPECT_NEAR(ou_step(85.0, p, sim::Time::from_s(1), 0.0), 75.0 + 10.0 * std::exp(-1.0 / 300.0), 1e-12);
  // dt = tau, z = 1: x' = mu + (x - mu)/e + sd sqrt(1 - e^-2).
  EXPECT_NEAR(ou_step(85.0, p, sim::Time::from_s(300), 1.0), 75.0 + 10.0 / M_E + 5.0 * std::sqrt(1.0 - std::exp(-2.0)),
              1e-12);
  // dt >> tau forgets the start: x' = mu + sd z.
  EXPECT_NEAR(ou_step(200.0, p, sim::Time::from_days(1), -2.0), 65.0, 1e-9);
}

TEST(OrnsteinUhlenbeck, StationaryMomentsAndAutocorrelation) {
  // tau = 20 s, 1 s steps, 400k s: the sample mean's standard error is sd sqrt(2 tau / T) = 0.05.
  const OuParams p{75.0, 5.0, sim::Time::from_s(20)};
  sim::RandomStream rng(11, 0, "ou-test", "z");
  std::vector<double> xs;
  double x = 75.0;
  for (int t = 0; t < 400000; ++t) {
    x = ou_step(x, p, sim::Time::from_s(1), rng.normal(0.0, 1.0));
    xs.push_back(x);
  }
  double mean = 0;
  for (double v : xs) mean += v;
  mean /= static_cast<double>(xs.size());
  double var = 0, cov = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    var += (xs[i] - mean) * (xs[i] - mean);
    if (i + 20 < xs.size()) cov += (xs[i] - mean) * (xs[i + 20] - mean);
  }
  var /= static_cast<double>(xs.size());
  cov /= static_cast<double>(xs.size() - 20);
  EXPECT_NEAR(mean, 75.0, 5 * 0.05);
  EXPECT_NEAR(std::sqrt(var), 5.0, 0.15);
  EXPECT_NEAR(cov / var, std::exp(-1.0), 0.03);  // autocorrelation at lag tau
}

TEST(Patient, ValuesDoNotDependOnQueryPattern) {
  const PatientSpec spec;
  Patient dense("p0001", spec, 1_h, 3, 0);
  Patient sparse("p0001", spec, 1_h, 3, 0);
  for (int t = 0; t <= 600; ++t) dense.advance_to(sim::Time::from_ms(t * 1000 + 370));
  sparse.advance_to(sim::Time::from_ms(600'370));
  for (const Signal s : ALL_SIGNALS) EXPECT_EQ(dense.value(s), sparse.value(s)) << signal_name(s);
  EXPECT_EQ(dense.time(), 600_s);
}

TEST(Patient, SameIdSamePatientOtherIdOtherPatient) {
  const PatientSpec spec;
  Patient a("p0017", spec, 1_h, 9, 0);
  Patient b("p0017", spec, 1_h, 9, 0);
  Patient c("p0018", spec, 1_h, 9, 0);
  a.advance_to(30_min);
  b.advance_to(30_min);
  c.advance_to(30_min);
  EXPECT_EQ(a.profile().age_years, b.profile().age_years);
  EXPECT_EQ(a.value(Signal::heart_rate), b.value(Signal::heart_rate));
  EXPECT_NE(a.profile().age_years, c.profile().age_years);
  EXPECT_NE(a.value(Signal::heart_rate), c.value(Signal::heart_rate));
}

TEST(Patient, SignalsAreInPhysiologicalRanges) {
  Patient p("p0001", PatientSpec{}, 2_h, 5, 0);
  for (sim::Time t = 0_s; t <= 2_h; t += 1_min) {
    p.advance_to(t);
    ASSERT_GT(p.value(Signal::heart_rate), 35.0);
    ASSERT_LT(p.value(Signal::heart_rate), 140.0);
    ASSERT_GT(p.value(Signal::spo2), 90.0);
    ASSERT_LE(p.value(Signal::spo2), 100.0);
    ASSERT_NEAR(p.value(Signal::core_temperature), 36.8, 1.0);
    ASSERT_GT(p.value(Signal::glucose), 60.0);
    ASSERT_LT(p.value(Signal::glucose), 200.0);
    ASSERT_DOUBLE_EQ(p.value(Signal::mean_bp),
                     p.value(Signal::diastolic_bp) + (p.value(Signal::systolic_bp) - p.value(Signal::diastolic_bp)) / 3);
  }
}

TEST(Patient, SepsisProducesItsConditionEventAndTheVitalEvents) {
  PatientSpec spec;
  spec.conditions.push_back(default_prevalence(ConditionType::sepsis, 1.0, 1_h, 1_h));
  Patient p("p0001", spec, 12_h, 1, 0);
  p.finish(12_h);
  bool condition = false, fever = false, tachypnoea = false, news2_high = false;
  for (const GroundTruthEvent& e : p.events()) {
    condition = condition || (e.event_class == EventClass::condition && e.onset == 1_h &&
                              e.detail == static_cast<std::uint16_t>(ConditionType::sepsis));
    fever = fever || (e.event_class == EventClass::fever && e.onset > 1_h);
    tachypnoea = tachypnoea || (e.event_class == EventClass::tachypnoea && e.onset > 1_h);
    news2_high = news2_high || (e.event_class == EventClass::news2_high && e.onset > 1_h);
  }
  EXPECT_TRUE(condition);
  EXPECT_TRUE(fever);
  EXPECT_TRUE(tachypnoea);
  EXPECT_TRUE(news2_high);
  EXPECT_GT(p.value(Signal::core_temperature), 38.0);
}

TEST(Patient, Type1DiabetesGlucoseFlowsIntoTheVitals) {
  PatientSpec spec;
  spec.glucose.kind = GlucoseKind::type1_diabetes;
  spec.glucose.uva_padova_patient = "adult#001";
  spec.glucose.meal_plan.clear();
  spec.glucose.meals = {{60_min, 50.0}};
  Patient p("p0001", spec, 6_h, 1, 0);
  p.advance_to(59_min);
  const double before = p.value(Signal::glucose);
  EXPECT_NEAR(before, find_uva_padova_patient("adult#001")->params.gb_mg_dl, 0.5);
  double peak = before;
  for (sim::Time t = 60_min; t <= 4_h; t += 1_min) {
    p.advance_to(t);
    peak = std::max(peak, p.value(Signal::glucose));
  }
  EXPECT_GT(peak, before + 30.0);  // the meal shows, in plasma glucose as a vital sign
  EXPECT_EQ(p.vitals().glucose_mg_dl, p.value(Signal::glucose));
}

TEST(Patient, EcgBeatsAndArrhythmiaEventsFollowTheRhythm) {
  PatientSpec spec;
  spec.ecg = true;
  spec.rhythm.episodes.push_back({Rhythm::ventricular_tachycardia, 10_min, 10_min + 30_s, 170.0});
  Patient p("p0001", spec, 20_min, 2, 0);
  ASSERT_NE(p.ecg(), nullptr);
  p.advance_to(20_min);
  std::vector<float> samples(static_cast<std::size_t>(p.ecg()->sample_at_or_after(20_min)));
  p.ecg()->render(0, samples);
  const std::vector<Beat> beats = p.take_beats();
  std::size_t ventricular = 0;
  for (const Beat& b : beats) ventricular += b.beat_class == BeatClass::ventricular ? 1 : 0;
  EXPECT_GT(beats.size(), 20u * 50u);  // ~20 min at > 50 bpm
  EXPECT_GE(ventricular, 80u);         // 30 s at 170 bpm
  p.finish(20_min);
  int vt = 0;
  for (const GroundTruthEvent& e : p.events()) vt += e.event_class == EventClass::ventricular_tachycardia ? 1 : 0;
  EXPECT_EQ(vt, 1);
  Patient no_ecg("p0001", PatientSpec{}, 20_min, 2, 0);
  EXPECT_EQ(no_ecg.ecg(), nullptr);
}

TEST(Signals, NamesAndUnitsRoundTrip) {
  for (const Signal s : ALL_SIGNALS) EXPECT_EQ(signal_from_name(signal_name(s)), s);
  EXPECT_EQ(signal_unit(Signal::heart_rate), "/min");
  EXPECT_EQ(signal_unit(Signal::spo2), "%");
  EXPECT_EQ(signal_unit(Signal::systolic_bp), "mm[Hg]");
  EXPECT_EQ(signal_unit(Signal::core_temperature), "Cel");
  EXPECT_FALSE(signal_from_name("blood_sugar").has_value());
}

// Each deterioration, on the composed patient, produces its condition event and the ground-truth
// events its vitals imply (scenarios/validation/deteriorations.yaml runs the same courses).
struct DeteriorationCase {
  const char* name;
  std::vector<ConditionType> conditions;  // the last one starts at 2 h; earlier ones are chronic
  std::vector<EventClass> expected;
};

class Deterioration : public ::testing::TestWithParam<DeteriorationCase> {};

TEST_P(Deterioration, ProducesTheMatchingGroundTruthEvents) {
  const DeteriorationCase& c = GetParam();
  PatientSpec spec;
  for (std::size_t i = 0; i < c.conditions.size(); ++i) {
    const sim::Time onset = i + 1 == c.conditions.size() ? 2_h : 0_s;
    spec.conditions.push_back(default_prevalence(c.conditions[i], 1.0, onset, onset));
  }
  Patient p("p0001", spec, 24_h, 3, 0);
  p.finish(24_h);
  for (const EventClass expected : c.expected) {
    bool found = false;
    for (const GroundTruthEvent& e : p.events()) found = found || (e.event_class == expected && e.onset >= 2_h);
    EXPECT_TRUE(found) << c.name << ": no " << event_class_name(expected) << " event after the onset";
  }
  int condition_events = 0;
  for (const GroundTruthEvent& e : p.events()) condition_events += e.event_class == EventClass::condition ? 1 : 0;
  EXPECT_EQ(condition_events, static_cast<int>(c.conditions.size()));
}

INSTANTIATE_TEST_SUITE_P(
    AllConditions, Deterioration,
    ::testing::Values(
        DeteriorationCase{"sepsis", {ConditionType::sepsis},
                          {EventClass::fever, EventClass::tachycardia, EventClass::tachypnoea, EventClass::hypotension,
                           EventClass::news2_medium, EventClass::news2_high}},
        DeteriorationCase{"covid", {ConditionType::covid_silent_hypoxaemia},
                          {EventClass::desaturation, EventClass::news2_medium}},
        DeteriorationCase{"copd_exacerbation", {ConditionType::copd, ConditionType::copd_exacerbation},
                          {EventClass::tachypnoea, EventClass::news2_medium, EventClass::news2_high}},
        DeteriorationCase{"opioid", {ConditionType::opioid_respiratory_depression},
                          {EventClass::bradypnoea, EventClass::desaturation, EventClass::news2_high}},
        DeteriorationCase{"hypertensive_crisis", {ConditionType::hypertensive_crisis},
                          {EventClass::hypertensive_crisis}},
        // Heart-failure decompensation moves weight, HR, RR and SpO2 without crossing a threshold:
        // its ground truth is the condition itself (conditions_test checks the +2 kg over 3 days).
        DeteriorationCase{"heart_failure", {ConditionType::heart_failure_decompensation}, {}}),
    [](const ::testing::TestParamInfo<DeteriorationCase>& info) { return std::string(info.param.name); });

TEST(Patient, InsulinOverdoseGivesLevel1And2Hypoglycaemia) {
  PatientSpec spec;
  spec.glucose.kind = GlucoseKind::type1_diabetes;
  spec.glucose.uva_padova_patient = "adult#003";
  spec.glucose.meal_plan.clear();
  spec.boluses_u = {{3_h, 8.0}};
  Patient p("p0001", spec, 12_h, 3, 0);
  p.finish(12_h);
  bool level1 = false, level2 = false;
  for (const GroundTruthEvent& e : p.events()) {
    level1 = level1 || (e.event_class == EventClass::hypoglycaemia_level1 && e.onset > 3_h && e.peak < 70.0);
    level2 = level2 || (e.event_class == EventClass::hypoglycaemia_level2 && e.onset > 3_h && e.peak < 54.0);
  }
  EXPECT_TRUE(level1);
  EXPECT_TRUE(level2);
}
