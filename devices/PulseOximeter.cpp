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

const DeviceTypeInfo& pulse_oximeter_type() {
  static const DeviceTypeInfo info{
      DeviceType::pulse_oximeter,
      "pulse_oximeter",
      "finger or wrist pulse oximeter: SpO2 and pulse rate",
      "spo2",
      false,
      {physiology::Signal::spo2, physiology::Signal::heart_rate},
      {FaultKind::motion, FaultKind::detachment, FaultKind::crash, FaultKind::stuck_sensor},
      with_common_params(
          {
              {"spo2_error_sd", ParamKind::number, "%", 2.0, 0.0, 20.0, "SpO2 error (1 SD)",
               "ISO 80601-2-61; FDA 2013: Arms <= 3 %"},
              {"heart_rate_error_sd", ParamKind::number, "/min", 3.0, 0.0, 50.0, "pulse rate error (1 SD)",
               "typical datasheets: +/-3 bpm"},
          },
          CommonDefaults{.sample_interval_s = 1.0}),
      [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<PulseOximeter>(std::move(setup)); }};
  return info;
}

PulseOximeter::PulseOximeter(DeviceSetup setup)
    : Device(std::move(setup)), spo2_error_sd_(params().number("spo2_error_sd")),
      heart_rate_error_sd_(params().number("heart_rate_error_sd")) {}

void PulseOximeter::measure(SampleContext& ctx, Output& out) {
  using physiology::Signal;
  std::uint16_t flags = network::READING_OK;
  const double spo2 = devices::measure(ctx.patient.value(Signal::spo2), spo2_error_sd_, ctx.noise.normal(0.0, 1.0),
                                       SPO2_DISPLAY, flags);
  out.reading(Signal::spo2, spo2, flags);
  flags = network::READING_OK;
  const double hr = devices::measure(ctx.patient.value(Signal::heart_rate), heart_rate_error_sd_,
                                     ctx.noise.normal(0.0, 1.0), PULSE_RATE_DISPLAY, flags);
  out.reading(Signal::heart_rate, hr, flags);
}

}  // namespace twinbed::devices
