#pragma once
// harness::Scorer: matches a system under test's alarms against the ground truth and computes the
// figures a QA engineer defends (spec harness.md "Scoring"): per class and overall sensitivity,
// PPV, F1, false alarms per patient-day, repeats, detection delay percentiles, the CinC-2015 score
// and the share of false alarms caused by device artifacts vs physiology near a threshold.
// Pure: vectors in, numbers out; the same rules serve virtual-time and live runs.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/Alarm.hpp"
#include "sim/Time.hpp"

namespace twinbed::harness {

// A ground-truth event as the scorer sees it: physiological (from /ground_truth/events) or
// technical (from /faults: lead off, sensor detached, battery, device offline, network outage).
struct ScoredEvent {
  std::uint32_t patient = 0;
  std::string event_class;            // "desaturation", "asystole", "lead_off", ...
  sim::Time onset;
  sim::Time offset;
  std::uint32_t device = NO_DEVICE;   // technical events: the device concerned
  // False when the event is not a target: its class is not scored, no device could observe it
  // (e.g. a fever on a patient without a thermometer), or it is shorter than the class's
  // min_duration. Such an event is never "missed"; an alarm that falls on it is "ignored".
  bool scored = true;
};

// A device artifact or fault interval, to attribute false alarms to their cause.
struct ArtifactInterval {
  std::uint32_t patient = 0;
  std::uint32_t device = NO_DEVICE;
  sim::Time start;
  sim::Time end;
};

struct ClassRule {
  std::string event_class;
  Priority priority = Priority::medium;  // of the event class: "high_priority" groups the high ones
  bool technical = false;
  sim::Time pre_tolerance;                          // an alarm may come this long before onset
  sim::Time post_tolerance = sim::Time::from_s(30); // ... or this long after offset
  sim::Time min_duration;                           // shorter events are not targets
  // Events of this class on one patient less than this apart are one episode (build_truth merges
  // them). The CinC arrhythmia definitions have no end hold, so a rate hovering at 140 bpm makes
  // a string of one-second "events" that a clinician sees, and a monitor announces, as one.
  sim::Time merge_gap;
};

struct ScoringConfig {
  std::vector<ClassRule> classes;  // the scored classes, in report order
  // Alarm type -> compatible event classes; the first is the alarm's primary class (where its
  // false alarms are counted). Types missing here are "unmapped": kept and reported, not scored.
  std::map<std::string, std::vector<std::string>> alarm_classes;
  // A false alarm is caused by an artifact when an artifact interval of the same patient (and the
  // alarm's device, when it names one) overlaps [time - artifact_lookback, time].
  sim::Time artifact_lookback = sim::Time::from_s(30);

  // The classes and the reference monitor's alarm names, with their tolerances (docs/alarms.md).
  static ScoringConfig defaults();
  const ClassRule* rule(const std::string& event_class) const;
};

struct ScoringInput {
  std::vector<ScoredEvent> events;
  std::vector<Alarm> alarms;             // any order; the scorer sorts by (time, input order)
  std::vector<ArtifactInterval> artifacts;
  std::uint32_t patients = 0;
  sim::Time duration;                    // patient-days = patients x duration
};

// What became of each alarm. Stored as an HDF5 enum in /alarms: keep the codes.
enum class AlarmOutcome : std::uint8_t {
  true_positive = 0,   // the first alarm on a scored event (it may detect several compatible ones)
  repeat = 1,          // a later alarm on an already detected event: counted, not false
  false_positive = 2,  // matches no event
  ignored = 3,         // matches only events that are not targets (scored = false)
  unmapped = 4,        // its type is not in alarm_classes
  suppressed_true = 5, // suppressed by the monitor, but it would have matched a scored event
  suppressed_false = 6,// suppressed, and it would have matched nothing: a true negative
};
std::string_view alarm_outcome_name(AlarmOutcome outcome);

enum class FalseCause : std::uint8_t { none = 0, artifact = 1, physiology = 2 };
std::string_view false_cause_name(FalseCause cause);

struct AlarmResult {
  AlarmOutcome outcome = AlarmOutcome::false_positive;
  FalseCause cause = FalseCause::none;  // false positives only
  std::int64_t event = -1;              // the (first) event it matched, index into events
  std::string event_class;              // matched event's class, else the alarm's primary class
};

struct EventResult {
  // A target: ScoredEvent::scored, its class has a ClassRule and it lasts at least min_duration.
  bool scored = false;
  bool detected = false;
  std::int64_t alarm = -1;  // the first alarm that detected it, index into alarms
  sim::Time delay;          // that alarm's time - onset (may be negative with pre_tolerance)
  std::uint32_t repeats = 0;
};

struct DelayStats {
  std::uint64_t count = 0;
  // Nearest-rank percentiles (as the telemetry latency): the smallest delay d with at least
  // p x count delays <= d. Unset without detected events.
  std::optional<double> p50_s, p95_s, max_s, mean_s;
};

struct ClassScore {
  std::string name;           // a class, or "overall", "physiological", "technical", "high_priority"
  std::uint64_t events = 0;   // scored events
  std::uint64_t detected = 0;
  std::uint64_t missed = 0;
  std::uint64_t unscored_events = 0;
  std::uint64_t alarms = 0;         // annunciated alarms attributed here (not suppressed)
  std::uint64_t true_alarms = 0;
  std::uint64_t false_alarms = 0;
  std::uint64_t repeats = 0;
  std::uint64_t ignored = 0;
  std::uint64_t suppressed_true = 0;  // CinC FN among suppressed candidates
  std::uint64_t true_negatives = 0;   // suppressed candidates that matched nothing
  std::uint64_t false_artifact = 0;
  std::uint64_t false_physiology = 0;
  DelayStats delay;
  // Unset when undefined (no events, no alarms).
  std::optional<double> sensitivity;            // detected / events
  std::optional<double> ppv;                    // true_alarms / (true_alarms + false_alarms)
  std::optional<double> f1;
  std::optional<double> false_share;            // false_alarms / (true_alarms + false_alarms)
  double false_per_patient_day = 0.0;
  // CinC 2015: (TP + TN) / (TP + TN + FP + 5 FN) with TP = detected, FN = missed,
  // FP = false_alarms, TN = true_negatives.
  std::optional<double> cinc_score;
  std::optional<double> artifact_share;         // false_artifact / false_alarms
};

struct Scores {
  std::vector<ClassScore> classes;  // one per ScoringConfig class, in its order
  ClassScore overall, physiological, technical, high_priority;
  std::vector<AlarmResult> alarms;  // parallel to ScoringInput::alarms
  std::vector<EventResult> events;  // parallel to ScoringInput::events
  std::map<std::string, std::uint64_t> unmapped_types;  // type -> count
  double patient_days = 0.0;

  // summary.json "alarms": {"overall", "physiological", "technical", "high_priority", "<class>": row,
  // "false_per_patient_day", "false_share", "sensitivity", "ppv" (overall's), "patient_days",
  // "alarms_total", "unmapped": {"count", "types": {type: n}}}. A row has the ClassScore counts,
  // the ratios, "false_by_cause": {"artifact", "physiology"} and "delay": {"count", "p50", "p95",
  // "max", "mean"} in seconds. Undefined figures are null (false_per_patient_day too, without
  // patient-time).
  nlohmann::json to_json() const;
};

Scores score(const ScoringInput& input, const ScoringConfig& config);

}  // namespace twinbed::harness
