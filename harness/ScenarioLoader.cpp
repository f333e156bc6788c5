// Scenario schema, version 1: the mapping from YAML keys to harness::Scenario. Keep this file and
// docs/scenario-reference.md in step.
#include <algorithm>
#include <set>

#include "harness/PhysiologyLoader.hpp"
#include "harness/Scenario.hpp"
#include "harness/Units.hpp"
#include "harness/YamlReader.hpp"

namespace twinbed::harness {
namespace {

// Ids become HDF5 fixed-length strings (63 characters + NUL) and MQTT topic levels, so names are
// short and plain: a device id "<prefix><4 digits>-<name>" stays within 16 + 4 + 1 + 24 = 45.
constexpr std::size_t MAX_PREFIX_LENGTH = 16;
constexpr std::size_t MAX_NAME_LENGTH = 24;

constexpr std::string_view NAME_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
// No '-' in prefixes: the first '-' of a device id then ends the patient id, so ids are unique.
constexpr std::string_view PREFIX_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

void check_name(const YamlField& field, const std::string& name, const char* what, std::size_t max_length,
                std::string_view characters = NAME_CHARACTERS) {
  const bool valid =
      !name.empty() && name.size() <= max_length && name.find_first_not_of(characters) == std::string::npos;
  if (!valid) {
    field.fail(name, std::string("is not a valid ") + what + "; expected 1-" + std::to_string(max_length) +
                         " letters, digits, '_'" + (characters.find('-') != std::string_view::npos ? " or '-'" : ""));
  }
}


devices::FaultSpec read_fault(const YamlField& field, const devices::DeviceTypeInfo& type) {
  const YamlMap map = field.as_map({"kind", "at", "every", "duration", "magnitude", "during"});
  std::vector<std::string> kinds;
  for (const devices::FaultKind kind : type.faults) kinds.emplace_back(devices::fault_kind_name(kind));
  devices::FaultSpec fault;
  fault.kind = *devices::fault_kind_from_name(
      map.required("kind").as_choice(kinds, "a fault a " + std::string(type.name) + " can have"));
  if (map.has("at") == map.has("every")) {
    field.fail("needs exactly one of 'at' (a scheduled fault) or 'every' (random, mean time between onsets)");
  }
  if (map.has("at")) fault.at = map.get("at").as_duration(sim::Time::zero());
  if (map.has("every")) fault.every = map.get("every").as_duration(sim::Time::from_s(1));
  if (map.has("duration")) fault.duration = map.get("duration").as_duration(sim::Time::zero());
  if (map.has("magnitude")) fault.magnitude = map.get("magnitude").as_number(-1e6, 1e6);
  if (map.has("during")) {
    const std::vector<std::string> states{"any", "sleep", "rest", "active"};
    const std::string during = map.get("during").as_choice(states, "an activity state");
    fault.during = static_cast<devices::FaultDuring>(std::find(states.begin(), states.end(), during) - states.begin());
  }
  return fault;
}

// Every parameter of the type's catalogue table is a key; its kind says how it is read.
void read_device_param(const YamlField& field, const sim::ParamInfo& info, sim::ParamSet& params) {
  using sim::ParamKind;
  double value = 0.0;
  switch (info.kind) {
    case sim::ParamKind::number: value = field.as_number(info.min, info.max); break;
    case sim::ParamKind::probability: value = field.as_probability(); break;
    case sim::ParamKind::count:
      value = static_cast<double>(field.as_integer(static_cast<std::int64_t>(info.min), static_cast<std::int64_t>(info.max)));
      break;
    case sim::ParamKind::flag: value = field.as_bool() ? 1.0 : 0.0; break;
    case sim::ParamKind::duration: {
      const sim::Time t = field.as_duration(sim::Time::from_seconds(info.min));
      if (t.seconds() > info.max) {
        field.fail("is longer than " + sim::format_param_value(info, info.max) + ", the most '" +
                   std::string(info.name) + "' allows");
      }
      value = t.seconds();
      break;
    }
    case sim::ParamKind::choice: {
      std::vector<std::string> choices(info.choices.begin(), info.choices.end());
      const std::string choice = field.as_choice(choices, "a choice of '" + std::string(info.name) + "'");
      value = static_cast<double>(std::find(choices.begin(), choices.end(), choice) - choices.begin());
      break;
    }
  }
  params.set(info.name, value);
}

DeviceSpec read_device(const YamlField& field, const std::vector<LinkSpec>& links) {
  const std::vector<std::string> common_keys{"type", "name", "link", "faults", "times_of_day"};
  std::vector<std::string> type_names;
  for (const devices::DeviceTypeInfo& info : devices::device_catalog()) type_names.emplace_back(info.name);
  // The type first: it decides which keys are allowed.
  const std::string type_name = field.as_unchecked_map().required("type").as_choice(type_names, "a device type");
  const devices::DeviceTypeInfo& type = devices::device_type_info(*devices::device_type_from_name(type_name));
  std::vector<std::string> keys = common_keys;
  for (const sim::ParamInfo& p : type.params) keys.emplace_back(p.name);
  const YamlMap map = field.as_map(keys);

  DeviceSpec device;
  device.type = type.type;
  device.params = sim::ParamSet(type.params);
  device.name = map.has("name") ? map.get("name").as_string() : std::string(type.default_name);
  check_name(map.get("name"), device.name, "device name", MAX_NAME_LENGTH);

  std::vector<std::string> link_names;
  for (const LinkSpec& link : links) link_names.push_back(link.name);
  if (map.has("link")) {
    const YamlField link = map.get("link");
    if (link_names.empty()) link.fail("names a link, but the scenario has no links; declare it under links:");
    device.link = link.as_choice(link_names, "a link of this scenario");
  } else if (links.size() == 1) {
    device.link = links.front().name;
  } else {
    map.required("link");  // throws: ambiguous without it
  }

  for (const sim::ParamInfo& info : type.params) {
    if (map.has(std::string(info.name))) read_device_param(map.get(std::string(info.name)), info, device.params);
  }
  if (map.has("faults")) {
    for (const YamlField& item : map.get("faults").as_list()) device.faults.push_back(read_fault(item, type));
  }
  if (map.has("times_of_day")) {
    for (const YamlField& item : map.get("times_of_day").as_list()) {
      const sim::Time t = item.as_duration(sim::Time::zero());
      if (t >= sim::Time::from_days(1)) item.fail("is not a time of day; expected a clock time from 0h to under 24h, e.g. 450min for 07:30");
      device.times_of_day.push_back(t);
    }
  }
  return device;
}

CohortSpec read_cohort(const YamlField& field, const std::vector<LinkSpec>& links, sim::Time run_duration) {
  std::vector<std::string> keys{"prefix", "count", "devices"};
  keys.insert(keys.end(), PHYSIOLOGY_KEYS.begin(), PHYSIOLOGY_KEYS.end());
  const YamlMap map = field.as_map(keys);
  CohortSpec cohort;
  if (map.has("prefix")) {
    cohort.prefix = map.get("prefix").as_string();
    check_name(map.get("prefix"), cohort.prefix, "patient id prefix", MAX_PREFIX_LENGTH, PREFIX_CHARACTERS);
  }
  cohort.count = static_cast<std::uint32_t>(map.required("count").as_integer(1, 9999));
  cohort.patient = read_patient_spec(map, run_duration);
  // A cohort without devices still has ground truth: research and validation runs need no devices.
  if (!map.has("devices")) return cohort;
  const YamlField devices_field = map.get("devices");
  std::set<std::string> names;
  for (const YamlField& item : devices_field.as_list()) {
    DeviceSpec device = read_device(item, links);
    if (!names.insert(device.name).second) {
      item.fail(device.name, "is a second device with this name in the cohort; give each a distinct 'name'");
    }
    cohort.devices.push_back(std::move(device));
  }
  return cohort;
}

LinkSpec read_link(const YamlField& field) {
  const YamlMap map = field.as_map({"name", "latency", "loss"});
  LinkSpec link;
  link.name = map.required("name").as_string();
  check_name(map.get("name"), link.name, "link name", MAX_NAME_LENGTH);
  if (map.has("latency")) link.params.latency = map.get("latency").as_duration(sim::Time::zero());
  if (map.has("loss")) link.params.loss_probability = map.get("loss").as_probability();
  return link;
}

Scenario read_scenario(const YamlDocument& document) {
  const YamlField root = document.root();
  const YamlMap map = root.as_map({"twinbed", "name", "description", "seed", "replication", "duration", "cohort",
                                   "links", "record"});
  const YamlField version = map.required("twinbed");
  if (version.as_string() != std::to_string(SCENARIO_VERSION)) {
    version.fail("is not a supported scenario version; allowed: " + std::to_string(SCENARIO_VERSION));
  }
  Scenario scenario;
  scenario.name = map.required("name").as_string();
  check_name(map.get("name"), scenario.name, "scenario name", 64);
  if (map.has("description")) scenario.description = map.get("description").as_string();
  if (map.has("seed")) scenario.seed = map.get("seed").as_unsigned();
  if (map.has("replication")) {
    scenario.replication = static_cast<std::uint32_t>(map.get("replication").as_integer(0, 1'000'000));
  }
  scenario.duration = map.required("duration").as_duration(sim::Time::from_ns(1));

  // Links are needed only by devices; a ground-truth-only run may leave them out.
  std::set<std::string> link_names;
  if (map.has("links")) {
    for (const YamlField& item : map.get("links").as_list()) {
      LinkSpec link = read_link(item);
      if (!link_names.insert(link.name).second) item.fail(link.name, "is a second link with this name");
      scenario.links.push_back(std::move(link));
    }
  }

  const YamlField cohort_field = map.required("cohort");
  std::set<std::string> prefixes;
  for (const YamlField& item : cohort_field.as_list()) {
    CohortSpec cohort = read_cohort(item, scenario.links, scenario.duration);
    if (!prefixes.insert(cohort.prefix).second) {
      item.fail(cohort.prefix, "is a second cohort entry with this prefix; patient ids must be unique");
    }
    scenario.cohorts.push_back(std::move(cohort));
  }
  if (scenario.cohorts.empty()) cohort_field.fail("<list>", "is empty; expected at least one cohort entry with count >= 1");

  if (map.has("record")) {
    const YamlMap record = map.get("record").as_map({"telemetry", "ground_truth_interval", "chunk_size", "compression"});
    if (record.has("telemetry")) scenario.record.telemetry = record.get("telemetry").as_bool();
    if (record.has("ground_truth_interval")) {
      scenario.record.ground_truth_interval = record.get("ground_truth_interval").as_duration(sim::Time::zero());
    }
    if (record.has("chunk_size")) {
      const YamlField chunk = record.get("chunk_size");
      try {
        scenario.record.chunk_bytes = parse_size_bytes(chunk.as_string());
      } catch (const std::invalid_argument& e) {
        chunk.fail(e.what());
      }
      if (scenario.record.chunk_bytes < 1024 || scenario.record.chunk_bytes > (64u << 20)) {
        chunk.fail("is out of range; expected 1KiB to 64MiB");
      }
    }
    if (record.has("compression")) {
      scenario.record.compression_level = static_cast<int>(record.get("compression").as_integer(0, 9));
    }
  }
  return scenario;
}

}  // namespace

std::string device_type_name(DeviceType type) { return std::string(devices::device_type_info(type).name); }

namespace {
Scenario finish(YamlDocument document, const LoadOptions& options) {
  for (const std::string& assignment : options.overrides) document.apply_override(assignment);
  Scenario scenario = read_scenario(document);
  if (options.seed) scenario.seed = *options.seed;
  scenario.source_file = document.file();
  scenario.source_text = document.text();
  scenario.overrides = options.overrides;
  return scenario;
}
}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& file_label, const LoadOptions& options) {
  return finish(YamlDocument::parse(text, file_label), options);
}

Scenario load_scenario(const std::string& path, const LoadOptions& options) {
  return finish(YamlDocument::load_file(path), options);
}

}  // namespace twinbed::harness
