#pragma once
// devices::PulseOximeter: a finger/wrist pulse oximeter reporting SpO2 and pulse rate. The
// walking-skeleton measurement model: Gaussian error, quantisation to the display resolution and
// clamping to the display range.
#include <string>

#include "devices/Device.hpp"
#include "network/Packet.hpp"
#include "physiology/Signal.hpp"
#include "sim/RandomStream.hpp"

namespace twinbed::devices {

struct PulseOximeterParams {
  sim::Time sample_interval = sim::Time::from_s(1);
  // ISO 80601-2-61 requires SpO2 accuracy (Arms) <= 4 % over 70-100 %, the FDA's 2013 guidance
  // <= 3 %; current devices state about 2 %.
  double spo2_error_sd_percent = 2.0;
  // Pulse rate accuracy is commonly stated as +-3 bpm or 3 %.
  double heart_rate_error_sd_bpm = 3.0;
};

// Display model: value rounded to `resolution`, clamped to [low, high]. Sets READING_CLAMPED.
struct Display {
  double resolution;
  double low;
  double high;
};
// True value plus error (z ~ N(0,1) scaled by sd), quantised and clamped. Pure: testable alone.
double measure(double truth, double error_sd, double z, const Display& display, std::uint16_t& flags);

class PulseOximeter final : public Device {
public:
  PulseOximeter(std::string id, std::uint32_t index, std::uint32_t patient_index, const PulseOximeterParams& params,
                physiology::SignalSource& patient, network::Uplink& uplink, std::uint64_t master_seed,
                std::uint32_t replication);

  void start(sim::Simulator& simulator) override;
  const std::string& id() const override { return id_; }
  const DeviceCounters& counters() const override { return counters_; }

private:
  void sample(sim::Simulator& simulator);

  std::string id_;
  std::uint32_t index_;
  std::uint32_t patient_index_;
  PulseOximeterParams params_;
  physiology::SignalSource& patient_;
  network::Uplink& uplink_;
  sim::RandomStream noise_stream_;
  sim::RandomStream phase_stream_;
  DeviceCounters counters_;
};

}  // namespace twinbed::devices
