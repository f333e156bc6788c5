#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "physiology/Patient.hpp"

using namespace twinbed;
using namespace twinbed::physiology;

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

TEST(OrnsteinUhlenbeck, PatientHasStationaryMomentsAndAutocorrelation) {
  // tau = 20 s, 1 s steps, 400k s: ~20000 correlation times, so the sample mean's standard error
  // is about sd * sqrt(2 tau / T) = 5 * 0.01 = 0.05 bpm.
  VitalsParams params;
  params.heart_rate = {75.0, 5.0, sim::Time::from_s(20)};
  Patient patient("p0001", params, 11, 0);
  std::vector<double> xs;
  for (int t = 1; t <= 400000; ++t) {
    patient.advance_to(sim::Time::from_s(t));
    xs.push_back(patient.value(Signal::heart_rate));
  }
  double mean = 0;
  for (double x : xs) mean += x;
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
  VitalsParams params;
  Patient dense("p0001", params, 3, 0);
  Patient sparse("p0001", params, 3, 0);
  for (int t = 0; t <= 600; ++t) dense.advance_to(sim::Time::from_ms(t * 1000 + 370));
  sparse.advance_to(sim::Time::from_ms(600'370));
  EXPECT_EQ(dense.value(Signal::heart_rate), sparse.value(Signal::heart_rate));
  EXPECT_EQ(dense.value(Signal::spo2), sparse.value(Signal::spo2));
  EXPECT_EQ(dense.state().time, sim::Time::from_s(600));
}

TEST(Patient, ClampsToPhysiologicalLimits) {
  VitalsParams params;
  params.spo2 = {99.5, 3.0, sim::Time::from_s(10)};
  Patient patient("p0001", params, 1, 0);
  bool hit_limit = false;
  for (int t = 1; t <= 3600; ++t) {
    patient.advance_to(sim::Time::from_s(t));
    const double v = patient.value(Signal::spo2);
    ASSERT_LE(v, 100.0);
    hit_limit = hit_limit || v == 100.0;
  }
  EXPECT_TRUE(hit_limit);
}

TEST(Signals, NamesRoundTrip) {
  for (const Signal s : ALL_SIGNALS) EXPECT_EQ(signal_from_name(signal_name(s)), s);
  EXPECT_EQ(signal_unit(Signal::heart_rate), "/min");
  EXPECT_EQ(signal_unit(Signal::spo2), "%");
  EXPECT_EQ(signal_unit(Signal::systolic_bp), "mm[Hg]");
  EXPECT_EQ(signal_unit(Signal::core_temperature), "Cel");
  EXPECT_FALSE(signal_from_name("blood_sugar").has_value());
}
