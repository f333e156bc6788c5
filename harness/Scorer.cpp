// harness::score(): matches alarms against ground-truth events (spec harness.md "Scoring").
//
// The rules, in full (the spec's sentence made exact so that every figure can be recomputed by
// hand from /alarms and /scores/events):
//
// 1. Alarms are processed in (time, input index) order. An alarm of type T is compatible with the
//    classes config.alarm_classes[T], the first being its primary class. A type missing from the
//    table (or mapped to no class) is `unmapped`: counted in unmapped_types, scored nowhere else.
// 2. An event E is a *candidate* for an alarm when it is the same patient, its class is compatible
//    and the alarm time lies in [onset - pre_tolerance, offset + post_tolerance] of E's ClassRule
//    (both ends inclusive). E is a *target* (scored) when E.scored is set, its class has a rule and
//    it lasts at least the rule's min_duration. An event whose class has no rule (a class the
//    scenario removed with `scored: false`) is never a target; its window uses the spec's example
//    tolerances (0 s before onset, 30 s after offset: a default ClassRule) so that an alarm on it
//    is still `ignored` rather than false.
// 3. A non-suppressed alarm *detects* every candidate target not yet detected: one alarm can
//    announce a news2_high and the news2_medium it is nested in, or a VT that is also an extreme
//    tachycardia. Outcomes:
//    - it detected at least one: `true_positive` (one true alarm), attributed to the detected
//      event that comes first by (position of its class in the alarm's class list, onset, index);
//    - it detected none but a candidate target exists (all already detected): `repeat`, attributed
//      to the target candidate chosen by the same order, whose `repeats` grows by one;
//    - its only candidates are not targets: `ignored`, attributed to the first of them;
//    - no candidate at all: `false_positive` in the alarm's primary class. Its cause is `artifact`
//      when an ArtifactInterval of the same patient overlaps the closed interval
//      [time - artifact_lookback, time], else `physiology`. When the alarm names a device, only
//      that device's intervals and patient-wide ones (device = NO_DEVICE) count.
// 4. A suppressed alarm never detects anything: `suppressed_true` when it has a candidate target
//    (detected or not; CinC 2015 counts it as a false negative), else `suppressed_false` (a true
//    negative); attributed by the same order (targets first, then other candidates, else the
//    primary class).
// 5. An event's delay is the time of the first alarm that detected it minus its onset (negative
//    when the alarm came inside the pre-tolerance).
// 6. Per class row: that class's targets (events / detected / missed, delay statistics) and other
//    events (unscored_events); the alarms attributed to it (event_class). Alarms and events of a
//    class without a rule appear in the per-alarm and per-event results only. Group rows (overall,
//    physiological, technical, high_priority) are sums of class rows; their delay statistics pool
//    the detected events of their classes.
#include "harness/Scorer.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace twinbed::harness {

namespace {

constexpr std::array<std::string_view, 7> OUTCOME_NAMES{
    "true_positive", "repeat", "false_positive", "ignored", "unmapped", "suppressed_true", "suppressed_false"};
constexpr std::array<std::string_view, 3> CAUSE_NAMES{"none", "artifact", "physiology"};

// Seconds by division: exact for whole seconds (Time::seconds() multiplies by 1e-9, which is not).
double to_seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

double ratio(std::uint64_t numerator, std::uint64_t denominator) {
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

// Nearest-rank percentile of sorted values: the smallest value with at least ceil(p x n) values at
// or below it (as LatencyHistogram). p is given in per mille so that the rank is exact integer
// arithmetic: 0.95 x 20 in doubles is not quite 19.
std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, std::uint64_t per_mille) {
  const std::uint64_t n = sorted.size();
  const std::uint64_t rank = std::max<std::uint64_t>(1, (per_mille * n + 999) / 1000);
  return sorted[rank - 1];
}

DelayStats delay_stats(std::vector<std::int64_t> delays_ns) {
  DelayStats stats;
  stats.count = delays_ns.size();
  if (delays_ns.empty()) return stats;
  std::sort(delays_ns.begin(), delays_ns.end());
  stats.p50_s = to_seconds(nearest_rank(delays_ns, 500));
  stats.p95_s = to_seconds(nearest_rank(delays_ns, 950));
  stats.max_s = to_seconds(delays_ns.back());
  double sum = 0.0;
  for (const std::int64_t d : delays_ns) sum += to_seconds(d);
  stats.mean_s = sum / static_cast<double>(delays_ns.size());
  return stats;
}

// A row's counts and the delays of its detected events, before the derived figures.
struct Tally {
  ClassScore row;
  std::vector<std::int64_t> delays_ns;

  void count(const EventResult& event) {
    if (!event.scored) {
      ++row.unscored_events;
      return;
    }
    ++row.events;
    if (event.detected) {
      ++row.detected;
      delays_ns.push_back(event.delay.ns());
    }
  }

  void count(const AlarmResult& alarm) {
    switch (alarm.outcome) {
      case AlarmOutcome::true_positive: ++row.alarms; ++row.true_alarms; break;
      case AlarmOutcome::repeat: ++row.alarms; ++row.repeats; break;
      case AlarmOutcome::ignored: ++row.alarms; ++row.ignored; break;
      case AlarmOutcome::false_positive:
        ++row.alarms;
        ++row.false_alarms;
        ++(alarm.cause == FalseCause::artifact ? row.false_artifact : row.false_physiology);
        break;
      case AlarmOutcome::suppressed_true: ++row.suppressed_true; break;
      case AlarmOutcome::suppressed_false: ++row.true_negatives; break;
      case AlarmOutcome::unmapped: break;
    }
  }

  void add(const Tally& other) {
    const ClassScore& o = other.row;
    row.events += o.events;
    row.detected += o.detected;
    row.unscored_events += o.unscored_events;
    row.alarms += o.alarms;
    row.true_alarms += o.true_alarms;
    row.false_alarms += o.false_alarms;
    row.repeats += o.repeats;
    row.ignored += o.ignored;
    row.suppressed_true += o.suppressed_true;
    row.true_negatives += o.true_negatives;
    row.false_artifact += o.false_artifact;
    row.false_physiology += o.false_physiology;
    delays_ns.insert(delays_ns.end(), other.delays_ns.begin(), other.delays_ns.end());
  }

  // The row with its derived figures.
  ClassScore finish(std::string name, double patient_days) {
    row.name = std::move(name);
    row.missed = row.events - row.detected;
    row.delay = delay_stats(std::move(delays_ns));
    if (row.events > 0) row.sensitivity = ratio(row.detected, row.events);
    const std::uint64_t judged = row.true_alarms + row.false_alarms;
    if (judged > 0) {
      row.ppv = ratio(row.true_alarms, judged);
      row.false_share = ratio(row.false_alarms, judged);
    }
    if (row.sensitivity && row.ppv) {
      const double sum = *row.sensitivity + *row.ppv;
      row.f1 = sum > 0.0 ? 2.0 * *row.sensitivity * *row.ppv / sum : 0.0;
    }
    row.false_per_patient_day = patient_days > 0.0 ? static_cast<double>(row.false_alarms) / patient_days : 0.0;
    // CinC 2015 challenge score (Clifford et al., Computing in Cardiology 2015): a missed alarm
    // weighs five times a false one.
    const std::uint64_t cinc_denominator = row.detected + row.true_negatives + row.false_alarms + 5 * row.missed;
    if (cinc_denominator > 0) row.cinc_score = ratio(row.detected + row.true_negatives, cinc_denominator);
    if (row.false_alarms > 0) row.artifact_share = ratio(row.false_artifact, row.false_alarms);
    return std::move(row);
  }
};

// Artifact intervals per (patient, device), sorted by start with the running maximum of their
// ends, so that "does any interval overlap [from, to]" is one binary search.
class ArtifactIndex {
public:
  explicit ArtifactIndex(const std::vector<ArtifactInterval>& artifacts) {
    for (const ArtifactInterval& a : artifacts) {
      tracks_[{a.patient, a.device}].push_back(a);
      tracks_[{a.patient, ANY_DEVICE}].push_back(a);
    }
    for (auto& [key, intervals] : tracks_) {
      std::sort(intervals.begin(), intervals.end(),
                [](const ArtifactInterval& x, const ArtifactInterval& y) { return x.start < y.start; });
      for (std::size_t i = 1; i < intervals.size(); ++i) {
        intervals[i].end = std::max(intervals[i].end, intervals[i - 1].end);  // now the running max
      }
    }
  }

  bool overlaps(std::uint32_t patient, std::uint32_t device, sim::Time from, sim::Time to) const {
    if (device == NO_DEVICE) return overlaps_track({patient, ANY_DEVICE}, from, to);
    return overlaps_track({patient, device}, from, to) || overlaps_track({patient, NO_DEVICE}, from, to);
  }

private:
  static constexpr std::uint64_t ANY_DEVICE = std::uint64_t{1} << 32;  // beyond every uint32 id
  using Key = std::pair<std::uint32_t, std::uint64_t>;

  bool overlaps_track(const Key& key, sim::Time from, sim::Time to) const {
    const auto track = tracks_.find(key);
    if (track == tracks_.end()) return false;
    const std::vector<ArtifactInterval>& intervals = track->second;
    const auto after = std::upper_bound(intervals.begin(), intervals.end(), to,
                                        [](sim::Time t, const ArtifactInterval& a) { return t < a.start; });
    return after != intervals.begin() && std::prev(after)->end >= from;
  }

  std::map<Key, std::vector<ArtifactInterval>> tracks_;
};

// One patient's events in order of their window start, and those whose window is open. Alarms of
// one patient arrive in time order, so a window that closed before one alarm is closed for all
// later ones: each event enters and leaves `open` once.
struct PatientTimeline {
  std::vector<std::size_t> by_window_start;
  std::size_t next = 0;
  std::vector<std::size_t> open;
};

struct EventWindow {
  sim::Time start;
  sim::Time end;
  int class_id = -1;
  int row = -1;  // index of its class in config.classes, -1 without a rule
};

struct Candidate {
  std::size_t rank = 0;  // position of the event's class in the alarm's class list
  std::size_t event = 0;
};

class Matcher {
public:
  Matcher(const ScoringInput& input, const ScoringConfig& config, Scores& scores)
      : input_(input), config_(config), scores_(scores), artifacts_(input.artifacts) {
    for (std::size_t r = 0; r < config.classes.size(); ++r) {
      row_of_class_[intern(config.classes[r].event_class)] = static_cast<int>(r);
    }
    for (const auto& [type, classes] : config.alarm_classes) {
      std::vector<int>& ids = type_classes_[type];
      for (const std::string& c : classes) ids.push_back(intern(c));
    }
    index_events();
  }

  void run() {
    std::vector<std::size_t> order(input_.alarms.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return input_.alarms[a].time < input_.alarms[b].time; });
    for (const std::size_t a : order) match(a);
  }

  int row_of_alarm(std::size_t a) const {
    const auto found = class_ids_.find(scores_.alarms[a].event_class);
    if (found == class_ids_.end()) return -1;
    const auto row = row_of_class_.find(found->second);
    return row == row_of_class_.end() ? -1 : row->second;
  }
  int row_of_event(std::size_t e) const { return windows_[e].row; }

private:
  int intern(const std::string& name) {
    const auto [it, inserted] = class_ids_.emplace(name, static_cast<int>(class_ids_.size()));
    return it->second;
  }

  void index_events() {
    static const ClassRule UNRULED{};  // the spec's example tolerances: 0 s before, 30 s after
    windows_.resize(input_.events.size());
    scores_.events.assign(input_.events.size(), EventResult{});
    for (std::size_t e = 0; e < input_.events.size(); ++e) {
      const ScoredEvent& event = input_.events[e];
      const ClassRule* rule = config_.rule(event.event_class);
      EventWindow& w = windows_[e];
      w.class_id = intern(event.event_class);
      const auto row = row_of_class_.find(w.class_id);
      w.row = row == row_of_class_.end() ? -1 : row->second;
      const ClassRule& r = rule ? *rule : UNRULED;
      w.start = event.onset - r.pre_tolerance;
      w.end = event.offset + r.post_tolerance;
      scores_.events[e].scored = event.scored && rule && event.offset - event.onset >= rule->min_duration;
      timelines_[event.patient].by_window_start.push_back(e);
    }
    for (auto& [patient, timeline] : timelines_) {
      std::sort(timeline.by_window_start.begin(), timeline.by_window_start.end(), [&](std::size_t a, std::size_t b) {
        return windows_[a].start != windows_[b].start ? windows_[a].start < windows_[b].start : a < b;
      });
    }
  }

  // The candidates of an alarm of `classes` at `time` for `patient`.
  void find_candidates(std::uint32_t patient, sim::Time time, const std::vector<int>& classes) {
    candidates_.clear();
    const auto found = timelines_.find(patient);
    if (found == timelines_.end()) return;
    PatientTimeline& t = found->second;
    while (t.next < t.by_window_start.size() && windows_[t.by_window_start[t.next]].start <= time) {
      t.open.push_back(t.by_window_start[t.next++]);
    }
    std::erase_if(t.open, [&](std::size_t e) { return windows_[e].end < time; });
    for (const std::size_t e : t.open) {
      const auto rank = std::find(classes.begin(), classes.end(), windows_[e].class_id);
      if (rank != classes.end()) candidates_.push_back({static_cast<std::size_t>(rank - classes.begin()), e});
    }
  }

  // The first candidate satisfying `keep` by (class-list position, onset, index), or -1.
  template <typename Keep>
  std::int64_t first(Keep keep) const {
    auto key = [&](const Candidate& c) { return std::tuple(c.rank, input_.events[c.event].onset, c.event); };
    const Candidate* best = nullptr;
    for (const Candidate& c : candidates_) {
      if (keep(c.event) && (best == nullptr || key(c) < key(*best))) best = &c;
    }
    return best ? static_cast<std::int64_t>(best->event) : -1;
  }

  void match(std::size_t a) {
    const Alarm& alarm = input_.alarms[a];
    AlarmResult& result = scores_.alarms[a];
    const auto type = type_classes_.find(alarm.type);
    if (type == type_classes_.end() || type->second.empty()) {
      result.outcome = AlarmOutcome::unmapped;
      ++scores_.unmapped_types[alarm.type];
      return;
    }
    find_candidates(alarm.patient, alarm.time, type->second);
    auto is_target = [&](std::size_t e) { return scores_.events[e].scored; };
    auto any = [](std::size_t) { return true; };
    const std::int64_t target = first(is_target);
    if (alarm.suppressed) {
      result.outcome = target >= 0 ? AlarmOutcome::suppressed_true : AlarmOutcome::suppressed_false;
      result.event = target >= 0 ? target : first(any);
    } else {
      bool detected = false;
      for (const Candidate& c : candidates_) {
        EventResult& event = scores_.events[c.event];
        if (!event.scored || event.detected) continue;
        event.detected = true;
        event.alarm = static_cast<std::int64_t>(a);
        event.delay = alarm.time - input_.events[c.event].onset;
        detected = true;
      }
      if (detected) {
        result.outcome = AlarmOutcome::true_positive;
        result.event = first([&](std::size_t e) { return scores_.events[e].alarm == static_cast<std::int64_t>(a); });
      } else if (target >= 0) {
        result.outcome = AlarmOutcome::repeat;
        result.event = target;
        ++scores_.events[static_cast<std::size_t>(target)].repeats;
      } else if (!candidates_.empty()) {
        result.outcome = AlarmOutcome::ignored;
        result.event = first(any);
      } else {
        result.outcome = AlarmOutcome::false_positive;
        const bool artifact =
            artifacts_.overlaps(alarm.patient, alarm.device, alarm.time - config_.artifact_lookback, alarm.time);
        result.cause = artifact ? FalseCause::artifact : FalseCause::physiology;
      }
    }
    result.event_class = result.event >= 0 ? input_.events[static_cast<std::size_t>(result.event)].event_class
                                           : config_.alarm_classes.at(alarm.type).front();
  }

  const ScoringInput& input_;
  const ScoringConfig& config_;
  Scores& scores_;
  ArtifactIndex artifacts_;
  std::unordered_map<std::string, int> class_ids_;
  std::unordered_map<int, int> row_of_class_;
  std::unordered_map<std::string, std::vector<int>> type_classes_;
  std::vector<EventWindow> windows_;
  std::unordered_map<std::uint32_t, PatientTimeline> timelines_;
  std::vector<Candidate> candidates_;
};

nlohmann::json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json row_json(const ClassScore& row, double patient_days) {
  return {
      {"events", row.events},
      {"detected", row.detected},
      {"missed", row.missed},
      {"unscored_events", row.unscored_events},
      {"alarms", row.alarms},
      {"true_alarms", row.true_alarms},
      {"false_alarms", row.false_alarms},
      {"repeats", row.repeats},
      {"ignored", row.ignored},
      {"suppressed_true", row.suppressed_true},
      {"true_negatives", row.true_negatives},
      {"sensitivity", optional_json(row.sensitivity)},
      {"ppv", optional_json(row.ppv)},
      {"f1", optional_json(row.f1)},
      {"false_share", optional_json(row.false_share)},
      // Undefined without patient-time (an empty run), like the other ratios.
      {"false_per_patient_day", patient_days > 0.0 ? nlohmann::json(row.false_per_patient_day) : nlohmann::json(nullptr)},
      {"cinc_score", optional_json(row.cinc_score)},
      {"artifact_share", optional_json(row.artifact_share)},
      {"false_by_cause", {{"artifact", row.false_artifact}, {"physiology", row.false_physiology}}},
      {"delay",
       {{"count", row.delay.count},
        {"p50", optional_json(row.delay.p50_s)},
        {"p95", optional_json(row.delay.p95_s)},
        {"max", optional_json(row.delay.max_s)},
        {"mean", optional_json(row.delay.mean_s)}}},
  };
}

}  // namespace

std::string_view alarm_outcome_name(AlarmOutcome outcome) { return OUTCOME_NAMES.at(static_cast<std::size_t>(outcome)); }

std::string_view false_cause_name(FalseCause cause) { return CAUSE_NAMES.at(static_cast<std::size_t>(cause)); }

Scores score(const ScoringInput& input, const ScoringConfig& config) {
  Scores scores;
  scores.alarms.assign(input.alarms.size(), AlarmResult{});
  scores.patient_days = static_cast<double>(input.patients) * to_seconds(input.duration.ns()) / 86'400.0;

  Matcher matcher(input, config, scores);
  matcher.run();

  std::vector<Tally> tallies(config.classes.size());
  for (std::size_t e = 0; e < input.events.size(); ++e) {
    const int r = matcher.row_of_event(e);
    if (r >= 0) tallies[static_cast<std::size_t>(r)].count(scores.events[e]);
  }
  for (std::size_t a = 0; a < input.alarms.size(); ++a) {
    const int r = matcher.row_of_alarm(a);
    if (r >= 0) tallies[static_cast<std::size_t>(r)].count(scores.alarms[a]);
  }
  Tally overall, physiological, technical, high_priority;
  for (std::size_t r = 0; r < config.classes.size(); ++r) {
    const ClassRule& rule = config.classes[r];
    overall.add(tallies[r]);
    (rule.technical ? technical : physiological).add(tallies[r]);
    if (rule.priority == Priority::high) high_priority.add(tallies[r]);
    scores.classes.push_back(tallies[r].finish(rule.event_class, scores.patient_days));
  }
  scores.overall = overall.finish("overall", scores.patient_days);
  scores.physiological = physiological.finish("physiological", scores.patient_days);
  scores.technical = technical.finish("technical", scores.patient_days);
  scores.high_priority = high_priority.finish("high_priority", scores.patient_days);
  return scores;
}

nlohmann::json Scores::to_json() const {
  nlohmann::json json = nlohmann::json::object();
  json["overall"] = row_json(overall, patient_days);
  json["physiological"] = row_json(physiological, patient_days);
  json["technical"] = row_json(technical, patient_days);
  json["high_priority"] = row_json(high_priority, patient_days);
  for (const ClassScore& row : classes) json[row.name] = row_json(row, patient_days);
  json["false_per_patient_day"] = json["overall"]["false_per_patient_day"];
  json["false_share"] = json["overall"]["false_share"];
  json["sensitivity"] = json["overall"]["sensitivity"];
  json["ppv"] = json["overall"]["ppv"];
  json["patient_days"] = patient_days;
  json["alarms_total"] = alarms.size();
  std::uint64_t unmapped = 0;
  nlohmann::json types = nlohmann::json::object();
  for (const auto& [type, count] : unmapped_types) {
    unmapped += count;
    types[type] = count;
  }
  json["unmapped"] = {{"count", unmapped}, {"types", types}};
  return json;
}

}  // namespace twinbed::harness
