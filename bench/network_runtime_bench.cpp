// The network runtime end to end: packets/s from devices' send() through BLE -> phone -> Wi-Fi ->
// access point -> WAN -> ingest (three link models, events, routing), and the memory one
// device-link costs in steady state (heap bytes per device, measured with mallinfo2).
// Build in Release; results and command in docs/performance.md.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <string>
#include <vector>

#include "network/LinkModel.hpp"
#include "network/Network.hpp"
#include "sim/Simulator.hpp"

namespace {

using namespace twinbed;
using network::DEVICE_NODE;
using network::INGEST_NODE;

network::LinkSpec link(const char* name, const char* from, const char* to, network::Technology technology) {
  network::LinkSpec l;
  l.name = name;
  l.from = from;
  l.to = to;
  l.technology = technology;
  l.params = sim::ParamSet(network::technology_info(technology).params);
  return l;
}

network::NetworkSpec home_spec() {
  network::NetworkSpec spec;
  network::NodeSpec phone;
  phone.name = "phone";
  phone.scope = network::Scope::patient;
  network::NodeSpec ap;
  ap.name = "home_ap";
  ap.kind = network::NodeKind::wifi_ap;
  ap.scope = network::Scope::patient;
  spec.nodes = {phone, ap};
  spec.links = {link("ble", DEVICE_NODE, "phone", network::Technology::ble),
                link("wifi", "phone", "home_ap", network::Technology::wifi),
                link("wan", "home_ap", INGEST_NODE, network::Technology::wan)};
  return spec;
}

// Bytes in use on the heap: small chunks (uordblks) and the large ones glibc maps (hblkhd).
std::size_t heap_bytes() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

class NullIngest final : public network::Ingest {
public:
  void deliver(const network::Packet&, sim::Time) override { ++delivered; }
  std::uint64_t delivered = 0;
};

// `devices` devices, `per_patient` on each patient.
void make_world(std::uint32_t devices, std::uint32_t per_patient, std::vector<std::string>& patients,
                std::vector<network::DeviceEndpoint>& endpoints) {
  for (std::uint32_t d = 0; d < devices; ++d) {
    if (d % per_patient == 0) patients.push_back("p" + std::to_string(d / per_patient));
    endpoints.push_back({"p" + std::to_string(d / per_patient) + "-dev" + std::to_string(d % per_patient),
                         d / per_patient, "ble"});
  }
}

// 10,000 devices each send one 40-byte packet per simulated second.
void BM_NetworkPacketsEndToEnd(benchmark::State& state) {
  const auto devices = static_cast<std::uint32_t>(state.range(0));
  std::vector<std::string> patients;
  std::vector<network::DeviceEndpoint> endpoints;
  make_world(devices, 1, patients, endpoints);
  sim::Simulator simulator;
  NullIngest ingest;
  network::Network net(home_spec(), patients, endpoints, simulator, ingest, network::NetworkOptions{});
  net.start(sim::Time::from_s(1000000));
  std::uint32_t seq = 0;
  std::int64_t t_ns = 0;
  for (auto _ : state) {
    // One simulated second: every device sends at its own phase.
    for (std::uint32_t d = 0; d < devices; ++d) {
      simulator.schedule_at(sim::Time::from_ns(t_ns + std::int64_t{d} * 1'000'000'000 / devices), [&net, d, seq]() {
        network::Packet p;
        p.device = d;
        p.seq = seq;
        p.size_bytes = 40;
        net.uplink(d).send(std::move(p));
      });
    }
    t_ns += 1'000'000'000;
    ++seq;
    simulator.run_until(sim::Time::from_ns(t_ns));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * devices);
  state.counters["delivered_share"] = static_cast<double>(ingest.delivered) /
                                      (static_cast<double>(state.iterations()) * devices);
}
BENCHMARK(BM_NetworkPacketsEndToEnd)->Arg(10000)->Unit(benchmark::kMillisecond);

// Heap bytes per device once the network has carried traffic (slots at steady size): the
// device-link's state and random stream, its attachment and route cache, and its share of the
// per-patient phone/Wi-Fi/WAN instances. With one device per patient that share is a whole
// patient's; with 100 devices per patient it vanishes and what is left is the device-link.
void BM_MemoryPerDeviceLink(benchmark::State& state) {
  const auto devices = static_cast<std::uint32_t>(state.range(0));
  const auto per_patient = static_cast<std::uint32_t>(state.range(1));
  for (auto _ : state) {
    std::vector<std::string> patients;
    std::vector<network::DeviceEndpoint> endpoints;
    make_world(devices, per_patient, patients, endpoints);
    sim::Simulator simulator;
    NullIngest ingest;
    const std::size_t before = heap_bytes();
    {
      network::Network net(home_spec(), patients, endpoints, simulator, ingest, network::NetworkOptions{});
      net.start(sim::Time::from_s(100));
      for (std::uint32_t d = 0; d < devices; ++d) {
        network::Packet p;
        p.device = d;
        p.size_bytes = 40;
        net.uplink(d).send(std::move(p));
      }
      simulator.run_until(sim::Time::from_s(100));
      const std::size_t after = heap_bytes();
      state.counters["bytes_per_device"] = static_cast<double>(after - before) / devices;
    }
  }
}
BENCHMARK(BM_MemoryPerDeviceLink)->Args({100000, 1})->Args({100000, 100})->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
