// read_scoring(): the scenario's `scoring:` block over ScoringConfig::defaults().
//
//   scoring:
//     artifact_lookback: 30s
//     classes:                 # per class, any subset of the keys
//       desaturation: {pre_tolerance: 0s, post_tolerance: 30s, min_duration: 0s, priority: medium}
//       fever: {scored: false} # removes the class from scoring: its events are never targets
//     alarm_types:             # adds or replaces an alarm type's compatible classes (first = primary)
//       SPO2_LOW_ALARM: [desaturation]
//
// Class names are those of the defaults (docs/models/ground-truth.md and the technical fault
// classes): a misspelt class would otherwise silently score nothing.
#include "harness/ScoringLoader.hpp"

#include <algorithm>

namespace twinbed::harness {

namespace {

std::vector<std::string> class_names(const ScoringConfig& config) {
  std::vector<std::string> names;
  for (const ClassRule& rule : config.classes) names.push_back(rule.event_class);
  return names;
}

void read_class(const YamlField& field, const std::string& name, ScoringConfig& config) {
  const YamlMap map = field.as_map({"pre_tolerance", "post_tolerance", "min_duration", "merge_gap", "priority", "scored"});
  const auto rule = std::find_if(config.classes.begin(), config.classes.end(),
                                 [&](const ClassRule& r) { return r.event_class == name; });
  if (map.has("pre_tolerance")) rule->pre_tolerance = map.get("pre_tolerance").as_duration(sim::Time::zero());
  if (map.has("post_tolerance")) rule->post_tolerance = map.get("post_tolerance").as_duration(sim::Time::zero());
  if (map.has("min_duration")) rule->min_duration = map.get("min_duration").as_duration(sim::Time::zero());
  if (map.has("merge_gap")) rule->merge_gap = map.get("merge_gap").as_duration(sim::Time::zero());
  if (map.has("priority")) {
    const std::string priority = map.get("priority").as_choice({"low", "medium", "high"}, "an alarm priority");
    rule->priority = *priority_from_name(priority);
  }
  if (map.has("scored") && !map.get("scored").as_bool()) config.classes.erase(rule);
}

std::vector<std::string> read_alarm_classes(const YamlField& field, const std::vector<std::string>& known) {
  const std::vector<YamlField> items = field.as_list();
  if (items.empty()) field.fail("<list>", "is empty; expected the event classes this alarm announces, the primary first");
  std::vector<std::string> classes;
  for (const YamlField& item : items) {
    std::string name = item.as_choice(known, "an event class");
    if (std::find(classes.begin(), classes.end(), name) != classes.end()) item.fail("is listed twice");
    classes.push_back(std::move(name));
  }
  return classes;
}

}  // namespace

ScoringConfig read_scoring(const YamlField& field) {
  ScoringConfig config = ScoringConfig::defaults();
  const std::vector<std::string> known = class_names(config);
  const YamlMap map = field.as_map({"artifact_lookback", "classes", "alarm_types"});
  if (map.has("artifact_lookback")) config.artifact_lookback = map.get("artifact_lookback").as_duration(sim::Time::zero());
  if (map.has("classes")) {
    for (const auto& [key, value] : map.get("classes").as_entries()) {
      read_class(value, key.as_choice(known, "a scored event class"), config);
    }
  }
  if (map.has("alarm_types")) {
    for (const auto& [key, value] : map.get("alarm_types").as_entries()) {
      const std::string type = key.as_string();
      config.alarm_classes[type] = read_alarm_classes(value, known);
    }
  }
  return config;
}

}  // namespace twinbed::harness
