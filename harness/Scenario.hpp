#pragma once
// harness::Scenario: a validated scenario as plain structs. Built from YAML by load_scenario();
// every field here has already been range-checked, so the rest of the code trusts it.
// docs/scenario-reference.md documents every key, its default and its unit.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "devices/Catalog.hpp"
#include "devices/Faults.hpp"
#include "harness/Expect.hpp"
#include "harness/LiveSpec.hpp"
#include "harness/MonitorSpec.hpp"
#include "harness/Scorer.hpp"
#include "sim/Params.hpp"
#include "network/Spec.hpp"
#include "physiology/Patient.hpp"
#include "sim/Time.hpp"

namespace twinbed::harness {

inline constexpr int SCENARIO_VERSION = 1;

using devices::DeviceType;

struct DeviceSpec {
  DeviceType type = DeviceType::pulse_oximeter;
  std::string name;  // device id is "<patient id>-<name>"
  std::string link;  // name of a network::LinkSpec whose `from` is `device`
  sim::ParamSet params;                // the type's table, defaults overridden by the scenario
  std::vector<devices::FaultSpec> faults;  // injected artifacts and faults
  std::vector<sim::Time> times_of_day;     // scheduled measurement times (clock); empty = periodic
};

struct CohortSpec {
  std::string prefix = "p";  // patient ids are prefix + 4-digit number from 0001
  std::uint32_t count = 0;
  physiology::PatientSpec patient;  // each patient draws its own values from it
  std::vector<DeviceSpec> devices;
};

struct RecordSpec {
  bool telemetry = true;
  // Interval of the /ground_truth/vitals table; zero records none. Events are always recorded.
  sim::Time ground_truth_interval = sim::Time::from_s(1);
  std::uint64_t chunk_bytes = 1 << 20;  // HDF5 chunk size of /telemetry
  int compression_level = 4;            // deflate level 0-9 (0 = none)
  network::NetworkRecordSpec network;   // /network/packets sampling, /network/links interval
};

struct Scenario {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  std::uint32_t replication = 0;
  sim::Time duration;
  std::vector<CohortSpec> cohorts;
  network::NetworkSpec network;
  RecordSpec record;
  MonitorSpec monitor;                  // the system under test
  std::vector<MonitorSpec> baselines;   // scored alongside it on the same telemetry
  ScoringConfig scoring = ScoringConfig::defaults();
  std::vector<Expectation> expect;      // assertions on summary.json metrics
  // Calendar time of simulated time 0 (`start:`, ISO 8601 UTC), in ms since the Unix epoch: the
  // clock of timestamps in published messages and exports. Default 2026-01-01T00:00:00Z.
  std::int64_t start_unix_ms = 1767225600000;
  std::optional<LiveSpec> live;         // `live:`: how to reach an external SUT (live mode)

  // Provenance, stored in /meta.
  std::string source_file;
  std::string source_text;
  std::vector<std::string> overrides;  // the --set arguments, in order
};

struct LoadOptions {
  std::vector<std::string> overrides;   // "key.path=value"
  std::optional<std::uint64_t> seed;    // --seed
};

// Reads, overrides and validates a scenario file. Throws InputError on any problem.
Scenario load_scenario(const std::string& path, const LoadOptions& options = {});
// The same from text; `file_label` is used in error locations.
Scenario parse_scenario(const std::string& text, const std::string& file_label, const LoadOptions& options = {});

std::string device_type_name(DeviceType type);

}  // namespace twinbed::harness
