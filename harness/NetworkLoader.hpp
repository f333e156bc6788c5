#pragma once
// Reading the network keys of a scenario (`nodes`, `links`, `outages`, `mobility`) into a
// network::NetworkSpec. Part of the scenario schema; see docs/scenario-reference.md.
//
// Order matters: the topology is read before the cohorts (a device names the link it sends on and
// read_device_link checks it), outages and mobility after them (they name patient ids).
#include <string>
#include <vector>

#include "harness/Scenario.hpp"
#include "harness/YamlReader.hpp"
#include "network/Spec.hpp"

namespace twinbed::harness {

// The top-level keys the network owns, for the root's allowed-key list.
inline const std::vector<std::string> NETWORK_KEYS{"nodes", "links", "outages", "mobility"};

// `nodes` and `links`: names, kinds, scopes, capacities, technologies and their parameters.
void read_topology(const YamlMap& root, network::NetworkSpec& network);

// The link a device entry sends on: its `link` key, or the only link from `device` when there is
// exactly one. It must be a link from `device` from which a path of links reaches `ingest`.
std::string read_device_link(const YamlMap& device, const network::NetworkSpec& network);

// `outages` and `mobility`, checked against the topology, the run's duration and the cohorts'
// patient ids.
void read_network_events(const YamlMap& root, const std::vector<CohortSpec>& cohorts, sim::Time run_duration,
                         network::NetworkSpec& network);

}  // namespace twinbed::harness
