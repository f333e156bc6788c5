#include "network/Topology.hpp"

#include <limits>
#include <stdexcept>

#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/property_map/function_property_map.hpp>

namespace twinbed::network {

namespace {

struct EdgeFilter {
  const Graph* graph = nullptr;
  const void* context = nullptr;
  bool (*usable)(const void*, std::uint32_t) = nullptr;
  bool operator()(const Graph::edge_descriptor& e) const { return usable(context, (*graph)[e].index); }
};

}  // namespace

std::string_view node_kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::device: return "device";
    case NodeKind::gateway: return "gateway";
    case NodeKind::ble_central: return "ble_central";
    case NodeKind::wifi_ap: return "wifi_ap";
    case NodeKind::cell: return "cell";
    case NodeKind::core: return "core";
    case NodeKind::ingest: return "ingest";
  }
  return "unknown";
}

std::string_view scope_name(Scope scope) {
  switch (scope) {
    case Scope::shared: return "shared";
    case Scope::patient: return "patient";
    case Scope::device: return "device";
  }
  return "unknown";
}

Topology::Topology(const NetworkSpec& spec) {
  NodeRole device_node;
  device_node.name = DEVICE_NODE;
  device_node.kind = NodeKind::device;
  device_node.scope = Scope::device;
  boost::add_vertex(device_node, graph_);
  NodeRole ingest_node;
  ingest_node.name = INGEST_NODE;
  ingest_node.kind = NodeKind::ingest;
  boost::add_vertex(ingest_node, graph_);
  for (const NodeSpec& n : spec.nodes) {
    boost::add_vertex(NodeRole{n.name, n.kind, n.scope, n.site, n.capacity_bps, n.queue_packets}, graph_);
  }
  for (const LinkSpec& l : spec.links) {
    LinkRole role;
    role.name = l.name;
    role.index = static_cast<std::uint32_t>(links_.size());
    role.from = node_index(l.from);
    role.to = node_index(l.to);
    if (role.from == UINT32_MAX || role.to == UINT32_MAX || role.to == DEVICE) {
      throw std::invalid_argument("link " + l.name + " joins unknown nodes");
    }
    role.scope = role.from == DEVICE ? Scope::device : graph_[role.from].scope;
    role.model = LinkModel::compile(l);
    role.weight_ns = static_cast<double>(role.model.expected_latency().ns());
    links_.push_back(boost::add_edge(role.from, role.to, role, graph_).first);
  }
  // Every route must fit in a Route: check each node's all-up route once.
  Route route;
  for (std::uint32_t n = 0; n < node_count(); ++n) {
    const bool reached = this->route(n, [](std::uint32_t) { return true; }, route);
    (void)reached;
  }
}

std::uint32_t Topology::node_index(std::string_view name) const {
  for (std::uint32_t v = 0; v < node_count(); ++v) {
    if (graph_[v].name == name) return v;
  }
  return UINT32_MAX;
}

std::uint32_t Topology::link_index(std::string_view name) const {
  for (std::uint32_t l = 0; l < link_count(); ++l) {
    if (link(l).name == name) return l;
  }
  return UINT32_MAX;
}

bool Topology::route_impl(std::uint32_t from, const void* context, bool (*usable)(const void*, std::uint32_t),
                          Route& out) const {
  out.length = 0;
  if (from == INGEST) return true;
  const EdgeFilter filter{&graph_, context, usable};
  const boost::filtered_graph<Graph, EdgeFilter> view(graph_, filter);
  const std::size_t n = boost::num_vertices(graph_);
  std::vector<double> distance(n, std::numeric_limits<double>::infinity());
  std::vector<Graph::edge_descriptor> via(n);
  std::vector<bool> has_via(n, false);
  auto record = boost::make_dijkstra_visitor(boost::record_edge_predecessors(
      boost::make_function_property_map<std::size_t, Graph::edge_descriptor&>(
          [&via, &has_via](std::size_t v) -> Graph::edge_descriptor& {
            has_via[v] = true;
            return via[v];
          }),
      boost::on_edge_relaxed()));
  auto weight = boost::make_function_property_map<Graph::edge_descriptor, double>(
      [this](const Graph::edge_descriptor& e) { return graph_[e].weight_ns; });
  boost::dijkstra_shortest_paths(view, from,
                                 boost::weight_map(weight)
                                     .distance_map(boost::make_iterator_property_map(
                                         distance.begin(), boost::get(boost::vertex_index, graph_)))
                                     .visitor(record));
  if (!has_via[INGEST]) return false;
  // Walk back from the ingest to `from`.
  std::array<std::uint16_t, MAX_HOPS + 1> reversed{};
  std::size_t hops = 0;
  for (std::size_t v = INGEST; v != from;) {
    if (hops == reversed.size()) {
      throw std::invalid_argument("a route from " + graph_[from].name + " to the ingest has more than " +
                                  std::to_string(MAX_HOPS) + " hops");
    }
    const Graph::edge_descriptor e = via[v];
    reversed[hops++] = static_cast<std::uint16_t>(graph_[e].index);
    v = boost::source(e, graph_);
  }
  if (hops > MAX_HOPS) {
    throw std::invalid_argument("a route from " + graph_[from].name + " to the ingest has more than " +
                                std::to_string(MAX_HOPS) + " hops");
  }
  for (std::size_t h = 0; h < hops; ++h) out.links[h] = reversed[hops - 1 - h];
  out.length = static_cast<std::uint8_t>(hops);
  return true;
}

}  // namespace twinbed::network
