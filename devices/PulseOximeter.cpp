#include "devices/PulseOximeter.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::devices {
namespace {
// Display ranges of a typical bedside/finger oximeter (e.g. Masimo Radical-7: SpO2 0-100 %,
// pulse rate 25-240 bpm), both shown as integers.
constexpr Display SPO2_DISPLAY{1.0, 0.0, 100.0};
constexpr Display PULSE_RATE_DISPLAY{1.0, 25.0, 240.0};
}  // namespace

double measure(double truth, double error_sd, double z, const Display& display, std::uint16_t& flags) {
  const double noisy = truth + error_sd * z;
  const double quantised = std::round(noisy / display.resolution) * display.resolution;
  if (quantised < display.low || quantised > display.high) flags |= network::READING_CLAMPED;
  return std::clamp(quantised, display.low, display.high);
}

PulseOximeter::PulseOximeter(std::string id, std::uint32_t index, std::uint32_t patient_index,
                             const PulseOximeterParams& params, physiology::SignalSource& patient,
                             network::Uplink& uplink, std::uint64_t master_seed, std::uint32_t replication)
    : id_(std::move(id)), index_(index), patient_index_(patient_index), params_(params), patient_(patient),
      uplink_(uplink), noise_stream_(master_seed, replication, id_, "noise"),
      phase_stream_(master_seed, replication, id_, "phase") {}

void PulseOximeter::start(sim::Simulator& simulator) {
  // Devices are not switched on in lockstep: the first sample falls at a uniform phase.
  const auto phase_ns = static_cast<std::int64_t>(
      phase_stream_.uniform_int(static_cast<std::uint64_t>(params_.sample_interval.ns())));
  simulator.schedule_at(simulator.now() + sim::Time::from_ns(phase_ns), [this, &simulator]() { sample(simulator); });
}

void PulseOximeter::sample(sim::Simulator& simulator) {
  const sim::Time now = simulator.now();
  patient_.advance_to(now);
  network::Packet packet;
  packet.device = index_;
  packet.seq = static_cast<std::uint32_t>(counters_.packets);
  packet.sent = now;
  packet.readings.reserve(2);
  using physiology::Signal;
  const struct {
    Signal signal;
    double error_sd;
    const Display& display;
  } channels[] = {{Signal::spo2, params_.spo2_error_sd_percent, SPO2_DISPLAY},
                  {Signal::heart_rate, params_.heart_rate_error_sd_bpm, PULSE_RATE_DISPLAY}};
  for (const auto& channel : channels) {
    network::Reading reading;
    reading.sample_time = now;
    reading.patient = patient_index_;
    reading.device = index_;
    reading.signal = static_cast<std::uint8_t>(channel.signal);
    reading.value = measure(patient_.value(channel.signal), channel.error_sd, noise_stream_.normal(0.0, 1.0),
                            channel.display, reading.flags);
    packet.readings.push_back(reading);
  }
  ++counters_.samples;
  counters_.readings += packet.readings.size();
  ++counters_.packets;
  uplink_.send(std::move(packet));
  simulator.schedule_in(params_.sample_interval, [this, &simulator]() { sample(simulator); });
}

}  // namespace twinbed::devices
