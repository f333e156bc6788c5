#pragma once
// devices::WeightScale: a connected bathroom scale of a heart-failure telemonitoring programme; the
// patient weighs once a day (times_of_day in the scenario, e.g. [450min] for 07:30), when they remember.
#include "devices/Device.hpp"

namespace twinbed::devices {

class WeightScale final : public Device {
public:
  explicit WeightScale(DeviceSetup setup);

protected:
  void measure(SampleContext& ctx, Output& out) override;

private:
  double error_sd_kg_;
  double clothing_kg_;
};

}  // namespace twinbed::devices
