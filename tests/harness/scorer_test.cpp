// The alarm scorer on hand-built event and alarm sets, one rule per test, with exact figures
// (harness/Scorer.cpp states the rules), and the scenario's `scoring:` block.
#include "harness/Scorer.hpp"

#include <gtest/gtest.h>

#include "harness/InputError.hpp"
#include "harness/ScoringLoader.hpp"

using namespace twinbed;
using namespace twinbed::harness;
using sim::Time;

namespace {

const Time NS = Time::from_ns(1);

ScoredEvent event(std::uint32_t patient, const std::string& event_class, Time onset, Time offset, bool scored = true) {
  ScoredEvent e;
  e.patient = patient;
  e.event_class = event_class;
  e.onset = onset;
  e.offset = offset;
  e.scored = scored;
  return e;
}

Alarm alarm(std::uint32_t patient, const std::string& type, Time time, bool suppressed = false,
            std::uint32_t device = NO_DEVICE) {
  Alarm a;
  a.patient = patient;
  a.type = type;
  a.time = time;
  a.suppressed = suppressed;
  a.device = device;
  return a;
}

Time s(std::int64_t seconds) { return Time::from_s(seconds); }

const ClassScore& row(const Scores& scores, const std::string& name) {
  for (const ClassScore& c : scores.classes) {
    if (c.name == name) return c;
  }
  ADD_FAILURE() << "no class row " << name;
  static const ClassScore none;
  return none;
}

// The defaults the tests below rely on, so that a change there fails here first.
void expect_default_rules(const ScoringConfig& config) {
  const ClassRule* desaturation = config.rule("desaturation");
  ASSERT_NE(desaturation, nullptr);
  EXPECT_EQ(desaturation->pre_tolerance, Time::zero());
  EXPECT_EQ(desaturation->post_tolerance, s(30));
  const ClassRule* hypo = config.rule("hypoglycaemia_level2");
  ASSERT_NE(hypo, nullptr);
  EXPECT_EQ(hypo->pre_tolerance, Time::from_min(20));
  EXPECT_EQ(hypo->priority, Priority::high);
  EXPECT_EQ(config.rule("atrial_fibrillation")->min_duration, s(60));
  EXPECT_TRUE(config.rule("lead_off")->technical);
  EXPECT_EQ(config.rule("asystole")->priority, Priority::high);
}

}  // namespace

TEST(Scorer, DefaultRulesUsedByTheseTests) { expect_default_rules(ScoringConfig::defaults()); }

TEST(Scorer, EarlyAlarmInsidePreToleranceAndJustOutside) {
  ScoringInput input;
  // Hypoglycaemia level 2 (pre-tolerance 20 min) at 3600-4200 s on patients 0 and 1.
  input.events = {event(0, "hypoglycaemia_level2", s(3600), s(4200)), event(1, "hypoglycaemia_level2", s(3600), s(4200)),
                  event(2, "desaturation", s(100), s(160))};
  input.alarms = {alarm(0, "glucose_urgent_low_soon", s(2400)),       // exactly onset - 20 min
                  alarm(1, "glucose_urgent_low_soon", s(2400) - NS),  // 1 ns earlier
                  alarm(2, "spo2_low", s(100) - NS)};                 // desaturation: no pre-tolerance
  const Scores scores = score(input, ScoringConfig::defaults());
  EXPECT_EQ(scores.alarms[0].outcome, AlarmOutcome::true_positive);
  EXPECT_EQ(scores.alarms[0].event, 0);
  EXPECT_EQ(scores.events[0].delay, Time::zero() - s(1200));
  EXPECT_EQ(scores.alarms[1].outcome, AlarmOutcome::false_positive);
  EXPECT_EQ(scores.alarms[1].event, -1);
  EXPECT_EQ(scores.alarms[1].event_class, "hypoglycaemia_level2");  // the primary class
  EXPECT_EQ(scores.alarms[2].outcome, AlarmOutcome::false_positive);
  EXPECT_FALSE(scores.events[1].detected);
  EXPECT_FALSE(scores.events[2].detected);
  const ClassScore& hypo = row(scores, "hypoglycaemia_level2");
  EXPECT_EQ(hypo.events, 2u);
  EXPECT_EQ(hypo.detected, 1u);
  EXPECT_EQ(hypo.missed, 1u);
  EXPECT_EQ(hypo.true_alarms, 1u);
  EXPECT_EQ(hypo.false_alarms, 1u);
  EXPECT_DOUBLE_EQ(*hypo.sensitivity, 0.5);
  EXPECT_DOUBLE_EQ(*hypo.ppv, 0.5);
  EXPECT_DOUBLE_EQ(*hypo.f1, 0.5);
  EXPECT_DOUBLE_EQ(*hypo.delay.p50_s, -1200.0);
  EXPECT_EQ(row(scores, "desaturation").false_alarms, 1u);
}

TEST(Scorer, LateAlarmInsideAndJustOutsidePostTolerance) {
  ScoringInput input;
  // Desaturation 100-160 s, post-tolerance 30 s: the window closes at 190 s inclusive.
  for (std::uint32_t p = 0; p < 3; ++p) input.events.push_back(event(p, "desaturation", s(100), s(160)));
  input.alarms = {alarm(0, "spo2_low", s(190)), alarm(1, "spo2_low", s(190) + NS), alarm(2, "spo2_low", s(100))};
  const Scores scores = score(input, ScoringConfig::defaults());
  EXPECT_EQ(scores.alarms[0].outcome, AlarmOutcome::true_positive);
  EXPECT_EQ(scores.alarms[1].outcome, AlarmOutcome::false_positive);
  EXPECT_EQ(scores.alarms[2].outcome, AlarmOutcome::true_positive);  // exactly at onset
  EXPECT_EQ(scores.events[0].delay, s(90));
  EXPECT_EQ(scores.events[0].alarm, 0);
  EXPECT_FALSE(scores.events[1].detected);
  EXPECT_EQ(scores.events[1].alarm, -1);
  EXPECT_EQ(scores.events[2].delay, Time::zero());
  const ClassScore& d = row(scores, "desaturation");
  EXPECT_EQ(d.events, 3u);
  EXPECT_EQ(d.detected, 2u);
  EXPECT_EQ(d.missed, 1u);
  EXPECT_EQ(d.alarms, 3u);
  EXPECT_DOUBLE_EQ(*d.sensitivity, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*d.ppv, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*d.false_share, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(*d.delay.p50_s, 0.0);
  EXPECT_DOUBLE_EQ(*d.delay.max_s, 90.0);
  EXPECT_DOUBLE_EQ(*d.delay.mean_s, 45.0);
}

TEST(Scorer, RepeatsAreCountedNotFalseAndOrderIsTimeThenInput) {
  ScoringInput input;
  input.events = {event(0, "desaturation", s(100), s(160))};
  // Given out of order: the 110 s alarm is first in time; the two at 120 s keep their input order.
  input.alarms = {alarm(0, "spo2_desat", s(120)), alarm(0, "spo2_low", s(110)), alarm(0, "spo2_low", s(120))};
  const Scores scores = score(input, ScoringConfig::defaults());
  EXPECT_EQ(scores.alarms[1].outcome, AlarmOutcome::true_positive);
  EXPECT_EQ(scores.alarms[0].outcome, AlarmOutcome::repeat);
  EXPECT_EQ(scores.alarms[2].outcome, AlarmOutcome::repeat);
  EXPECT_EQ(scores.alarms[0].event, 0);
  EXPECT_EQ(scores.events[0].alarm, 1);
  EXPECT_EQ(scores.events[0].delay, s(10));
  EXPECT_EQ(scores.events[0].repeats, 2u);
  const ClassScore& d = row(scores, "desaturation");
  EXPECT_EQ(d.alarms, 3u);
  EXPECT_EQ(d.true_alarms, 1u);
  EXPECT_EQ(d.repeats, 2u);
  EXPECT_EQ(d.false_alarms, 0u);
  EXPECT_DOUBLE_EQ(*d.ppv, 1.0);
  EXPECT_DOUBLE_EQ(*d.f1, 1.0);
}

TEST(Scorer, WrongPatientAndWrongClassAreFalse) {
  ScoringInput input;
  input.events = {event(0, "desaturation", s(100), s(160))};
  input.alarms = {alarm(1, "spo2_low", s(110)),  // another patient
                  alarm(0, "hr_low", s(110))};   // a class the event is not
  const Scores scores = score(input, ScoringConfig::defaults());
  EXPECT_EQ(scores.alarms[0].outcome, AlarmOutcome::false_positive);
  EXPECT_EQ(scores.alarms[0].event_class, "desaturation");
  EXPECT_EQ(scores.alarms[1].outcome, AlarmOutcome::false_positive);
  EXPECT_EQ(scores.alarms[1].event_class, "bradycardia");  // hr_low's primary class
  EXPECT_FALSE(scores.events[0].detected);
  const ClassScore& d = row(scores, "desaturation");
  EXPECT_EQ(d.missed, 1u);
  EXPECT_EQ(d.false_alarms, 1u);
  EXPECT_DOUBLE_EQ(*d.sensitivity, 0.0);
  EXPECT_DOUBLE_EQ(*d.ppv, 0.0);
  EXPECT_DOUBLE_EQ(*d.f1, 0.0);  // both zero: F1 is 0, not undefined
  const ClassScore& b = row(scores, "bradycardia");
  EXPECT_EQ(b.events, 0u);
  EXPECT_EQ(b.false_alarms, 1u);
  EXPECT_FALSE(b.sensitivity.has_value());
  EXPECT_DOUBLE_EQ(*b.ppv, 0.0);
  EXPECT_FALSE(b.f1.has_value());
  EXPECT_EQ(scores.overall.false_alarms, 2u);
}

TEST(Scorer, OneAlarmDetectsNestedAndOverlappingCompatibleEvents) {
  ScoringInput input;
  input.events = {
      event(0, "news2_medium", s(0), s(3600)), event(0, "news2_high", s(600), s(1200)),
      event(1, "tachycardia", s(0), s(600)), event(1, "extreme_tachycardia", s(100), s(200)),
      // Two desaturations of one patient overlap: the earlier onset is the attributed one.
      event(2, "desaturation", s(100), s(300)), event(2, "desaturation", s(50), s(300)),
  };
  input.alarms = {alarm(0, "news2_high", s(700)),   alarm(0, "news2_medium", s(800)), alarm(0, "news2_high", s(900)),
                  alarm(1, "hr_high", s(150)),      alarm(1, "extreme_tachycardia", s(160)),
                  alarm(2, "spo2_low", s(120))};
  const Scores scores = score(input, ScoringConfig::defaults());
  EXPECT_EQ(scores.alarms[0].outcome, AlarmOutcome::true_positive);
  EXPECT_EQ(scores.alarms[0].event, 1);  // news2_high comes first in the news2_high alarm's list
  EXPECT_EQ(scores.alarms[0].event_class, "news2_high");
  EXPECT_EQ(scores.events[0].alarm, 0);
  EXPECT_EQ(scores.events[1].alarm, 0);
  EXPECT_EQ(scores.events[0].delay, s(700));
  EXPECT_EQ(scores.events[1].delay, s(100));
  EXPECT_EQ(scores.alarms[1].outcome, AlarmOutcome::repeat);
  EXPECT_EQ(scores.alarms[1].event, 0);
  EXPECT_EQ(scores.alarms[2].outcome, AlarmOutcome::repeat);
  EXPECT_EQ(scores.alarms[2].event, 1);
  EXPECT_EQ(scores.events[0].repeats, 1u);
  EXPECT_EQ(scores.events[1].repeats, 1u);
  const ClassScore& high = row(scores, "news2_high");
  EXPECT_EQ(high.detected, 1u);
  EXPECT_EQ(high.true_alarms, 1u);
  EXPECT_EQ(high.repeats, 1u);
  const ClassScore& medium = row(scores, "news2_medium");
  EXPECT_EQ(medium.detected, 1u);
  EXPECT_EQ(medium.alarms, 1u);
  EXPECT_EQ(medium.true_alarms, 0u);
  EXPECT_EQ(medium.repeats, 1u);
  EXPECT_FALSE(medium.ppv.has_value());  // neither true nor false alarms of its own
  EXPECT_DOUBLE_EQ(*medium.sensitivity, 1.0);

  EXPECT_EQ(scores.alarms[3].outcome, AlarmOutcome::true_positive);
  EXPECT_EQ(scores.alarms[3].event, 2);  // hr_high: tachycardia before extreme_tachycardia
  EXPECT_EQ(scores.events[3].alarm, 3);
  EXPECT_EQ(scores.events[3].delay, s(50));
  EXPECT_EQ(scores.alarms[4].outcome, AlarmOutcome::repeat);
  EXPECT_EQ(scores.alarms[4].event_class, "extreme_tachycardia");

  EXPECT_EQ(scores.alarms[5].outcome, AlarmOutcome::true_positive);
  EXPECT_EQ(scores.alarms[5].event, 5);
  EXPECT_TRUE(scores.events[4].detected);
  EXPECT_EQ(row(scores, "desaturation").detected, 2u);
  EXPECT_EQ(row(scores, "desaturation").true_alarms, 1u);
  EXPECT_EQ(scores.overall.events, 6u);
  EXPECT_EQ(scores.overall.detected, 6u);
  EXPECT_EQ(scores.overall.true_alarms, 3u);
  EXPECT_EQ(scores.overall.repeats, 3u);
}

TEST(Scorer, AlarmsOnUnscoredEventsAreIgnoredAndTheEventsNeverMissed) {
  ScoringConfig config = ScoringConfig::defaults();
  std::erase_if(config.classes, [](const ClassRule& r) { return r.event_class == "fever"; });
  ScoringInput input;
  input.events = {
      event(0, "atrial_fibrillation", s(0), s(30)),           // shorter than AF's 60 s min_duration
      event(1, "desaturation", s(0), s(100), false),           // no device could see it
      event(2, "fever", s(0), s(600)),                          // class removed from scoring
  };
  input.alarms = {alarm(0, "atrial_fibrillation", s(20)), alarm(1, "spo2_low", s(50)), alarm(2, "temp_high", s(100)),
                  alarm(1, "spo2_low", s(60), true)};
  const Scores scores = score(input, config);
  for (std::size_t e = 0; e < 3; ++e) {
    EXPECT_FALSE(scores.events[e].scored) << e;
    EXPECT_FALSE(scores.events[e].detected) << e;
  }
  EXPECT_EQ(scores.alarms[0].outcome, AlarmOutcome::ignored);
  EXPECT_EQ(scores.alarms[0].event, 0);
  EXPECT_EQ(scores.alarms[1].outcome, AlarmOutcome::ignored);
  EXPECT_EQ(scores.alarms[2].outcome, AlarmOutcome::ignored);
  EXPECT_EQ(scores.alarms[2].event_class, "fever");
  EXPECT_EQ(scores.alarms[3].outcome, AlarmOutcome::suppressed_false);
  EXPECT_EQ(scores.alarms[3].event, 1);
  const ClassScore& af = row(scores, "atrial_fibrillation");
  EXPECT_EQ(af.events, 0u);
  EXPECT_EQ(af.unscored_events, 1u);
  EXPECT_EQ(af.alarms, 1u);
  EXPECT_EQ(af.ignored, 1u);
  EXPECT_FALSE(af.sensitivity.has_value());
  EXPECT_FALSE(af.ppv.has_value());
  const ClassScore& d = row(scores, "desaturation");
  EXPECT_EQ(d.unscored_events, 1u);
  EXPECT_EQ(d.ignored, 1u);
  EXPECT_EQ(d.true_negatives, 1u);
  // Fever has no row; its event and alarm are in the per-item results only.
  EXPECT_EQ(scores.classes.size(), config.classes.size());
  EXPECT_EQ(scores.overall.events, 0u);
  EXPECT_EQ(scores.overall.missed, 0u);
  EXPECT_EQ(scores.overall.unscored_events, 2u);
  EXPECT_EQ(scores.overall.alarms, 2u);
  EXPECT_EQ(scores.overall.ignored, 2u);
  EXPECT_EQ(scores.overall.false_alarms, 0u);
}

TEST(Scorer, UnmappedTypesAreCountedAndScoredNowhere) {
  ScoringInput input;
  input.events = {event(0, "desaturation", s(100), s(160))};
  input.alarms = {alarm(0, "VENDOR_SPO2", s(110)), alarm(0, "VENDOR_SPO2", s(120), true), alarm(0, "other", s(130))};
  const Scores scores = score(input, ScoringConfig::defaults());
  for (const AlarmResult& a : scores.alarms) {
    EXPECT_EQ(a.outcome, AlarmOutcome::unmapped);
    EXPECT_EQ(a.event, -1);
    EXPECT_EQ(a.event_class, "");
  }
  EXPECT_EQ(scores.unmapped_types, (std::map<std::string, std::uint64_t>{{"VENDOR_SPO2", 2}, {"other", 1}}));
  EXPECT_EQ(scores.overall.alarms, 0u);
  EXPECT_EQ(scores.overall.missed, 1u);
  EXPECT_FALSE(scores.overall.ppv.has_value());
  const nlohmann::json json = scores.to_json();
  EXPECT_EQ(json["alarms_total"], 3);
  EXPECT_EQ(json["unmapped"]["count"], 3);
  EXPECT_EQ(json["unmapped"]["types"]["VENDOR_SPO2"], 2);
}

TEST(Scorer, SuppressedAlarmsAndTheCincScore) {
  ScoringInput input;
  input.events = {event(0, "asystole", s(100), s(110)), event(1, "asystole", s(100), s(110))};
  input.alarms = {
      alarm(0, "asystole", s(105)),        // true positive
      alarm(0, "asystole", s(106), true),  // suppressed on a detected event: still suppressed_true
      alarm(1, "asystole", s(105), true),  // suppressed on an event: the event stays missed
      alarm(3, "asystole", s(105), true),  // suppressed on nothing: true negatives
      alarm(4, "asystole", s(105), true),
      alarm(5, "asystole", s(105)),        // false positive
  };
  const Scores scores = score(input, ScoringConfig::defaults());
  EXPECT_EQ(scores.alarms[1].outcome, AlarmOutcome::suppressed_true);
  EXPECT_EQ(scores.alarms[1].event, 0);
  EXPECT_EQ(scores.alarms[2].outcome, AlarmOutcome::suppressed_true);
  EXPECT_EQ(scores.alarms[2].event, 1);
  EXPECT_EQ(scores.alarms[3].outcome, AlarmOutcome::suppressed_false);
  EXPECT_EQ(scores.alarms[3].event, -1);
  EXPECT_EQ(scores.alarms[3].event_class, "asystole");
  EXPECT_EQ(scores.alarms[3].cause, FalseCause::none);
  EXPECT_EQ(scores.events[0].repeats, 0u);  // a suppressed alarm is no repeat
  EXPECT_FALSE(scores.events[1].detected);
  for (const ClassScore* c : {&row(scores, "asystole"), &scores.high_priority, &scores.overall}) {
    EXPECT_EQ(c->events, 2u) << c->name;
    EXPECT_EQ(c->detected, 1u) << c->name;
    EXPECT_EQ(c->missed, 1u) << c->name;
    EXPECT_EQ(c->alarms, 2u) << c->name;  // annunciated only
    EXPECT_EQ(c->true_alarms, 1u) << c->name;
    EXPECT_EQ(c->false_alarms, 1u) << c->name;
    EXPECT_EQ(c->suppressed_true, 2u) << c->name;
    EXPECT_EQ(c->true_negatives, 2u) << c->name;
    // (TP + TN) / (TP + TN + FP + 5 FN) = (1 + 2) / (1 + 2 + 1 + 5).
    EXPECT_DOUBLE_EQ(*c->cinc_score, 3.0 / 9.0) << c->name;
  }
}

TEST(Scorer, FalseAlarmCauseArtifactOrPhysiology) {
  ScoringInput input;
  ArtifactInterval device7{0, 7, s(100), s(110)};
  ArtifactInterval patient_wide{1, NO_DEVICE, s(100), s(110)};
  input.artifacts = {device7, patient_wide};
  input.alarms = {
      alarm(0, "spo2_low", s(140), false, 7),       // lookback [110, 140] touches the end: artifact
      alarm(0, "spo2_low", s(140) + NS, false, 7),  // 1 ns later: physiology
      alarm(0, "spo2_low", s(100), false, 7),       // at the artifact's start: artifact
      alarm(0, "spo2_low", s(100) - NS, false, 7),  // before it starts: physiology
      alarm(0, "spo2_low", s(105), false, 8),       // another device's artifact: physiology
      alarm(0, "spo2_low", s(105)),                 // no device named: any of the patient's
      alarm(1, "spo2_low", s(105), false, 3),       // a patient-wide artifact counts for every device
      alarm(2, "spo2_low", s(105), false, 7),       // patient 2 has none
  };
  const Scores scores = score(input, ScoringConfig::defaults());
  const std::vector<FalseCause> expected{FalseCause::artifact,   FalseCause::physiology, FalseCause::artifact,
                                         FalseCause::physiology, FalseCause::physiology, FalseCause::artifact,
                                         FalseCause::artifact,   FalseCause::physiology};
  for (std::size_t a = 0; a < expected.size(); ++a) {
    EXPECT_EQ(scores.alarms[a].outcome, AlarmOutcome::false_positive) << a;
    EXPECT_EQ(scores.alarms[a].cause, expected[a]) << a;
  }
  const ClassScore& d = row(scores, "desaturation");
  EXPECT_EQ(d.false_alarms, 8u);
  EXPECT_EQ(d.false_artifact, 4u);
  EXPECT_EQ(d.false_physiology, 4u);
  EXPECT_DOUBLE_EQ(*d.artifact_share, 0.5);
  EXPECT_DOUBLE_EQ(*d.false_share, 1.0);

  // A longer lookback reaches the artifact from 1 ns further.
  ScoringConfig config = ScoringConfig::defaults();
  config.artifact_lookback = s(30) + NS;
  EXPECT_EQ(score(input, config).alarms[1].cause, FalseCause::artifact);
}

TEST(Scorer, DelayPercentilesAreNearestRank) {
  ScoringInput input;
  for (std::uint32_t p = 0; p < 20; ++p) {
    input.events.push_back(event(p, "desaturation", s(1000), s(2000)));
    input.alarms.push_back(alarm(p, "spo2_low", s(1000) + s(p + 1)));  // delays 1..20 s
  }
  const Scores scores = score(input, ScoringConfig::defaults());
  const DelayStats& d = row(scores, "desaturation").delay;
  EXPECT_EQ(d.count, 20u);
  EXPECT_DOUBLE_EQ(*d.p50_s, 10.0);
  EXPECT_DOUBLE_EQ(*d.p95_s, 19.0);
  EXPECT_DOUBLE_EQ(*d.max_s, 20.0);
  EXPECT_DOUBLE_EQ(*d.mean_s, 10.5);

  // Three values: p50 is the 2nd (ceil 1.5), p95 the 3rd (ceil 2.85); fractions of a second kept.
  ScoringInput three;
  three.events = {event(0, "desaturation", s(0), s(100)), event(1, "desaturation", s(0), s(100)),
                  event(2, "desaturation", s(0), s(100))};
  three.alarms = {alarm(0, "spo2_low", s(30)), alarm(1, "spo2_low", Time::from_ms(1500)), alarm(2, "spo2_low", s(2))};
  const DelayStats t = score(three, ScoringConfig::defaults()).overall.delay;
  EXPECT_DOUBLE_EQ(*t.p50_s, 2.0);
  EXPECT_DOUBLE_EQ(*t.p95_s, 30.0);
  EXPECT_DOUBLE_EQ(*t.mean_s, 33.5 / 3.0);
}

TEST(Scorer, FalseAlarmsPerPatientDay) {
  ScoringInput input;
  input.patients = 2;
  input.duration = Time::from_h(12);
  input.alarms = {alarm(0, "spo2_low", s(10)), alarm(1, "spo2_low", s(20)), alarm(1, "hr_high", s(30))};
  Scores scores = score(input, ScoringConfig::defaults());
  EXPECT_DOUBLE_EQ(scores.patient_days, 1.0);
  EXPECT_DOUBLE_EQ(scores.overall.false_per_patient_day, 3.0);
  EXPECT_DOUBLE_EQ(row(scores, "desaturation").false_per_patient_day, 2.0);
  EXPECT_DOUBLE_EQ(row(scores, "tachycardia").false_per_patient_day, 1.0);
  input.duration = Time::from_h(36);
  scores = score(input, ScoringConfig::defaults());
  EXPECT_DOUBLE_EQ(scores.patient_days, 3.0);
  EXPECT_DOUBLE_EQ(scores.overall.false_per_patient_day, 1.0);
}

TEST(Scorer, GroupRowsSumTheirClasses) {
  ScoringInput input;
  input.events = {
      event(0, "lead_off", s(0), s(60)),                        // technical, low
      event(0, "asystole", s(100), s(110)),                     // physiological, high
      event(1, "desaturation", s(0), s(100)),                   // physiological, medium; missed
      event(1, "hypoglycaemia_level2", s(1000), s(2000)),       // physiological, high
  };
  input.alarms = {alarm(0, "lead_off", s(10)), alarm(0, "asystole", s(104)),
                  alarm(1, "glucose_low", s(1500)),  // level 1 first in its list, but only level 2 is there
                  alarm(2, "no_data", s(50))};       // false, primary class device_offline (technical)
  const Scores scores = score(input, ScoringConfig::defaults());
  EXPECT_EQ(scores.alarms[2].event_class, "hypoglycaemia_level2");
  EXPECT_EQ(scores.alarms[3].event_class, "device_offline");

  const ClassScore& tech = scores.technical;
  EXPECT_EQ(tech.events, 1u);
  EXPECT_EQ(tech.detected, 1u);
  EXPECT_EQ(tech.true_alarms, 1u);
  EXPECT_EQ(tech.false_alarms, 1u);
  EXPECT_DOUBLE_EQ(*tech.ppv, 0.5);
  EXPECT_DOUBLE_EQ(*tech.delay.p50_s, 10.0);

  const ClassScore& phys = scores.physiological;
  EXPECT_EQ(phys.events, 3u);
  EXPECT_EQ(phys.detected, 2u);
  EXPECT_EQ(phys.missed, 1u);
  EXPECT_EQ(phys.false_alarms, 0u);
  EXPECT_EQ(phys.delay.count, 2u);
  EXPECT_DOUBLE_EQ(*phys.delay.p50_s, 4.0);
  EXPECT_DOUBLE_EQ(*phys.delay.p95_s, 500.0);
  EXPECT_DOUBLE_EQ(*phys.delay.mean_s, 252.0);

  const ClassScore& high = scores.high_priority;
  EXPECT_EQ(high.events, 2u);
  EXPECT_DOUBLE_EQ(*high.sensitivity, 1.0);
  EXPECT_DOUBLE_EQ(*high.delay.max_s, 500.0);

  const ClassScore& all = scores.overall;
  EXPECT_EQ(all.events, 4u);
  EXPECT_EQ(all.detected, 3u);
  EXPECT_EQ(all.true_alarms, 3u);
  EXPECT_EQ(all.false_alarms, 1u);
  EXPECT_DOUBLE_EQ(*all.sensitivity, 0.75);
  EXPECT_DOUBLE_EQ(*all.ppv, 0.75);
  EXPECT_DOUBLE_EQ(*all.f1, 0.75);
  EXPECT_DOUBLE_EQ(*all.delay.p50_s, 10.0);  // of {4, 10, 500}
  EXPECT_DOUBLE_EQ(*all.delay.p95_s, 500.0);
  EXPECT_DOUBLE_EQ(*all.cinc_score, 3.0 / 9.0);  // (3 + 0) / (3 + 0 + 1 + 5)
}

TEST(Scorer, JsonPathsAndNulls) {
  ScoringInput input;
  input.patients = 2;
  input.duration = Time::from_h(12);
  input.events = {event(0, "desaturation", s(100), s(160)), event(1, "desaturation", s(100), s(160))};
  input.alarms = {alarm(0, "spo2_low", s(112)), alarm(0, "spo2_low", s(500)), alarm(0, "x", s(1))};
  const Scores scores = score(input, ScoringConfig::defaults());
  const nlohmann::json json = scores.to_json();
  EXPECT_DOUBLE_EQ(json["desaturation"]["delay"]["p95"].get<double>(), 12.0);
  EXPECT_EQ(json["desaturation"]["delay"]["count"], 1);
  EXPECT_DOUBLE_EQ(json["overall"]["sensitivity"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(json["sensitivity"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(json["ppv"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(json["false_share"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(json["false_per_patient_day"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(json["patient_days"].get<double>(), 1.0);
  EXPECT_EQ(json["desaturation"]["false_by_cause"]["physiology"], 1);
  EXPECT_EQ(json["desaturation"]["missed"], 1);
  EXPECT_DOUBLE_EQ(json["desaturation"]["artifact_share"].get<double>(), 0.0);
  // Undefined figures are null: no events, no alarms, no detections.
  const nlohmann::json& fever = json["fever"];
  for (const char* key : {"sensitivity", "ppv", "f1", "false_share", "cinc_score", "artifact_share"}) {
    EXPECT_TRUE(fever[key].is_null()) << key;
  }
  EXPECT_EQ(fever["delay"]["count"], 0);
  for (const char* key : {"p50", "p95", "max", "mean"}) EXPECT_TRUE(fever["delay"][key].is_null()) << key;
  EXPECT_DOUBLE_EQ(fever["false_per_patient_day"].get<double>(), 0.0);
  // Every class, the four groups and the top-level figures; nothing else.
  EXPECT_EQ(json.size(), scores.classes.size() + 4 + 7);
  for (const char* group : {"overall", "physiological", "technical", "high_priority"}) {
    EXPECT_TRUE(json.contains(group)) << group;
  }
  EXPECT_TRUE(score(ScoringInput{}, ScoringConfig::defaults()).to_json()["false_per_patient_day"].is_null());

  EXPECT_EQ(alarm_outcome_name(AlarmOutcome::true_positive), "true_positive");
  EXPECT_EQ(alarm_outcome_name(AlarmOutcome::suppressed_false), "suppressed_false");
  EXPECT_EQ(alarm_outcome_name(AlarmOutcome::unmapped), "unmapped");
  EXPECT_EQ(false_cause_name(FalseCause::none), "none");
  EXPECT_EQ(false_cause_name(FalseCause::physiology), "physiology");
}

namespace {

YamlField scoring_field(const YamlDocument& document) { return document.root().as_map({"scoring"}).required("scoring"); }

std::string scoring_error(const std::string& text) {
  try {
    read_scoring(scoring_field(YamlDocument::parse(text, "bad.yaml")));
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError for:\n" << text;
  return "";
}

}  // namespace

TEST(ScoringLoader, AppliesTheBlockOverTheDefaults) {
  const YamlDocument document = YamlDocument::parse(R"(scoring:
  artifact_lookback: 45s
  classes:
    desaturation: {pre_tolerance: 5s, post_tolerance: 1min, min_duration: 10s, priority: high}
    fever: {scored: false}
    lead_off: {scored: true}
  alarm_types:
    SPO2_LOW_ALARM: [desaturation]
    hr_low: [extreme_bradycardia, bradycardia]
)",
                                                    "good.yaml");
  const ScoringConfig config = read_scoring(scoring_field(document));
  const ScoringConfig defaults = ScoringConfig::defaults();
  EXPECT_EQ(config.artifact_lookback, s(45));
  const ClassRule* d = config.rule("desaturation");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->pre_tolerance, s(5));
  EXPECT_EQ(d->post_tolerance, s(60));
  EXPECT_EQ(d->min_duration, s(10));
  EXPECT_EQ(d->priority, Priority::high);
  EXPECT_EQ(config.rule("fever"), nullptr);
  ASSERT_NE(config.rule("lead_off"), nullptr);
  EXPECT_EQ(config.classes.size(), defaults.classes.size() - 1);
  EXPECT_EQ(config.rule("bradycardia")->post_tolerance, defaults.rule("bradycardia")->post_tolerance);
  EXPECT_EQ(config.alarm_classes.at("SPO2_LOW_ALARM"), std::vector<std::string>{"desaturation"});
  EXPECT_EQ(config.alarm_classes.at("hr_low"), (std::vector<std::string>{"extreme_bradycardia", "bradycardia"}));
  EXPECT_EQ(config.alarm_classes.at("spo2_low"), defaults.alarm_classes.at("spo2_low"));
  EXPECT_EQ(config.alarm_classes.size(), defaults.alarm_classes.size() + 1);
}

TEST(ScoringLoader, ErrorsNameLineColumnAndWhatIsAllowed) {
  const std::string unknown_class = scoring_error("scoring:\n  classes:\n    desaturaton: {priority: high}\n");
  EXPECT_EQ(unknown_class.rfind("bad.yaml:3:5: scoring.classes.desaturaton: 'desaturaton' is not a scored event class "
                                "(did you mean 'desaturation'?); allowed: desaturation, bradycardia, ",
                                0),
            0u)
      << unknown_class;
  EXPECT_NE(unknown_class.find(", sensor_expired"), std::string::npos) << unknown_class;

  EXPECT_EQ(scoring_error("scoring:\n  classes:\n    desaturation: {priority: urgent}\n"),
            "bad.yaml:3:30: scoring.classes.desaturation.priority: 'urgent' is not an alarm priority; allowed: low, "
            "medium, high");
  EXPECT_EQ(scoring_error("scoring:\n  classes:\n    fever: {post_tolerance: 30}\n"),
            "bad.yaml:3:29: scoring.classes.fever.post_tolerance: '30' is not a valid duration: missing unit; expected a "
            "non-negative number with a unit: ns, us, ms, s, min, h, d (e.g. 250ms, 15min, 24h)");

  const std::string bad_type = scoring_error("scoring:\n  alarm_types:\n    SPO2: [desaturation, hypoxia]\n");
  EXPECT_EQ(bad_type.rfind("bad.yaml:3:26: scoring.alarm_types.SPO2[1]: 'hypoxia' is not an event class; allowed: "
                           "desaturation, ",
                           0),
            0u)
      << bad_type;
  EXPECT_EQ(scoring_error("scoring:\n  alarm_types:\n    SPO2: []\n"),
            "bad.yaml:3:11: scoring.alarm_types.SPO2: '<list>' is empty; expected the event classes this alarm "
            "announces, the primary first");
  EXPECT_EQ(scoring_error("scoring:\n  artifact_lookbak: 30s\n"),
            "bad.yaml:2:3: scoring.artifact_lookbak: 'artifact_lookbak' is not a known key (did you mean "
            "'artifact_lookback'?); allowed: artifact_lookback, classes, alarm_types");
}
