// Device throughput: a ward of real patients, each with one device of a catalogue type, for one
// simulated hour; reports measurements and readings per second of wall time. BM_PatientsOnly is
// the same ward without devices (the patients' own cost), so the device cost is the difference.
// Run: build/release/bench/twinbed_device_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "devices/Catalog.hpp"
#include "devices/Device.hpp"
#include "network/Network.hpp"
#include "physiology/Patient.hpp"
#include "sim/Simulator.hpp"

using namespace twinbed;

namespace {
constexpr int PATIENTS = 20;
const sim::Time HOUR = sim::Time::from_h(1);

class NullIngest final : public network::Ingest {
public:
  void deliver(const network::Packet& packet, sim::Time) override { readings += packet.readings.size(); }
  std::uint64_t readings = 0;
};

void run_ward(benchmark::State& state, std::optional<devices::DeviceType> type) {
  std::uint64_t samples = 0;
  std::uint64_t readings = 0;
  for (auto _ : state) {
    sim::Simulator simulator;
    NullIngest ingest;
    std::vector<std::string> patient_ids;
    std::vector<network::DeviceEndpoint> endpoints;
    for (int i = 0; i < PATIENTS; ++i) {
      std::string id("p");
      id += std::to_string(1000 + i);
      patient_ids.push_back(id);
      endpoints.push_back({id + "-d", static_cast<std::uint32_t>(i), "link"});
    }
    network::NetworkOptions network_options;
    network::Network network(network::direct_network("link", sim::Time::from_ms(20), 0.0), patient_ids, endpoints,
                             simulator, ingest, network_options);
    std::vector<std::unique_ptr<physiology::Patient>> patients;
    std::vector<std::unique_ptr<devices::Device>> ward;
    std::vector<devices::PatientBus> buses(PATIENTS);
    for (int i = 0; i < PATIENTS; ++i) {
      physiology::PatientSpec spec;
      spec.ecg = type && devices::device_type_info(*type).needs_ecg;
      if (type == devices::DeviceType::cgm || type == devices::DeviceType::insulin_pump) {
        spec.glucose.kind = physiology::GlucoseKind::type1_diabetes;
        spec.glucose.uva_padova_patient = "adult#001";
      }
      std::string id("p");
      id += std::to_string(1000 + i);  // append, not "p" + ...: GCC 12 -Wrestrict false positive
      patients.push_back(std::make_unique<physiology::Patient>(id, spec, HOUR, 1, 0));
      if (!type) continue;
      const devices::DeviceTypeInfo& info = devices::device_type_info(*type);
      devices::DeviceSetup setup;
      setup.id = id + "-d";
      setup.index = static_cast<std::uint32_t>(i);
      setup.patient_index = static_cast<std::uint32_t>(i);
      setup.type = *type;
      setup.params = sim::ParamSet(info.params);
      setup.patient = patients.back().get();
      setup.uplink = &network.uplink(static_cast<std::uint32_t>(i));
      setup.bus = &buses[static_cast<std::size_t>(i)];
      ward.push_back(info.make(std::move(setup)));
      ward.back()->start(simulator);
    }
    // Without devices, advance the patients on a 1 s tick as a device would make them.
    if (!type) {
      for (sim::Time t = sim::Time::zero(); t < HOUR; t += sim::Time::from_s(1)) {
        for (auto& p : patients) p->advance_to(t);
      }
    }
    simulator.run_until(HOUR);
    for (const auto& d : ward) samples += d->counters().samples;
    readings += ingest.readings;
  }
  state.counters["measurements_per_s"] = benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
  state.counters["readings_per_s"] = benchmark::Counter(static_cast<double>(readings), benchmark::Counter::kIsRate);
  state.counters["patient_hours_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * PATIENTS, benchmark::Counter::kIsRate);
}

void BM_PatientsOnly(benchmark::State& state) { run_ward(state, std::nullopt); }
BENCHMARK(BM_PatientsOnly)->Unit(benchmark::kMillisecond);

void BM_Device(benchmark::State& state) {
  const auto type = static_cast<devices::DeviceType>(state.range(0));
  state.SetLabel(std::string(devices::device_type_info(type).name));
  run_ward(state, type);
}
BENCHMARK(BM_Device)->DenseRange(0, 11)->Unit(benchmark::kMillisecond);
}  // namespace

BENCHMARK_MAIN();
