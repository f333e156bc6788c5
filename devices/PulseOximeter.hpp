#pragma once
// devices::PulseOximeter: a finger/wrist pulse oximeter reporting SpO2 and pulse rate.
#include "devices/Device.hpp"

namespace twinbed::devices {

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
  explicit PulseOximeter(DeviceSetup setup);

protected:
  void measure(SampleContext& ctx, Output& out) override;

private:
  double spo2_error_sd_;
  double heart_rate_error_sd_;
};

}  // namespace twinbed::devices
