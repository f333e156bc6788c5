#pragma once
// network specs: the network part of a validated scenario, as plain structs. The harness builds
// them from YAML (docs/scenario-reference.md); network::Network instantiates them.
//
// The topology is a graph of node *roles*: `device` (every device), the scenario's nodes and the
// platform's `ingest`. A node or link whose scope is `patient` exists once per patient (a phone,
// a home hub, the patient's home Wi-Fi); a `shared` one exists once (a ward access point, a cell,
// the core). A link leaving `device` exists once per device that names it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/Params.hpp"
#include "sim/Time.hpp"

namespace twinbed::network {

// Link technologies (docs/network.md). Stored as a HDF5 enum: append new ones at the end.
enum class Technology : std::uint8_t { generic = 0, ble = 1, wifi = 2, nr_embb = 3, nr_urllc = 4, lte_m = 5, nb_iot = 6, wired = 7, wan = 8 };
inline constexpr std::size_t TECHNOLOGY_COUNT = 9;

enum class NodeKind : std::uint8_t { device = 0, gateway = 1, ble_central = 2, wifi_ap = 3, cell = 4, core = 5, ingest = 6 };
inline constexpr std::size_t NODE_KIND_COUNT = 7;

enum class Scope : std::uint8_t { shared = 0, patient = 1, device = 2 };

std::string_view node_kind_name(NodeKind kind);
std::string_view scope_name(Scope scope);

// The two built-in node names: every device, and the platform's ingest endpoint.
inline constexpr const char* DEVICE_NODE = "device";
inline constexpr const char* INGEST_NODE = "ingest";

struct NodeSpec {
  std::string name;
  NodeKind kind = NodeKind::gateway;
  Scope scope = Scope::shared;   // `patient`: one per patient; never `device` (that is the built-in node)
  std::string site;              // a label that groups nodes (home, ward, ambulance); informational
  double capacity_bps = 0.0;     // shared server rate in bit/s; 0 = no capacity limit (no queue)
  std::uint32_t queue_packets = 100;  // packets the server holds, the one in service included (K)
};

// One point of an empirical delay distribution: `quantile` in [0, 1] and the delay at it.
struct DelayPercentile {
  double quantile = 0.0;
  sim::Time delay;
};

struct LinkSpec {
  std::string name;
  std::string from = DEVICE_NODE;
  std::string to = INGEST_NODE;
  Technology technology = Technology::generic;
  sim::ParamSet params;  // the technology's table (link_technology_info), defaults overridden by the scenario
  // Empirical delay distribution (used when `distribution` is `empirical`): the inverse CDF through
  // these points, piecewise linear; the first has quantile 0 and the last quantile 1. Empty = the
  // technology's default table.
  std::vector<DelayPercentile> delay_percentiles;
};

// A scheduled or random outage of a node or a link (every instance of it, or those of the listed
// patients). Scheduled: starts `at`, lasts `duration` exactly. Random: onsets at exponential
// intervals of mean `every`, durations exponential of mean `duration` (zero = until the end).
struct OutageSpec {
  std::string target;            // a node or link name
  bool target_is_node = false;
  std::optional<sim::Time> at;
  sim::Time every;
  sim::Time duration;
  std::vector<std::string> patients;  // patient ids; empty = all instances
};

// A patient's path through coverage: from each waypoint's time on, `link` (a link of patient or
// device scope) is the serving one and the mobility's other links are out of coverage; an empty
// link is a coverage hole. A change from one link to another is a handover: the new link is
// interrupted for its technology's handover interruption.
struct Waypoint {
  sim::Time at;
  std::string link;  // empty = no coverage
};

struct MobilitySpec {
  std::string name;
  std::vector<Waypoint> path;         // ascending times, the first at 0
  sim::Time offset_spread;            // each patient starts the path at uniform [0, spread)
  std::vector<std::string> patients;  // patient ids; empty = every patient
};

struct NetworkSpec {
  std::vector<NodeSpec> nodes;        // without the built-in device and ingest nodes
  std::vector<LinkSpec> links;
  std::vector<OutageSpec> outages;
  std::vector<MobilitySpec> mobility;
};

struct NetworkRecordSpec {
  double packet_sample = 0.1;  // share of packets written to /network/packets (by a hash of device and seq)
  sim::Time link_interval = sim::Time::from_s(60);  // /network/links sampling interval
};

}  // namespace twinbed::network
