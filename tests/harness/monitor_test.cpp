// The reference monitor on hand-built packets: exact alarm times, types and priorities for
// persistence, latching, smart-mode filtering and cross-checks, NEWS2, glucose and technical
// alarms. Times: a reading sampled at t s is delivered at t s + 300 ms unless a test says otherwise.
#include "harness/ReferenceMonitor.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "devices/Device.hpp"
#include "harness/AlarmCondition.hpp"
#include "harness/GlucoseTrend.hpp"

using namespace twinbed;
using namespace twinbed::harness;
using physiology::Signal;

namespace {

constexpr std::uint16_t MOTION = network::READING_MOTION;
constexpr std::uint16_t OFF = network::READING_SENSOR_OFF;
constexpr std::uint16_t LOW_QUALITY = network::READING_LOW_QUALITY;

sim::Time s(std::int64_t seconds) { return sim::Time::from_s(seconds); }
sim::Time ms(std::int64_t millis) { return sim::Time::from_ms(millis); }
// Delivery of a reading sampled at `seconds`: 300 ms of network latency.
sim::Time delivery(std::int64_t seconds) { return ms(seconds * 1000 + 300); }

DeviceContext device(devices::DeviceType type, std::uint32_t patient, sim::Time interval, std::vector<Signal> signals) {
  DeviceContext d;
  d.id = "dev";
  d.type = type;
  d.patient = patient;
  d.sample_interval = interval;
  d.report_interval = interval;  // one packet per sample, as the devices do by default
  d.signals = std::move(signals);
  return d;
}
DeviceContext oximeter(std::uint32_t patient = 0) {
  return device(devices::DeviceType::pulse_oximeter, patient, s(1), {Signal::spo2, Signal::heart_rate, Signal::perfusion_index});
}
DeviceContext ecg_patch(std::uint32_t patient = 0) {
  return device(devices::DeviceType::ecg_patch, patient, s(1), {Signal::ecg, Signal::heart_rate});
}
DeviceContext bedside(std::uint32_t patient = 0) {
  return device(devices::DeviceType::bedside_monitor, patient, s(1),
                {Signal::ecg, Signal::heart_rate, Signal::spo2, Signal::respiration_rate, Signal::core_temperature,
                 Signal::systolic_bp, Signal::diastolic_bp, Signal::mean_bp});
}
DeviceContext cgm(std::uint32_t patient = 0) {
  return device(devices::DeviceType::cgm, patient, s(300), {Signal::interstitial_glucose, Signal::device_alert});
}

MonitorContext context(std::vector<DeviceContext> devices, std::size_t patients = 1) {
  MonitorContext c;
  for (std::size_t i = 0; i < patients; ++i) c.patients.push_back(PatientContext{"p" + std::to_string(i), false, false});
  c.devices = std::move(devices);
  return c;
}

ReferenceMonitorConfig config(MonitorMode mode) {
  ReferenceMonitorConfig c;
  c.mode = mode;
  c.technical.enabled = false;  // most tests look at one rule; the technical tests turn it on
  c.news2.enabled = false;
  return c;
}

network::Reading reading(std::uint32_t device, sim::Time t, Signal signal, double value, std::uint16_t flags = 0,
                         std::uint32_t patient = 0) {
  return {.sample_time = t, .patient = patient, .device = device, .signal = static_cast<std::uint8_t>(signal), .flags = flags, .value = value};
}

struct Bench {
  Bench(MonitorContext c, const ReferenceMonitorConfig& cfg) : ctx(std::move(c)), monitor(ctx, cfg, log) {}

  void send(std::uint32_t device, std::vector<network::Reading> readings, sim::Time delivered) {
    network::Packet p;
    p.device = device;
    p.seq = seq++;
    p.readings = std::move(readings);
    monitor.consume(p, delivered);
  }
  // One oximeter sample: SpO2 and pulse rate with the same flags, delivered 300 ms later.
  void oximeter_second(std::uint32_t device, std::int64_t t, double spo2, double pulse, std::uint16_t flags = 0,
                       std::uint32_t patient = 0) {
    send(device,
         {reading(device, s(t), Signal::spo2, spo2, flags, patient), reading(device, s(t), Signal::heart_rate, pulse, flags, patient)},
         delivery(t));
  }
  void ticks(std::int64_t from, std::int64_t to) {
    for (std::int64_t t = from; t <= to; ++t) monitor.tick(s(t));
  }
  std::vector<Alarm> of(const std::string& type) const {
    std::vector<Alarm> out;
    for (const Alarm& a : log.alarms) {
      if (a.type == type) out.push_back(a);
    }
    return out;
  }

  MonitorContext ctx;
  AlarmLog log;
  ReferenceMonitor monitor;
  std::uint32_t seq = 0;
};

}  // namespace

// --- pure state machines -----------------------------------------------------------------------

TEST(MonitorCondition, DueExactlyWhenTheDelayHasPersistedAndOncePerEpisode) {
  AlarmCondition c(s(10));
  EXPECT_FALSE(c.observe(s(99), false).started);
  ConditionStep step = c.observe(s(100), true);
  EXPECT_TRUE(step.started);
  EXPECT_FALSE(step.due);
  for (std::int64_t t = 101; t < 110; ++t) EXPECT_FALSE(c.observe(s(t), true).due) << t;
  EXPECT_TRUE(c.observe(s(110), true).due);
  c.settle();
  EXPECT_FALSE(c.observe(s(111), true).due);
  EXPECT_FALSE(c.observe(s(105), false).cleared);  // older than the newest: a late retransmission
  EXPECT_TRUE(c.observe(s(112), false).cleared);
  EXPECT_FALSE(c.active());
}

TEST(MonitorCondition, InterruptionRestartsOnlyAPendingEpisode) {
  AlarmCondition c(s(10));
  c.observe(s(100), true);
  EXPECT_TRUE(c.interrupt(s(105)).cleared);
  EXPECT_TRUE(c.observe(s(106), true).started);
  EXPECT_FALSE(c.observe(s(115), true).due);
  EXPECT_TRUE(c.observe(s(116), true).due);
  // Due but suppressed (not settled): an interruption keeps it; the next credible reading is due.
  c.note_suppressed();
  EXPECT_FALSE(c.interrupt(s(117)).cleared);
  const ConditionStep step = c.observe(s(118), true);
  EXPECT_TRUE(step.due);
  EXPECT_TRUE(c.suppressed_noted());
}

TEST(MonitorGlucoseTrend, LeastSquaresLineAndTimeToLevel) {
  GlucoseTrend trend(s(15 * 60));
  trend.add(s(0), 120.0);
  trend.add(s(300), 110.0);
  EXPECT_FALSE(trend.fit().has_value());  // two points: no trend
  trend.add(s(600), 100.0);
  ASSERT_TRUE(trend.minutes_until_below(54.0).has_value());
  EXPECT_DOUBLE_EQ(*trend.minutes_until_below(54.0), 23.0);  // (100 - 54) / 2 mg/dL/min
  trend.add(s(900), 90.0);
  EXPECT_DOUBLE_EQ(*trend.minutes_until_below(54.0), 18.0);
  trend.add(s(1200), 91.0);  // the 0-min reading leaves the 15-min window: 110, 100, 90, 91
  const auto fit = trend.fit();
  ASSERT_TRUE(fit.has_value());
  EXPECT_EQ(fit->points, 4u);
  EXPECT_NEAR(fit->slope_mg_dl_per_min, -1.34, 1e-12);  // Sxy -167.5 / Sxx 125 (minutes)
  EXPECT_NEAR(fit->at_latest_mg_dl, 87.7, 1e-12);      // mean 97.75 - 1.34 x 7.5
  trend.add(s(1500), 120.0);
  EXPECT_FALSE(trend.minutes_until_below(54.0).has_value());  // rising
}

// --- threshold alarms: persistence and latching ---------------------------------------------------

TEST(MonitorThresholds, AlarmAtTheDeliveryOfTheReadingThatCompletesTheDelay) {
  Bench b(context({oximeter()}), config(MonitorMode::naive));
  for (std::int64_t t = 90; t < 100; ++t) b.oximeter_second(0, t, 96, 72);
  for (std::int64_t t = 100; t <= 112; ++t) b.oximeter_second(0, t, 88, 72);  // below 90, not below 85
  ASSERT_EQ(b.log.alarms.size(), 1u);
  const Alarm& a = b.log.alarms[0];
  EXPECT_EQ(a.type, "spo2_low");
  EXPECT_EQ(a.time, delivery(110));  // 10 s of sample time after the first low reading at 100 s
  EXPECT_EQ(a.priority, Priority::medium);
  EXPECT_EQ(a.device, 0u);
  EXPECT_EQ(a.patient, 0u);
  EXPECT_FALSE(a.suppressed);
  EXPECT_DOUBLE_EQ(a.value, 88.0);
  EXPECT_EQ(a.detail, "spo2 88 < 90 for 10 s");
}

TEST(MonitorThresholds, ADipShorterThanTheDelayGivesNoAlarm) {
  Bench b(context({oximeter()}), config(MonitorMode::naive));
  for (std::int64_t t = 100; t <= 109; ++t) b.oximeter_second(0, t, 80, 72);  // 9 s of persistence
  for (std::int64_t t = 110; t <= 130; ++t) b.oximeter_second(0, t, 95, 72);
  EXPECT_TRUE(b.log.alarms.empty());
}

TEST(MonitorThresholds, LostReadingsDoNotBreakPersistence) {
  Bench b(context({oximeter()}), config(MonitorMode::naive));
  b.oximeter_second(0, 100, 88, 72);
  b.oximeter_second(0, 104, 88, 72);
  b.oximeter_second(0, 111, 88, 72);  // 105-110 lost in the network: sample and hold
  ASSERT_EQ(b.of("spo2_low").size(), 1u);
  EXPECT_EQ(b.of("spo2_low")[0].time, delivery(111));
}

TEST(MonitorThresholds, LimitsAreInclusiveWhereTheGroundTruthIs) {
  Bench b(context({bedside()}), config(MonitorMode::naive));
  b.send(0, {reading(0, s(50), Signal::systolic_bp, 90.0)}, delivery(50));  // SBP <= 90: no delay (NIBP)
  b.send(0, {reading(0, s(60), Signal::systolic_bp, 180.0)}, delivery(60));  // > 180 only
  for (std::int64_t t = 100; t <= 110; ++t) b.send(0, {reading(0, s(t), Signal::respiration_rate, 8.0)}, delivery(t));
  ASSERT_EQ(b.log.alarms.size(), 2u);
  EXPECT_EQ(b.log.alarms[0].type, "sbp_low");
  EXPECT_EQ(b.log.alarms[0].time, delivery(50));
  EXPECT_EQ(b.log.alarms[0].detail, "systolic_bp 90 <= 90 for 0 s");
  EXPECT_EQ(b.log.alarms[1].type, "rr_low");
  EXPECT_EQ(b.log.alarms[1].time, delivery(110));
}

TEST(MonitorThresholds, SpotCheckDevicesAlarmOnOneReading) {
  DeviceContext thermometer = device(devices::DeviceType::thermometer, 0, s(4 * 3600), {Signal::core_temperature});
  Bench b(context({thermometer, bedside()}), config(MonitorMode::naive));
  b.send(0, {reading(0, s(3600), Signal::core_temperature, 38.5)}, delivery(3600));
  // The bedside monitor's continuous temperature needs its minute of persistence.
  for (std::int64_t t = 4000; t <= 4060; ++t) b.send(1, {reading(1, s(t), Signal::core_temperature, 38.4)}, delivery(t));
  const std::vector<Alarm> fever = b.of("temp_high");
  // One per patient and type: the thermometer's 38.5 C holds until its next reading, so its alarm
  // is still annunciating when the bedside condition becomes due, and that one merges into it.
  ASSERT_EQ(fever.size(), 1u);
  EXPECT_EQ(fever[0].time, delivery(3600));
  EXPECT_EQ(fever[0].device, 0u);
  EXPECT_EQ(fever[0].priority, Priority::low);
}

TEST(MonitorLatching, NonLatchingAlarmEndsWithItsConditionAndIsRaisedAgain) {
  ReferenceMonitorConfig cfg = config(MonitorMode::naive);
  Bench b(context({oximeter()}), cfg);
  for (std::int64_t t = 100; t <= 115; ++t) b.oximeter_second(0, t, 88, 72);
  for (std::int64_t t = 116; t <= 129; ++t) b.oximeter_second(0, t, 95, 72);
  for (std::int64_t t = 130; t <= 145; ++t) b.oximeter_second(0, t, 88, 72);
  const std::vector<Alarm> low = b.of("spo2_low");  // medium: not latching by default
  ASSERT_EQ(low.size(), 2u);
  EXPECT_EQ(low[0].time, delivery(110));
  EXPECT_EQ(low[1].time, delivery(140));
}

TEST(MonitorLatching, LatchedAlarmSoundsUntilAcknowledgedAndANewEpisodeIsANewAlarm) {
  // spo2_desat is high priority: latched until acknowledged 120 s after it started (110.3 s).
  Bench b(context({oximeter()}), config(MonitorMode::naive));
  for (std::int64_t t = 100; t <= 115; ++t) b.oximeter_second(0, t, 80, 72);
  for (std::int64_t t = 116; t <= 129; ++t) b.oximeter_second(0, t, 95, 72);
  // Cleared at 116 s but still sounding (not acknowledged): the episode due at 140 s is new.
  for (std::int64_t t = 130; t <= 145; ++t) b.oximeter_second(0, t, 80, 72);
  for (std::int64_t t = 146; t <= 299; ++t) b.oximeter_second(0, t, 95, 72);
  for (std::int64_t t = 300; t <= 315; ++t) b.oximeter_second(0, t, 80, 72);
  const std::vector<Alarm> desat = b.of("spo2_desat");
  ASSERT_EQ(desat.size(), 3u);
  EXPECT_EQ(desat[0].time, delivery(110));
  EXPECT_EQ(desat[0].priority, Priority::high);
  EXPECT_EQ(desat[1].time, delivery(140));
  EXPECT_EQ(desat[2].time, delivery(310));
  EXPECT_EQ(b.of("spo2_low").size(), 3u);
}

TEST(MonitorLatching, PersistingConditionIsRemindedAfterItsAcknowledgement) {
  // Desaturation from 100 s for 10 min: raised at 110.3 s, acknowledged at 230.3 s, reminded
  // every acknowledge_after + reminder_interval = 300 s while it lasts.
  Bench b(context({oximeter()}), config(MonitorMode::naive));
  for (std::int64_t t = 100; t <= 700; ++t) {
    b.oximeter_second(0, t, 80, 72);
    b.ticks(t, t);
  }
  const std::vector<Alarm> desat = b.of("spo2_desat");
  ASSERT_EQ(desat.size(), 2u);  // 411 s + 300 s is past the end
  EXPECT_EQ(desat[0].time, delivery(110));
  EXPECT_EQ(desat[1].time, s(411));  // the first tick at or after 410.3 s
  EXPECT_EQ(desat[1].detail, "reminder: " + desat[0].detail);
}

TEST(MonitorLatching, AcknowledgeAfterEndsALatchedAlarmWhoseConditionHasCleared) {
  ReferenceMonitorConfig cfg = config(MonitorMode::naive);
  cfg.latching.acknowledge_after = s(20);  // acknowledged at 130.3 s
  Bench b(context({oximeter()}), cfg);
  for (std::int64_t t = 100; t <= 115; ++t) b.oximeter_second(0, t, 80, 72);
  for (std::int64_t t = 116; t <= 129; ++t) b.oximeter_second(0, t, 95, 72);
  for (std::int64_t t = 130; t <= 145; ++t) b.oximeter_second(0, t, 80, 72);
  std::vector<Alarm> desat = b.of("spo2_desat");
  ASSERT_EQ(desat.size(), 2u);
  EXPECT_EQ(desat[1].time, delivery(140));

  // A latched alarm whose condition outlasts the acknowledgement annunciates until it clears.
  cfg.latching.acknowledge_after = s(5);
  Bench c(context({oximeter()}), cfg);
  for (std::int64_t t = 100; t <= 200; ++t) c.oximeter_second(0, t, 80, 72);
  EXPECT_EQ(c.of("spo2_desat").size(), 1u);
}

// --- smart mode ---------------------------------------------------------------------------------

TEST(MonitorSmart, FlaggedReadingsCountInNaiveModeOnly) {
  for (const MonitorMode mode : {MonitorMode::naive, MonitorMode::smart}) {
    Bench b(context({oximeter()}), config(mode));
    for (std::int64_t t = 100; t <= 130; ++t) b.oximeter_second(0, t, 70, 40, MOTION);
    if (mode == MonitorMode::naive) {
      ASSERT_EQ(b.log.alarms.size(), 3u);  // spo2_low, spo2_desat, hr_low (40 < 50), all at 110 s
      for (const Alarm& a : b.log.alarms) EXPECT_EQ(a.time, delivery(110)) << a.type;
      EXPECT_EQ(b.log.alarms[0].type, "spo2_low");
      EXPECT_EQ(b.log.alarms[1].type, "spo2_desat");
      EXPECT_EQ(b.log.alarms[2].type, "hr_low");
    } else {
      EXPECT_TRUE(b.log.alarms.empty());
    }
  }
}

TEST(MonitorSmart, AFlaggedReadingRestartsPersistenceAndTheExtraDelayApplies) {
  Bench b(context({oximeter()}), config(MonitorMode::smart));
  for (std::int64_t t = 100; t <= 106; ++t) b.oximeter_second(0, t, 88, 72);
  b.oximeter_second(0, 107, 88, 72, LOW_QUALITY);
  for (std::int64_t t = 108; t <= 130; ++t) b.oximeter_second(0, t, 88, 72);
  const std::vector<Alarm> low = b.of("spo2_low");
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].time, delivery(123));  // restarted at 108 s, 10 s + 5 s extra delay
  EXPECT_FALSE(low[0].suppressed);
}

TEST(MonitorSmart, SpO2WithoutACrediblePulseIsSuppressedThenRaisedWhenThePulseReturns) {
  Bench b(context({oximeter()}), config(MonitorMode::smart));
  for (std::int64_t t = 100; t <= 119; ++t) {
    // SpO2 unflagged, but the pulse search failed (dashes: 0 bpm, low quality).
    b.send(0, {reading(0, s(t), Signal::spo2, 88.0), reading(0, s(t), Signal::heart_rate, 0.0, LOW_QUALITY)}, delivery(t));
  }
  for (std::int64_t t = 120; t <= 125; ++t) b.oximeter_second(0, t, 88, 72);
  const std::vector<Alarm> low = b.of("spo2_low");
  ASSERT_EQ(low.size(), 2u);
  EXPECT_EQ(low[0].time, delivery(115));
  EXPECT_TRUE(low[0].suppressed);
  EXPECT_EQ(low[0].detail, "no credible pulse on the oximeter");
  EXPECT_EQ(low[1].time, delivery(120));  // recorded once, retried silently, raised once credible
  EXPECT_FALSE(low[1].suppressed);
}

TEST(MonitorSmart, SpO2IsSuppressedWhenThePulseDisagreesWithTheEcg) {
  for (const MonitorMode mode : {MonitorMode::naive, MonitorMode::smart}) {
    Bench b(context({oximeter(), ecg_patch()}), config(mode));
    for (std::int64_t t = 100; t <= 120; ++t) {
      b.send(1, {reading(1, s(t), Signal::heart_rate, 110.0)}, ms(t * 1000 + 100));
      b.oximeter_second(0, t, 88, 75);  // |75 - 110| = 35 > 20 bpm
    }
    const std::vector<Alarm> low = b.of("spo2_low");
    ASSERT_EQ(low.size(), 1u);
    if (mode == MonitorMode::naive) {
      EXPECT_EQ(low[0].time, delivery(110));
      EXPECT_FALSE(low[0].suppressed);
    } else {
      EXPECT_EQ(low[0].time, delivery(115));
      EXPECT_TRUE(low[0].suppressed);
      EXPECT_EQ(low[0].detail, "pulse 75 bpm disagrees with ECG HR 110 bpm");
    }
  }
  // Within cross_check_bpm the two rates are one rhythm: raised.
  Bench b(context({oximeter(), ecg_patch()}), config(MonitorMode::smart));
  for (std::int64_t t = 100; t <= 120; ++t) {
    b.send(1, {reading(1, s(t), Signal::heart_rate, 90.0)}, ms(t * 1000 + 100));
    b.oximeter_second(0, t, 88, 75);
  }
  ASSERT_EQ(b.of("spo2_low").size(), 1u);
  EXPECT_FALSE(b.of("spo2_low")[0].suppressed);
}

TEST(MonitorSmart, PulseRateAlarmContradictedByTheEcgIsSuppressed) {
  Bench b(context({oximeter(), ecg_patch()}), config(MonitorMode::smart));
  for (std::int64_t t = 100; t <= 120; ++t) {
    b.send(1, {reading(1, s(t), Signal::heart_rate, 80.0)}, ms(t * 1000 + 100));
    b.oximeter_second(0, t, 97, 45);  // pulse deficit / missed pulses
  }
  const std::vector<Alarm> low = b.of("hr_low");
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].time, delivery(115));
  EXPECT_EQ(low[0].device, 0u);
  EXPECT_TRUE(low[0].suppressed);
  EXPECT_EQ(low[0].detail, "pulse 45 bpm disagrees with ECG HR 80 bpm");
}

// --- NEWS2 --------------------------------------------------------------------------------------

namespace {

void send_vitals(Bench& b, std::uint32_t device, std::uint32_t patient, std::int64_t t, double hr, double rr,
                 double spo2, double sbp, double temperature) {
  b.send(device,
         {reading(device, s(t), Signal::heart_rate, hr, 0, patient), reading(device, s(t), Signal::respiration_rate, rr, 0, patient),
          reading(device, s(t), Signal::spo2, spo2, 0, patient), reading(device, s(t), Signal::systolic_bp, sbp, 0, patient),
          reading(device, s(t), Signal::core_temperature, temperature, 0, patient)},
         delivery(t));
}

ReferenceMonitorConfig news2_only() {
  ReferenceMonitorConfig c = config(MonitorMode::naive);
  c.news2.enabled = true;
  for (ThresholdRule& r : c.thresholds) r.enabled = false;
  return c;
}

std::vector<sim::Time> times(const std::vector<Alarm>& alarms) {
  std::vector<sim::Time> out;
  for (const Alarm& a : alarms) out.push_back(a.time);
  return out;
}

}  // namespace

TEST(MonitorNews2, MediumAndHighFromMeasuredVitalsAfterTheirDelayAndStaleness) {
  ReferenceMonitorConfig cfg = news2_only();
  cfg.news2.max_age = s(600);
  Bench b(context({bedside()}), cfg);
  // HR 80 (0), RR 22 (2), SpO2 95 (1), SBP 105 (1), 37.0 C (0): aggregate 4, low.
  send_vitals(b, 0, 0, 0, 80, 22, 95, 105, 37.0);
  b.ticks(1, 100);
  b.send(0, {reading(0, s(100), Signal::respiration_rate, 26.0)}, delivery(100));  // RR 3: aggregate 5, medium
  b.ticks(101, 300);
  b.send(0, {reading(0, s(300), Signal::spo2, 91.0)}, delivery(300));  // SpO2 3: aggregate 7, high
  b.ticks(301, 699);
  // HR, SBP and temperature from t = 0 are older than 10 min from t = 601 s: no score, both end.
  send_vitals(b, 0, 0, 700, 80, 26, 91, 105, 37.0);  // fresh: 7 again
  b.ticks(701, 800);

  const std::vector<Alarm> medium = b.of("news2_medium");
  const std::vector<Alarm> high = b.of("news2_high");
  // First tick seeing the level (101 s, 301 s, 701 s) + the 60 s delay.
  // The medium level persists past its acknowledgement (281 s): a reminder 180 s later. Staleness
  // at 601 s ends both levels after the 60 s hold (661 s), before the high one's reminder was due.
  EXPECT_EQ(times(medium), (std::vector<sim::Time>{s(161), s(461), s(761)}));
  EXPECT_EQ(times(high), (std::vector<sim::Time>{s(361), s(761)}));
  ASSERT_EQ(medium.size(), 3u);
  ASSERT_EQ(high.size(), 2u);
  EXPECT_EQ(medium[0].priority, Priority::medium);
  EXPECT_DOUBLE_EQ(medium[0].value, 5.0);
  EXPECT_EQ(medium[0].detail, "NEWS2 5: RR 3 SpO2 1 O2 0 SBP 1 HR 0 T 0");
  EXPECT_EQ(medium[0].device, NO_DEVICE);
  EXPECT_EQ(high[0].priority, Priority::high);
  EXPECT_DOUBLE_EQ(high[0].value, 7.0);
}

TEST(MonitorNews2, SpO2Scale2AndOxygenFromThePatientContext) {
  MonitorContext ctx = context({bedside(0), bedside(1), bedside(2)}, 3);
  ctx.patients[1].hypercapnic_target = true;
  ctx.patients[2].hypercapnic_target = true;
  ctx.patients[2].on_oxygen = true;
  Bench b(ctx, news2_only());
  // SpO2 88 %: scale 1 scores 3 (a single red score: medium); scale 2, on air, scores 0.
  send_vitals(b, 0, 0, 0, 80, 18, 88, 120, 37.0);
  send_vitals(b, 1, 1, 0, 80, 18, 88, 120, 37.0);
  // SpO2 97 % on oxygen, scale 2: 3 + 2 for oxygen = 5, medium.
  send_vitals(b, 2, 2, 0, 80, 18, 97, 120, 37.0);
  b.ticks(1, 200);
  const std::vector<Alarm> medium = b.of("news2_medium");
  ASSERT_EQ(medium.size(), 2u);
  EXPECT_EQ(medium[0].patient, 0u);
  EXPECT_EQ(medium[0].time, s(61));
  EXPECT_EQ(medium[0].detail, "NEWS2 3: RR 0 SpO2 3 O2 0 SBP 0 HR 0 T 0");
  EXPECT_EQ(medium[1].patient, 2u);
  EXPECT_EQ(medium[1].time, s(61));
  EXPECT_EQ(medium[1].detail, "NEWS2 5: RR 0 SpO2 3 O2 2 SBP 0 HR 0 T 0");
  EXPECT_TRUE(b.of("news2_high").empty());
}

TEST(MonitorNews2, NoScoreWithoutAllFiveVitals) {
  Bench b(context({bedside()}), news2_only());
  b.send(0, {reading(0, s(0), Signal::respiration_rate, 30.0), reading(0, s(0), Signal::spo2, 80.0)}, delivery(0));
  b.ticks(1, 300);
  EXPECT_TRUE(b.log.alarms.empty());
}

// --- glucose ------------------------------------------------------------------------------------

TEST(MonitorGlucose, LowUrgentLowAndHighOnCgmReadings) {
  Bench b(context({cgm()}), config(MonitorMode::naive));
  const double values[] = {100, 65, 50, 100, 190};
  for (std::int64_t i = 0; i < 5; ++i) {
    b.send(0, {reading(0, s(300 * i), Signal::interstitial_glucose, values[i])}, delivery(300 * i));
  }
  ASSERT_EQ(b.log.alarms.size(), 3u);
  EXPECT_EQ(b.log.alarms[0].type, "glucose_low");
  EXPECT_EQ(b.log.alarms[0].time, delivery(300));
  EXPECT_EQ(b.log.alarms[0].priority, Priority::medium);
  EXPECT_EQ(b.log.alarms[1].type, "glucose_urgent_low");
  EXPECT_EQ(b.log.alarms[1].time, delivery(600));
  EXPECT_EQ(b.log.alarms[1].priority, Priority::high);
  EXPECT_EQ(b.log.alarms[1].detail, "glucose 50 < 54 mg/dL");
  EXPECT_EQ(b.log.alarms[2].type, "glucose_high");
  EXPECT_EQ(b.log.alarms[2].time, delivery(1200));
  EXPECT_EQ(b.log.alarms[2].priority, Priority::low);
}

TEST(MonitorGlucose, UrgentLowSoonFromAFallingLinearTrend) {
  Bench b(context({cgm()}), config(MonitorMode::naive));
  const double values[] = {120, 110, 100, 90};  // -2 mg/dL/min
  for (std::int64_t i = 0; i < 4; ++i) {
    b.send(0, {reading(0, s(300 * i), Signal::interstitial_glucose, values[i])}, delivery(300 * i));
  }
  // At 10 min the line reaches 54 in 23 min (beyond the 20-min horizon); at 15 min in 18 min.
  ASSERT_EQ(b.log.alarms.size(), 1u);
  const Alarm& a = b.log.alarms[0];
  EXPECT_EQ(a.type, "glucose_urgent_low_soon");
  EXPECT_EQ(a.time, delivery(900));
  EXPECT_EQ(a.priority, Priority::high);
  EXPECT_DOUBLE_EQ(a.value, 90.0);
  EXPECT_EQ(a.detail, "predicted < 54 mg/dL in 18.0 min");
}

// --- technical ----------------------------------------------------------------------------------

TEST(MonitorTechnical, NoDataAtTheTickThatSeesTheSilenceAndEndsWithData) {
  ReferenceMonitorConfig cfg = config(MonitorMode::smart);
  cfg.technical.enabled = true;
  DeviceContext nibp = device(devices::DeviceType::nibp_cuff, 0, sim::Time::zero(), {Signal::systolic_bp});
  DeviceContext batching = oximeter();
  batching.report_interval = s(120);  // limit max(3 x 120 s, 60 s) = 360 s
  Bench b(context({oximeter(), ecg_patch(), nibp, batching}), cfg);
  b.ticks(1, 10);  // the first tick (1 s) is where silence starts to count
  b.send(0, {reading(0, s(10), Signal::spo2, 97.0)}, ms(10200));
  b.ticks(11, 80);
  b.send(0, {reading(0, s(80), Signal::spo2, 97.0)}, ms(80500));
  b.ticks(81, 400);
  const std::vector<Alarm> no_data = b.of("no_data");
  ASSERT_EQ(no_data.size(), 5u);
  EXPECT_EQ(no_data[0].device, 1u);  // never delivered: 1 s + 60 s
  EXPECT_EQ(no_data[0].time, s(61));
  EXPECT_EQ(no_data[0].detail, "no data for 60 s");
  EXPECT_EQ(no_data[1].device, 0u);  // 10.2 s + 60 s = 70.2 s: seen at the 71 s tick
  EXPECT_EQ(no_data[1].time, s(71));
  EXPECT_EQ(no_data[1].detail, "no data for 60.8 s");
  EXPECT_EQ(no_data[1].priority, Priority::low);
  EXPECT_EQ(no_data[2].device, 0u);  // data at 80.5 s ended it; silent again until 140.5 s
  EXPECT_EQ(no_data[2].time, s(141));
  EXPECT_EQ(no_data[3].device, 3u);
  EXPECT_EQ(no_data[3].time, s(361));
  // Device 1 is still silent after the acknowledgement (61 + 120 s): reminded 180 s later.
  EXPECT_EQ(no_data[4].device, 1u);
  EXPECT_EQ(no_data[4].time, s(361));
  EXPECT_EQ(no_data[4].detail, "reminder: no data for 60 s");
  EXPECT_EQ(b.log.alarms.size(), 5u);
}

TEST(MonitorTechnical, LeadOffAndProbeOffAfterTheirDelayInBothModes) {
  for (const MonitorMode mode : {MonitorMode::naive, MonitorMode::smart}) {
    ReferenceMonitorConfig cfg = config(mode);
    cfg.technical.enabled = true;
    cfg.technical.no_data_min = s(3600);
    Bench b(context({oximeter(), ecg_patch()}), cfg);
    for (std::int64_t t = 50; t <= 65; ++t) b.send(1, {reading(1, s(t), Signal::heart_rate, 0.0, OFF)}, delivery(t));
    for (std::int64_t t = 66; t <= 100; ++t) b.send(1, {reading(1, s(t), Signal::heart_rate, 70.0)}, delivery(t));
    for (std::int64_t t = 200; t <= 215; ++t) b.oximeter_second(0, t, 0, 0, OFF);
    // Flagged ECG blocks (1 s each) count as the heart-rate readings do.
    for (std::int64_t t = 300; t <= 315; ++t) {
      network::Packet p;
      p.device = 1;
      p.waveforms.push_back(network::Waveform{static_cast<std::uint8_t>(Signal::ecg), s(t), 250.0, OFF,
                                              std::vector<float>(250, 0.0F)});
      b.monitor.consume(p, delivery(t));
    }
    const std::vector<Alarm> lead = b.of("lead_off");
    ASSERT_EQ(lead.size(), 2u) << static_cast<int>(mode);
    EXPECT_EQ(lead[0].time, delivery(60));
    EXPECT_EQ(lead[0].device, 1u);
    EXPECT_EQ(lead[0].priority, Priority::low);
    EXPECT_EQ(lead[0].detail, "ECG lead off for 10 s");
    EXPECT_EQ(lead[1].time, delivery(310));
    const std::vector<Alarm> probe = b.of("probe_off");
    ASSERT_EQ(probe.size(), 1u);
    EXPECT_EQ(probe[0].time, delivery(210));
    EXPECT_EQ(probe[0].device, 0u);
    // The probe-off zeros alarm as SpO2 and pulse in naive mode only.
    EXPECT_EQ(b.of("spo2_desat").size(), mode == MonitorMode::naive ? 1u : 0u);
  }
}

TEST(MonitorTechnical, LowBatteryAndForwardedDeviceAlerts) {
  ReferenceMonitorConfig cfg = config(MonitorMode::smart);
  cfg.technical.enabled = true;
  DeviceContext pump = device(devices::DeviceType::infusion_pump, 0, sim::Time::zero(),
                              {Signal::infusion_rate, Signal::device_alert, Signal::battery_level});
  Bench b(context({pump}), cfg);
  auto alert = [&](std::int64_t t, devices::AlertCode code) {
    b.send(0, {reading(0, s(t), Signal::device_alert, static_cast<double>(code))}, delivery(t));
  };
  auto battery = [&](std::int64_t t, double percent) {
    b.send(0, {reading(0, s(t), Signal::battery_level, percent)}, delivery(t));
  };
  battery(10, 11.0);
  battery(20, 10.0);                           // <= 10 %: low_battery
  alert(21, devices::AlertCode::low_battery);  // the same condition: merged
  alert(30, devices::AlertCode::occlusion);
  alert(31, devices::AlertCode::infusion_started);  // information: not an alarm
  alert(40, devices::AlertCode::sensor_expired);
  alert(50, devices::AlertCode::irregular_rhythm);
  alert(60, devices::AlertCode::occlusion);  // annunciating until acknowledged at 150.3 s: merged
  battery(100, 50.0);                         // recharged: low_battery ends
  alert(110, devices::AlertCode::low_battery);
  alert(200, devices::AlertCode::occlusion);
  const std::vector<std::tuple<std::string, sim::Time, Priority>> expected{
      {"low_battery", delivery(20), Priority::low},     {"occlusion", delivery(30), Priority::high},
      {"sensor_expired", delivery(40), Priority::low},  {"irregular_rhythm", delivery(50), Priority::medium},
      {"low_battery", delivery(110), Priority::low},    {"occlusion", delivery(200), Priority::high},
  };
  ASSERT_EQ(b.log.alarms.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(b.log.alarms[i].type, std::get<0>(expected[i])) << i;
    EXPECT_EQ(b.log.alarms[i].time, std::get<1>(expected[i])) << i;
    EXPECT_EQ(b.log.alarms[i].priority, std::get<2>(expected[i])) << i;
    EXPECT_EQ(b.log.alarms[i].device, 0u);
  }
  EXPECT_DOUBLE_EQ(b.log.alarms[0].value, 10.0);
}
