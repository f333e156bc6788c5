#include "harness/MonitorLoader.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "harness/Monitor.hpp"
#include "harness/Names.hpp"

namespace twinbed::harness {
namespace {

// Alarm types end up in /alarms as str[32]: 31 characters, plain names.
constexpr std::size_t MAX_ALARM_TYPE_LENGTH = 31;
constexpr std::string_view ALARM_TYPE_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789_";

const std::vector<std::string> REFERENCE_KEYS{"mode",    "thresholds", "latching",  "news2", "arrhythmia",
                                              "glucose", "technical",  "smart"};

Priority read_priority(const YamlField& field) {
  return *priority_from_name(field.as_choice({"low", "medium", "high"}, "a priority"));
}

// Seconds as the analyzer's parameters hold them, written as a duration.
double read_seconds(const YamlField& field, sim::Time min) { return field.as_duration(min).seconds(); }

std::vector<std::string> rule_signal_names() {
  std::vector<std::string> names;
  for (const physiology::Signal s : physiology::ALL_SIGNALS) {
    // Waveforms and alert codes have no value to compare with a limit.
    if (s == physiology::Signal::ecg || s == physiology::Signal::device_alert) continue;
    names.emplace_back(physiology::signal_name(s));
  }
  return names;
}

void read_existing_rule(const YamlField& field, ThresholdRule& rule) {
  const YamlMap map = field.as_map({"limit", "delay", "priority", "enabled"});
  if (map.has("limit")) rule.limit = map.get("limit").as_number(-1e6, 1e6);
  if (map.has("delay")) rule.delay = map.get("delay").as_duration(sim::Time::zero());
  if (map.has("priority")) rule.priority = read_priority(map.get("priority"));
  if (map.has("enabled")) rule.enabled = map.get("enabled").as_bool();
}

ThresholdRule read_new_rule(const YamlField& key, const YamlField& field, const std::vector<ThresholdRule>& rules) {
  const std::string type = key.as_string();
  if (field.is_null() || !field.as_unchecked_map().has("signal")) {
    // Most likely a misspelt default rule: say so before complaining about the keys.
    std::vector<std::string> defaults;
    for (const ThresholdRule& r : rules) defaults.push_back(r.type);
    const std::string suggestion = closest_match(type, defaults);
    std::string problem = "is not a threshold rule";
    if (!suggestion.empty()) problem += " (did you mean '" + suggestion + "'?)";
    problem += "; a new rule needs signal and one of above, below, at_or_above, at_or_below; rules: ";
    for (std::size_t i = 0; i < defaults.size(); ++i) problem += (i ? ", " : "") + defaults[i];
    key.fail(type, problem);
  }
  check_name(key, type, "alarm type", MAX_ALARM_TYPE_LENGTH, ALARM_TYPE_CHARACTERS);
  const YamlMap map = field.as_map({"signal", "above", "below", "at_or_above", "at_or_below", "delay", "priority", "enabled"});
  ThresholdRule rule;
  rule.type = type;
  rule.signal = *physiology::signal_from_name(map.required("signal").as_choice(rule_signal_names(), "a signal"));
  rule.delay = sim::Time::zero();
  const char* const directions[] = {"above", "below", "at_or_above", "at_or_below"};
  int given = 0;
  for (const char* direction : directions) {
    if (!map.has(direction)) continue;
    if (++given > 1) {
      map.get(direction).fail("is a second limit; a rule has exactly one of above, below, at_or_above, at_or_below");
    }
    const std::string d = direction;
    rule.above = d == "above" || d == "at_or_above";
    rule.inclusive = d.starts_with("at_or_");
    rule.limit = map.get(direction).as_number(-1e6, 1e6);
  }
  if (given == 0) field.fail("<mapping>", "has no limit; expected one of above, below, at_or_above, at_or_below");
  if (map.has("delay")) rule.delay = map.get("delay").as_duration(sim::Time::zero());
  if (map.has("priority")) rule.priority = read_priority(map.get("priority"));
  if (map.has("enabled")) rule.enabled = map.get("enabled").as_bool();
  return rule;
}

void read_thresholds(const YamlField& field, std::vector<ThresholdRule>& rules) {
  for (const auto& [key, value] : field.as_entries()) {
    const std::string type = key.as_string();
    const auto existing = std::find_if(rules.begin(), rules.end(), [&](const ThresholdRule& r) { return r.type == type; });
    if (existing != rules.end()) {
      read_existing_rule(value, *existing);
    } else {
      rules.push_back(read_new_rule(key, value, rules));
    }
  }
}

void read_latching(const YamlField& field, LatchingPolicy& policy) {
  const YamlMap map = field.as_map({"high", "medium", "low", "acknowledge_after", "reminder_interval"});
  if (map.has("high")) policy.latch_high = map.get("high").as_bool();
  if (map.has("medium")) policy.latch_medium = map.get("medium").as_bool();
  if (map.has("low")) policy.latch_low = map.get("low").as_bool();
  if (map.has("acknowledge_after")) policy.acknowledge_after = map.get("acknowledge_after").as_duration(sim::Time::zero());
  if (map.has("reminder_interval")) policy.reminder_interval = map.get("reminder_interval").as_duration(sim::Time::zero());
}

void read_news2(const YamlField& field, News2Rule& rule) {
  const YamlMap map = field.as_map({"enabled", "max_age", "delay", "hold", "medium_priority", "high_priority"});
  if (map.has("enabled")) rule.enabled = map.get("enabled").as_bool();
  if (map.has("max_age")) rule.max_age = map.get("max_age").as_duration(sim::Time::from_s(1));
  if (map.has("delay")) rule.delay = map.get("delay").as_duration(sim::Time::zero());
  if (map.has("hold")) rule.hold = map.get("hold").as_duration(sim::Time::zero());
  if (map.has("medium_priority")) rule.medium_priority = read_priority(map.get("medium_priority"));
  if (map.has("high_priority")) rule.high_priority = read_priority(map.get("high_priority"));
}

void read_arrhythmia(const YamlField& field, ArrhythmiaRule& rule) {
  const YamlMap map = field.as_map({"enabled", "atrial_fibrillation", "min_signal_quality", "asystole", "brady_bpm",
                                    "brady_beats", "tachy_bpm", "tachy_beats", "vt_bpm", "vt_beats", "vf", "af_window"});
  ArrhythmiaParams& p = rule.params;
  if (map.has("enabled")) rule.enabled = map.get("enabled").as_bool();
  if (map.has("atrial_fibrillation")) rule.atrial_fibrillation = map.get("atrial_fibrillation").as_bool();
  if (map.has("min_signal_quality")) rule.min_signal_quality = map.get("min_signal_quality").as_probability();
  // Ranges: wide enough for any adult or paediatric setting, narrow enough to catch unit slips.
  if (map.has("asystole")) p.asystole_s = read_seconds(map.get("asystole"), sim::Time::from_s(1));
  if (map.has("brady_bpm")) p.brady_bpm = map.get("brady_bpm").as_number(10.0, 100.0);
  if (map.has("brady_beats")) p.brady_beats = static_cast<int>(map.get("brady_beats").as_integer(2, 100));
  if (map.has("tachy_bpm")) p.tachy_bpm = map.get("tachy_bpm").as_number(60.0, 300.0);
  if (map.has("tachy_beats")) p.tachy_beats = static_cast<int>(map.get("tachy_beats").as_integer(2, 200));
  if (map.has("vt_bpm")) p.vt_bpm = map.get("vt_bpm").as_number(60.0, 300.0);
  if (map.has("vt_beats")) p.vt_beats = static_cast<int>(map.get("vt_beats").as_integer(3, 100));
  if (map.has("vf")) p.vf_s = read_seconds(map.get("vf"), sim::Time::from_s(1));
  if (map.has("af_window")) p.af_window_s = read_seconds(map.get("af_window"), sim::Time::from_s(10));
}

void read_glucose(const YamlField& field, GlucoseRule& rule) {
  const YamlMap map =
      field.as_map({"enabled", "urgent_low", "low", "high", "predict_horizon", "trend_window", "delay"});
  if (map.has("enabled")) rule.enabled = map.get("enabled").as_bool();
  // CGMs read 40-400 mg/dL; limits outside 20-600 are unit slips (mmol/L written as mg/dL).
  if (map.has("urgent_low")) rule.urgent_low_mg_dl = map.get("urgent_low").as_number(20.0, 600.0);
  if (map.has("low")) rule.low_mg_dl = map.get("low").as_number(20.0, 600.0);
  if (map.has("high")) rule.high_mg_dl = map.get("high").as_number(20.0, 600.0);
  if (map.has("predict_horizon")) rule.predict_horizon = map.get("predict_horizon").as_duration(sim::Time::from_s(60));
  if (map.has("trend_window")) rule.trend_window = map.get("trend_window").as_duration(sim::Time::from_s(60));
  if (map.has("delay")) rule.delay = map.get("delay").as_duration(sim::Time::zero());
  if (!(rule.urgent_low_mg_dl < rule.low_mg_dl)) {
    const YamlField bad = map.has("low") ? map.get("low") : map.get("urgent_low");
    bad.fail(fmt::format("leaves urgent_low ({:g}) not below low ({:g}); expected urgent_low < low < high",
                         rule.urgent_low_mg_dl, rule.low_mg_dl));
  }
  if (!(rule.low_mg_dl < rule.high_mg_dl)) {
    const YamlField bad = map.has("high") ? map.get("high") : map.get("low");
    bad.fail(fmt::format("leaves low ({:g}) not below high ({:g}); expected urgent_low < low < high", rule.low_mg_dl,
                         rule.high_mg_dl));
  }
}

void read_technical(const YamlField& field, TechnicalRule& rule) {
  const YamlMap map = field.as_map({"enabled", "no_data_factor", "no_data_min", "lead_off_delay", "priority"});
  if (map.has("enabled")) rule.enabled = map.get("enabled").as_bool();
  if (map.has("no_data_factor")) rule.no_data_factor = map.get("no_data_factor").as_number(1.0, 1000.0);
  if (map.has("no_data_min")) rule.no_data_min = map.get("no_data_min").as_duration(sim::Time::from_s(1));
  if (map.has("lead_off_delay")) rule.lead_off_delay = map.get("lead_off_delay").as_duration(sim::Time::zero());
  if (map.has("priority")) rule.priority = read_priority(map.get("priority"));
}

void read_smart(const YamlField& field, ReferenceMonitorConfig& config) {
  const YamlMap map = field.as_map({"extra_delay", "cross_check_bpm"});
  if (map.has("extra_delay")) config.smart_extra_delay = map.get("extra_delay").as_duration(sim::Time::zero());
  if (map.has("cross_check_bpm")) config.cross_check_bpm = map.get("cross_check_bpm").as_number(1.0, 200.0);
}

}  // namespace

MonitorSpec read_monitor(const YamlField& field, bool baseline) {
  MonitorSpec spec;
  if (field.is_null() && !baseline) return spec;
  std::vector<std::string> keys{"name", "type", "options"};
  keys.insert(keys.end(), REFERENCE_KEYS.begin(), REFERENCE_KEYS.end());
  const YamlMap map = field.as_map(keys);
  if (baseline || map.has("name")) {
    const YamlField name = baseline ? map.required("name") : map.get("name");
    spec.name = name.as_string();
    check_name(name, spec.name, "monitor name", MAX_NAME_LENGTH);
  }
  if (map.has("type")) {
    std::vector<std::string> types{"reference", "none"};
    for (const std::string& t : registered_monitors()) types.push_back(t);
    spec.type = map.get("type").as_choice(types, "a monitor type");
  }
  const bool reference = spec.type == "reference";
  for (const std::string& key : REFERENCE_KEYS) {
    if (!reference && map.has(key)) map.get(key).fail("is only for type: reference (this monitor is '" + spec.type + "')");
  }
  if (map.has("options")) {
    const YamlField options = map.get("options");
    if (spec.type == "reference" || spec.type == "none") {
      options.fail("is only for plug-in monitors (registered with register_monitor); this monitor is '" + spec.type + "'");
    }
    for (const auto& [key, value] : options.as_entries()) spec.options[key.as_string()] = value.as_string();
  }
  if (!reference) return spec;

  ReferenceMonitorConfig& config = spec.reference;
  if (map.has("mode")) {
    config.mode = map.get("mode").as_choice({"naive", "smart"}, "a monitor mode") == "naive" ? MonitorMode::naive
                                                                                            : MonitorMode::smart;
  }
  if (map.has("thresholds")) read_thresholds(map.get("thresholds"), config.thresholds);
  if (map.has("latching")) read_latching(map.get("latching"), config.latching);
  if (map.has("news2")) read_news2(map.get("news2"), config.news2);
  if (map.has("arrhythmia")) read_arrhythmia(map.get("arrhythmia"), config.arrhythmia);
  if (map.has("glucose")) read_glucose(map.get("glucose"), config.glucose);
  if (map.has("technical")) read_technical(map.get("technical"), config.technical);
  if (map.has("smart")) read_smart(map.get("smart"), config);
  return spec;
}

std::vector<MonitorSpec> read_baselines(const YamlField& field, const std::string& sut_name) {
  std::vector<MonitorSpec> baselines;
  if (field.is_null()) return baselines;
  for (const YamlField& item : field.as_list()) {
    MonitorSpec spec = read_monitor(item, true);
    const YamlField name = item.as_unchecked_map().get("name");
    if (spec.name == sut_name) {
      name.fail("is the system under test's name; a baseline needs a name of its own");
    }
    for (const MonitorSpec& other : baselines) {
      if (other.name == spec.name) name.fail("names an earlier baseline too; baseline names must be distinct");
    }
    baselines.push_back(std::move(spec));
  }
  return baselines;
}

}  // namespace twinbed::harness
