// Spot-check and home devices: NIBP cuff, thermometer, skin-temperature patch, weight scale.
// Statistical tests use fixed seeds; each bound is stated with its reasoning (about 4 standard
// errors of the estimate, so a correct model fails with probability < 1e-4 per bound).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "DeviceTestKit.hpp"
#include "devices/NibpCuff.hpp"
#include "devices/SkinTempPatch.hpp"

using namespace twinbed;
using devices::DeviceType;
using devices::FaultKind;
using physiology::Signal;

namespace {

constexpr double TWO_PI = 2.0 * std::numbers::pi;

struct Stats {
  double mean = 0.0;
  double sd = 0.0;
};
Stats stats(const std::vector<double>& x) {
  Stats s;
  for (const double v : x) s.mean += v;
  s.mean /= static_cast<double>(x.size());
  for (const double v : x) s.sd += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(s.sd / static_cast<double>(x.size() - 1));
  return s;
}

bool on_grid(double value, double resolution) {
  const double steps = value / resolution;
  return std::abs(steps - std::round(steps)) < 1e-9;
}

// Times of day every `step` from midnight.
std::vector<sim::Time> grid_times(sim::Time step) {
  std::vector<sim::Time> times;
  for (sim::Time t = sim::Time::zero(); t < sim::Time::from_days(1); t += step) times.push_back(t);
  return times;
}

// --- NIBP -------------------------------------------------------------------------------------------

constexpr sim::Time NIBP_GRID = sim::Time::from_min(15);
// Measurements start at 00:15, 00:30, ... up to day 14 00:00: 14 * 96 = 1344, all finished (with
// their retries, at most 3 * 45 + 2 * 30 s) before the end.
constexpr sim::Time NIBP_RUN_END = sim::Time::from_days(14) + sim::Time::from_min(10);

// A blood pressure that varies over the day and faster (so the start time of a measurement matters).
double scripted_bp(Signal s, sim::Time t) {
  const double x = t.seconds();
  const double systolic = 125.0 + 15.0 * std::sin(TWO_PI * x / 86400.0) + 6.0 * std::sin(TWO_PI * x / 5400.0);
  const double diastolic = 80.0 + 8.0 * std::sin(TWO_PI * x / 86400.0) + 3.0 * std::sin(TWO_PI * x / 5400.0);
  switch (s) {
    case Signal::systolic_bp: return systolic;
    case Signal::diastolic_bp: return diastolic;
    case Signal::mean_bp: return diastolic + (systolic - diastolic) / 3.0;
    default: return 0.0;
  }
}

// One delivered NIBP result (the packet carrying its systolic reading).
struct NibpResult {
  sim::Time start;      // the scheduled start (the 15 min grid point before it)
  sim::Time stamp;      // the reading's sample_time
  sim::Time delivered;  // arrival at the collector
  double systolic = 0.0, diastolic = 0.0, mean = 0.0;
  std::uint16_t flags = 0;
};

std::vector<NibpResult> nibp_results(const testkit::Collector& ingest) {
  std::vector<NibpResult> out;
  for (std::size_t i = 0; i < ingest.packets.size(); ++i) {
    NibpResult r;
    bool has = false;
    for (const network::Reading& reading : ingest.packets[i].readings) {
      switch (static_cast<Signal>(reading.signal)) {
        case Signal::systolic_bp:
          has = true;
          r.systolic = reading.value;
          r.stamp = reading.sample_time;
          r.flags = reading.flags;
          break;
        case Signal::diastolic_bp: r.diastolic = reading.value; break;
        case Signal::mean_bp: r.mean = reading.value; break;
        default: break;
      }
    }
    if (!has) continue;
    r.start = sim::Time::from_ns(r.stamp.ns() - r.stamp.ns() % NIBP_GRID.ns());
    r.delivered = ingest.times[i];
    out.push_back(r);
  }
  return out;
}

testkit::BenchOptions nibp_options(double failure_probability, std::uint64_t max_attempts) {
  testkit::BenchOptions options;
  options.params = [=](sim::ParamSet& p) {
    p.set("sample_interval", 0.0);
    p.set("failure_probability", failure_probability);
    p.set("max_attempts", static_cast<double>(max_attempts));
    p.set("battery_capacity_mah", 0.0);  // a ward monitor on mains: 1344 inflations would empty AA cells
  };
  options.times_of_day = grid_times(NIBP_GRID);
  options.id = "p0001-nibp";
  return options;
}

TEST(NibpValues, MapErrorIsSharedAndValuesAreWholeMmHg) {
  const devices::NibpAccuracy accuracy{0.0, 0.0, 6.0, 5.0, 4.0};
  const devices::BloodPressure truth{120.0, 80.0, 280.0 / 3.0};
  std::uint16_t flags[3] = {0, 0, 0};
  // z_mean = 1 moves all three by the MAP's 4 mmHg; z_systolic = 1 adds sqrt(36 - 16) = 4.47.
  const devices::BloodPressure v = devices::nibp_values(truth, accuracy, 1.0, 1.0, 0.0, flags);
  EXPECT_EQ(v.systolic, 128.0);   // 120 + 4 + 4.47 = 128.47
  EXPECT_EQ(v.diastolic, 84.0);   // 80 + 4
  EXPECT_EQ(v.mean, 97.0);        // 93.33 + 4
  EXPECT_EQ(flags[0] | flags[1] | flags[2], 0);
  const devices::BloodPressure high = devices::nibp_values({300.0, 230.0, 253.3}, accuracy, 0.0, 0.0, 0.0, flags);
  EXPECT_EQ(high.systolic, 270.0);
  EXPECT_EQ(high.diastolic, 215.0);
  EXPECT_EQ(high.mean, 235.0);
  EXPECT_EQ(flags[0] & network::READING_CLAMPED, network::READING_CLAMPED);
}

TEST(NibpValues, FailureProbabilityCombinesCauses) {
  EXPECT_DOUBLE_EQ(devices::nibp_failure_probability(0.05, 0.5, false, false), 0.05);
  EXPECT_DOUBLE_EQ(devices::nibp_failure_probability(0.05, 0.5, true, false), 1.0 - 0.95 * 0.5);
  EXPECT_DOUBLE_EQ(devices::nibp_failure_probability(0.0, 0.0, false, true), 1.0);
}

// 14 days of 15-min measurements (1344) against a time-varying pressure, no failures.
TEST(NibpCuff, MeetsIso81060AndReadsThePressureAtTheStartAfter30To45s) {
  testkit::ScriptedPatient patient;
  patient.script = scripted_bp;
  const testkit::BenchOptions options = nibp_options(0.0, 2);
  testkit::DeviceBench bench(DeviceType::nibp_cuff, patient, options);
  bench.run_until(NIBP_RUN_END);

  const std::vector<NibpResult> results = nibp_results(bench.ingest);
  ASSERT_EQ(results.size(), 14u * 96u);
  std::vector<double> systolic_error, diastolic_error, mean_error;
  double shortest_s = 1e9, longest_s = 0.0;
  for (const NibpResult& r : results) {
    systolic_error.push_back(r.systolic - scripted_bp(Signal::systolic_bp, r.start));
    diastolic_error.push_back(r.diastolic - scripted_bp(Signal::diastolic_bp, r.start));
    mean_error.push_back(r.mean - scripted_bp(Signal::mean_bp, r.start));
    const double duration_s = (r.stamp - r.start).seconds();
    EXPECT_GE(duration_s, 30.0);
    EXPECT_LE(duration_s, 45.0);
    EXPECT_EQ(r.delivered - r.start - options.latency, r.stamp - r.start);  // sent when the cuff deflates
    EXPECT_TRUE(on_grid(r.systolic, 1.0) && on_grid(r.diastolic, 1.0) && on_grid(r.mean, 1.0));
    EXPECT_EQ(r.flags & network::READING_RETRIED, 0);
    shortest_s = std::min(shortest_s, duration_s);
    longest_s = std::max(longest_s, duration_s);
  }
  // Durations uniform on [30, 45] s: 1344 draws all above 31 s has probability (14/15)^1344 ~ 0.
  EXPECT_LT(shortest_s, 31.0);
  EXPECT_GT(longest_s, 44.0);

  const Stats s = stats(systolic_error), d = stats(diastolic_error), m = stats(mean_error);
  // ISO 81060-2 criterion 1.
  EXPECT_LE(std::abs(s.mean), 5.0);
  EXPECT_LE(s.sd, 8.0);
  EXPECT_LE(std::abs(d.mean), 5.0);
  EXPECT_LE(d.sd, 8.0);
  // Configured SDs 6 / 5 / 4 mmHg (+1/12 mmHg^2 rounding). SE of a mean = sd / sqrt(1344) (0.16,
  // 0.14, 0.11); SE of an SD ~ sd / sqrt(2 * 1344) (0.12, 0.10, 0.08): bounds ~4 SE.
  EXPECT_NEAR(s.mean, 0.0, 0.65);
  EXPECT_NEAR(d.mean, 0.0, 0.55);
  EXPECT_NEAR(m.mean, 0.0, 0.45);
  EXPECT_NEAR(s.sd, 6.0, 0.5);
  EXPECT_NEAR(d.sd, 5.0, 0.42);
  EXPECT_NEAR(m.sd, 4.0, 0.34);
}

// With p = 0.2 per attempt, a measurement needs a retry with probability 0.2.
TEST(NibpCuff, RetryShareFollowsTheFailureProbability) {
  testkit::ScriptedPatient patient;
  patient.script = scripted_bp;
  testkit::BenchOptions options = nibp_options(0.2, 3);
  options.seed = 7;
  testkit::DeviceBench bench(DeviceType::nibp_cuff, patient, options);
  bench.run_until(NIBP_RUN_END);

  const double measurements = 14.0 * 96.0;
  const std::vector<devices::FaultRecord> failures = bench.faults.of(FaultKind::measurement_failed);
  const auto first_failures = std::count_if(failures.begin(), failures.end(),
                                            [](const devices::FaultRecord& r) { return r.magnitude == 1.0; });
  const std::vector<NibpResult> results = nibp_results(bench.ingest);
  std::size_t retried = 0;
  for (const NibpResult& r : results) {
    if ((r.flags & network::READING_RETRIED) == 0) continue;
    ++retried;
    // A retried value started after a whole failed attempt (>= 30 s) and the 30 s retry delay.
    EXPECT_GE((r.stamp - r.start).seconds(), 30.0 + 30.0 + 30.0);
  }
  const std::size_t alerts = bench.ingest.readings(Signal::device_alert).size();
  // Each measurement needing a retry ends either as a RETRIED value or, after 3 failures, an alert.
  EXPECT_EQ(static_cast<std::size_t>(first_failures), retried + alerts);
  EXPECT_EQ(results.size() + alerts, static_cast<std::size_t>(measurements));
  // Binomial(1344, 0.2): sd = sqrt(0.2 * 0.8 / 1344) = 0.011; bound 4 sd.
  EXPECT_NEAR(static_cast<double>(first_failures) / measurements, 0.2, 0.044);
  // All three attempts fail with probability 0.008: ~11 of 1344 (Poisson sd 3.3).
  EXPECT_LE(alerts, 25u);
}

TEST(NibpCuff, GivesUpAfterMaxAttemptsWithAnAlertAndExactFaultIntervals) {
  testkit::ScriptedPatient patient;
  patient.script = scripted_bp;
  testkit::BenchOptions options = nibp_options(1.0, 3);
  options.times_of_day = {sim::Time::from_h(1)};
  testkit::DeviceBench bench(DeviceType::nibp_cuff, patient, options);
  bench.run_until(sim::Time::from_h(2));

  const std::vector<devices::FaultRecord> failures = bench.faults.of(FaultKind::measurement_failed);
  ASSERT_EQ(failures.size(), 3u);
  EXPECT_EQ(failures[0].start, sim::Time::from_h(1));
  for (std::size_t k = 0; k < failures.size(); ++k) {
    EXPECT_EQ(failures[k].origin, devices::FaultOrigin::model);
    EXPECT_EQ(failures[k].magnitude, static_cast<double>(k + 1));
    const double duration_s = (failures[k].end - failures[k].start).seconds();
    EXPECT_GE(duration_s, 30.0);
    EXPECT_LE(duration_s, 45.0);
    if (k > 0) {
      EXPECT_EQ(failures[k].start, failures[k - 1].end + sim::Time::from_s(30));  // retry_delay
    }
  }
  const std::vector<network::Reading> alerts = bench.ingest.readings(Signal::device_alert);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].value, static_cast<double>(devices::AlertCode::measurement_failed));
  EXPECT_EQ(alerts[0].sample_time, failures[2].end);  // shown when the last attempt has deflated
  EXPECT_TRUE(bench.ingest.readings(Signal::systolic_bp).empty());
}

// A patient active all the time (motion_artifacts is on by default): each attempt fails with
// 1 - 0.95 * 0.5 = 0.525 (failure_probability 0.05, motion_failure_probability 0.5).
TEST(NibpCuff, MotionMakesAttemptsFail) {
  testkit::ScriptedPatient patient;
  patient.script = scripted_bp;
  patient.set_activity(physiology::Activity::active, sim::Time::zero());
  testkit::BenchOptions options = nibp_options(0.05, 2);
  options.seed = 3;
  testkit::DeviceBench bench(DeviceType::nibp_cuff, patient, options);
  bench.run_until(NIBP_RUN_END);

  const std::vector<devices::FaultRecord> failures = bench.faults.of(FaultKind::measurement_failed);
  const auto first_failures = std::count_if(failures.begin(), failures.end(),
                                            [](const devices::FaultRecord& r) { return r.magnitude == 1.0; });
  // Binomial(1344, 0.525): sd 0.0136; bound 4 sd.
  EXPECT_NEAR(static_cast<double>(first_failures) / (14.0 * 96.0), 0.525, 0.055);
  const std::vector<devices::FaultRecord> motion = bench.faults.of(FaultKind::motion);
  ASSERT_EQ(motion.size(), 1u);  // one activity interval, open to the end of the run
  EXPECT_EQ(motion[0].origin, devices::FaultOrigin::activity);
  const std::vector<NibpResult> results = nibp_results(bench.ingest);
  ASSERT_FALSE(results.empty());
  for (const NibpResult& r : results) EXPECT_NE(r.flags & network::READING_MOTION, 0);
}

TEST(NibpCuff, CuffOffTheArmFailsEveryMeasurement) {
  testkit::ScriptedPatient patient;
  patient.script = scripted_bp;
  testkit::BenchOptions options = nibp_options(0.0, 2);
  options.times_of_day = grid_times(sim::Time::from_h(1));
  options.faults = {devices::FaultSpec{FaultKind::detachment, sim::Time::zero(), {}, {}, 0.0, {}}};
  testkit::DeviceBench bench(DeviceType::nibp_cuff, patient, options);
  bench.run_until(sim::Time::from_days(1) + sim::Time::from_min(10));  // 01:00 ... 24:00
  EXPECT_TRUE(bench.ingest.readings(Signal::systolic_bp).empty());
  EXPECT_EQ(bench.ingest.readings(Signal::device_alert).size(), 24u);
  EXPECT_EQ(bench.faults.of(FaultKind::measurement_failed).size(), 48u);  // 2 attempts each
}

// --- thermometer ------------------------------------------------------------------------------------

double scripted_core(Signal s, sim::Time t) {
  return s == Signal::core_temperature ? 37.0 + 1.2 * std::sin(TWO_PI * t.seconds() / (7 * 3600.0)) : 0.0;
}

TEST(Thermometer, NinetyFivePercentWithinPointThreeAndResolutionPointOne) {
  testkit::ScriptedPatient patient;
  patient.script = scripted_core;
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) { p.set("sample_interval", 60.0); };
  options.id = "p0001-temp";
  testkit::DeviceBench bench(DeviceType::thermometer, patient, options);
  bench.run_until(sim::Time::from_min(2000));

  const std::vector<network::Reading> readings = bench.ingest.readings(Signal::core_temperature);
  ASSERT_EQ(readings.size(), 2000u);
  std::vector<double> errors;
  std::size_t within = 0;
  for (const network::Reading& r : readings) {
    EXPECT_TRUE(on_grid(r.value, 0.1)) << r.value;
    const double error = r.value - scripted_core(Signal::core_temperature, r.sample_time);
    errors.push_back(error);
    if (std::abs(error) <= 0.3) ++within;
  }
  const double share = static_cast<double>(within) / static_cast<double>(readings.size());
  // ISO 80601-2-56 laboratory accuracy; the model expects 98.5 % (SD 0.12 plus 0.029 rounding),
  // binomial sd 0.0027: the upper bound checks the error is not smaller than configured.
  EXPECT_GE(share, 0.95);
  EXPECT_LE(share, 0.995);
  const Stats s = stats(errors);
  // Expected SD sqrt(0.12^2 + 0.1^2 / 12) = 0.1234; SE of the SD 0.002, of the mean 0.0028.
  EXPECT_NEAR(s.sd, 0.1234, 0.0085);
  EXPECT_NEAR(s.mean, 0.0, 0.012);
}

// --- skin-temperature patch -------------------------------------------------------------------------

TEST(SkinTempPatch, RelaxationIsExponential) {
  EXPECT_DOUBLE_EQ(devices::relax_temperature(33.0, 23.0, sim::Time::from_min(3), sim::Time::from_min(3)),
                   23.0 + 10.0 * std::exp(-1.0));
  EXPECT_DOUBLE_EQ(devices::relax_temperature(33.0, 23.0, sim::Time::zero(), sim::Time::from_min(3)), 33.0);
}

TEST(SkinTempPatch, DetachedPatchFallsToAmbient) {
  testkit::ScriptedPatient patient;
  patient.values[static_cast<std::size_t>(Signal::skin_temperature)] = 33.0;
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) {
    p.set("battery_capacity_mah", 0.0);
    p.set("batch_readings", 1.0);  // every reading delivered by the end
  };
  options.id = "p0001-skintemp";
  const sim::Time detach = sim::Time::from_h(2), reattach = sim::Time::from_min(150);
  options.faults = {devices::FaultSpec{FaultKind::detachment, detach, {}, reattach - detach, 0.0, {}}};
  testkit::DeviceBench bench(DeviceType::skin_temp_patch, patient, options);
  bench.run_until(sim::Time::from_h(4));

  const std::vector<devices::FaultRecord> records = bench.faults.of(FaultKind::detachment);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].start, detach);
  EXPECT_EQ(records[0].end, reattach);
  EXPECT_EQ(records[0].origin, devices::FaultOrigin::scheduled);

  const std::vector<network::Reading> readings = bench.ingest.readings(Signal::skin_temperature);
  ASSERT_EQ(readings.size(), 240u);
  const sim::Time tau = sim::Time::from_min(3);  // thermal_time_constant default
  double before = 0.0;                          // the last reading before the patch came off
  std::size_t checked_late = 0;
  for (const network::Reading& r : readings) {
    EXPECT_TRUE(on_grid(r.value, 0.1));
    const sim::Time t = r.sample_time;
    if (t < detach) {
      // On the skin: truth plus drift (SD 0.3) and noise (SD 0.05): 5 SD.
      EXPECT_NEAR(r.value, 33.0, 1.55);
      before = r.value;
    } else if (t < reattach) {
      // An exponential from the last attached value to 23 C; that value's own noise and rounding
      // (<= 0.25) shrink with the exponential; this reading's noise 4 SD + rounding: 0.25.
      const double expected = devices::relax_temperature(before, 23.0, t - detach, tau);
      EXPECT_NEAR(r.value, expected, 0.5) << (t - detach).seconds();
      if (t >= detach + tau * 5) {
        EXPECT_NEAR(r.value, 23.0, 0.5);
        ++checked_late;
      }
    } else if (t >= reattach + tau * 5) {
      EXPECT_NEAR(r.value, 33.0, 1.55);  // back on the skin
    }
  }
  EXPECT_EQ(checked_late, 15u);
}

// --- weight scale -----------------------------------------------------------------------------------

double scripted_weight(Signal s, sim::Time t) {
  // Fluid gains and losses of a heart-failure patient: +/-3 kg over 90 days.
  return s == Signal::weight ? 80.0 + 3.0 * std::sin(TWO_PI * t.seconds() / (90 * 86400.0)) : 0.0;
}

TEST(WeightScale, SkipsAtTheAdherenceRateAndReadsToPointOneKg) {
  testkit::ScriptedPatient patient;
  patient.script = scripted_weight;
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) { p.set("adherence", 0.8); };
  options.id = "p0001-scale";
  testkit::DeviceBench bench(DeviceType::weight_scale, patient, options);
  bench.run_until(sim::Time::from_days(1000));

  const devices::DeviceCounters& c = bench.device->counters();
  ASSERT_EQ(c.samples + c.skipped, 1000u);  // once a day from a random first time on day 0
  // Binomial(1000, 0.2): mean 200, sd 12.6; bound 4 sd.
  EXPECT_NEAR(static_cast<double>(c.skipped), 200.0, 50.0);
  const std::vector<network::Reading> readings = bench.ingest.readings(Signal::weight);
  ASSERT_EQ(readings.size(), c.samples);
  std::vector<double> errors;
  for (const network::Reading& r : readings) {
    EXPECT_TRUE(on_grid(r.value, 0.1)) << r.value;
    errors.push_back(r.value - scripted_weight(Signal::weight, r.sample_time));
  }
  const Stats s = stats(errors);
  // Expected SD sqrt(0.1^2 + 0.1^2 / 12) = 0.104 kg; ~800 readings: SE of the mean 0.0037 kg,
  // of the SD 0.0026 kg; bounds ~4 SE.
  EXPECT_NEAR(s.mean, 0.0, 0.015);
  EXPECT_NEAR(s.sd, 0.104, 0.011);
}

TEST(WeightScale, MorningWeighingWithinTheDelay) {
  testkit::ScriptedPatient patient;
  patient.script = scripted_weight;
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) {
    p.set("sample_interval", 0.0);
    p.set("delay_max", 3600.0);
  };
  const sim::Time morning = sim::Time::from_min(7 * 60 + 30);
  options.times_of_day = {morning};
  options.id = "p0001-scale";
  testkit::DeviceBench bench(DeviceType::weight_scale, patient, options);
  bench.run_until(sim::Time::from_days(300));

  const std::vector<network::Reading> readings = bench.ingest.readings(Signal::weight);
  ASSERT_EQ(readings.size(), 300u);
  sim::Time earliest = sim::Time::max(), latest = sim::Time::zero();
  for (const network::Reading& r : readings) {
    const sim::Time delay = sim::Time::from_ns(r.sample_time.ns() % sim::Time::from_days(1).ns()) - morning;
    EXPECT_GE(delay, sim::Time::zero());
    EXPECT_LE(delay, sim::Time::from_h(1));
    earliest = std::min(earliest, delay);
    latest = std::max(latest, delay);
  }
  // Uniform delays: none of 300 below 5 min has probability (11/12)^300 ~ 5e-12.
  EXPECT_LT(earliest, sim::Time::from_min(5));
  EXPECT_GT(latest, sim::Time::from_min(55));
}

}  // namespace
