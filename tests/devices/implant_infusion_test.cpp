// cardiac_implant and infusion_pump: detection zones, transmissions, lead and battery alerts;
// occlusion timing, drug-library rejections and the bag running empty.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "DeviceTestKit.hpp"
#include "devices/CardiacImplant.hpp"
#include "devices/InfusionPump.hpp"
#include "physiology/Patient.hpp"

using namespace twinbed;
using devices::AlertCode;
using physiology::Signal;
using sim::Time;

namespace {

// Beats at a constant rate per segment; a segment's first beat comes one previous-segment RR after
// the last beat of the previous one, so every interval is exactly that of a segment.
class RhythmPatient : public testkit::ScriptedPatient {
public:
  struct Segment {
    Time start, rr;
    std::int64_t count = 0;
    bool irregular = false;  // odd beats 15 % of an RR late: intervals alternate 1.15 RR, 0.85 RR
    Time beat(std::int64_t k) const {
      return start + rr * k + (irregular && k % 2 == 1 ? Time::from_seconds(0.15 * rr.seconds()) : Time::zero());
    }
  };
  // Appends `duration` (rounded down to whole beats) at `rate_bpm`; returns the segment's start.
  Time add(double rate_bpm, Time duration, bool irregular = false) {
    const Time rr = Time::from_seconds(60.0 / rate_bpm);
    const Time start = segments.empty() ? Time::zero()
                                        : segments.back().start + segments.back().rr * segments.back().count;
    segments.push_back({start, rr, duration / rr, irregular});
    return start;
  }
  void beats(Time from, Time to, std::vector<physiology::PulseMark>& out) const override {
    for (const Segment& s : segments) {
      const Time end = s.start + s.rr * s.count;
      if (end <= from || s.start >= to) continue;
      std::int64_t k = from > s.start ? std::max<std::int64_t>(0, (from - s.start) / s.rr - 1) : 0;
      for (; k < s.count && s.beat(k) < to; ++k) {
        if (s.beat(k) >= from) out.push_back({s.beat(k), 1.0F, false});
      }
    }
  }
  std::vector<Segment> segments;
};

std::vector<network::Reading> alerts(const testkit::Collector& ingest, AlertCode code) {
  std::vector<network::Reading> out;
  for (const network::Reading& r : ingest.readings(Signal::device_alert)) {
    if (r.value == static_cast<double>(code)) out.push_back(r);
  }
  return out;
}

testkit::BenchOptions implant_options(std::size_t kind) {
  testkit::BenchOptions options;
  options.params = [kind](sim::ParamSet& p) { p.set("kind", static_cast<double>(kind)); };
  return options;
}

constexpr double SENSING_CYCLE_S = 5.0;  // cardiac_implant's default sample_interval

}  // namespace

// --- detection rules (pure) -----------------------------------------------------------------------

TEST(ImplantDetection, ZoneCountersDetectAtTheNthInterval) {
  const devices::ZoneRules rules;  // VT >= 170 bpm (16 consecutive), VF >= 250 bpm (18 of 24)
  devices::TachyState vt, vf;
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(devices::feed_interval(vt, 60.0 / 70.0, rules), devices::TachyEvent::none);
    ASSERT_EQ(devices::feed_interval(vf, 60.0 / 70.0, rules), devices::TachyEvent::none);
  }
  for (int i = 1; i <= 15; ++i) ASSERT_EQ(devices::feed_interval(vt, 0.3, rules), devices::TachyEvent::none) << i;
  EXPECT_EQ(devices::feed_interval(vt, 0.3, rules), devices::TachyEvent::vt_detected);  // 16th at 200 bpm
  for (int i = 1; i <= 17; ++i) ASSERT_EQ(devices::feed_interval(vf, 0.2, rules), devices::TachyEvent::none) << i;
  EXPECT_EQ(devices::feed_interval(vf, 0.2, rules), devices::TachyEvent::vf_detected);  // 18th at 300 bpm
  for (int i = 1; i <= 7; ++i) ASSERT_EQ(devices::feed_interval(vf, 0.8, rules), devices::TachyEvent::none);
  EXPECT_EQ(devices::feed_interval(vf, 0.8, rules), devices::TachyEvent::episode_ended);  // 8 sinus intervals
}

TEST(ImplantDetection, NormalisedRmssdSeparatesRegularFromIrregular) {
  const std::vector<double> regular(20, 0.8);
  EXPECT_DOUBLE_EQ(devices::normalised_rmssd(regular), 0.0);
  std::vector<double> alternating;
  for (int i = 0; i < 20; ++i) alternating.push_back(i % 2 == 0 ? 0.8 : 1.0);
  EXPECT_NEAR(devices::normalised_rmssd(alternating), 0.2 / 0.9, 1e-12);  // RMSSD 0.2 s over mean 0.9 s
}

// --- episodes on the device ---------------------------------------------------------------------

// Sinus 70 bpm, then VT at 200 bpm (RR 300 ms) for 60 s. The 16th consecutive VT interval ends
// 16 x 0.3 = 4.8 s after the first VT beat; the alert goes with the first sensing cycle after it,
// so its sample time lies in (t1 + 4.8 s, t1 + 4.8 s + 5 s].
TEST(CardiacImplant, VtEpisodeAlertWithinDetectionTimeAndNoShock) {
  RhythmPatient patient;
  patient.add(70.0, Time::from_s(600));
  const Time t1 = patient.add(200.0, Time::from_s(60));
  patient.add(70.0, Time::from_s(600));
  testkit::DeviceBench bench(devices::DeviceType::cardiac_implant, patient, implant_options(1));
  bench.run_until(Time::from_s(1200));

  const auto vt = alerts(bench.ingest, AlertCode::vt_episode);
  ASSERT_EQ(vt.size(), 1U);
  const double detect_s = (t1 + Time::from_ms(4800)).seconds();
  EXPECT_GT(vt[0].sample_time.seconds(), detect_s);
  EXPECT_LE(vt[0].sample_time.seconds(), detect_s + SENSING_CYCLE_S);
  EXPECT_TRUE(alerts(bench.ingest, AlertCode::vf_episode).empty());
  EXPECT_TRUE(alerts(bench.ingest, AlertCode::shock_delivered).empty());  // VT therapy (ATP) is not modelled
}

// VF at 300 bpm (RR 200 ms) for 60 s: the 18th VF interval ends 3.6 s after the first VF beat. The
// ICD shocks charge_time (8 s) after detection, i.e. at t1 + 11.6 s exactly; the shock does not
// end the VF (no therapy model), so it redetects 18 intervals (3.4 s) after each shock and shocks
// again 8 s later: shocks at t1 + 11.6, 23.0, 34.4, 45.8, 57.2 s -> 5 shocks before VF stops at 60 s.
TEST(CardiacImplant, VfEpisodeAlertAndShocksOnlyFromAnIcd) {
  for (const std::size_t kind : {0U, 1U, 2U}) {
    SCOPED_TRACE(kind);
    RhythmPatient patient;
    patient.add(70.0, Time::from_s(600));
    const Time t1 = patient.add(300.0, Time::from_s(60));
    patient.add(70.0, Time::from_s(600));
    testkit::DeviceBench bench(devices::DeviceType::cardiac_implant, patient, implant_options(kind));
    bench.run_until(Time::from_s(1200));

    const auto vf = alerts(bench.ingest, AlertCode::vf_episode);
    ASSERT_EQ(vf.size(), 1U);
    const Time detect = t1 + Time::from_ms(3600);
    EXPECT_GT(vf[0].sample_time, detect);
    EXPECT_LE(vf[0].sample_time.seconds(), detect.seconds() + SENSING_CYCLE_S);
    EXPECT_TRUE(alerts(bench.ingest, AlertCode::vt_episode).empty());
    const auto shocks = alerts(bench.ingest, AlertCode::shock_delivered);
    if (kind == 1) {
      ASSERT_EQ(shocks.size(), 5U);
      EXPECT_EQ(shocks[0].sample_time, detect + Time::from_s(8));
      EXPECT_EQ(shocks[4].sample_time, t1 + Time::from_ms(57200));
    } else {
      EXPECT_TRUE(shocks.empty());
    }
  }
}

// A week of sinus 70 bpm: one summary transmission a day (the first after one day), nothing else.
// Mean heart rate: the script's RR is 60/70 s rounded to the ns, so the mean is 70 bpm to 1e-6.
TEST(CardiacImplant, SevenDailyTransmissionsOverASinusWeek) {
  RhythmPatient patient;
  patient.add(70.0, Time::from_days(8));
  testkit::DeviceBench bench(devices::DeviceType::cardiac_implant, patient, implant_options(1));
  bench.run_until(Time::from_days(7) + Time::from_min(1));

  ASSERT_EQ(bench.ingest.packets.size(), 7U);
  EXPECT_EQ(bench.device->counters().samples, 7U * 86400U / 5U + 12U);  // every 5-s sensing cycle ran
  for (std::size_t day = 0; day < 7; ++day) {
    const network::Packet& p = bench.ingest.packets[day];
    const double due_s = static_cast<double>(day + 1) * 86400.0;
    ASSERT_EQ(p.readings.size(), 4U);  // heart_rate, af_burden, lead_impedance, battery_level
    EXPECT_GE(p.readings[0].sample_time.seconds(), due_s);
    EXPECT_LT(p.readings[0].sample_time.seconds(), due_s + SENSING_CYCLE_S);
    EXPECT_EQ(p.readings[0].signal, static_cast<std::uint8_t>(Signal::heart_rate));
    EXPECT_NEAR(p.readings[0].value, 70.0, 1.0);
    EXPECT_EQ(p.readings[1].signal, static_cast<std::uint8_t>(Signal::af_burden));
    EXPECT_DOUBLE_EQ(p.readings[1].value, 0.0);  // a regular rhythm has no AF window
    EXPECT_EQ(p.readings[2].signal, static_cast<std::uint8_t>(Signal::lead_impedance));
    EXPECT_NEAR(p.readings[2].value, 500.0, 5 * 15.0);  // 500 ohm, SD 15: 5 SD
    EXPECT_EQ(p.readings[3].signal, static_cast<std::uint8_t>(Signal::battery_level));
    EXPECT_EQ(p.readings[3].value, 100.0);  // a week of a ~9.5-year battery rounds to 100 %
  }
  EXPECT_TRUE(bench.ingest.readings(Signal::device_alert).empty());
}

// One hour of sinus, one of an irregular rhythm (nRMSSD 0.3 >= 0.1) in one 2-h transmission: AF
// burden 50 %, give or take the 2-min window straddling the change and the 1.7 % (1 of 59 windows)
// a window boundary may shift: bound [45, 55] %.
TEST(CardiacImplant, AfBurdenIsTheIrregularShare) {
  RhythmPatient patient;
  patient.add(70.0, Time::from_h(1));
  patient.add(90.0, Time::from_h(1), true);
  patient.add(70.0, Time::from_h(1));
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) {
    p.set("kind", 2.0);  // a loop recorder: no lead reading
    p.set("transmission_interval", 2 * 3600.0);
  };
  testkit::DeviceBench bench(devices::DeviceType::cardiac_implant, patient, options);
  bench.run_until(Time::from_h(2) + Time::from_min(1));

  const auto burden = bench.ingest.readings(Signal::af_burden);
  ASSERT_EQ(burden.size(), 1U);
  EXPECT_GE(burden[0].value, 45.0);
  EXPECT_LE(burden[0].value, 55.0);
  EXPECT_TRUE(bench.ingest.readings(Signal::lead_impedance).empty());
  // Mean rate: ~4200 beats at 70 and ~5400 at 90 over 2 h = 80 bpm; 1 bpm covers the edge beats.
  const auto hr = bench.ingest.readings(Signal::heart_rate);
  ASSERT_EQ(hr.size(), 1U);
  EXPECT_NEAR(hr[0].value, 80.0, 1.0);
}

// Lead fracture (3000 ohm) at 9 h with 6-hourly checks and transmissions: the check at the first
// sensing cycle >= 12 h reports it and alerts, in the same cycle as that transmission.
TEST(CardiacImplant, LeadImpedanceFaultAlertsAtTheNextLeadCheck) {
  RhythmPatient patient;
  patient.add(70.0, Time::from_h(14));
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) {
    p.set("lead_check_interval", 6 * 3600.0);
    p.set("transmission_interval", 6 * 3600.0);
  };
  options.faults.push_back({devices::FaultKind::lead_impedance, Time::from_h(9), {}, {}, 3000.0});
  testkit::DeviceBench bench(devices::DeviceType::cardiac_implant, patient, options);
  bench.run_until(Time::from_h(13));

  const auto lead_alerts = alerts(bench.ingest, AlertCode::lead_impedance);
  ASSERT_EQ(lead_alerts.size(), 1U);
  const auto summaries = bench.ingest.readings(Signal::heart_rate);
  ASSERT_EQ(summaries.size(), 2U);  // 6 h and 12 h
  EXPECT_EQ(lead_alerts[0].sample_time, summaries[1].sample_time);
  EXPECT_GE(lead_alerts[0].sample_time, Time::from_h(12));
  EXPECT_LT(lead_alerts[0].sample_time.seconds(), 12 * 3600.0 + SENSING_CYCLE_S);
  const auto lead = bench.ingest.readings(Signal::lead_impedance);
  ASSERT_EQ(lead.size(), 2U);
  EXPECT_NEAR(lead[0].value, 500.0, 75.0);
  EXPECT_NEAR(lead[1].value, 3000.0, 75.0);
  const auto records = bench.faults.of(devices::FaultKind::lead_impedance);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].start, Time::from_h(9));
  EXPECT_EQ(records[0].end, Time::from_h(13));
  EXPECT_DOUBLE_EQ(records[0].magnitude, 3000.0);
}

// 0.48 mAh at 18 uA (packet charge off): ERI at 90 % used = 432 uAh / 18 uA = 24 h. The alert goes
// with the first sensing cycle after the crossing (<= 5 s late, 0.006 %); bound 1 %.
TEST(CardiacImplant, BatteryEriAlertAtThePredictedTime) {
  RhythmPatient patient;
  patient.add(70.0, Time::from_h(26));
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) {
    p.set("battery_capacity_mah", 0.48);
    p.set("charge_per_packet_uah", 0.0);
  };
  testkit::DeviceBench bench(devices::DeviceType::cardiac_implant, patient, options);
  bench.run_until(Time::from_h(25));

  const double predicted_s = devices::predicted_battery_life_s(0.48 * (1.0 - 0.1), 18.0, 0.0, 5.0, 0.0, 0.0);
  ASSERT_NEAR(predicted_s, 86400.0, 1e-6);
  const auto eri = alerts(bench.ingest, AlertCode::battery_eri);
  ASSERT_EQ(eri.size(), 1U);
  EXPECT_NEAR(eri[0].sample_time.seconds(), predicted_s, 0.01 * predicted_s);
  EXPECT_NEAR(eri[0].sample_time.seconds(), predicted_s, SENSING_CYCLE_S);
}

// --- infusion pump ----------------------------------------------------------------------------

TEST(InfusionPumpModel, PureFormulas) {
  EXPECT_DOUBLE_EQ(devices::occlusion_alarm_delay_s(0.5, 1.0), 1800.0);  // 0.5 mL at 1 mL/h: 30 min
  EXPECT_DOUBLE_EQ(devices::time_to_empty_s(1000.0, 100.0), 36000.0);
  EXPECT_DOUBLE_EQ(devices::titrated_rate_ml_h(100.0, 0.25, 0.0, true, 10.0), 1000.0);
  EXPECT_DOUBLE_EQ(devices::titrated_rate_ml_h(100.0, 0.0, 0.0, false, 10.0), 100.0);
}

// Occlusion at 1 h: the alarm comes occlusion_alarm_volume_ml / rate later (0.5 mL: 30 min at
// 1 mL/h, 18 s at 100 mL/h), exact: the pump wakes at the predicted crossing. Tolerance 1 ms
// (ns rounding of the integration steps).
TEST(InfusionPump, OcclusionAlarmDelayIsAlarmVolumeOverRate) {
  for (const double rate : {1.0, 100.0}) {
    SCOPED_TRACE(rate);
    testkit::ScriptedPatient patient;
    testkit::BenchOptions options;
    options.params = [rate](sim::ParamSet& p) {
      p.set("rate_ml_h", rate);
      p.set("titration_every", 0.0);
    };
    options.faults.push_back({devices::FaultKind::occlusion, Time::from_h(1), {}, {}, 0.0});
    testkit::DeviceBench bench(devices::DeviceType::infusion_pump, patient, options);
    bench.run_until(Time::from_h(2));

    const auto occlusion = alerts(bench.ingest, AlertCode::occlusion);
    ASSERT_EQ(occlusion.size(), 1U);
    const double delay_s = (occlusion[0].sample_time - Time::from_h(1)).seconds();
    EXPECT_NEAR(delay_s, devices::occlusion_alarm_delay_s(0.5, rate), 1e-3);
    const auto rates = bench.ingest.readings(Signal::infusion_rate);
    // The pump stops on the alarm: a 0 mL/h reading with it, and every status reading after.
    const auto at_alarm = std::find_if(rates.begin(), rates.end(), [&](const network::Reading& r) {
      return r.sample_time == occlusion[0].sample_time;
    });
    ASSERT_NE(at_alarm, rates.end());
    for (auto it = at_alarm; it != rates.end(); ++it) EXPECT_EQ(it->value, 0.0);
    for (auto it = rates.begin(); it != at_alarm; ++it) EXPECT_EQ(it->value, rate);
  }
}

// Every titration a 10x error (probability 1) of 100 mL/h x lognormal(0, 0.1): >= 500 mL/h unless
// z < -6.9, so each is rejected by the 500 mL/h hard limit and the rate stays 100 mL/h.
TEST(InfusionPump, ProgrammingErrorIsRejectedWithDoseLimit) {
  testkit::ScriptedPatient patient;
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) {
    p.set("programming_error_probability", 1.0);
    p.set("titration_every", 1800.0);
    p.set("titration_sd", 0.1);
  };
  testkit::DeviceBench bench(devices::DeviceType::infusion_pump, patient, options);
  bench.run_until(Time::from_h(9));

  // Titrations every 30 min on average over 9 h: Poisson(18); >= 5 fails with p < 1e-4.
  EXPECT_GE(alerts(bench.ingest, AlertCode::dose_limit).size(), 5U);
  EXPECT_TRUE(alerts(bench.ingest, AlertCode::rate_changed).empty());
  const auto rates = bench.ingest.readings(Signal::infusion_rate);
  ASSERT_GE(rates.size(), 9U * 4U);  // a status reading every 15 min
  for (const network::Reading& r : rates) EXPECT_EQ(r.value, 100.0);
}

// 1000 mL at 100 mL/h empties at exactly 10 h: reservoir_empty starts then, infusion_stopped is
// sent then and the last rate reading is 0.
TEST(InfusionPump, BagEmptiesAtVolumeOverRate) {
  testkit::ScriptedPatient patient;
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) { p.set("titration_every", 0.0); };
  testkit::DeviceBench bench(devices::DeviceType::infusion_pump, patient, options);
  bench.run_until(Time::from_h(11));

  const auto empty = bench.faults.of(devices::FaultKind::reservoir_empty);
  ASSERT_EQ(empty.size(), 1U);
  EXPECT_EQ(empty[0].start, Time::from_h(10));
  const auto stopped = alerts(bench.ingest, AlertCode::infusion_stopped);
  ASSERT_EQ(stopped.size(), 1U);
  EXPECT_EQ(stopped[0].sample_time, Time::from_h(10));
  EXPECT_EQ(bench.ingest.readings(Signal::infusion_rate).back().value, 0.0);
}

// With titrations (every 1 h, lognormal 0.25), every change is reported at its instant, so the
// integral of the reported rate up to the empty time is the bag volume (1e-6 mL).
TEST(InfusionPump, ReportedRatesIntegrateToTheBagVolume) {
  testkit::ScriptedPatient patient;
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) { p.set("titration_every", 3600.0); };
  testkit::DeviceBench bench(devices::DeviceType::infusion_pump, patient, options);
  bench.run_until(Time::from_h(30));

  const auto empty = bench.faults.of(devices::FaultKind::reservoir_empty);
  ASSERT_EQ(empty.size(), 1U);
  const auto rates = bench.ingest.readings(Signal::infusion_rate);
  EXPECT_GE(alerts(bench.ingest, AlertCode::rate_changed).size(), 3U);
  double volume_ml = 0.0;
  for (std::size_t i = 0; i + 1 < rates.size(); ++i) {
    const Time end = std::min(rates[i + 1].sample_time, empty[0].start);
    if (end > rates[i].sample_time) volume_ml += rates[i].value * (end - rates[i].sample_time).seconds() / 3600.0;
  }
  EXPECT_NEAR(volume_ml, 1000.0, 1e-6);
}

// A real patient in VF: there is no QRS and no pulse, but the patient reports the fibrillation
// waves a lead senses (every 200 ms), so the ICD detects VF after 18 of 24 intervals (3.6 s after
// the onset) and the alert leaves with the next 5 s sensing cycle; the PPG pulse stops meanwhile.
TEST(CardiacImplant, DetectsVentricularFibrillationOfARealPatient) {
  physiology::PatientSpec spec;
  physiology::RhythmEpisode vf;
  vf.rhythm = physiology::Rhythm::ventricular_fibrillation;
  vf.start = Time::from_s(600);
  vf.end = Time::from_s(640);
  spec.rhythm.episodes = {vf};
  physiology::Patient patient("p0001", spec, Time::from_s(1200), 3, 0);
  testkit::DeviceBench bench(devices::DeviceType::cardiac_implant, patient, implant_options(1));
  bench.run_until(Time::from_s(1200));
  const auto found = alerts(bench.ingest, AlertCode::vf_episode);
  ASSERT_EQ(found.size(), 1U);
  EXPECT_GT(found[0].sample_time, vf.start + Time::from_ms(3600));
  EXPECT_LE(found[0].sample_time.seconds(), (vf.start + Time::from_ms(3600)).seconds() + SENSING_CYCLE_S);
  EXPECT_FALSE(alerts(bench.ingest, AlertCode::shock_delivered).empty());
  // The fibrillation marks carry no pulse: a PPG sees none during the episode.
  std::vector<physiology::PulseMark> marks;
  physiology::Patient again("p0001", spec, Time::from_s(1200), 3, 0);
  again.advance_to(Time::from_s(630));
  again.beats(Time::from_s(615), Time::from_s(625), marks);
  ASSERT_EQ(marks.size(), 50U);  // 10 s of 200 ms waves
  for (const auto& m : marks) EXPECT_TRUE(m.fibrillation && m.pulse_amplitude == 0.0F);
}
