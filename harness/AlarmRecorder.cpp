#include "harness/AlarmRecorder.hpp"

#include <cmath>
#include <limits>

#include "harness/Hdf5Writer.hpp"

namespace twinbed::harness {

struct AlarmTables::AlarmRow {
  std::int64_t time_ns;
  std::uint32_t patient;
  std::uint32_t device;
  char type[ID_BYTES];
  std::uint8_t priority;
  std::uint8_t suppressed;
  double value;
  std::uint8_t outcome;
  std::uint8_t cause;
  std::int64_t event;
  char event_class[ID_BYTES];
  char detail[ID_BYTES];
};

struct AlarmTables::EventRow {
  std::uint32_t patient;
  char event_class[ID_BYTES];
  std::int64_t onset_ns;
  std::int64_t offset_ns;
  std::uint32_t device;
  std::uint8_t scored;
  std::uint8_t technical;
  std::uint8_t priority;
  std::uint8_t detected;
  std::int64_t alarm;
  std::int64_t delay_ns;
  std::uint32_t repeats;
};

struct AlarmTables::ClassRow {
  char name[ID_BYTES];
  std::uint64_t events, detected, missed, unscored_events, alarms, true_alarms, false_alarms, repeats, ignored,
      suppressed_true, true_negatives, false_artifact, false_physiology;
  double sensitivity, ppv, f1, false_share, false_per_patient_day, cinc_score, delay_p50_s, delay_p95_s, delay_max_s;
};

namespace {

double or_nan(const std::optional<double>& value) {
  return value ? *value : std::numeric_limits<double>::quiet_NaN();
}

std::vector<std::string> names_of(std::initializer_list<std::string_view> names) {
  return {names.begin(), names.end()};
}

std::vector<std::string> priority_names() {
  return names_of({priority_name(Priority::low), priority_name(Priority::medium), priority_name(Priority::high)});
}

std::vector<std::string> outcome_names() {
  std::vector<std::string> names;
  for (std::uint8_t o = 0; o <= static_cast<std::uint8_t>(AlarmOutcome::suppressed_false); ++o) {
    names.emplace_back(alarm_outcome_name(static_cast<AlarmOutcome>(o)));
  }
  return names;
}

std::vector<std::string> cause_names() {
  return names_of({false_cause_name(FalseCause::none), false_cause_name(FalseCause::artifact),
                   false_cause_name(FalseCause::physiology)});
}

}  // namespace

AlarmTables::AlarmTables(std::string prefix, const ScoringInput& input, const Scores& scores, const ScoringConfig& config)
    : prefix_(std::move(prefix)) {
  for (std::size_t i = 0; i < input.alarms.size(); ++i) {
    const Alarm& a = input.alarms[i];
    const AlarmResult& r = scores.alarms[i];
    AlarmRow row{};
    row.time_ns = a.time.ns();
    row.patient = a.patient;
    row.device = a.device;
    copy_id(row.type, a.type);
    row.priority = static_cast<std::uint8_t>(a.priority);
    row.suppressed = a.suppressed ? 1 : 0;
    row.value = a.value;
    row.outcome = static_cast<std::uint8_t>(r.outcome);
    row.cause = static_cast<std::uint8_t>(r.cause);
    row.event = r.event;
    copy_id(row.event_class, r.event_class);
    copy_id(row.detail, a.detail);
    alarms_.push_back(row);
  }
  for (std::size_t i = 0; i < input.events.size(); ++i) {
    const ScoredEvent& e = input.events[i];
    const EventResult& r = scores.events[i];
    const ClassRule* rule = config.rule(e.event_class);
    EventRow row{};
    row.patient = e.patient;
    copy_id(row.event_class, e.event_class);
    row.onset_ns = e.onset.ns();
    row.offset_ns = e.offset.ns();
    row.device = e.device;
    row.scored = r.scored ? 1 : 0;
    row.technical = rule != nullptr && rule->technical ? 1 : 0;
    row.priority = static_cast<std::uint8_t>(rule != nullptr ? rule->priority : Priority::low);
    row.detected = r.detected ? 1 : 0;
    row.alarm = r.alarm;
    row.delay_ns = r.detected ? r.delay.ns() : 0;
    row.repeats = r.repeats;
    events_.push_back(row);
  }
  const auto add_class = [&](const ClassScore& c) {
    ClassRow row{};
    copy_id(row.name, c.name);
    row.events = c.events;
    row.detected = c.detected;
    row.missed = c.missed;
    row.unscored_events = c.unscored_events;
    row.alarms = c.alarms;
    row.true_alarms = c.true_alarms;
    row.false_alarms = c.false_alarms;
    row.repeats = c.repeats;
    row.ignored = c.ignored;
    row.suppressed_true = c.suppressed_true;
    row.true_negatives = c.true_negatives;
    row.false_artifact = c.false_artifact;
    row.false_physiology = c.false_physiology;
    row.sensitivity = or_nan(c.sensitivity);
    row.ppv = or_nan(c.ppv);
    row.f1 = or_nan(c.f1);
    row.false_share = or_nan(c.false_share);
    row.false_per_patient_day = c.false_per_patient_day;
    row.cinc_score = or_nan(c.cinc_score);
    row.delay_p50_s = or_nan(c.delay.p50_s);
    row.delay_p95_s = or_nan(c.delay.p95_s);
    row.delay_max_s = or_nan(c.delay.max_s);
    classes_.push_back(row);
  };
  for (const ClassScore& c : scores.classes) add_class(c);
  for (const ClassScore* c : {&scores.overall, &scores.physiological, &scores.technical, &scores.high_priority}) {
    add_class(*c);
  }
}

AlarmTables::AlarmTables(AlarmTables&&) noexcept = default;
AlarmTables& AlarmTables::operator=(AlarmTables&&) noexcept = default;
AlarmTables::~AlarmTables() = default;

void AlarmTables::write(Hdf5Writer& writer) const {
  const H5::StrType text = fixed_string();
  const H5::EnumType priority = enum_type(priority_names());
  H5::CompType alarm(sizeof(AlarmRow));
  alarm.insertMember("time_ns", offsetof(AlarmRow, time_ns), H5::PredType::NATIVE_INT64);
  alarm.insertMember("patient", offsetof(AlarmRow, patient), H5::PredType::NATIVE_UINT32);
  alarm.insertMember("device", offsetof(AlarmRow, device), H5::PredType::NATIVE_UINT32);
  alarm.insertMember("type", offsetof(AlarmRow, type), text);
  alarm.insertMember("priority", offsetof(AlarmRow, priority), priority);
  alarm.insertMember("suppressed", offsetof(AlarmRow, suppressed), H5::PredType::NATIVE_UINT8);
  alarm.insertMember("value", offsetof(AlarmRow, value), H5::PredType::NATIVE_DOUBLE);
  alarm.insertMember("outcome", offsetof(AlarmRow, outcome), enum_type(outcome_names()));
  alarm.insertMember("cause", offsetof(AlarmRow, cause), enum_type(cause_names()));
  alarm.insertMember("event", offsetof(AlarmRow, event), H5::PredType::NATIVE_INT64);
  alarm.insertMember("event_class", offsetof(AlarmRow, event_class), text);
  alarm.insertMember("detail", offsetof(AlarmRow, detail), text);

  H5::CompType event(sizeof(EventRow));
  event.insertMember("patient", offsetof(EventRow, patient), H5::PredType::NATIVE_UINT32);
  event.insertMember("event_class", offsetof(EventRow, event_class), text);
  event.insertMember("onset_ns", offsetof(EventRow, onset_ns), H5::PredType::NATIVE_INT64);
  event.insertMember("offset_ns", offsetof(EventRow, offset_ns), H5::PredType::NATIVE_INT64);
  event.insertMember("device", offsetof(EventRow, device), H5::PredType::NATIVE_UINT32);
  event.insertMember("scored", offsetof(EventRow, scored), H5::PredType::NATIVE_UINT8);
  event.insertMember("technical", offsetof(EventRow, technical), H5::PredType::NATIVE_UINT8);
  event.insertMember("priority", offsetof(EventRow, priority), priority);
  event.insertMember("detected", offsetof(EventRow, detected), H5::PredType::NATIVE_UINT8);
  event.insertMember("alarm", offsetof(EventRow, alarm), H5::PredType::NATIVE_INT64);
  event.insertMember("delay_ns", offsetof(EventRow, delay_ns), H5::PredType::NATIVE_INT64);
  event.insertMember("repeats", offsetof(EventRow, repeats), H5::PredType::NATIVE_UINT32);

  H5::CompType score(sizeof(ClassRow));
  score.insertMember("name", offsetof(ClassRow, name), text);
  const auto u64 = [&](const char* name, std::size_t offset) {
    score.insertMember(name, offset, H5::PredType::NATIVE_UINT64);
  };
  const auto f64 = [&](const char* name, std::size_t offset) {
    score.insertMember(name, offset, H5::PredType::NATIVE_DOUBLE);
  };
  u64("events", offsetof(ClassRow, events));
  u64("detected", offsetof(ClassRow, detected));
  u64("missed", offsetof(ClassRow, missed));
  u64("unscored_events", offsetof(ClassRow, unscored_events));
  u64("alarms", offsetof(ClassRow, alarms));
  u64("true_alarms", offsetof(ClassRow, true_alarms));
  u64("false_alarms", offsetof(ClassRow, false_alarms));
  u64("repeats", offsetof(ClassRow, repeats));
  u64("ignored", offsetof(ClassRow, ignored));
  u64("suppressed_true", offsetof(ClassRow, suppressed_true));
  u64("true_negatives", offsetof(ClassRow, true_negatives));
  u64("false_artifact", offsetof(ClassRow, false_artifact));
  u64("false_physiology", offsetof(ClassRow, false_physiology));
  f64("sensitivity", offsetof(ClassRow, sensitivity));
  f64("ppv", offsetof(ClassRow, ppv));
  f64("f1", offsetof(ClassRow, f1));
  f64("false_share", offsetof(ClassRow, false_share));
  f64("false_per_patient_day", offsetof(ClassRow, false_per_patient_day));
  f64("cinc_score", offsetof(ClassRow, cinc_score));
  f64("delay_p50_s", offsetof(ClassRow, delay_p50_s));
  f64("delay_p95_s", offsetof(ClassRow, delay_p95_s));
  f64("delay_max_s", offsetof(ClassRow, delay_max_s));

  writer.group(prefix_.empty() ? "/scores" : prefix_ + "/scores");
  write_table(writer.file(), prefix_ + "/alarms", alarm, alarms_);
  write_table(writer.file(), prefix_ + "/scores/events", event, events_);
  write_table(writer.file(), prefix_ + "/scores/classes", score, classes_);
}

}  // namespace twinbed::harness
