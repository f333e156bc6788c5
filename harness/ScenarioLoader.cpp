// Scenario schema, version 1: the mapping from YAML keys to harness::Scenario. Keep this file and
// docs/scenario-reference.md in step.
#include <algorithm>
#include <set>

#include "harness/LiveLoader.hpp"
#include "harness/MonitorLoader.hpp"
#include "harness/Names.hpp"
#include "harness/NetworkLoader.hpp"
#include "harness/PhysiologyLoader.hpp"
#include "harness/Scenario.hpp"
#include "harness/ScoringLoader.hpp"
#include "harness/TableReader.hpp"
#include "harness/Units.hpp"
#include "harness/YamlReader.hpp"

namespace twinbed::harness {
namespace {

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
  if (map.has("every")) fault.every = map.get("every").as_mean_interval(sim::Time::from_s(1));
  if (map.has("duration")) fault.duration = map.get("duration").as_duration(sim::Time::zero());
  if (map.has("magnitude")) fault.magnitude = map.get("magnitude").as_number(-1e6, 1e6);
  if (map.has("during")) {
    const std::vector<std::string> states{"any", "sleep", "rest", "active"};
    const std::string during = map.get("during").as_choice(states, "an activity state");
    fault.during = static_cast<devices::FaultDuring>(std::find(states.begin(), states.end(), during) - states.begin());
  }
  return fault;
}

DeviceSpec read_device(const YamlField& field, const network::NetworkSpec& network) {
  std::vector<TableKind> kinds;
  for (const devices::DeviceTypeInfo& info : devices::device_catalog()) kinds.push_back(TableKind{info.name, info.params});
  TableEntry entry = read_table_entry(field, "type", kinds, std::nullopt, "a device type",
                                      {"type", "name", "link", "faults", "times_of_day"});
  const YamlMap& map = entry.map;
  const devices::DeviceTypeInfo& type = devices::device_catalog()[entry.kind];
  DeviceSpec device;
  device.type = type.type;
  device.params = std::move(entry.params);
  device.name = map.has("name") ? map.get("name").as_string() : std::string(type.default_name);
  check_name(map.get("name"), device.name, "device name", MAX_NAME_LENGTH);
  device.link = read_device_link(map, network);
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

CohortSpec read_cohort(const YamlField& field, const network::NetworkSpec& network, sim::Time run_duration) {
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
    DeviceSpec device = read_device(item, network);
    if (!names.insert(device.name).second) {
      item.fail(device.name, "is a second device with this name in the cohort; give each a distinct 'name'");
    }
    cohort.devices.push_back(std::move(device));
  }
  return cohort;
}

Scenario read_scenario(const YamlDocument& document) {
  const YamlField root = document.root();
  const YamlMap map = root.as_map({"twinbed", "name", "description", "seed", "replication", "duration", "cohort",
                                   "nodes", "links", "outages", "mobility", "record", "monitor", "baselines",
                                   "scoring", "expect", "start", "live"});
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

  // The topology first, whatever the order in the file: devices name their links.
  read_topology(map, scenario.network);

  const YamlField cohort_field = map.required("cohort");
  std::set<std::string> prefixes;
  for (const YamlField& item : cohort_field.as_list()) {
    CohortSpec cohort = read_cohort(item, scenario.network, scenario.duration);
    if (!prefixes.insert(cohort.prefix).second) {
      item.fail(cohort.prefix, "is a second cohort entry with this prefix; patient ids must be unique");
    }
    scenario.cohorts.push_back(std::move(cohort));
  }
  if (scenario.cohorts.empty()) cohort_field.fail("<list>", "is empty; expected at least one cohort entry with count >= 1");
  // Outages and mobility name patients, so they come after the cohorts.
  read_network_events(map, scenario.cohorts, scenario.duration, scenario.network);

  if (map.has("monitor")) scenario.monitor = read_monitor(map.get("monitor"));
  if (map.has("baselines")) scenario.baselines = read_baselines(map.get("baselines"), scenario.monitor.name);
  if (map.has("scoring")) scenario.scoring = read_scoring(map.get("scoring"));
  if (map.has("start")) scenario.start_unix_ms = read_start(map.get("start"));
  if (map.has("live")) scenario.live = read_live(map.get("live"));

  if (map.has("record")) {
    const YamlMap record = map.get("record").as_map(
        {"telemetry", "ground_truth_interval", "chunk_size", "compression", "packets", "link_interval"});
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
    if (record.has("packets")) scenario.record.network.packet_sample = record.get("packets").as_probability();
    if (record.has("link_interval")) {
      scenario.record.network.link_interval = record.get("link_interval").as_duration(sim::Time::from_ms(1));
    }
  }
  if (map.has("expect")) {
    for (const YamlField& item : map.get("expect").as_list()) {
      Expectation expectation;
      try {
        expectation = parse_expectation(item.as_string());
      } catch (const std::invalid_argument& e) {
        item.fail(e.what());
      }
      expectation.location = item.location().to_string();
      scenario.expect.push_back(std::move(expectation));
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
