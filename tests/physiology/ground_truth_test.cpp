// Tests of physiology::EventDetector (onset, minimum duration, end hysteresis, release threshold,
// peak, finish) and of physiology::GroundTruthDetector per event class on synthetic vitals traces
// with exact onsets and offsets. Definitions: docs/models/ground-truth.md.
#include "physiology/EventDetector.hpp"
#include "physiology/GroundTruthDetector.hpp"
#include "physiology/News2.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace twinbed::physiology {
namespace {

using sim::Time;
using namespace sim::literals;

// ---------------------------------------------------------------------------------------------
// EventDetector

EventDefinition spo2_below_90() {
  return EventDefinition{.event_class = EventClass::desaturation, .comparison = Comparison::below,
                         .threshold = 90.0, .min_duration = 10_s, .end_hold = 10_s};
}

// Feeds value(t) at every `step` over [from, to] (inclusive).
void feed(EventDetector& d, Time from, Time to, const std::function<double(Time)>& value,
          Time step = 1_s) {
  for (Time t = from; t <= to; t += step) d.observe(t, value(t));
}

// A square dip: `low` over [start, end), `high` elsewhere.
std::function<double(Time)> dip(Time start, Time end, double low, double high = 97.0) {
  return [=](Time t) { return t >= start && t < end ? low : high; };
}

TEST(Comparison, StrictAndInclusiveAtTheThreshold) {
  EXPECT_TRUE(satisfies(Comparison::below, 89.9, 90.0));
  EXPECT_FALSE(satisfies(Comparison::below, 90.0, 90.0));
  EXPECT_TRUE(satisfies(Comparison::at_or_below, 90.0, 90.0));
  EXPECT_FALSE(satisfies(Comparison::at_or_below, 90.1, 90.0));
  EXPECT_TRUE(satisfies(Comparison::above, 120.1, 120.0));
  EXPECT_FALSE(satisfies(Comparison::above, 120.0, 120.0));
  EXPECT_TRUE(satisfies(Comparison::at_or_above, 120.0, 120.0));
  EXPECT_FALSE(satisfies(Comparison::at_or_above, 119.9, 120.0));
}

TEST(EventDetector, OnsetIsWhenTheConditionStartedAndOffsetWhenItStopped) {
  EventLog log;
  EventDetector d(spo2_below_90(), log);
  feed(d, 0_s, 139_s, [](Time t) {
    if (t == 110_s) return 82.0;  // the nadir
    return t >= 100_s && t < 130_s ? 85.0 : 97.0;
  });
  EXPECT_TRUE(d.in_event());
  EXPECT_TRUE(log.events.empty());  // recovered at 130 s, but not yet for the 10 s end hold
  d.observe(140_s, 97.0);
  EXPECT_FALSE(d.in_event());
  ASSERT_EQ(log.events.size(), 1u);
  const GroundTruthEvent& e = log.events[0];
  EXPECT_EQ(e.event_class, EventClass::desaturation);
  EXPECT_EQ(e.onset, 100_s);
  EXPECT_EQ(e.offset, 130_s);
  EXPECT_DOUBLE_EQ(e.peak, 82.0);
  EXPECT_DOUBLE_EQ(e.severity, 8.0);  // depth below the threshold
  EXPECT_EQ(e.detail, 0);
}

TEST(EventDetector, EstablishedOnceTheConditionHeldForTheMinimumDuration) {
  EventLog log;
  EventDetector d(spo2_below_90(), log);
  feed(d, 0_s, 109_s, dip(100_s, 1000_s, 85.0));
  EXPECT_FALSE(d.in_event());  // held 9 s so far
  d.observe(110_s, 85.0);
  EXPECT_TRUE(d.in_event());   // held 10 s
  EXPECT_TRUE(log.events.empty());
}

TEST(EventDetector, ADipShorterThanTheMinimumDurationIsNoEvent) {
  EventLog log;
  EventDetector d(spo2_below_90(), log);
  feed(d, 0_s, 300_s, dip(100_s, 109_s, 80.0));  // 9 samples at 1 Hz: held for 9 s
  d.finish(300_s);
  EXPECT_TRUE(log.events.empty());
}

TEST(EventDetector, ADipOfExactlyTheMinimumDurationIsAnEvent) {
  EventLog log;
  EventDetector d(spo2_below_90(), log);
  feed(d, 0_s, 109_s, dip(100_s, 110_s, 80.0));  // 10 samples: held over [100, 110)
  EXPECT_FALSE(d.in_event());                     // 9 s observed so far
  d.observe(110_s, 97.0);                         // now known to have held 10 s
  EXPECT_TRUE(d.in_event());
  feed(d, 111_s, 300_s, dip(100_s, 110_s, 80.0));
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].onset, 100_s);
  EXPECT_EQ(log.events[0].offset, 110_s);
}

TEST(EventDetector, RecoveryShorterThanTheEndHoldKeepsOneEvent) {
  EventLog log;
  EventDetector d(spo2_below_90(), log);
  feed(d, 0_s, 300_s, [](Time t) {
    if (t >= 100_s && t < 130_s) return 85.0;
    if (t >= 130_s && t < 139_s) return 95.0;  // 9 s of recovery: shorter than the 10 s hold
    if (t >= 139_s && t < 150_s) return 84.0;
    return 97.0;
  });
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].onset, 100_s);
  EXPECT_EQ(log.events[0].offset, 150_s);
  EXPECT_DOUBLE_EQ(log.events[0].peak, 84.0);
}

TEST(EventDetector, RecoveryOfTheEndHoldSeparatesTwoEvents) {
  EventLog log;
  EventDetector d(spo2_below_90(), log);
  feed(d, 0_s, 300_s, [](Time t) {
    if (t >= 100_s && t < 130_s) return 85.0;
    if (t >= 140_s && t < 170_s) return 80.0;  // 10 s of recovery in between
    return 97.0;
  });
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_EQ(log.events[0].onset, 100_s);
  EXPECT_EQ(log.events[0].offset, 130_s);
  EXPECT_DOUBLE_EQ(log.events[0].peak, 85.0);
  EXPECT_EQ(log.events[1].onset, 140_s);
  EXPECT_EQ(log.events[1].offset, 170_s);
  EXPECT_DOUBLE_EQ(log.events[1].peak, 80.0);
}

TEST(EventDetector, ReleaseThresholdEndsTheEventOnlyPastIt) {
  EventLog log;
  EventDetector d(EventDefinition{.event_class = EventClass::hypoglycaemia_level2,
                                  .comparison = Comparison::below, .threshold = 54.0,
                                  .min_duration = 15_min, .end_hold = 15_min,
                                  .release_threshold = 70.0, .fixed_severity = 2.0},
                  log);
  feed(d, 0_min, 180_min, [](Time t) {
    if (t >= 10_min && t < 40_min) return 50.0;
    if (t >= 40_min && t < 70_min) return 60.0;  // above 54, below the 70 release level
    return 95.0;
  }, 1_min);
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].onset, 10_min);
  EXPECT_EQ(log.events[0].offset, 70_min);
  EXPECT_DOUBLE_EQ(log.events[0].peak, 50.0);
  EXPECT_DOUBLE_EQ(log.events[0].severity, 2.0);  // fixed severity
}

TEST(EventDetector, FallingBackBetweenThresholdAndReleaseInterruptsTheRecovery) {
  EventLog log;
  EventDetector d(EventDefinition{.event_class = EventClass::hypoglycaemia_level2,
                                  .comparison = Comparison::below, .threshold = 54.0,
                                  .min_duration = 15_min, .end_hold = 15_min, .release_threshold = 70.0},
                  log);
  feed(d, 0_min, 180_min, [](Time t) {
    if (t >= 10_min && t < 30_min) return 50.0;
    if (t >= 30_min && t < 35_min) return 75.0;  // recovering ...
    if (t >= 35_min && t < 55_min) return 60.0;  // ... interrupted: not past 70 any more
    return 95.0;
  }, 1_min);
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].onset, 10_min);
  EXPECT_EQ(log.events[0].offset, 55_min);
}

TEST(EventDetector, PeakIsTheMaximumForAboveConditions) {
  EventLog log;
  EventDetector d(EventDefinition{.event_class = EventClass::tachycardia, .comparison = Comparison::above,
                                  .threshold = 120.0, .min_duration = 60_s, .end_hold = 60_s,
                                  .detail = 7},
                  log);
  feed(d, 0_s, 600_s, [](Time t) {
    if (t < 100_s || t >= 300_s) return 80.0;
    return t == 200_s ? 155.0 : 130.0;
  });
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].onset, 100_s);
  EXPECT_EQ(log.events[0].offset, 300_s);
  EXPECT_DOUBLE_EQ(log.events[0].peak, 155.0);
  EXPECT_DOUBLE_EQ(log.events[0].severity, 35.0);
  EXPECT_EQ(log.events[0].detail, 7);
}

TEST(EventDetector, FinishClosesAnOngoingEventAtTheEnd) {
  EventLog log;
  EventDetector d(spo2_below_90(), log);
  feed(d, 0_s, 200_s, dip(100_s, 1000_s, 85.0));
  EXPECT_TRUE(d.in_event());
  d.finish(250_s);
  EXPECT_FALSE(d.in_event());
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].onset, 100_s);
  EXPECT_EQ(log.events[0].offset, 250_s);
}

TEST(EventDetector, FinishConfirmsAPendingConditionThatHeldLongEnough) {
  EventLog log;
  EventDetector d(spo2_below_90(), log);
  feed(d, 0_s, 105_s, dip(100_s, 1000_s, 85.0));  // 5 s observed
  d.finish(112_s);                                 // held until the end: 12 s
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].onset, 100_s);
  EXPECT_EQ(log.events[0].offset, 112_s);

  EventLog short_log;
  EventDetector short_d(spo2_below_90(), short_log);
  feed(short_d, 0_s, 105_s, dip(100_s, 1000_s, 85.0));
  short_d.finish(108_s);  // 8 s: too short
  EXPECT_TRUE(short_log.events.empty());
}

TEST(EventDetector, FinishDuringRecovery) {
  // Recovery not yet confirmed by the end: the event is still ongoing at the end.
  EventLog log;
  EventDetector d(spo2_below_90(), log);
  feed(d, 0_s, 135_s, dip(100_s, 130_s, 85.0));
  d.finish(135_s);
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].offset, 135_s);
  // Recovery held for the end hold up to the end: the event ended when it recovered.
  EventLog log2;
  EventDetector d2(spo2_below_90(), log2);
  feed(d2, 0_s, 135_s, dip(100_s, 130_s, 85.0));
  d2.finish(140_s);
  ASSERT_EQ(log2.events.size(), 1u);
  EXPECT_EQ(log2.events[0].offset, 130_s);
}

TEST(EventDetector, WorksWithIrregularSampling) {
  EventLog log;
  EventDetector d(spo2_below_90(), log);
  d.observe(0_s, 97.0);
  d.observe(7_s, 85.0);   // below from 7 s ...
  d.observe(25_s, 80.0);  // ... held 18 s: an event
  d.observe(26_s, 96.0);  // recovered at 26 s
  d.observe(90_s, 96.0);  // recovery held 64 s
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].onset, 7_s);
  EXPECT_EQ(log.events[0].offset, 26_s);
  EXPECT_DOUBLE_EQ(log.events[0].peak, 80.0);

  // A single sample below, then a long gap: held from 100 s to 160 s under sample-and-hold.
  d.observe(100_s, 88.0);
  d.observe(160_s, 97.0);
  d.observe(171_s, 97.0);
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_EQ(log.events[1].onset, 100_s);
  EXPECT_EQ(log.events[1].offset, 160_s);
}

TEST(EventDetector, ZeroDurationsReportEveryCrossing) {
  EventLog log;
  EventDetector d(EventDefinition{.event_class = EventClass::desaturation, .comparison = Comparison::below,
                                  .threshold = 90.0},
                  log);
  d.observe(0_s, 89.0);
  EXPECT_TRUE(d.in_event());
  d.observe(1_s, 91.0);
  d.observe(2_s, 89.5);
  d.observe(3_s, 91.0);
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_EQ(log.events[0].onset, 0_s);
  EXPECT_EQ(log.events[0].offset, 1_s);
  EXPECT_EQ(log.events[1].onset, 2_s);
  EXPECT_EQ(log.events[1].offset, 3_s);
}

TEST(EventDetector, AValueBetweenThresholdAndReleaseNeitherStartsNorEnds) {
  EventLog log;
  EventDetector d(EventDefinition{.event_class = EventClass::hypoglycaemia_level2,
                                  .comparison = Comparison::below, .threshold = 54.0,
                                  .min_duration = 15_min, .end_hold = 15_min, .release_threshold = 70.0},
                  log);
  feed(d, 0_min, 120_min, [](Time) { return 60.0; }, 1_min);
  d.finish(120_min);
  EXPECT_TRUE(log.events.empty());
}

// ---------------------------------------------------------------------------------------------
// GroundTruthDetector

using Trace = std::function<VitalSigns(Time)>;

// Runs `trace` at every `step` over [0, duration] and closes at `duration`.
std::vector<GroundTruthEvent> run(const Trace& trace, Time duration, Time step = 1_s,
                                  const GroundTruthDefinitions& definitions = {}) {
  EventLog log;
  GroundTruthDetector detector(log, definitions);
  for (Time t = Time::zero(); t <= duration; t += step) detector.observe(t, trace(t));
  detector.finish(duration);
  return log.events;
}

std::vector<GroundTruthEvent> of_class(const std::vector<GroundTruthEvent>& events, EventClass c) {
  std::vector<GroundTruthEvent> out;
  for (const auto& e : events) {
    if (e.event_class == c) out.push_back(e);
  }
  return out;
}

// Normal vitals (VitalSigns defaults: NEWS2 0) with `change` applied over [start, end).
Trace window(Time start, Time end, const std::function<void(VitalSigns&)>& change) {
  return [=](Time t) {
    VitalSigns v;
    if (t >= start && t < end) change(v);
    return v;
  };
}

struct Expected {
  Time onset;
  Time offset;
  double severity;
  double peak;
};

void expect_single(const std::vector<GroundTruthEvent>& events, EventClass c, const Expected& x) {
  SCOPED_TRACE(std::string(event_class_name(c)));
  const auto found = of_class(events, c);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].onset, x.onset);
  EXPECT_EQ(found[0].offset, x.offset);
  EXPECT_NEAR(found[0].severity, x.severity, 1e-9);
  EXPECT_NEAR(found[0].peak, x.peak, 1e-9);
}

TEST(GroundTruthDetector, NormalVitalsYieldNoEvents) {
  EXPECT_TRUE(run([](Time) { return VitalSigns{}; }, 2_h).empty());
}

TEST(GroundTruthDetector, Desaturation) {
  const auto events = run([](Time t) {
    VitalSigns v;
    if (t >= 100_s && t < 160_s) v.spo2_percent = t == 130_s ? 80.0 : 86.0;
    return v;
  }, 10_min);
  expect_single(events, EventClass::desaturation, {100_s, 160_s, 10.0, 80.0});
  // 9 s below 90 % is no desaturation.
  EXPECT_TRUE(of_class(run(window(100_s, 109_s, [](VitalSigns& v) { v.spo2_percent = 85.0; }), 10_min),
                       EventClass::desaturation).empty());
  // Exactly 90 % is not below 90 %.
  EXPECT_TRUE(of_class(run(window(100_s, 400_s, [](VitalSigns& v) { v.spo2_percent = 90.0; }), 10_min),
                       EventClass::desaturation).empty());
}

TEST(GroundTruthDetector, BradycardiaAndTachycardia) {
  expect_single(run(window(100_s, 200_s, [](VitalSigns& v) { v.heart_rate_bpm = 45.0; }), 10_min),
                EventClass::bradycardia, {100_s, 200_s, 5.0, 45.0});
  EXPECT_TRUE(of_class(run(window(100_s, 159_s, [](VitalSigns& v) { v.heart_rate_bpm = 45.0; }), 10_min),
                       EventClass::bradycardia).empty());  // 59 s
  expect_single(run(window(100_s, 400_s, [](VitalSigns& v) { v.heart_rate_bpm = 125.0; }), 10_min),
                EventClass::tachycardia, {100_s, 400_s, 5.0, 125.0});
  EXPECT_TRUE(of_class(run(window(100_s, 400_s, [](VitalSigns& v) { v.heart_rate_bpm = 120.0; }), 10_min),
                       EventClass::tachycardia).empty());  // strictly above 120
}

TEST(GroundTruthDetector, BradypnoeaAndTachypnoeaAtTheNews2RedEdges) {
  expect_single(run(window(60_s, 300_s, [](VitalSigns& v) { v.respiration_rate_per_min = 8.0; }), 10_min),
                EventClass::bradypnoea, {60_s, 300_s, 0.0, 8.0});
  EXPECT_TRUE(of_class(run(window(60_s, 300_s, [](VitalSigns& v) { v.respiration_rate_per_min = 8.1; }),
                           10_min),
                       EventClass::bradypnoea).empty());
  expect_single(run(window(60_s, 300_s, [](VitalSigns& v) { v.respiration_rate_per_min = 28.0; }), 10_min),
                EventClass::tachypnoea, {60_s, 300_s, 3.0, 28.0});
  EXPECT_TRUE(of_class(run(window(60_s, 300_s, [](VitalSigns& v) { v.respiration_rate_per_min = 24.9; }),
                           10_min),
                       EventClass::tachypnoea).empty());
}

TEST(GroundTruthDetector, Hypotension) {
  expect_single(run(window(120_s, 420_s, [](VitalSigns& v) { v.systolic_mmhg = 85.0; }), 15_min),
                EventClass::hypotension, {120_s, 420_s, 5.0, 85.0});
  expect_single(run(window(120_s, 420_s, [](VitalSigns& v) { v.systolic_mmhg = 90.0; }), 15_min),
                EventClass::hypotension, {120_s, 420_s, 0.0, 90.0});
  EXPECT_TRUE(of_class(run(window(120_s, 420_s, [](VitalSigns& v) { v.systolic_mmhg = 91.0; }), 15_min),
                       EventClass::hypotension).empty());
}

TEST(GroundTruthDetector, HypertensiveCrisisBySystolicOrDiastolic) {
  // Systolic 190: 10 mmHg over the 180 limit.
  expect_single(run(window(60_s, 360_s, [](VitalSigns& v) { v.systolic_mmhg = 190.0; }), 15_min),
                EventClass::hypertensive_crisis, {60_s, 360_s, 10.0, 10.0});
  // Diastolic 125 with systolic 170: 5 mmHg over the 120 limit.
  expect_single(run(window(60_s, 360_s, [](VitalSigns& v) {
                  v.systolic_mmhg = 170.0;
                  v.diastolic_mmhg = 125.0;
                }), 15_min),
                EventClass::hypertensive_crisis, {60_s, 360_s, 5.0, 5.0});
  // 180/120 is not above 180/120.
  EXPECT_TRUE(of_class(run(window(60_s, 360_s, [](VitalSigns& v) {
                             v.systolic_mmhg = 180.0;
                             v.diastolic_mmhg = 120.0;
                           }), 15_min),
                       EventClass::hypertensive_crisis).empty());
}

TEST(GroundTruthDetector, FeverAndHypothermia) {
  expect_single(run(window(10_min, 40_min, [](VitalSigns& v) { v.core_temperature_c = 38.8; }), 1_h),
                EventClass::fever, {10_min, 40_min, 0.5, 38.8});
  EXPECT_TRUE(of_class(run(window(10_min, 14_min, [](VitalSigns& v) { v.core_temperature_c = 39.0; }), 1_h),
                       EventClass::fever).empty());  // 4 min < 5 min
  EXPECT_TRUE(of_class(run(window(10_min, 40_min, [](VitalSigns& v) { v.core_temperature_c = 38.2; }), 1_h),
                       EventClass::fever).empty());
  expect_single(run(window(10_min, 40_min, [](VitalSigns& v) { v.core_temperature_c = 34.5; }), 1_h),
                EventClass::hypothermia, {10_min, 40_min, 0.5, 34.5});
  expect_single(run(window(10_min, 40_min, [](VitalSigns& v) { v.core_temperature_c = 35.0; }), 1_h),
                EventClass::hypothermia, {10_min, 40_min, 0.0, 35.0});
}

TEST(GroundTruthDetector, HypoglycaemiaLevels) {
  // 60 mg/dL for 30 min: level 1 only (severity 1, peak = nadir).
  const auto level1 = run(window(20_min, 50_min, [](VitalSigns& v) { v.glucose_mg_dl = 60.0; }), 3_h);
  expect_single(level1, EventClass::hypoglycaemia_level1, {20_min, 50_min, 1.0, 60.0});
  EXPECT_TRUE(of_class(level1, EventClass::hypoglycaemia_level2).empty());
  // 50 mg/dL for 30 min: both levels.
  const auto level2 = run(window(20_min, 50_min, [](VitalSigns& v) { v.glucose_mg_dl = 50.0; }), 3_h);
  expect_single(level2, EventClass::hypoglycaemia_level1, {20_min, 50_min, 1.0, 50.0});
  expect_single(level2, EventClass::hypoglycaemia_level2, {20_min, 50_min, 2.0, 50.0});
  // 14 minutes is no event; 15 is.
  EXPECT_TRUE(run(window(20_min, 34_min, [](VitalSigns& v) { v.glucose_mg_dl = 50.0; }), 3_h).empty());
  const auto fifteen = run(window(20_min, 35_min, [](VitalSigns& v) { v.glucose_mg_dl = 50.0; }), 3_h);
  expect_single(fifteen, EventClass::hypoglycaemia_level2, {20_min, 35_min, 2.0, 50.0});
}

TEST(GroundTruthDetector, HypoglycaemiaEndsAfterFifteenMinutesOfRecovery) {
  // At CGM-like 5-minute sampling: 60 for 30 min, 75 for 10 min (too short to end), 62 for 20 min.
  const auto events = run([](Time t) {
    VitalSigns v;
    if (t >= 20_min && t < 50_min) v.glucose_mg_dl = 60.0;
    if (t >= 50_min && t < 60_min) v.glucose_mg_dl = 75.0;
    if (t >= 60_min && t < 80_min) v.glucose_mg_dl = 62.0;
    return v;
  }, 3_h, 5_min);
  expect_single(events, EventClass::hypoglycaemia_level1, {20_min, 80_min, 1.0, 60.0});
}

TEST(GroundTruthDetector, HyperglycaemiaLevels) {
  const auto level1 = run(window(1_h, 2_h, [](VitalSigns& v) { v.glucose_mg_dl = 200.0; }), 4_h, 1_min);
  expect_single(level1, EventClass::hyperglycaemia_level1, {1_h, 2_h, 1.0, 200.0});
  EXPECT_TRUE(of_class(level1, EventClass::hyperglycaemia_level2).empty());
  const auto level2 = run(window(1_h, 2_h, [](VitalSigns& v) { v.glucose_mg_dl = 300.0; }), 4_h, 1_min);
  expect_single(level2, EventClass::hyperglycaemia_level1, {1_h, 2_h, 1.0, 300.0});
  expect_single(level2, EventClass::hyperglycaemia_level2, {1_h, 2_h, 2.0, 300.0});
  EXPECT_TRUE(of_class(run(window(1_h, 2_h, [](VitalSigns& v) { v.glucose_mg_dl = 180.0; }), 4_h, 1_min),
                       EventClass::hyperglycaemia_level1).empty());
}

TEST(GroundTruthDetector, News2MediumFromASingleRedScore) {
  // SpO2 91 % on scale 1 scores 3 alone: NEWS2 3, risk low_medium (peak 1, severity 0).
  const auto events = run(window(60_s, 360_s, [](VitalSigns& v) { v.spo2_percent = 91.0; }), 15_min);
  expect_single(events, EventClass::news2_medium, {60_s, 360_s, 0.0, 1.0});
  EXPECT_TRUE(of_class(events, EventClass::news2_high).empty());
  EXPECT_TRUE(of_class(events, EventClass::desaturation).empty());
}

TEST(GroundTruthDetector, News2MediumFromTheAggregate) {
  // HR 115 (2) + RR 22 (2) + temperature 38.2 (1) = 5: medium (peak 2, severity 1).
  const auto events = run(window(60_s, 360_s, [](VitalSigns& v) {
    v.heart_rate_bpm = 115.0;
    v.respiration_rate_per_min = 22.0;
    v.core_temperature_c = 38.2;
  }), 15_min);
  expect_single(events, EventClass::news2_medium, {60_s, 360_s, 1.0, 2.0});
  EXPECT_TRUE(of_class(events, EventClass::news2_high).empty());
  // NEWS2 4 without a red score: nothing.
  EXPECT_TRUE(run(window(60_s, 360_s, [](VitalSigns& v) {
                    v.heart_rate_bpm = 115.0;
                    v.respiration_rate_per_min = 22.0;
                  }), 15_min).empty());
}

TEST(GroundTruthDetector, News2HighNestsInsideMedium) {
  // Medium (5) over [60 s, 600 s); high (RR 25 -> 3, HR 115 -> 2, SBP 105 -> 1, temp 38.2 -> 1 = 7)
  // over [180 s, 420 s), peaking at 9 (HR 135 -> 3, SBP 95 -> 2) at 300 s.
  const auto events = run([](Time t) {
    VitalSigns v;
    if (t >= 60_s && t < 600_s) {
      v.heart_rate_bpm = 115.0;
      v.respiration_rate_per_min = 22.0;
      v.core_temperature_c = 38.2;
    }
    if (t >= 180_s && t < 420_s) {
      v.respiration_rate_per_min = 25.0;
      v.systolic_mmhg = 105.0;
    }
    if (t == 300_s) {
      v.heart_rate_bpm = 135.0;
      v.systolic_mmhg = 95.0;
    }
    return v;
  }, 20_min);
  expect_single(events, EventClass::news2_medium, {60_s, 600_s, 2.0, 3.0});
  expect_single(events, EventClass::news2_high, {180_s, 420_s, 2.0, 9.0});
}

TEST(GroundTruthDetector, Spo2Scale2UsesTheHypercapnicTarget) {
  // SpO2 89 % with a hypercapnic target scores 0 on scale 2 (no NEWS2 trigger), yet it is below
  // the 90 % desaturation threshold: the event classes are independent of the SpO2 target.
  const auto events = run(window(60_s, 360_s, [](VitalSigns& v) {
    v.hypercapnic_target = true;
    v.spo2_percent = 89.0;
  }), 15_min);
  EXPECT_TRUE(of_class(events, EventClass::news2_medium).empty());
  expect_single(events, EventClass::desaturation, {60_s, 360_s, 1.0, 89.0});
}

TEST(GroundTruthDetector, FinishClosesOngoingEventsAtTheRunsEnd) {
  EventLog log;
  GroundTruthDetector detector(log);
  VitalSigns v;
  v.heart_rate_bpm = 135.0;  // over 120, and a NEWS2 red score (>= 131)
  for (Time t = Time::zero(); t <= 300_s; t += 1_s) detector.observe(t, v);
  EXPECT_TRUE(detector.in_event(EventClass::tachycardia));
  EXPECT_FALSE(detector.in_event(EventClass::bradycardia));
  EXPECT_FALSE(detector.in_event(EventClass::asystole));  // not detected here
  EXPECT_TRUE(log.events.empty());
  detector.finish(310_s);
  EXPECT_FALSE(detector.in_event(EventClass::tachycardia));
  expect_single(log.events, EventClass::tachycardia, {0_s, 310_s, 15.0, 135.0});
  expect_single(log.events, EventClass::news2_medium, {0_s, 310_s, 0.0, 1.0});
}

TEST(GroundTruthDetector, DefinitionsCanBeOverridden) {
  GroundTruthDefinitions definitions;
  definitions.desaturation.threshold = 88.0;
  definitions.hypertensive_crisis_diastolic_mmhg = 110.0;
  definitions.news2_medium.threshold = static_cast<double>(News2Risk::medium);  // no single-3 trigger
  const auto trace = window(60_s, 360_s, [](VitalSigns& v) {
    v.spo2_percent = 89.0;      // scores 3 on scale 1, but not below 88
    v.diastolic_mmhg = 112.0;   // over the lowered 110 limit
  });
  const auto events = run(trace, 15_min, 1_s, definitions);
  EXPECT_TRUE(of_class(events, EventClass::desaturation).empty());
  EXPECT_TRUE(of_class(events, EventClass::news2_medium).empty());
  expect_single(events, EventClass::hypertensive_crisis, {60_s, 360_s, 2.0, 2.0});
}

}  // namespace
}  // namespace twinbed::physiology
