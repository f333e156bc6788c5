// Optical (PPG) devices: the pure PPG module, the pulse oximeter and the smartwatch against their
// stated accuracy, artifacts and faults (fixed seeds, stated bounds).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "DeviceTestKit.hpp"
#include "devices/Ppg.hpp"
#include "devices/PulseOximeter.hpp"
#include "physiology/Patient.hpp"

using namespace twinbed;
using testkit::scheduled;
using physiology::Signal;
using sim::Time;
using namespace sim::literals;

namespace {

// A scripted patient with beats: pre-generated R peaks, read back like physiology::Patient does.
class BeatPatient : public testkit::ScriptedPatient {
public:
  void beats(Time from, Time to, std::vector<physiology::PulseMark>& out) const override {
    auto it = std::lower_bound(marks.begin(), marks.end(), from,
                               [](const physiology::PulseMark& m, Time t) { return m.r_time < t; });
    for (; it != marks.end() && it->r_time < to; ++it) out.push_back(*it);
  }
  std::vector<physiology::PulseMark> marks;
};

// Sinus rhythm at `bpm` with iid RR variability `rr_cv` and PVCs (coupling 0.6, compensatory
// pause, pulse amplitude 0.3 as in physiology::RhythmParams) at `pvc_per_hour`.
void sinus(BeatPatient& p, Time duration, double bpm, double rr_cv, double pvc_per_hour, std::uint64_t seed) {
  sim::RandomStream rng(seed, 0, "test", "sinus");
  p.values[static_cast<std::size_t>(Signal::heart_rate)] = bpm;
  const double rr = 60.0 / bpm;
  for (double t = 0.5; t < duration.seconds();) {
    if (rng.bernoulli(pvc_per_hour * rr / 3600.0)) {
      p.marks.push_back({Time::from_seconds(t + 0.6 * rr), 0.3F, true});
      t += 2.0 * rr;
    } else {
      p.marks.push_back({Time::from_seconds(t), 1.0F, false});
      t += rr * (1.0 + rr_cv * rng.normal(0.0, 1.0));
    }
  }
}

// AF-like rhythm: iid lognormal RR, mean `bpm`, CV ~`cv`; beats after an RR < 0.5 s have no pulse.
void atrial_fibrillation(BeatPatient& p, Time duration, double bpm, double cv, std::uint64_t seed) {
  sim::RandomStream rng(seed, 0, "test", "af");
  p.values[static_cast<std::size_t>(Signal::heart_rate)] = bpm;
  const double rr_mean = 60.0 / bpm;
  for (double t = 0.5; t < duration.seconds();) {
    const double rr = rr_mean * std::exp(cv * rng.normal(0.0, 1.0) - 0.5 * cv * cv);
    t += rr;
    p.marks.push_back({Time::from_seconds(t), rr < 0.5 ? 0.0F : 1.0F, false});
  }
}

std::vector<network::Reading> between(const std::vector<network::Reading>& all, Time from, Time to) {
  std::vector<network::Reading> out;
  for (const auto& r : all) {
    if (r.sample_time >= from && r.sample_time < to) out.push_back(r);
  }
  return out;
}

double share_flagged(const std::vector<network::Reading>& readings, std::uint16_t flag) {
  if (readings.empty()) return 0.0;
  const auto n = std::count_if(readings.begin(), readings.end(), [flag](const auto& r) { return (r.flags & flag) != 0; });
  return static_cast<double>(n) / static_cast<double>(readings.size());
}

double mean_abs_error(const std::vector<network::Reading>& readings, double truth) {
  double sum = 0.0;
  for (const auto& r : readings) sum += std::abs(r.value - truth);
  return readings.empty() ? 0.0 : sum / static_cast<double>(readings.size());
}

testkit::BenchOptions options(std::uint64_t seed, std::vector<devices::FaultSpec> faults = {}) {
  testkit::BenchOptions o;
  o.seed = seed;
  o.faults = std::move(faults);
  return o;
}

}  // namespace

// --- pure PPG module ------------------------------------------------------------------------------

TEST(Ppg, PulseRateIsSixtyOverTheMeanInterval) {
  const std::deque<Time> pulses{0_s, 1_s, 2_s, 3_s, Time::from_ms(3500)};
  EXPECT_DOUBLE_EQ(*devices::ppg::pulse_rate_bpm(pulses, 0_s, 3_s), 60.0);
  EXPECT_DOUBLE_EQ(*devices::ppg::pulse_rate_bpm(pulses, 0_s, 4_s), 60.0 * 4.0 / 3.5);
  EXPECT_FALSE(devices::ppg::pulse_rate_bpm(pulses, Time::from_ms(3200), 4_s).has_value());
}

TEST(Ppg, IrregularShareCountsLargeSuccessiveDifferences) {
  // Mean 0.93 s, limit 0.1116 s: differences 0.05, 0.45, 0.4, 0 -> two of four are large.
  EXPECT_DOUBLE_EQ(devices::ppg::irregular_share(std::vector<double>{1.0, 1.05, 0.6, 1.0, 1.0}, 0.12), 0.5);
  // Mean 1.0 s, limit 0.12 s: differences 0.05, 0.45, 0.4, 0.35 -> three of four.
  EXPECT_DOUBLE_EQ(devices::ppg::irregular_share(std::vector<double>{1.0, 1.05, 0.6, 1.0, 1.35}, 0.12), 0.75);
  EXPECT_DOUBLE_EQ(devices::ppg::irregular_share(std::vector<double>{1.0, 2.0}, 0.12), 0.0);
}

TEST(Ppg, StillSensorDetectsEveryPulseOneTransitTimeLate) {
  // 60 regular beats at 1 s: all detected (none below threshold, no motion), mean delay 220 ms
  // within 5 ms (jitter 10 ms SD / sqrt(60) = 1.3 ms), the 0-amplitude beat missed.
  devices::ppg::PpgConfig config;
  devices::ppg::PpgState state;
  sim::RandomStream rng(7, 0, "test", "ppg");
  std::vector<physiology::PulseMark> beats;
  for (int i = 0; i < 61; ++i) beats.push_back({Time::from_s(i), i == 30 ? 0.0F : 1.0F, false});
  devices::ppg::advance(state, config, beats, 0_s, {1.4, 0.0}, rng, 100_s);
  devices::ppg::advance(state, config, {}, 62_s, {1.4, 0.0}, rng, 100_s);
  ASSERT_EQ(state.pulses.size(), 60U);
  double delay = 0.0;
  for (const Time t : state.pulses) delay += t.seconds() - std::round(t.seconds() - 0.22);
  EXPECT_NEAR(delay / 60.0, 0.22, 0.005);
}

TEST(PulseOximeterModel, PigmentationBiasByTypeAndSaturation) {
  EXPECT_DOUBLE_EQ(devices::pigmentation_bias_percent(6, 100.0, 1.5, 4.0), 1.5);
  EXPECT_DOUBLE_EQ(devices::pigmentation_bias_percent(6, 70.0, 1.5, 4.0), 4.0);
  EXPECT_DOUBLE_EQ(devices::pigmentation_bias_percent(6, 85.0, 1.5, 4.0), 2.75);
  EXPECT_DOUBLE_EQ(devices::pigmentation_bias_percent(4, 60.0, 1.5, 4.0), 2.0);
  EXPECT_DOUBLE_EQ(devices::pigmentation_bias_percent(2, 70.0, 1.5, 4.0), 0.0);
  EXPECT_DOUBLE_EQ(devices::pigmentation_bias_percent(0, 70.0, 1.5, 4.0), 0.0);
}

// --- pulse oximeter -------------------------------------------------------------------------------

TEST(PulseOximeter, ArmsOverSpo2SeventyToHundred) {
  // The truth sweeps 70 -> 100 -> 70 % over 3 h (a triangle, 0.56 %/min: the 8-s averaging lag adds
  // < 0.1 %). Skin type 2 (no pigmentation bias), at rest. Expected ARMS = sqrt(2.4^2 (slow error)
  // + 1.5^2/8 (averaged noise) + 1/12 (integer display)) = 2.47 %. The slow error (tau 60 s) gives
  // ~180 independent stretches: the ARMS estimate has a relative SD of ~5 %, so [2, 3.5] holds at
  // > 4 SD. Measured with seed 11: 2.35 % (printed).
  testkit::ScriptedPatient patient;
  patient.skin = 2;
  const Time half = 90_min;
  auto truth = [half](Time t) {
    const double x = static_cast<double>(t.ns() % (2 * half.ns())) / static_cast<double>(half.ns());
    return 70.0 + 30.0 * (x < 1.0 ? x : 2.0 - x);
  };
  patient.script = [&](Signal s, Time t) { return s == Signal::spo2 ? truth(t) : s == Signal::heart_rate ? 72.0 : 0.0; };
  testkit::DeviceBench bench(devices::DeviceType::pulse_oximeter, patient, options(11));
  bench.run_until(half * 2);
  double squares = 0.0;
  std::size_t n = 0;
  for (const auto& r : between(bench.ingest.readings(Signal::spo2), 10_s, half * 2)) {
    squares += (r.value - truth(r.sample_time)) * (r.value - truth(r.sample_time));
    ++n;
  }
  ASSERT_GT(n, 10000U);
  const double arms = std::sqrt(squares / static_cast<double>(n));
  std::printf("oximeter ARMS over 70-100 %%: %.2f %% (%zu readings)\n", arms, n);
  EXPECT_GE(arms, 2.0);
  EXPECT_LE(arms, 3.5);
}

TEST(PulseOximeter, SkinTypeReachesTheReading) {
  // Same seed, same draws: the only difference between the two devices is the bias of type 6 at
  // SpO2 85 % (2.75 %), blurred by integer rounding of each reading (mean within +/-0.5).
  double mean[2] = {};
  const std::uint8_t types[2] = {2, 6};
  for (int i = 0; i < 2; ++i) {
    testkit::ScriptedPatient patient;
    patient.skin = types[i];
    patient.values[static_cast<std::size_t>(Signal::spo2)] = 85.0;
    patient.values[static_cast<std::size_t>(Signal::heart_rate)] = 72.0;
    testkit::DeviceBench bench(devices::DeviceType::pulse_oximeter, patient, options(3));
    bench.run_until(30_min);
    const auto readings = between(bench.ingest.readings(Signal::spo2), 10_s, 30_min);
    for (const auto& r : readings) mean[i] += r.value / static_cast<double>(readings.size());
  }
  EXPECT_NEAR(mean[1] - mean[0], 2.75, 0.5);
}

TEST(PulseOximeter, OccultHypoxaemiaMoreFrequentForDarkSkin) {
  // How it is measured: paired readings through the oximeter's own SpO2 pipeline (pure functions,
  // no simulator): SaO2 drawn uniformly in 80-100 % (a hospital population around the 88-96 %
  // decision band), held for 120 s while the slow error runs (tau 60 s), the reading = the
  // integer-rounded mean of the last 8 per-second internal values. Among pairs with SpO2 92-96 %,
  // the share with SaO2 < 88 % is occult hypoxaemia (Sjoding et al., NEJM 2020: 11.7 % Black vs
  // 3.6 % White patients). Measured with 20000 pairs per type, seed 5: type 2 ~1.8 %, type 6 ~11 %
  // (printed). Type 2 is lower than Sjoding's 3.6 % because a clinical population's error is larger
  // than a calibrated laboratory ARMS; the ratio (~6x) is larger than theirs (3.3x). Asserted: type 6
  // > 2x type 2, type 6 in [7, 16] %, type 2 in [0.5, 4] % (each has a binomial SE < 0.5 points).
  const devices::Spo2ErrorModel model;
  double share[7] = {};
  for (const std::uint8_t type : {2, 6}) {
    sim::RandomStream rng(5, 0, "test", "occult");
    double slow = model.error_sd * rng.normal(0.0, 1.0);
    int paired = 0, occult = 0;
    for (int i = 0; i < 20000; ++i) {
      const double sao2 = rng.uniform(80.0, 100.0);
      slow = devices::ou_step(slow, 112.0, model.error_time_constant_s, model.error_sd, rng.normal(0.0, 1.0));
      double sum = 0.0;
      for (int k = 0; k < 8; ++k) {
        slow = devices::ou_step(slow, 1.0, model.error_time_constant_s, model.error_sd, rng.normal(0.0, 1.0));
        sum += devices::spo2_internal_percent(sao2, type, model, slow, rng.normal(0.0, 1.0));
      }
      const double spo2 = std::round(sum / 8.0);
      if (spo2 < 92.0 || spo2 > 96.0) continue;
      ++paired;
      if (sao2 < 88.0) ++occult;
    }
    ASSERT_GT(paired, 2000);
    share[type] = 100.0 * occult / paired;
  }
  std::printf("occult hypoxaemia: type 2 %.1f %%, type 6 %.1f %%\n", share[2], share[6]);
  EXPECT_GT(share[6], 2.0 * share[2]);
  EXPECT_GE(share[6], 7.0);
  EXPECT_LE(share[6], 16.0);
  EXPECT_GE(share[2], 0.5);
  EXPECT_LE(share[2], 4.0);
}

TEST(PulseOximeter, PulseRateRightAtRestWrongDuringMotion) {
  // Beats at 72 /min (RR CV 3 %). At rest the PPG rate is within 5 /min of truth in every reading:
  // the 8-s window holds ~9 pulses, so timing jitter (10 ms) and HRV move it by < 2 /min.
  // Motion (scheduled 10-20 min, full severity): pulses buried (p 0.6) and peaks at a walking
  // cadence of 1.6-2.2 Hz (96-132 /min) make the rate follow the cadence or jump about: we require
  // a mean absolute error > 15 /min and a majority of readings > 10 /min off, i.e. clearly not a
  // small degradation (measured with seed 4: MAE 37 /min, 100 % > 10 off; seeds 1-12: MAE
  // 26-48). SpO2 reads falsely low (pulled towards 85 %), and the signal-quality flag is set on
  // only part of the motion readings, and rarely at rest.
  BeatPatient patient;
  sinus(patient, 31_min, 72.0, 0.03, 0.0, 21);
  patient.values[static_cast<std::size_t>(Signal::spo2)] = 97.0;
  testkit::DeviceBench bench(devices::DeviceType::pulse_oximeter, patient,
                             options(4, {scheduled(devices::FaultKind::motion, 10_min, 10_min, 1.0)}));
  bench.run_until(30_min);
  const auto hr = bench.ingest.readings(Signal::heart_rate);
  const auto rest = between(hr, 10_s, 10_min);
  const auto motion = between(hr, 10_min + 8_s, 20_min);
  ASSERT_GT(rest.size(), 500U);
  ASSERT_GT(motion.size(), 500U);
  for (const auto& r : rest) ASSERT_NEAR(r.value, 72.0, 5.0) << "at " << r.sample_time.seconds() << " s";
  const double mae = mean_abs_error(motion, 72.0);
  const auto far = std::count_if(motion.begin(), motion.end(), [](const auto& r) { return std::abs(r.value - 72.0) > 10.0; });
  std::printf("oximeter pulse rate: rest MAE %.2f, motion MAE %.1f /min, %.0f %% > 10 off\n",
              mean_abs_error(rest, 72.0), mae, 100.0 * far / motion.size());
  EXPECT_GT(mae, 15.0);
  EXPECT_GT(static_cast<double>(far), 0.5 * static_cast<double>(motion.size()));

  const auto spo2 = bench.ingest.readings(Signal::spo2);
  const auto spo2_motion = between(spo2, 10_min + 8_s, 20_min);
  double mean = 0.0;
  for (const auto& r : spo2_motion) mean += r.value / static_cast<double>(spo2_motion.size());
  EXPECT_LT(mean, 97.0 - 3.0);  // expected ~91: half-way (mean weight 0.5) to 85 %
  const double flagged = share_flagged(spo2_motion, network::READING_LOW_QUALITY);
  std::printf("oximeter motion readings flagged low quality: %.0f %%\n", 100.0 * flagged);
  EXPECT_GT(flagged, 0.2);  // measured 44 % with seed 4 (34-71 % over seeds 1-12)
  EXPECT_LT(flagged, 0.9);
  EXPECT_LT(share_flagged(between(spo2, 10_s, 10_min), network::READING_LOW_QUALITY), 0.05);
  // The activity/injected motion interval is in /faults exactly as scheduled.
  ASSERT_EQ(bench.faults.of(devices::FaultKind::motion).size(), 1U);
}

TEST(PulseOximeter, DetachmentFalselyLowThenSensorOff) {
  testkit::ScriptedPatient patient;
  patient.values[static_cast<std::size_t>(Signal::spo2)] = 97.0;
  patient.values[static_cast<std::size_t>(Signal::heart_rate)] = 72.0;
  testkit::DeviceBench bench(devices::DeviceType::pulse_oximeter, patient,
                             options(9, {scheduled(devices::FaultKind::detachment, 300_s, 120_s)}));
  bench.run_until(10_min);
  // The fault interval is the injected one, exactly.
  const auto records = bench.faults.of(devices::FaultKind::detachment);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].start, 300_s);
  EXPECT_EQ(records[0].end, 420_s);
  EXPECT_EQ(records[0].origin, devices::FaultOrigin::scheduled);
  // After the 5-s pulse search every reading is 0 with SENSOR_OFF.
  for (const Signal s : {Signal::spo2, Signal::heart_rate, Signal::perfusion_index}) {
    const auto off = between(bench.ingest.readings(s), 305_s, 420_s);
    ASSERT_GE(off.size(), 110U);
    for (const auto& r : off) {
      EXPECT_EQ(r.value, 0.0);
      EXPECT_TRUE(r.flags & network::READING_SENSOR_OFF);
    }
  }
  // During the search: falsely low SpO2 and no flag at all (the averaging mixes 85 % ambient-light
  // values into the window: the last search reading is >= 2 % low).
  const auto search = between(bench.ingest.readings(Signal::spo2), 300_s, 305_s);
  ASSERT_GE(search.size(), 4U);
  for (const auto& r : search) EXPECT_EQ(r.flags, network::READING_OK);
  EXPECT_LT(search.back().value, 97.0 - 2.0);
  // Reattached: values again, without SENSOR_OFF.
  const auto after = between(bench.ingest.readings(Signal::spo2), 430_s, 10_min);
  ASSERT_GT(after.size(), 100U);
  EXPECT_EQ(share_flagged(after, network::READING_SENSOR_OFF), 0.0);
  EXPECT_LT(mean_abs_error(after, 97.0), 5.0);
}

TEST(PulseOximeter, LowPerfusionFlagsLowPiAndReadsLow) {
  // low_perfusion at 15 % of normal: PI 1.4 -> 0.21 % (< 0.4 % threshold) on every reading once
  // the window holds only weak pulses; SpO2 3 % lower on average (bias -3, noise x3, averaged).
  testkit::ScriptedPatient patient;
  patient.values[static_cast<std::size_t>(Signal::spo2)] = 97.0;
  patient.values[static_cast<std::size_t>(Signal::heart_rate)] = 72.0;
  testkit::DeviceBench bench(devices::DeviceType::pulse_oximeter, patient,
                             options(2, {scheduled(devices::FaultKind::low_perfusion, 10_min, 10_min)}));
  bench.run_until(20_min);
  const auto pi = between(bench.ingest.readings(Signal::perfusion_index), 10_min + 10_s, 20_min);
  ASSERT_GT(pi.size(), 500U);
  for (const auto& r : pi) {
    EXPECT_NEAR(r.value, 0.21, 0.02);
    EXPECT_TRUE(r.flags & network::READING_LOW_PERFUSION);
  }
  const auto normal = between(bench.ingest.readings(Signal::perfusion_index), 10_s, 10_min);
  EXPECT_EQ(share_flagged(normal, network::READING_LOW_PERFUSION), 0.0);
  EXPECT_NEAR(normal.front().value, 1.4, 0.02);
  const auto spo2_low = between(bench.ingest.readings(Signal::spo2), 10_min + 10_s, 20_min);
  double mean = 0.0;
  for (const auto& r : spo2_low) mean += r.value / static_cast<double>(spo2_low.size());
  EXPECT_LT(mean, 97.0 - 1.0);
}

// --- smartwatch -----------------------------------------------------------------------------------

TEST(Smartwatch, ErrorDuringActivityScaledByTheConfiguredFactor) {
  // Two watches on the same 72 /min patient for 4 h, one at rest, one active (activity-driven
  // motion, motion_artifacts default true). activity_error_factor = 3 and the accelerometer
  // registers all motion (sensitivity 1), so the factor is the only difference. Expected MAE:
  // rest 0.8 x sqrt(3^2 + PPG ~0.5^2 + 1/12) = 2.4, active 7.2: ratio 2.95. 2880 readings each give
  // the MAEs to ~2 %, so the ratio stays well inside +/-25 % of 3.
  double mae[2] = {};
  for (int active = 0; active < 2; ++active) {
    BeatPatient patient;
    sinus(patient, 4_h + 1_min, 72.0, 0.03, 0.0, 8);
    if (active == 1) patient.set_activity(physiology::Activity::active, 0_s);
    testkit::BenchOptions o = options(6);
    o.params = [](sim::ParamSet& p) {
      p.set("activity_error_factor", 3.0);
      p.set("accelerometer_sensitivity", 1.0);
    };
    testkit::DeviceBench bench(devices::DeviceType::smartwatch, patient, o);
    bench.run_until(4_h);
    const auto hr = between(bench.ingest.readings(Signal::heart_rate), 20_s, 4_h);
    ASSERT_GT(hr.size(), 2500U);
    mae[active] = mean_abs_error(hr, 72.0);
    EXPECT_EQ(share_flagged(hr, network::READING_MOTION), active == 1 ? 1.0 : 0.0);
  }
  std::printf("smartwatch MAE rest %.2f, active %.2f /min, ratio %.2f\n", mae[0], mae[1], mae[1] / mae[0]);
  EXPECT_GE(mae[0], 1.5);  // "a few bpm" at rest
  EXPECT_LE(mae[0], 4.0);
  EXPECT_GE(mae[1] / mae[0], 3.0 * 0.75);
  EXPECT_LE(mae[1] / mae[0], 3.0 * 1.25);
}

TEST(Smartwatch, OffTheWristNoReadings) {
  BeatPatient patient;
  sinus(patient, 31_min, 72.0, 0.03, 0.0, 8);
  testkit::DeviceBench bench(devices::DeviceType::smartwatch, patient,
                             options(1, {scheduled(devices::FaultKind::detachment, 10_min, 10_min)}));
  bench.run_until(30_min);
  const auto hr = bench.ingest.readings(Signal::heart_rate);
  EXPECT_TRUE(between(hr, 10_min, 20_min).empty());
  EXPECT_GT(between(hr, 20_min + 15_s, 30_min).size(), 100U);  // 5-s readings again (~117)
  const auto records = bench.faults.of(devices::FaultKind::detachment);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].start, 10_min);
  EXPECT_EQ(records[0].end, 20_min);
}

TEST(Smartwatch, IrregularRhythmAlertInAfNotInSinus) {
  // AF-like rhythm (80 /min, RR CV 0.22, no pulse after RR < 0.5 s): the first tachogram is taken
  // at the first sample, then rechecks every 15 min; 5 consecutive irregular tachograms fire the
  // alert at ~1 h 5 min. Asserted: an alert within 2 h and at least 3 in 8 h (one per ~2 h 15 min
  // cycle). Sinus rhythm (72 /min, RR CV 3 %, 30 PVCs an hour) for a simulated day: a tachogram's
  // share of large differences is ~5 % against a threshold of 40 %; asserted: no alert at all.
  {
    BeatPatient patient;
    atrial_fibrillation(patient, 8_h + 1_min, 80.0, 0.22, 12);
    testkit::DeviceBench bench(devices::DeviceType::smartwatch, patient, options(13));
    bench.run_until(8_h);
    const auto alerts = bench.ingest.readings(Signal::device_alert);
    std::vector<network::Reading> irregular;
    for (const auto& r : alerts) {
      if (r.value == static_cast<double>(devices::AlertCode::irregular_rhythm)) irregular.push_back(r);
    }
    ASSERT_GE(irregular.size(), 3U);
    EXPECT_LT(irregular.front().sample_time, 2_h);
    std::printf("AF: %zu irregular-rhythm alerts in 8 h, first at %.0f min\n", irregular.size(),
                irregular.front().sample_time.seconds() / 60.0);
  }
  {
    BeatPatient patient;
    sinus(patient, 24_h + 1_min, 72.0, 0.03, 30.0, 14);
    testkit::DeviceBench bench(devices::DeviceType::smartwatch, patient, options(15));
    bench.run_until(24_h);
    const auto alerts = bench.ingest.readings(Signal::device_alert);
    const auto irregular = std::count_if(alerts.begin(), alerts.end(), [](const auto& r) {
      return r.value == static_cast<double>(devices::AlertCode::irregular_rhythm);
    });
    EXPECT_EQ(irregular, 0);
    EXPECT_GT(bench.ingest.readings(Signal::heart_rate).size(), 17000U);  // the battery lasted the day
  }
}

// --- on the real patient model --------------------------------------------------------------------

namespace {
// Forwards to a physiology::Patient and records its true heart rate at every advance.
class RecordingPatient final : public physiology::SignalSource {
public:
  explicit RecordingPatient(physiology::Patient& p) : patient_(p) {}
  void advance_to(Time t) override {
    patient_.advance_to(t);
    if (truth.empty() || truth.back().first != t) truth.emplace_back(t, patient_.value(Signal::heart_rate));
  }
  double value(Signal s) const override { return patient_.value(s); }
  std::uint8_t skin_type() const override { return patient_.skin_type(); }
  physiology::Activity activity() const override { return patient_.activity(); }
  Time activity_since() const override { return patient_.activity_since(); }
  void beats(Time from, Time to, std::vector<physiology::PulseMark>& out) const override { patient_.beats(from, to, out); }
  double truth_at(Time t) const {
    auto it = std::lower_bound(truth.begin(), truth.end(), t, [](const auto& e, Time v) { return e.first < v; });
    return it == truth.end() ? truth.back().second : it->second;
  }
  std::vector<std::pair<Time, double>> truth;

private:
  physiology::Patient& patient_;
};
}  // namespace

TEST(PulseOximeter, PulseRateFollowsTheRealPatient) {
  // A default adult (sinus rhythm, its own HRV and activity), motion artifacts off: the PPG rate
  // over 8 s against the patient's true heart rate. Bound: 95 % of readings within 5 /min (HRV
  // and the window's few pulses spread it; measured with seed 17: MAE 0.54 /min, 100 % within).
  physiology::Patient real("p0001", physiology::PatientSpec{}, 2_h, 17, 0);
  RecordingPatient patient(real);
  testkit::BenchOptions o = options(17);
  o.params = [](sim::ParamSet& p) { p.set("motion_artifacts", 0.0); };
  testkit::DeviceBench bench(devices::DeviceType::pulse_oximeter, patient, o);
  bench.run_until(2_h);
  const auto hr = between(bench.ingest.readings(Signal::heart_rate), 30_s, 2_h);
  ASSERT_GT(hr.size(), 7000U);
  std::size_t within = 0;
  double abs_sum = 0.0;
  for (const auto& r : hr) {
    const double error = std::abs(r.value - patient.truth_at(r.sample_time));
    abs_sum += error;
    if (error <= 5.0) ++within;
  }
  std::printf("real patient: pulse-rate MAE %.2f /min, %.1f %% within 5 /min\n", abs_sum / hr.size(),
              100.0 * within / hr.size());
  EXPECT_GT(static_cast<double>(within), 0.95 * static_cast<double>(hr.size()));
}

TEST(Smartwatch, RealPatientSinusDayRarelyAlerts) {
  // A default adult (sinus rhythm, its own ectopy, activity with motion artifacts) wears the watch
  // for a day with the default parameters. Bound: at most one irregular-rhythm alert (false
  // positives from undetected motion or ectopy exist; measured with seed 23: printed).
  physiology::Patient real("p0002", physiology::PatientSpec{}, 24_h, 23, 0);
  testkit::DeviceBench bench(devices::DeviceType::smartwatch, real, options(23));
  bench.run_until(24_h);
  const auto alerts = bench.ingest.readings(Signal::device_alert);
  const auto irregular = std::count_if(alerts.begin(), alerts.end(), [](const auto& r) {
    return r.value == static_cast<double>(devices::AlertCode::irregular_rhythm);
  });
  const auto hr = bench.ingest.readings(Signal::heart_rate);
  std::printf("real patient day: %td irregular-rhythm alerts, %zu heart-rate readings, %.0f %% with motion\n",
              irregular, hr.size(), 100.0 * share_flagged(hr, network::READING_MOTION));
  EXPECT_LE(irregular, 1);
}

TEST(Smartwatch, RealPatientInAfGetsTheNotification) {
  // The same adult in atrial fibrillation for 6 h (the patient model's own AF: lognormal RR, CV
  // 0.22, no pulse after very short RR): the watch notifies. Bound: an alert within 3 h (first
  // tachogram at once, rechecks every 15 min; activity may postpone tachograms).
  physiology::PatientSpec spec;
  spec.rhythm.episodes.push_back({physiology::Rhythm::atrial_fibrillation, 0_s, 6_h});
  physiology::Patient real("p0003", spec, 6_h, 29, 0);
  testkit::DeviceBench bench(devices::DeviceType::smartwatch, real, options(29));
  bench.run_until(6_h);
  std::vector<network::Reading> irregular;
  for (const auto& r : bench.ingest.readings(Signal::device_alert)) {
    if (r.value == static_cast<double>(devices::AlertCode::irregular_rhythm)) irregular.push_back(r);
  }
  ASSERT_FALSE(irregular.empty());
  std::printf("real patient in AF: %zu alerts in 6 h, first at %.0f min\n", irregular.size(),
              irregular.front().sample_time.seconds() / 60.0);
  EXPECT_LT(irregular.front().sample_time, 3_h);
}
