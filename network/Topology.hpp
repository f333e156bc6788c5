#pragma once
// network::Topology: the scenario's network as a Boost.Graph of node roles (device, gateways, BLE
// centrals, access points, cells, core, ingest) and link roles (edges with their compiled model).
// Instances (one per patient, per device or shared, see network/Spec.hpp) share their role's
// vertex or edge; which instances are usable is the runtime's state, handed to route() as a
// predicate. Routes are shortest expected-latency paths (Dijkstra) to the ingest.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "network/LinkModel.hpp"
#include "network/Spec.hpp"

namespace twinbed::network {

struct NodeRole {
  std::string name;
  NodeKind kind = NodeKind::gateway;
  Scope scope = Scope::shared;
  std::string site;
  double capacity_bps = 0.0;
  std::uint32_t queue_packets = 0;
};

struct LinkRole {
  std::string name;
  std::uint32_t index = 0;  // position in Topology::links()
  std::uint32_t from = 0;   // node role indices
  std::uint32_t to = 0;
  Scope scope = Scope::shared;  // device (from the device node), patient (from a patient node) or shared
  LinkModel model;
  double weight_ns = 0.0;   // expected latency: the routing weight
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, NodeRole, LinkRole>;

// A route: link role indices from a node to the ingest.
inline constexpr std::size_t MAX_HOPS = 15;
struct Route {
  std::array<std::uint16_t, MAX_HOPS> links{};
  std::uint8_t length = 0;
};

class Topology {
public:
  // Nodes `device` (index 0) and `ingest` (index 1) are built in. Throws std::invalid_argument for
  // a spec the loader should have rejected (unknown names, a route longer than MAX_HOPS).
  explicit Topology(const NetworkSpec& spec);

  std::uint32_t node_count() const { return static_cast<std::uint32_t>(boost::num_vertices(graph_)); }
  std::uint32_t link_count() const { return static_cast<std::uint32_t>(links_.size()); }
  const NodeRole& node(std::uint32_t index) const { return graph_[index]; }
  const LinkRole& link(std::uint32_t index) const { return graph_[links_[index]]; }
  // Index of a node or link role by name; UINT32_MAX when there is none.
  std::uint32_t node_index(std::string_view name) const;
  std::uint32_t link_index(std::string_view name) const;

  static constexpr std::uint32_t DEVICE = 0;
  static constexpr std::uint32_t INGEST = 1;

  // The shortest expected-latency route from node `from` to the ingest over the links for which
  // usable(link index) is true; false when the ingest cannot be reached. Ties go to the link
  // declared first (deterministic).
  template <typename Usable>
  bool route(std::uint32_t from, Usable&& usable, Route& out) const;

private:
  bool route_impl(std::uint32_t from, const void* context, bool (*usable)(const void*, std::uint32_t), Route& out) const;

  Graph graph_;
  std::vector<Graph::edge_descriptor> links_;
};

template <typename Usable>
bool Topology::route(std::uint32_t from, Usable&& usable, Route& out) const {
  using Fn = std::remove_reference_t<Usable>;
  return route_impl(from, &usable, [](const void* context, std::uint32_t link) {
    return (*static_cast<const Fn*>(context))(link);
  }, out);
}

}  // namespace twinbed::network
