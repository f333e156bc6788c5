// network::Network runtime: routing and rerouting on the topology, outages, BLE blockage and
// supervision timeout, mobility handovers and coverage holes, and a shared cell's queue driven by
// many devices compared with the M/D/1/K figures.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "network/LinkModel.hpp"
#include "network/Network.hpp"
#include "network/ServerQueue.hpp"
#include "sim/Simulator.hpp"

namespace twinbed::network {
namespace {

using sim::Time;

LinkSpec make_link(std::string name, std::string from, std::string to, Technology technology,
                   std::initializer_list<std::pair<const char*, double>> values = {}) {
  LinkSpec link;
  link.name = std::move(name);
  link.from = std::move(from);
  link.to = std::move(to);
  link.technology = technology;
  link.params = sim::ParamSet(technology_info(technology).params);
  for (const auto& [key, value] : values) link.params.set(key, value);
  return link;
}

// A constant-delay, lossless generic link: exact timing.
LinkSpec fixed_link(std::string name, std::string from, std::string to, double latency_s) {
  return make_link(std::move(name), std::move(from), std::move(to), Technology::generic,
                   {{"latency", latency_s}, {"loss", 0.0}});
}

NodeSpec node(std::string name, NodeKind kind, Scope scope, double capacity_bps = 0.0, std::uint32_t queue = 100) {
  NodeSpec n;
  n.name = std::move(name);
  n.kind = kind;
  n.scope = scope;
  n.capacity_bps = capacity_bps;
  n.queue_packets = queue;
  return n;
}

OutageSpec outage_of(std::string target, bool node, Time at, Time duration) {
  OutageSpec o;
  o.target = std::move(target);
  o.target_is_node = node;
  o.at = at;
  o.duration = duration;
  return o;
}

struct Delivery {
  std::uint32_t device;
  std::uint32_t seq;
  Time sent;
  Time delivered;
};

class CountingIngest final : public Ingest {
public:
  void deliver(const Packet& packet, Time delivered) override {
    deliveries.push_back({packet.device, packet.seq, packet.sent, delivered});
  }
  std::vector<Delivery> deliveries;
};

class Recorder final : public NetworkObserver {
public:
  void on_packet(const PacketTrace& trace) override { packets.push_back(trace); }
  void on_load(const LoadSample& sample) override { loads.push_back(sample); }
  void on_outage(const OutageRecord& record) override { outages.push_back(record); }
  std::vector<PacketTrace> packets;
  std::vector<LoadSample> loads;
  std::vector<OutageRecord> outages;
};

class Waiter final : public DeliveryListener {
public:
  void on_acknowledged(std::uint32_t, Time) override { ++acks; }
  void on_route_restored(Time at) override { restored.push_back(at); }
  int acks = 0;
  std::vector<Time> restored;
};

Packet packet_of(std::uint32_t device, std::uint32_t seq, Time sent, std::uint32_t size = 100) {
  Packet p;
  p.device = device;
  p.seq = seq;
  p.sent = sent;
  p.size_bytes = size;
  return p;
}

// device -ble-> phone (patient) -wifi-> home_ap (patient) -wan-> ingest, and phone -5g-> cell -> ingest.
NetworkSpec home_with_fallback() {
  NetworkSpec spec;
  spec.nodes = {node("phone", NodeKind::gateway, Scope::patient), node("home_ap", NodeKind::wifi_ap, Scope::patient),
                node("cell", NodeKind::cell, Scope::shared)};
  spec.links = {fixed_link("ble", DEVICE_NODE, "phone", 0.010), fixed_link("home_wifi", "phone", "home_ap", 0.005),
                fixed_link("home_wan", "home_ap", INGEST_NODE, 0.020), fixed_link("nr", "phone", "cell", 0.015),
                fixed_link("backhaul", "cell", INGEST_NODE, 0.030)};
  return spec;
}

std::vector<std::string> names(const Network& network, const std::vector<std::uint32_t>& links) {
  std::vector<std::string> out;
  for (const std::uint32_t l : links) out.push_back(network.topology().link(l).name);
  return out;
}

TEST(NetworkRouting, ShortestExpectedLatencyThenFallbackWhileTheAccessPointIsDown) {
  NetworkSpec spec = home_with_fallback();
  const OutageSpec outage = outage_of("home_ap", true, Time::from_s(100), Time::from_s(50));
  spec.outages = {outage};
  sim::Simulator simulator;
  CountingIngest ingest;
  Recorder recorder;
  NetworkOptions options;
  options.observer = &recorder;
  options.record.packet_sample = 1.0;
  Network network(spec, {"p0001", "p0002"}, {{"p0001-ox", 0, "ble"}, {"p0002-ox", 1, "ble"}}, simulator, ingest,
                  options);
  network.start(Time::from_s(300));
  using V = std::vector<std::string>;
  EXPECT_EQ(names(network, network.current_route(0)), (V{"ble", "home_wifi", "home_wan"}));  // 35 ms < 55 ms
  // One packet per device every 10 s.
  for (int k = 0; k < 30; ++k) {
    simulator.schedule_at(Time::from_seconds(10.0 * k + 1), [&network, k]() {
      for (std::uint32_t d = 0; d < 2; ++d) network.uplink(d).send(packet_of(d, static_cast<std::uint32_t>(k), Time::from_seconds(10.0 * k + 1)));
    });
  }
  simulator.run_until(Time::from_s(120));
  EXPECT_EQ(names(network, network.current_route(0)), (V{"ble", "nr", "backhaul"}));
  simulator.run_until(Time::from_s(300));
  network.finish(Time::from_s(300));
  EXPECT_EQ(names(network, network.current_route(1)), (V{"ble", "home_wifi", "home_wan"}));
  ASSERT_EQ(ingest.deliveries.size(), 60u);
  for (const Delivery& d : ingest.deliveries) {
    const double latency = (d.delivered - d.sent).seconds();
    const bool during = d.sent >= Time::from_s(100) && d.sent < Time::from_s(150);
    EXPECT_NEAR(latency, during ? 0.055 : 0.035, 1e-9) << "seq " << d.seq;
  }
  EXPECT_GE(network.counters().reroutes, 2u);  // away and back, for each device that sent meanwhile
  ASSERT_EQ(recorder.outages.size(), 2u);      // one per patient's access point
  EXPECT_EQ(recorder.outages[0].kind, OutageKind::node_outage);
  EXPECT_EQ(recorder.outages[0].start, Time::from_s(100));
  EXPECT_EQ(recorder.outages[0].end, Time::from_s(150));
  EXPECT_EQ(recorder.packets.size(), 60u);
  EXPECT_EQ(recorder.packets[0].hops, 3);
}

TEST(NetworkRouting, NoAlternativeMeansDisconnectedUntilTheRouteReturns) {
  NetworkSpec spec;
  spec.nodes = {node("hub", NodeKind::gateway, Scope::patient)};
  spec.links = {fixed_link("ble", DEVICE_NODE, "hub", 0.010), fixed_link("wan", "hub", INGEST_NODE, 0.040)};
  const OutageSpec outage = outage_of("hub", true, Time::from_s(60), Time::from_s(600));
  spec.outages = {outage};
  sim::Simulator simulator;
  CountingIngest ingest;
  Network network(spec, {"p0001"}, {{"p0001-ox", 0, "ble"}}, simulator, ingest, NetworkOptions{});
  Waiter waiter;
  network.uplink(0).set_listener(&waiter);
  network.start(Time::from_s(1000));
  simulator.run_until(Time::from_s(59));
  EXPECT_TRUE(network.uplink(0).connected());
  simulator.run_until(Time::from_s(61));
  EXPECT_FALSE(network.uplink(0).connected());
  EXPECT_TRUE(waiter.restored.empty());
  simulator.run_until(Time::from_s(1000));
  EXPECT_TRUE(network.uplink(0).connected());
  ASSERT_EQ(waiter.restored.size(), 1u);  // told once, exactly when the hub came back
  EXPECT_EQ(waiter.restored[0], Time::from_s(660));
}

TEST(NetworkRouting, PacketOnALinkThatGoesDownIsLostAsOutage) {
  NetworkSpec spec;
  spec.links = {fixed_link("wan", DEVICE_NODE, INGEST_NODE, 1.0)};
  const OutageSpec outage = outage_of("wan", false, Time::from_seconds(10.5), Time::from_s(1));
  spec.outages = {outage};
  sim::Simulator simulator;
  CountingIngest ingest;
  Network network(spec, {"p0001"}, {{"p0001-x", 0, "wan"}}, simulator, ingest, NetworkOptions{});
  network.start(Time::from_s(100));
  simulator.schedule_at(Time::from_s(10), [&network]() { network.uplink(0).send(packet_of(0, 0, Time::from_s(10))); });
  simulator.schedule_at(Time::from_s(20), [&network]() { network.uplink(0).send(packet_of(0, 1, Time::from_s(20))); });
  simulator.run_until(Time::from_s(100));
  ASSERT_EQ(ingest.deliveries.size(), 1u);
  EXPECT_EQ(ingest.deliveries[0].seq, 1u);
  EXPECT_EQ(network.counters().dropped[static_cast<std::size_t>(DropReason::outage)], 1u);
}

// A BLE blockage shorter than the supervision timeout delays packets; a longer one disconnects
// at start + timeout and reconnects after advertising.
TEST(NetworkBle, BlockageDelaysThenSupervisionTimeoutDisconnects) {
  NetworkSpec spec;
  spec.nodes = {node("phone", NodeKind::gateway, Scope::patient)};
  LinkSpec ble = make_link("ble", DEVICE_NODE, "phone", Technology::ble,
                           {{"loss", 0.0}, {"burst_p", 0.0}, {"fading_sd", 0.0}, {"supervision_timeout", 2.0}});
  spec.links = {ble, fixed_link("lte", "phone", INGEST_NODE, 0.1)};
  const OutageSpec short_block = outage_of("ble", false, Time::from_s(100), Time::from_seconds(1.5));
  const OutageSpec long_block = outage_of("ble", false, Time::from_s(200), Time::from_s(10));
  spec.outages = {short_block, long_block};
  sim::Simulator simulator;
  CountingIngest ingest;
  Recorder recorder;
  NetworkOptions options;
  options.observer = &recorder;
  Network network(spec, {"p0001"}, {{"p0001-patch", 0, "ble"}}, simulator, ingest, options);
  network.start(Time::from_s(400));
  simulator.schedule_at(Time::from_seconds(100.2), [&network]() { network.uplink(0).send(packet_of(0, 0, Time::from_seconds(100.2), 20)); });
  simulator.run_until(Time::from_s(150));
  ASSERT_EQ(ingest.deliveries.size(), 1u);
  // Held until the blockage clears at 101.5 s, then the next connection event (<= 30 ms) + LTE 100 ms.
  const double arrival = ingest.deliveries[0].delivered.seconds();
  EXPECT_GE(arrival, 101.5 + 0.1);
  EXPECT_LE(arrival, 101.5 + 0.03 + 0.1 + 0.001);
  simulator.run_until(Time::from_seconds(201.9));
  EXPECT_TRUE(network.uplink(0).connected());
  simulator.run_until(Time::from_seconds(202.0));
  EXPECT_FALSE(network.uplink(0).connected());  // lost at 200 + 2 s
  simulator.run_until(Time::from_seconds(209.9));
  EXPECT_FALSE(network.uplink(0).connected());
  simulator.run_until(Time::from_s(400));
  EXPECT_TRUE(network.uplink(0).connected());
  int disconnects = 0;
  for (const OutageRecord& o : recorder.outages) {
    if (o.kind != OutageKind::ble_disconnect) continue;
    ++disconnects;
    EXPECT_EQ(o.start, Time::from_s(202));
    // Re-advertising: the next advertisement (within 100 ms + 0-10 ms), then one connection interval.
    EXPECT_GE(o.end.seconds(), 210.0);
    EXPECT_LE(o.end.seconds(), 210.0 + 0.1 + 0.01 + 0.03 + 1e-9);
  }
  EXPECT_EQ(disconnects, 1);
}

// An ambulance: the phone's 5G link moves cell_a -> cell_b -> (hole) -> cell_c.
TEST(NetworkMobility, HandoverInterruptionsCoverageHoleAndRerouting) {
  NetworkSpec spec;
  spec.nodes = {node("phone", NodeKind::gateway, Scope::patient), node("cell_a", NodeKind::cell, Scope::shared),
                node("cell_b", NodeKind::cell, Scope::shared), node("cell_c", NodeKind::cell, Scope::shared),
                node("core", NodeKind::core, Scope::shared)};
  spec.links = {fixed_link("ble", DEVICE_NODE, "phone", 0.01)};
  for (const char* cell : {"cell_a", "cell_b", "cell_c"}) {
    spec.links.push_back(make_link(std::string("to_") + cell, "phone", cell, Technology::nr_embb,
                                   {{"loss", 0.0}, {"handover_interruption_min", 0.030}, {"handover_interruption_max", 0.060}}));
    spec.links.push_back(fixed_link(std::string(cell) + "_backhaul", cell, "core", 0.002));
  }
  spec.links.push_back(fixed_link("core_ingest", "core", INGEST_NODE, 0.010));
  MobilitySpec path;
  path.name = "ambulance";
  path.path = {{Time::zero(), "to_cell_a"}, {Time::from_s(300), "to_cell_b"}, {Time::from_s(600), ""},
               {Time::from_s(660), "to_cell_c"}};
  spec.mobility = {path};
  sim::Simulator simulator;
  CountingIngest ingest;
  Recorder recorder;
  NetworkOptions options;
  options.observer = &recorder;
  Network network(spec, {"p0001"}, {{"p0001-patch", 0, "ble"}}, simulator, ingest, options);
  network.start(Time::from_s(900));
  using V = std::vector<std::string>;
  EXPECT_EQ(names(network, network.current_route(0)), (V{"ble", "to_cell_a", "cell_a_backhaul", "core_ingest"}));
  // A packet sent 10 ms before the handover reaches the phone just after it: it waits for the
  // interruption and goes through cell_b.
  simulator.schedule_at(Time::from_seconds(299.995), [&network]() { network.uplink(0).send(packet_of(0, 0, Time::from_seconds(299.995))); });
  simulator.run_until(Time::from_s(310));
  EXPECT_EQ(names(network, network.current_route(0)), (V{"ble", "to_cell_b", "cell_b_backhaul", "core_ingest"}));
  ASSERT_EQ(ingest.deliveries.size(), 1u);
  const OutageRecord* handover = nullptr;
  for (const OutageRecord& o : recorder.outages) {
    if (o.kind == OutageKind::handover && o.start == Time::from_s(300)) handover = &o;
  }
  ASSERT_NE(handover, nullptr);
  const double interruption = (handover->end - handover->start).seconds();
  EXPECT_GE(interruption, 0.030);
  EXPECT_LE(interruption, 0.060);
  EXPECT_EQ(network.topology().link(handover->element).name, "to_cell_b");
  // Arrives after the interruption plus cell_b's path (its own delay + 2 ms + 10 ms).
  EXPECT_GT(ingest.deliveries[0].delivered.seconds(), 300.0 + interruption + 0.012);
  simulator.run_until(Time::from_s(630));
  EXPECT_FALSE(network.uplink(0).connected());  // in the hole
  EXPECT_TRUE(network.current_route(0).empty());
  simulator.run_until(Time::from_s(700));
  EXPECT_EQ(names(network, network.current_route(0)), (V{"ble", "to_cell_c", "cell_c_backhaul", "core_ingest"}));
  int holes = 0, handovers = 0;
  for (const OutageRecord& o : recorder.outages) {
    if (o.kind == OutageKind::coverage_hole) {
      ++holes;
      EXPECT_EQ(o.start, Time::from_s(600));
      EXPECT_EQ(o.end, Time::from_s(660));
    }
    if (o.kind == OutageKind::handover) ++handovers;
  }
  EXPECT_EQ(holes, 3);      // recorded on each of the three mobility links
  EXPECT_EQ(handovers, 1);  // a -> b; entering c from the hole is an attach, not a handover
}

// Many devices share a cell: Poisson arrivals of equal packets at 0.5, 0.9 and 1.2 x the cell's
// capacity; the runtime's drop share and mean queueing delay match M/D/1/K.
TEST(NetworkCapacity, SharedCellQueueMatchesMD1K) {
  for (const double load : {0.5, 0.9, 1.2}) {
    constexpr double CAPACITY_BPS = 1e6;
    constexpr std::uint32_t SIZE = 125;  // 1000 bit: D = 1 ms
    constexpr std::uint32_t K = 10;
    constexpr std::uint32_t DEVICES = 200;
    NetworkSpec spec;
    spec.nodes = {node("cell", NodeKind::cell, Scope::shared, CAPACITY_BPS, K)};
    spec.links = {fixed_link("radio", DEVICE_NODE, "cell", 0.0), fixed_link("core", "cell", INGEST_NODE, 0.0)};
    std::vector<DeviceEndpoint> devices;
    std::vector<std::string> patients;
    for (std::uint32_t d = 0; d < DEVICES; ++d) {
      patients.push_back("p" + std::to_string(d));
      devices.push_back({"d" + std::to_string(d), d, "radio"});
    }
    sim::Simulator simulator;
    CountingIngest ingest;
    Network network(spec, patients, devices, simulator, ingest, NetworkOptions{});
    const double lambda = load * 1000.0;  // packets/s over all devices
    const Time end = Time::from_seconds(1e6 / lambda);  // ~1e6 packets
    network.start(end);
    sim::RandomStream arrivals(7, 0, "arrivals", "test");
    std::uint32_t seq = 0;
    std::function<void()> next;
    Time t = Time::zero();
    next = [&]() {
      const auto d = static_cast<std::uint32_t>(arrivals.uniform_int(DEVICES));
      network.uplink(d).send(packet_of(d, seq++, simulator.now(), SIZE));
      t = simulator.now() + Time::from_seconds(arrivals.exponential(1.0 / lambda));
      if (t < end) simulator.schedule_at(t, [&next]() { next(); });
    };
    simulator.schedule_at(Time::zero(), [&next]() { next(); });
    simulator.run_until(end + Time::from_s(1));
    const QueueFigures expected = md1k(lambda, 1e-3, K);
    const double sent = static_cast<double>(network.counters().packets_sent);
    const double dropped = static_cast<double>(network.counters().dropped[static_cast<std::size_t>(DropReason::queue_overflow)]);
    double wait = 0.0;
    for (const Delivery& d : ingest.deliveries) wait += (d.delivered - d.sent).seconds() - 1e-3;
    wait /= static_cast<double>(ingest.deliveries.size());
    std::printf("load %.1f: drop share %.6f (M/D/1/K %.6f), mean wait %.4f ms (M/D/1/K %.4f ms)\n", load, dropped / sent,
                expected.blocking, wait * 1e3, expected.mean_wait_s * 1e3);
    EXPECT_NEAR(dropped / sent, expected.blocking, std::max(0.03 * expected.blocking, 2e-4)) << "load " << load;
    EXPECT_NEAR(wait, expected.mean_wait_s, 0.03 * expected.mean_wait_s) << "load " << load;
    EXPECT_EQ(ingest.deliveries.size() + static_cast<std::size_t>(dropped), static_cast<std::size_t>(sent));
  }
}

}  // namespace
}  // namespace twinbed::network
