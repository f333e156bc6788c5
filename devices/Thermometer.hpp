#pragma once
// devices::Thermometer: a clinical spot-check thermometer (core temperature), used at vital-signs
// rounds. A reading is the true core temperature plus a Gaussian error, shown to 0.1 C.
#include "devices/Device.hpp"

namespace twinbed::devices {

class Thermometer final : public Device {
public:
  explicit Thermometer(DeviceSetup setup);

protected:
  void measure(SampleContext& ctx, Output& out) override;

private:
  double bias_c_;
  double error_sd_c_;
};

}  // namespace twinbed::devices
