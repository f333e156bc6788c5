#include "network/Network.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace twinbed::network {

namespace {

// Topology changes run before packets at the same instant, so a packet sees the new state.
constexpr sim::Priority TOPOLOGY_PRIORITY = -10;
constexpr sim::Priority PACKET_PRIORITY = 0;

// A packet is traced when the hash of (device, seq, attempt) falls under the sample share: the
// choice depends on the packet alone, never on other traffic or on a random stream.
bool sampled(std::uint32_t device, std::uint32_t seq, std::uint16_t attempt, double share) {
  if (share >= 1.0) return true;
  if (share <= 0.0) return false;
  std::uint64_t x = (std::uint64_t{device} << 32) ^ seq ^ (std::uint64_t{attempt} << 48);
  x += 0x9e3779b97f4a7c15ull;  // splitmix64 finaliser
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  x ^= x >> 31;
  return static_cast<double>(x >> 11) * 0x1.0p-53 < share;
}

}  // namespace

std::string_view outage_kind_name(OutageKind kind) {
  switch (kind) {
    case OutageKind::node_outage: return "node_outage";
    case OutageKind::link_outage: return "link_outage";
    case OutageKind::ble_disconnect: return "ble_disconnect";
    case OutageKind::coverage_hole: return "coverage_hole";
    case OutageKind::handover: return "handover";
  }
  return "unknown";
}

NetworkSpec direct_network(const std::string& link, sim::Time latency, double loss) {
  LinkSpec spec;
  spec.name = link;
  spec.params = sim::ParamSet(technology_info(Technology::generic).params);
  spec.params.set("latency", latency.seconds());
  spec.params.set("loss", loss);
  NetworkSpec network;
  network.links.push_back(std::move(spec));
  return network;
}

// --- per-instance state ---------------------------------------------------------------------------

struct Network::LinkInstance {
  LinkState state;
  sim::RandomStream random;
  std::int64_t blocked_until_ns = 0;  // BLE blockage or handover interruption: packets wait
  std::uint32_t down = 0;             // active reasons it is unusable (outages, out of coverage)
  std::uint32_t epoch = 0;            // incremented when it goes down: packets on it are lost
  std::uint32_t role = 0;             // link role
  std::uint32_t patient = 0;          // owner (patient and device scope)
  std::int64_t disconnected_until_ns = 0;  // BLE: lost by a supervision timeout until then
};

struct Network::NodeInstance {
  std::optional<ServerQueue> server;
  std::uint32_t down = 0;
  std::uint32_t role = 0;
  std::uint32_t patient = 0;
};

// One change of a patient's mobility path: from link `previous` to `next` (NONE = no coverage).
struct Network::MobilityStep {
  std::uint32_t patient = 0;
  std::uint32_t previous = NONE;
  std::uint32_t next = NONE;
  std::uint32_t stream = 0;  // index in mobility_streams_
};

struct Network::InFlight {
  Packet packet;
  DeliveryListener* listener = nullptr;
  std::uint64_t id = 0;
  std::uint32_t patient = 0;
  std::uint32_t node = 0;       // where it is, or the far end of the link it is crossing
  std::uint32_t last_link = NONE;
  std::uint8_t hops = 0;
  bool traced = false;
  bool duplicate = false;
};

// A random outage process on one instance: its own stream, keyed by the outage entry, the
// target and the instance's owner.
struct Network::OpenOutage {
  std::uint32_t spec = 0;
  bool node = false;
  std::uint32_t role = 0;
  std::uint32_t instance = 0;
  std::uint32_t patient = NONE;
  std::uint32_t device = NONE;
  sim::RandomStream random;
};

class Network::Attachment final : public Uplink {
public:
  Attachment(Network& network, std::uint32_t device) : network_(network), device_(device) {}
  void send(Packet packet) override { network_.send(device_, std::move(packet), listener_); }
  bool connected() const override {
    if (network_.device_route(device_) != nullptr) return true;
    if (!waiting) {
      waiting = true;
      network_.waiting_devices_.push_back(device_);
    }
    return false;
  }
  void set_listener(DeliveryListener* listener) override { listener_ = listener; }
  DeliveryListener* listener() const { return listener_; }

  Route route;
  std::uint64_t global_version = UINT64_MAX;
  std::uint64_t patient_version = UINT64_MAX;
  bool has_route = false;
  mutable bool waiting = false;

private:
  Network& network_;
  std::uint32_t device_;
  DeliveryListener* listener_ = nullptr;
};

// --- construction ---------------------------------------------------------------------------------

Network::Network(const NetworkSpec& spec, std::vector<std::string> patient_ids, std::vector<DeviceEndpoint> devices,
                 sim::Simulator& simulator, Ingest& ingest, const NetworkOptions& options)
    : spec_(spec), topology_(spec), patient_ids_(std::move(patient_ids)), endpoints_(std::move(devices)),
      simulator_(simulator), ingest_(ingest), options_(options) {
  const auto patients = static_cast<std::uint32_t>(patient_ids_.size());
  patient_version_.assign(patients, 0);
  // Device links: each device's instance of its own first link.
  std::vector<std::uint32_t> devices_on_link(topology_.link_count(), 0);
  device_link_slot_.resize(endpoints_.size());
  device_link_.resize(endpoints_.size());
  for (std::uint32_t d = 0; d < endpoints_.size(); ++d) {
    const std::uint32_t link = topology_.link_index(endpoints_[d].link);
    device_link_[d] = link;
    if (link == NONE || topology_.link(link).from != Topology::DEVICE) {
      throw std::invalid_argument("device " + endpoints_[d].id + " names " + endpoints_[d].link +
                                  ", which is not a link from `device`");
    }
    device_link_slot_[d] = devices_on_link[link]++;
  }
  link_base_.resize(topology_.link_count());
  std::uint32_t count = 0;
  for (std::uint32_t l = 0; l < topology_.link_count(); ++l) {
    link_base_[l] = count;
    const Scope scope = topology_.link(l).scope;
    count += scope == Scope::device ? devices_on_link[l] : scope == Scope::patient ? patients : 1;
  }
  links_.reserve(count);
  for (std::uint32_t l = 0; l < topology_.link_count(); ++l) {
    const LinkRole& role = topology_.link(l);
    auto add = [&](const std::string& owner, std::uint32_t patient) {
      std::string key = role.name;
      if (!owner.empty()) {
        key += '@';
        key += owner;
      }
      sim::RandomStream random(options_.master_seed, options_.replication, key, "link");
      LinkState state = initial_link_state(role.model, random);
      links_.push_back(LinkInstance{state, std::move(random), 0, 0, 0, l, patient, 0});
    };
    if (role.scope == Scope::device) {
      for (std::uint32_t d = 0; d < endpoints_.size(); ++d) {
        if (device_link_[d] == l) add(endpoints_[d].id, endpoints_[d].patient);
      }
    } else if (role.scope == Scope::patient) {
      for (std::uint32_t p = 0; p < patients; ++p) add(patient_ids_[p], p);
    } else {
      add("", 0);
    }
  }
  node_base_.resize(topology_.node_count());
  for (std::uint32_t n = 0; n < topology_.node_count(); ++n) {
    node_base_[n] = static_cast<std::uint32_t>(nodes_.size());
    const NodeRole& role = topology_.node(n);
    const std::uint32_t instances = node_instances(n);
    for (std::uint32_t i = 0; i < instances; ++i) {
      NodeInstance node;
      node.role = n;
      node.patient = role.scope == Scope::patient ? i : 0;
      if (role.capacity_bps > 0.0) node.server.emplace(role.capacity_bps, role.queue_packets);
      nodes_.push_back(std::move(node));
    }
  }
  attachments_.reserve(endpoints_.size());
  for (std::uint32_t d = 0; d < endpoints_.size(); ++d) attachments_.push_back(std::make_unique<Attachment>(*this, d));
  link_totals_.resize(topology_.link_count());
  link_interval_.resize(topology_.link_count());
  node_interval_.resize(topology_.node_count());
  node_queue_max_.assign(topology_.node_count(), 0);
  node_busy_at_last_sample_.assign(topology_.node_count(), 0);
}

Network::~Network() = default;

Uplink& Network::uplink(std::uint32_t device) { return *attachments_.at(device); }

std::uint32_t Network::link_instances(std::uint32_t link) const {
  const std::uint32_t next = link + 1 < link_base_.size() ? link_base_[link + 1] : static_cast<std::uint32_t>(links_.size());
  return next - link_base_[link];
}

std::uint32_t Network::node_instances(std::uint32_t node) const {
  if (node == Topology::DEVICE) return 0;
  return topology_.node(node).scope == Scope::patient ? static_cast<std::uint32_t>(patient_ids_.size()) : 1;
}

std::string Network::element_name(std::uint32_t element) const {
  if (element < topology_.link_count()) return topology_.link(element).name;
  return topology_.node(element - topology_.link_count()).name;
}

std::uint32_t Network::link_instance(std::uint32_t link, std::uint32_t device, std::uint32_t patient) const {
  switch (topology_.link(link).scope) {
    case Scope::device: return link_base_[link] + device_link_slot_[device];
    case Scope::patient: return link_base_[link] + patient;
    case Scope::shared: break;
  }
  return link_base_[link];
}

std::uint32_t Network::node_instance(std::uint32_t node, std::uint32_t patient) const {
  return node_base_[node] + (topology_.node(node).scope == Scope::patient ? patient : 0);
}

bool Network::link_usable(std::uint32_t link, std::uint32_t device, std::uint32_t patient) const {
  const LinkRole& role = topology_.link(link);
  if (role.from == Topology::DEVICE) {
    // From the device node, only the device's own link leads anywhere.
    if (device_link_[device] != link) return false;
  } else if (nodes_[node_instance(role.from, patient)].down > 0) {
    return false;
  }
  if (links_[link_instance(link, device, patient)].down > 0) return false;
  return nodes_[node_instance(role.to, patient)].down == 0;
}

// --- routing --------------------------------------------------------------------------------------

const Route* Network::device_route(std::uint32_t device) {
  Attachment& a = *attachments_[device];
  const std::uint32_t patient = endpoints_[device].patient;
  if (a.global_version == global_version_ && a.patient_version == patient_version_[patient]) {
    return a.has_route ? &a.route : nullptr;
  }
  const Route previous = a.route;
  const bool had_route = a.has_route;
  a.has_route = topology_.route(Topology::DEVICE, [&](std::uint32_t l) { return link_usable(l, device, patient); },
                                a.route);
  a.global_version = global_version_;
  a.patient_version = patient_version_[patient];
  if (had_route && a.has_route &&
      !std::equal(previous.links.begin(), previous.links.begin() + previous.length, a.route.links.begin(),
                  a.route.links.begin() + a.route.length)) {
    ++counters_.reroutes;
  }
  return a.has_route ? &a.route : nullptr;
}

std::vector<std::uint32_t> Network::current_route(std::uint32_t device) {
  std::vector<std::uint32_t> out;
  if (const Route* r = device_route(device)) out.assign(r->links.begin(), r->links.begin() + r->length);
  return out;
}

bool Network::next_link(std::uint32_t slot, std::uint32_t node, std::uint32_t& link) {
  const InFlight& f = in_flight_[slot];
  const std::uint32_t device = f.packet.device;
  if (const Route* r = device_route(device)) {
    for (std::uint8_t h = 0; h < r->length; ++h) {
      if (topology_.link(r->links[h]).from == node) {
        link = r->links[h];
        return true;
      }
    }
  }
  // Off the device's current route (it changed while the packet was under way): route from here.
  Route route;
  if (!topology_.route(node, [&](std::uint32_t l) { return link_usable(l, device, f.patient); }, route) ||
      route.length == 0) {
    return false;
  }
  link = route.links[0];
  return true;
}

void Network::bump_version(Scope scope, std::uint32_t patient) {
  if (scope == Scope::shared) {
    ++global_version_;
  } else {
    ++patient_version_[patient];
  }
}

// --- packets --------------------------------------------------------------------------------------

std::uint32_t Network::allocate_slot() {
  ++in_flight_count_;
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  in_flight_.emplace_back();
  return static_cast<std::uint32_t>(in_flight_.size() - 1);
}

void Network::send(std::uint32_t device, Packet packet, DeliveryListener* listener) {
  ++counters_.packets_sent;
  const std::uint32_t slot = allocate_slot();
  InFlight& f = in_flight_[slot];
  f.traced = sampled(packet.device, packet.seq, packet.attempt, options_.record.packet_sample);
  f.packet = std::move(packet);
  f.packet.device = device;
  f.listener = listener;
  f.id = next_packet_id_++;
  f.patient = endpoints_[device].patient;
  f.node = Topology::DEVICE;
  f.last_link = NONE;
  f.hops = 0;
  f.duplicate = false;
  forward(slot);
}

void Network::forward(std::uint32_t slot) {
  InFlight& f = in_flight_[slot];
  const std::uint32_t node = f.node;
  if (node != Topology::DEVICE) {
    NodeInstance& here = nodes_[node_instance(node, f.patient)];
    if (here.down > 0) return finish_packet(slot, DropReason::outage);
    if (here.server) ++node_interval_[node].delivered;
  }
  std::uint32_t link = 0;
  if (!next_link(slot, node, link)) return finish_packet(slot, DropReason::no_route);
  const std::uint32_t instance = link_instance(link, f.packet.device, f.patient);
  LinkInstance& li = links_[instance];
  const LinkRole& role = topology_.link(link);
  const sim::Time now = simulator_.now();
  ++link_totals_[link].offered;
  link_totals_[link].offered_bytes += f.packet.size_bytes;
  ++link_interval_[link].offered;
  link_interval_[link].offered_bytes += f.packet.size_bytes;
  ++f.hops;
  f.last_link = link;
  // A blocked link (BLE blockage, handover interruption) holds the packet until it clears.
  const sim::Time start = std::max(now, sim::Time::from_ns(li.blocked_until_ns));
  const Transit t = transit(role.model, li.state, li.random, start, f.packet.size_bytes);
  if (t.drop != DropReason::none) {
    ++link_totals_[link].dropped;
    ++link_interval_[link].dropped;
    if (t.supervision_timeout) supervision_timeout(instance, start + t.delay, f.packet.device, f.patient);
    return finish_packet(slot, t.drop);
  }
  f.node = role.to;
  if (t.duplicate) {
    ++counters_.duplicates;
    const std::uint32_t copy = allocate_slot();
    in_flight_[copy] = in_flight_[slot];  // the vector may have moved: index again below
    in_flight_[copy].duplicate = true;
    const std::uint32_t epoch = li.epoch;
    simulator_.schedule_at(start + t.duplicate_delay, [this, copy, instance, epoch]() { arrive(copy, instance, epoch); },
                           PACKET_PRIORITY);
  }
  const std::uint32_t epoch = links_[instance].epoch;
  simulator_.schedule_at(start + t.delay, [this, slot, instance, epoch]() { arrive(slot, instance, epoch); },
                         PACKET_PRIORITY);
}

void Network::arrive(std::uint32_t slot, std::uint32_t instance, std::uint32_t epoch) {
  InFlight& f = in_flight_[slot];
  const std::uint32_t link = f.last_link;
  if (links_[instance].epoch != epoch) {
    // The link went down while the packet was on it.
    ++link_totals_[link].dropped;
    ++link_interval_[link].dropped;
    return finish_packet(slot, DropReason::outage);
  }
  ++link_totals_[link].delivered;
  ++link_interval_[link].delivered;
  const std::uint32_t node = f.node;
  NodeInstance& here = nodes_[node_instance(node, f.patient)];
  if (here.down > 0) return finish_packet(slot, DropReason::outage);
  if (node == Topology::INGEST) return finish_packet(slot, DropReason::none);
  if (!here.server) return forward(slot);
  LinkCounters& load = node_interval_[node];
  ++load.offered;
  load.offered_bytes += f.packet.size_bytes;
  const sim::Time now = simulator_.now();
  const std::optional<sim::Time> departure = here.server->admit(now, f.packet.size_bytes);
  if (!departure) {
    ++load.dropped;
    return finish_packet(slot, DropReason::queue_overflow);
  }
  node_queue_max_[node] = std::max(node_queue_max_[node], here.server->length(now));
  simulator_.schedule_at(*departure, [this, slot]() { forward(slot); }, PACKET_PRIORITY);
}

void Network::finish_packet(std::uint32_t slot, DropReason reason) {
  InFlight& f = in_flight_[slot];
  const sim::Time now = simulator_.now();
  if (reason == DropReason::none) {
    ++counters_.packets_delivered;
    ingest_.deliver(f.packet, now);
  } else {
    ++counters_.dropped[static_cast<std::size_t>(reason)];
  }
  if (f.traced && options_.observer != nullptr) {
    PacketTrace trace;
    trace.id = f.id;
    trace.device = f.packet.device;
    trace.seq = f.packet.seq;
    trace.attempt = f.packet.attempt;
    trace.size_bytes = f.packet.size_bytes;
    trace.sent = f.packet.sent;
    trace.end = now;
    trace.drop = reason;
    trace.hops = f.hops;
    trace.last_link = f.last_link;
    trace.duplicate = f.duplicate;
    options_.observer->on_packet(trace);
  }
  // The acknowledgement goes after the trace: it may make the device send at once, which may
  // reuse this slot.
  DeliveryListener* const listener = reason == DropReason::none ? f.listener : nullptr;
  const std::uint32_t seq = f.packet.seq;
  f.packet.readings.clear();  // keeps capacity: the slot's next packet reuses it
  f.packet.waveforms.clear();
  f.listener = nullptr;
  free_slots_.push_back(slot);
  --in_flight_count_;
  if (listener != nullptr) listener->on_acknowledged(seq, now);
}

// --- outages and mobility -------------------------------------------------------------------------

void Network::set_down(bool node, std::uint32_t instance, int delta) {
  std::uint32_t& down = node ? nodes_[instance].down : links_[instance].down;
  const bool was_down = down > 0;
  down = static_cast<std::uint32_t>(static_cast<int>(down) + delta);
  const bool is_down = down > 0;
  if (was_down == is_down) return;
  if (!node && is_down) ++links_[instance].epoch;
  // Which routes can change: every device's for a shared element, one patient's otherwise.
  const Scope scope = node ? topology_.node(nodes_[instance].role).scope : topology_.link(links_[instance].role).scope;
  const std::uint32_t patient = node ? nodes_[instance].patient : links_[instance].patient;
  bump_version(scope, patient);
  if (!is_down) notify_restored();
}

void Network::notify_restored() {
  if (waiting_devices_.empty()) return;
  std::vector<std::uint32_t> waiting;
  waiting.swap(waiting_devices_);
  std::vector<std::uint32_t> restored;
  for (const std::uint32_t d : waiting) {
    if (device_route(d) != nullptr) {
      attachments_[d]->waiting = false;
      restored.push_back(d);
    } else {
      waiting_devices_.push_back(d);
    }
  }
  const sim::Time now = simulator_.now();
  for (const std::uint32_t d : restored) {
    if (DeliveryListener* listener = attachments_[d]->listener()) listener->on_route_restored(now);
  }
}

void Network::emit_outage(std::uint32_t element, std::uint32_t patient, std::uint32_t device, OutageKind kind,
                          OutageOrigin origin, sim::Time start, sim::Time end) {
  if (options_.observer == nullptr) return;
  options_.observer->on_outage(OutageRecord{element, patient, device, kind, origin, start, std::min(end, end_)});
}

void Network::begin_outage(bool node, std::uint32_t role, std::uint32_t instance,
                           std::uint32_t patient, std::uint32_t device, sim::Time duration, OutageOrigin origin) {
  const sim::Time start = simulator_.now();
  const sim::Time end = duration > sim::Time::zero() ? std::min(start + duration, end_) : end_;
  const std::uint32_t element = node ? topology_.link_count() + role : role;
  if (node || topology_.link(role).model.technology != Technology::ble) {
    emit_outage(element, patient, device, node ? OutageKind::node_outage : OutageKind::link_outage, origin, start, end);
    set_down(node, instance, +1);
    if (end < end_) simulator_.schedule_at(end, [this, node, instance]() { set_down(node, instance, -1); }, TOPOLOGY_PRIORITY);
    return;
  }
  // BLE: a blockage. Packets wait for it to clear (the link layer retries at every connection
  // event); past the supervision timeout the connection is lost and comes back only after the
  // peripheral re-advertises (Bluetooth Core 5.3 Vol 6 Part B 4.5.2).
  LinkInstance& li = links_[instance];
  const LinkModel& model = topology_.link(role).model;
  emit_outage(element, patient, device, OutageKind::link_outage, origin, start, end);
  li.blocked_until_ns = std::max(li.blocked_until_ns, end.ns());
  const sim::Time timeout = sim::Time::from_ns(model.supervision_timeout_ns);
  if (end - start <= timeout) return;
  const sim::Time lost = start + timeout;
  const sim::Time back = end + reconnect_delay(model, li.random);
  li.disconnected_until_ns = back.ns();
  emit_outage(element, patient, device, OutageKind::ble_disconnect, OutageOrigin::model, lost, back);
  simulator_.schedule_at(lost, [this, instance]() { set_down(false, instance, +1); }, TOPOLOGY_PRIORITY);
  if (back < end_) simulator_.schedule_at(back, [this, instance]() { set_down(false, instance, -1); }, TOPOLOGY_PRIORITY);
}

// Every connection event failed for a whole supervision timeout (deep fade, PER near 1): the
// connection is lost there and comes back when the peripheral's advertising is heard again.
void Network::supervision_timeout(std::uint32_t instance, sim::Time lost, std::uint32_t device, std::uint32_t patient) {
  LinkInstance& li = links_[instance];
  if (li.disconnected_until_ns > lost.ns()) return;  // already counted
  const LinkRole& role = topology_.link(li.role);
  const sim::Time back = lost + reconnect_delay(role.model, li.random);
  li.disconnected_until_ns = back.ns();
  emit_outage(li.role, patient, device, OutageKind::ble_disconnect, OutageOrigin::model, lost, back);
  const sim::Time at = std::max(lost, simulator_.now());
  simulator_.schedule_at(at, [this, instance]() { set_down(false, instance, +1); }, TOPOLOGY_PRIORITY);
  if (back < end_) simulator_.schedule_at(back, [this, instance]() { set_down(false, instance, -1); }, TOPOLOGY_PRIORITY);
}

void Network::schedule_random_outage(std::uint32_t outage, sim::Time from) {
  OpenOutage& o = *open_outages_[outage];
  const OutageSpec& spec = spec_.outages[o.spec];
  const sim::Time onset = from + sim::Time::from_seconds(o.random.exponential(spec.every.seconds()));
  if (onset >= end_) return;
  simulator_.schedule_at(onset, [this, outage]() {
    OpenOutage& open = *open_outages_[outage];
    const OutageSpec& s = spec_.outages[open.spec];
    const sim::Time duration = s.duration > sim::Time::zero()
                                   ? std::max(sim::Time::from_ns(1), sim::Time::from_seconds(open.random.exponential(s.duration.seconds())))
                                   : sim::Time::zero();
    begin_outage(open.node, open.role, open.instance, open.patient, open.device, duration, OutageOrigin::random);
    if (duration > sim::Time::zero()) {
      schedule_random_outage(outage, simulator_.now() + duration);
    }
  }, TOPOLOGY_PRIORITY);
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> Network::mobility_instances(std::uint32_t link,
                                                                                   std::uint32_t patient) const {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;  // (instance, device or NONE)
  if (topology_.link(link).scope == Scope::device) {
    for (std::uint32_t d = 0; d < endpoints_.size(); ++d) {
      if (endpoints_[d].patient == patient && device_link_[d] == link) out.emplace_back(link_instance(link, d, patient), d);
    }
  } else {
    out.emplace_back(link_instance(link, 0, patient), NONE);
  }
  return out;
}

void Network::start_mobility(const MobilitySpec& spec, std::uint32_t patient) {
  std::string key = "mobility:" + spec.name;
  key += '@';
  key += patient_ids_[patient];
  const auto stream = static_cast<std::uint32_t>(mobility_streams_.size());
  mobility_streams_.emplace_back(options_.master_seed, options_.replication, key, "path");
  const sim::Time offset = sim::Time::from_seconds(mobility_streams_.back().uniform(0.0, spec.offset_spread.seconds()));
  auto link_of = [this](const Waypoint& w) { return w.link.empty() ? NONE : topology_.link_index(w.link); };
  std::vector<std::uint32_t> links;
  for (const Waypoint& w : spec.path) {
    const std::uint32_t l = link_of(w);
    if (l != NONE && std::find(links.begin(), links.end(), l) == links.end()) links.push_back(l);
  }
  // Out of coverage at the start: every mobility link except the first waypoint's.
  for (const std::uint32_t l : links) {
    if (l == link_of(spec.path.front())) continue;
    for (const auto& [instance, device] : mobility_instances(l, patient)) set_down(false, instance, +1);
  }
  for (std::size_t i = 0; i < spec.path.size(); ++i) {
    const sim::Time at = i == 0 ? sim::Time::zero() : offset + spec.path[i].at;
    if (at >= end_) break;
    const sim::Time next = i + 1 < spec.path.size() ? offset + spec.path[i + 1].at : end_;
    const std::uint32_t now_link = link_of(spec.path[i]);
    if (now_link == NONE) {
      // A coverage hole: recorded on every link of the mobility.
      for (const std::uint32_t l : links) {
        for (const auto& [instance, device] : mobility_instances(l, patient)) {
          emit_outage(l, patient, device, OutageKind::coverage_hole, OutageOrigin::mobility, at, next);
        }
      }
    }
    if (i == 0) continue;
    const std::uint32_t previous = link_of(spec.path[i - 1]);
    if (previous == now_link) continue;
    const auto step = static_cast<std::uint32_t>(mobility_steps_.size());
    mobility_steps_.push_back(MobilityStep{patient, previous, now_link, stream});
    simulator_.schedule_at(at, [this, step]() { move(step); }, TOPOLOGY_PRIORITY);
  }
}

void Network::move(std::uint32_t step) {
  const MobilityStep& s = mobility_steps_[step];
  const sim::Time now = simulator_.now();
  if (s.previous != NONE) {
    for (const auto& [instance, device] : mobility_instances(s.previous, s.patient)) set_down(false, instance, +1);
  }
  if (s.next == NONE) return;
  for (const auto& [instance, device] : mobility_instances(s.next, s.patient)) {
    if (s.previous != NONE) {
      // A handover: the new link carries nothing until the interruption is over (lossless
      // handover with data forwarding, 3GPP TS 38.300 9.2.3): packets wait.
      const sim::Time interruption = handover_interruption(topology_.link(s.next).model, mobility_streams_[s.stream]);
      LinkInstance& li = links_[instance];
      li.blocked_until_ns = std::max(li.blocked_until_ns, (now + interruption).ns());
      emit_outage(s.next, s.patient, device, OutageKind::handover, OutageOrigin::mobility, now, now + interruption);
    }
    set_down(false, instance, -1);
  }
}

void Network::start(sim::Time end) {
  end_ = end;
  auto patient_listed = [this](const std::vector<std::string>& ids, std::uint32_t patient) {
    return ids.empty() || std::find(ids.begin(), ids.end(), patient_ids_[patient]) != ids.end();
  };
  for (std::uint32_t o = 0; o < spec_.outages.size(); ++o) {
    const OutageSpec& spec = spec_.outages[o];
    const bool node = spec.target_is_node;
    const std::uint32_t role = node ? topology_.node_index(spec.target) : topology_.link_index(spec.target);
    if (role == NONE) throw std::invalid_argument("outage of unknown " + spec.target);
    // (instance, patient, device, owner id) of every targeted instance.
    struct Target {
      std::uint32_t instance, patient, device;
      std::string_view owner;
    };
    std::vector<Target> targets;
    const Scope scope = node ? topology_.node(role).scope : topology_.link(role).scope;
    if (scope == Scope::shared) {
      targets.push_back({node ? node_instance(role, 0) : link_instance(role, 0, 0), NONE, NONE, ""});
    } else if (scope == Scope::patient) {
      for (std::uint32_t p = 0; p < patient_ids_.size(); ++p) {
        if (patient_listed(spec.patients, p)) {
          targets.push_back({node ? node_instance(role, p) : link_instance(role, 0, p), p, NONE, patient_ids_[p]});
        }
      }
    } else {
      for (std::uint32_t d = 0; d < endpoints_.size(); ++d) {
        if (device_link_[d] == role && patient_listed(spec.patients, endpoints_[d].patient)) {
          targets.push_back({link_instance(role, d, endpoints_[d].patient), endpoints_[d].patient, d, endpoints_[d].id});
        }
      }
    }
    for (const Target& t : targets) {
      if (spec.at) {
        if (*spec.at >= end_) continue;
        const std::uint32_t instance = t.instance, patient = t.patient, device = t.device;
        simulator_.schedule_at(*spec.at, [this, o, node, role, instance, patient, device]() {
          begin_outage(node, role, instance, patient, device, spec_.outages[o].duration, OutageOrigin::scheduled);
        }, TOPOLOGY_PRIORITY);
      } else {
        std::string key = "outage" + std::to_string(o);
        key += ':';
        key += spec.target;
        if (!t.owner.empty()) {
          key += '@';
          key += t.owner;
        }
        open_outages_.push_back(std::make_unique<OpenOutage>(
            OpenOutage{o, node, role, t.instance, t.patient, t.device,
                       sim::RandomStream(options_.master_seed, options_.replication, key, "outage")}));
        schedule_random_outage(static_cast<std::uint32_t>(open_outages_.size() - 1), sim::Time::zero());
      }
    }
  }
  for (const MobilitySpec& m : spec_.mobility) {
    for (std::uint32_t p = 0; p < patient_ids_.size(); ++p) {
      if (patient_listed(m.patients, p)) start_mobility(m, p);
    }
  }
  const sim::Time interval = options_.record.link_interval;
  if (options_.observer != nullptr && interval > sim::Time::zero()) {
    for (sim::Time t = interval; t <= end_; t += interval) {
      simulator_.schedule_at(t, [this, interval]() { sample_load(simulator_.now() - interval); }, TOPOLOGY_PRIORITY);
    }
  }
}

void Network::sample_load(sim::Time interval_start) {
  const sim::Time now = simulator_.now();
  const double seconds = (now - interval_start).seconds();
  if (seconds <= 0.0) return;
  // The interval's counters of an element as a sample; they restart from zero.
  auto sample_of = [now](std::uint32_t element, LinkCounters& c) {
    LoadSample s;
    s.time = now;
    s.element = element;
    s.offered_packets = c.offered;
    s.offered_bytes = c.offered_bytes;
    s.delivered_packets = c.delivered;
    s.dropped_packets = c.dropped;
    c = LinkCounters{};
    return s;
  };
  for (std::uint32_t l = 0; l < topology_.link_count(); ++l) options_.observer->on_load(sample_of(l, link_interval_[l]));
  for (std::uint32_t n = 0; n < topology_.node_count(); ++n) {
    if (topology_.node(n).capacity_bps <= 0.0) continue;
    LoadSample s = sample_of(topology_.link_count() + n, node_interval_[n]);
    std::int64_t busy = 0;
    std::uint32_t length = 0;
    std::uint32_t longest = 0;
    const std::uint32_t instances = node_instances(n);
    for (std::uint32_t i = 0; i < instances; ++i) {
      NodeInstance& node = nodes_[node_base_[n] + i];
      busy += node.server->busy_time(now).ns();
      const std::uint32_t held = node.server->length(now);
      length += held;
      longest = std::max(longest, held);
    }
    s.utilisation = static_cast<double>(busy - node_busy_at_last_sample_[n]) * 1e-9 / (seconds * instances);
    s.queue_length = length;
    s.queue_max = node_queue_max_[n];
    options_.observer->on_load(s);
    node_busy_at_last_sample_[n] = busy;
    node_queue_max_[n] = longest;
  }
}

void Network::finish(sim::Time end) {
  const sim::Time interval = options_.record.link_interval;
  if (options_.observer != nullptr && interval > sim::Time::zero()) {
    const sim::Time last = sim::Time::from_ns(end.ns() / interval.ns() * interval.ns());
    if (last < end) sample_load(last);
  }
}

}  // namespace twinbed::network
