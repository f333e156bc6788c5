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


DeviceSpec read_device(const YamlField& field, const std::vector<LinkSpec>& links) {
  const YamlMap map = field.as_map({"type", "name", "link", "sample_interval", "spo2_error_sd", "heart_rate_error_sd"});
  DeviceSpec device;
  map.required("type").as_choice({device_type_name(DeviceType::pulse_oximeter)}, "a device type");
  device.type = DeviceType::pulse_oximeter;
  device.name = map.has("name") ? map.get("name").as_string() : "spo2";
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

  devices::PulseOximeterParams& params = device.pulse_oximeter;
  if (map.has("sample_interval")) params.sample_interval = map.get("sample_interval").as_duration(sim::Time::from_ms(1));
  if (map.has("spo2_error_sd")) params.spo2_error_sd_percent = map.get("spo2_error_sd").as_number(0.0, 20.0);
  if (map.has("heart_rate_error_sd")) params.heart_rate_error_sd_bpm = map.get("heart_rate_error_sd").as_number(0.0, 50.0);
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

std::string device_type_name(DeviceType type) {
  switch (type) {
    case DeviceType::pulse_oximeter: return "pulse_oximeter";
  }
  return "unknown";
}

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
