#include "harness/TelemetryStats.hpp"

#include <algorithm>

namespace twinbed::harness {

void TelemetryStats::consume(const network::Packet& packet, sim::Time delivered) {
  DeviceTelemetry& device = devices_[packet.device];
  const auto seq = static_cast<std::int64_t>(packet.seq);
  if (packet.seq >= device.seen_seq.size()) device.seen_seq.resize(std::max<std::size_t>(packet.seq + 1, device.seen_seq.size() * 2));
  if (device.seen_seq[packet.seq]) {
    ++device.duplicates;
    return;  // a duplicate adds nothing new: not counted as received, not in latency
  }
  device.seen_seq[packet.seq] = true;
  if (seq < device.highest_seq) {
    ++device.out_of_order;
  } else {
    if (device.highest_seq >= 0) {
      device.max_gap = std::max(device.max_gap, packet.sent - device.last_sample);
    } else {
      device.first_sample = packet.sent;
    }
    device.highest_seq = seq;
    device.last_sample = packet.sent;
  }
  ++device.packets_received;
  device.readings_received += packet.readings.size();
  readings_received_ += packet.readings.size();
  for (const network::Reading& reading : packet.readings) latency_.add(delivered - reading.sample_time);
}

nlohmann::json TelemetryStats::to_json(const World& world, sim::Time end) const {
  std::uint64_t generated = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t out_of_order = 0;
  sim::Time max_gap = sim::Time::zero();
  double worst_completeness = 1.0;
  nlohmann::json per_device = nlohmann::json::array();
  for (std::size_t i = 0; i < devices_.size(); ++i) {
    const DeviceTelemetry& d = devices_[i];
    const sim::Time device_gap =
        d.highest_seq < 0 ? end : std::max({d.max_gap, d.first_sample, end - d.last_sample});
    const std::uint64_t device_generated = world.devices()[i]->counters().readings;
    const double completeness =
        device_generated ? static_cast<double>(d.readings_received) / static_cast<double>(device_generated) : 1.0;
    generated += device_generated;
    duplicates += d.duplicates;
    out_of_order += d.out_of_order;
    max_gap = std::max(max_gap, device_gap);
    worst_completeness = std::min(worst_completeness, completeness);
    per_device.push_back({{"device", world.device_info()[i].id},
                          {"generated", device_generated},
                          {"received", d.readings_received},
                          {"completeness", completeness},
                          {"max_gap_s", device_gap.seconds()}});
  }
  const double completeness = generated ? static_cast<double>(readings_received_) / static_cast<double>(generated) : 1.0;
  return {{"generated", generated},
          {"received", readings_received_},
          {"missing", generated - readings_received_},
          {"completeness", completeness},
          {"completeness_worst_device", worst_completeness},
          {"duplicates", duplicates},
          {"out_of_order", out_of_order},
          {"max_gap_s", max_gap.seconds()},
          {"latency",
           {{"count", latency_.count()},
            {"mean", latency_.mean_seconds()},
            {"p50", latency_.quantile(0.50).seconds()},
            {"p95", latency_.quantile(0.95).seconds()},
            {"p99", latency_.quantile(0.99).seconds()},
            {"max", latency_.max().seconds()}}},
          {"per_device", per_device}};
}

}  // namespace twinbed::harness
