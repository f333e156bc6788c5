#pragma once
// Test kit for devices: a scripted patient (true values you set) and a bench that builds one
// device of any catalogue type on a real simulator, link and ingest, and collects what arrives.
#include <array>
#include <functional>
#include <memory>
#include <vector>

#include "devices/Catalog.hpp"
#include "devices/Device.hpp"
#include "network/Network.hpp"
#include "physiology/Signal.hpp"
#include "sim/Simulator.hpp"

namespace twinbed::testkit {

// True values are whatever the test sets, optionally as a function of time.
class ScriptedPatient : public physiology::SignalSource {
public:
  ScriptedPatient() { values.fill(0.0); }
  void advance_to(sim::Time t) override { now = t; }
  double value(physiology::Signal s) const override {
    if (script) return script(s, now);
    return values[static_cast<std::size_t>(s)];
  }
  std::uint8_t skin_type() const override { return skin; }
  physiology::Activity activity() const override { return activity_state; }
  sim::Time activity_since() const override { return activity_changed; }
  void set_activity(physiology::Activity a, sim::Time since) {
    activity_state = a;
    activity_changed = since;
  }

  std::array<double, std::size(physiology::ALL_SIGNALS)> values{};
  std::function<double(physiology::Signal, sim::Time)> script;
  physiology::Activity activity_state = physiology::Activity::rest;
  sim::Time activity_changed;
  std::uint8_t skin = 3;
  sim::Time now;
};

class Collector final : public network::Ingest {
public:
  void deliver(const network::Packet& packet, sim::Time delivered) override {
    packets.push_back(packet);
    times.push_back(delivered);
  }
  // Every delivered reading of `signal`, in delivery order.
  std::vector<network::Reading> readings(physiology::Signal signal) const {
    std::vector<network::Reading> out;
    for (const auto& p : packets) {
      for (const auto& r : p.readings) {
        if (r.signal == static_cast<std::uint8_t>(signal)) out.push_back(r);
      }
    }
    return out;
  }
  std::vector<network::Packet> packets;
  std::vector<sim::Time> times;
};

class FaultList final : public devices::FaultSink {
public:
  void on_fault(const devices::FaultRecord& record) override { records.push_back(record); }
  std::vector<devices::FaultRecord> of(devices::FaultKind kind) const {
    std::vector<devices::FaultRecord> out;
    for (const auto& r : records) {
      if (r.kind == kind) out.push_back(r);
    }
    return out;
  }
  std::vector<devices::FaultRecord> records;
};

// A scheduled fault entry, as a scenario's `faults: [{kind, at, duration, magnitude}]` gives it.
inline devices::FaultSpec scheduled(devices::FaultKind kind, sim::Time at, sim::Time duration = sim::Time::zero(),
                                    double magnitude = 0.0) {
  devices::FaultSpec spec;
  spec.kind = kind;
  spec.at = at;
  spec.duration = duration;
  spec.magnitude = magnitude;
  return spec;
}

struct BenchOptions {
  std::function<void(sim::ParamSet&)> params;  // override defaults
  std::vector<devices::FaultSpec> faults;
  std::vector<sim::Time> times_of_day;
  std::uint64_t seed = 1;
  sim::Time latency = sim::Time::from_ms(5);
  double loss = 0.0;
  std::string id = "p0001-dev";
  sim::Time start_clock_time;
  network::Uplink* uplink = nullptr;  // instead of the bench's own link
};

// One device of `type` on `patient`, wired to a link and a collector.
class DeviceBench {
public:
  using Factory = std::function<std::unique_ptr<devices::Device>(devices::DeviceSetup)>;

  DeviceBench(devices::DeviceType type, physiology::SignalSource& patient, const BenchOptions& options = {})
      : DeviceBench(devices::device_type_info(type).params, devices::device_type_info(type).make, patient, options,
                    type) {}
  // A device outside the catalogue (a test double of the runtime), built from `table`.
  DeviceBench(std::span<const sim::ParamInfo> table, const Factory& make, physiology::SignalSource& patient,
              const BenchOptions& options = {}, devices::DeviceType type = devices::DeviceType::pulse_oximeter)
      : network_(network::direct_network("link", options.latency, options.loss), {"p0001"},
                 {network::DeviceEndpoint{options.id, 0, "link"}}, simulator, ingest, network_options(options.seed)) {
    devices::DeviceSetup setup;
    setup.id = options.id;
    setup.type = type;
    setup.params = sim::ParamSet(table);
    if (options.params) options.params(setup.params);
    setup.faults = options.faults;
    setup.times_of_day = options.times_of_day;
    setup.start_clock_time = options.start_clock_time;
    setup.patient = &patient;
    setup.uplink = options.uplink != nullptr ? options.uplink : &network_.uplink(0);
    setup.fault_sink = &faults;
    setup.bus = &bus;
    setup.master_seed = options.seed;
    device = make(std::move(setup));
    device->start(simulator);
  }
  void run_until(sim::Time end) {
    simulator.run_until(end);
    device->finish(end);
  }

  sim::Simulator simulator;
  Collector ingest;
  FaultList faults;
  devices::PatientBus bus;
  std::unique_ptr<devices::Device> device;

private:
  static network::NetworkOptions network_options(std::uint64_t seed) {
    network::NetworkOptions o;
    o.master_seed = seed;
    return o;
  }
  network::Network network_;
};

}  // namespace twinbed::testkit
