#pragma once
// devices::SkinTempPatch: a continuous wearable skin-temperature patch. Its sensor follows what it
// touches with a thermal time constant: the skin (plus a slow ambient-driven drift) while attached,
// the room air once it comes off - a falsely low reading, not a missing one.
#include "devices/Device.hpp"

namespace twinbed::devices {

// First-order thermal response: the sensor temperature `dt` after it was `from_c`, facing
// `target_c` with time constant `tau`. Pure.
double relax_temperature(double from_c, double target_c, sim::Time dt, sim::Time tau);

class SkinTempPatch final : public Device {
public:
  explicit SkinTempPatch(DeviceSetup setup);

protected:
  void measure(SampleContext& ctx, Output& out) override;
  void on_fault(FaultKind kind, bool active, SampleContext& ctx) override;

private:
  // Brings the drift and the sensor temperature to ctx.now, the patch `attached` all along since
  // the last update.
  void advance(SampleContext& ctx, bool attached);

  double noise_sd_c_, bias_c_, drift_sd_c_, ambient_c_;
  sim::Time drift_tau_, thermal_tau_;

  // State.
  bool started_ = false;
  sim::Time updated_;
  double drift_c_ = 0.0;   // skin-to-sensor offset (bias + ambient-driven drift)
  double sensor_c_ = 0.0;  // the sensor's own temperature
};

}  // namespace twinbed::devices
