#pragma once
// harness::TelemetryStats: what arrived, how fast, how complete. Completeness per device
// (received / generated readings), end-to-end latency (delivery - sample), duplicates,
// out-of-order packets and the longest gap between consecutive received samples.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/LatencyHistogram.hpp"
#include "harness/Sink.hpp"
#include "harness/World.hpp"

namespace twinbed::harness {

struct DeviceTelemetry {
  std::uint64_t packets_received = 0;
  std::uint64_t readings_received = 0;
  std::uint64_t duplicates = 0;    // packets whose sequence number was already received
  std::uint64_t out_of_order = 0;  // packets older than one already received
  sim::Time max_gap = sim::Time::zero();
  // Internal bookkeeping.
  std::vector<bool> seen_seq;
  std::int64_t highest_seq = -1;
  sim::Time first_sample = sim::Time::zero();
  sim::Time last_sample = sim::Time::zero();
};

class TelemetryStats final : public Sink {
public:
  explicit TelemetryStats(std::size_t device_count) : devices_(device_count) {}
  void consume(const network::Packet& packet, sim::Time delivered) override;

  const DeviceTelemetry& device(std::size_t index) const { return devices_[index]; }
  const LatencyHistogram& latency() const { return latency_; }
  std::uint64_t readings_received() const { return readings_received_; }

  // The "telemetry" object of summary.json; `generated` comes from the devices' counters. The
  // maximum gap also counts the stretches from the run's start to a device's first received
  // sample and from its last one to `end`, so a device that falls silent shows up.
  nlohmann::json to_json(const World& world, sim::Time end) const;

private:
  std::vector<DeviceTelemetry> devices_;
  LatencyHistogram latency_;
  std::uint64_t readings_received_ = 0;
};

}  // namespace twinbed::harness
