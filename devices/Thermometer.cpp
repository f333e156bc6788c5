#include "devices/Thermometer.hpp"

#include "devices/Measurement.hpp"

namespace twinbed::devices {
namespace {
// Clinical thermometers show 0.1 C over a range from moderate hypothermia (< 32 C) to beyond
// hyperpyrexia (> 41 C); outside it they show "Lo"/"Hi" (here: clamped, READING_CLAMPED).
constexpr Display CORE_TEMPERATURE_DISPLAY{0.1, 32.0, 43.0};
}  // namespace

const DeviceTypeInfo& thermometer_type() {
  using K = sim::ParamKind;
  static const DeviceTypeInfo info{
      DeviceType::thermometer,
      "thermometer",
      "clinical spot-check thermometer (core temperature) taken at vital-signs rounds",
      "temp",
      false,
      {physiology::Signal::core_temperature},
      {FaultKind::crash, FaultKind::calibration_drift, FaultKind::stuck_sensor},
      with_common_params(
          {
              // SD 0.12 C with the 0.1 C display (+0.029 C rounding SD) keeps 98.5 % of readings
              // within +/-0.3 C, inside the standard's laboratory accuracy with margin.
              {"error_sd", K::number, "C", 0.12, 0.0, 2.0, "measurement error (1 SD)",
               "ISO 80601-2-56: laboratory accuracy +/-0.3 C"},
              {"bias", K::number, "C", 0.0, -2.0, 2.0, "mean error of this thermometer (site offset)",
               "ISO 80601-2-56 clinical bias; 0 for a core-equivalent site"},
          },
          // Every 4 h: ward vital-signs rounds for a NEWS2 score of 1-4 (RCP NEWS2 2017: minimum
          // 4-6-hourly; 12-hourly when the score is 0). Battery: two AA alkaline cells (~2500 mAh);
          // a reading (probe heating/IR, display, radio) ~30 uAh; years of rounds.
          CommonDefaults{.sample_interval_s = 4 * 3600.0,
                         .battery_capacity_mah = 2500.0,
                         .idle_current_ua = 2.0,
                         .charge_per_sample_uah = 30.0,
                         .charge_per_packet_uah = 5.0}),
      [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<Thermometer>(std::move(setup)); }};
  return info;
}

Thermometer::Thermometer(DeviceSetup setup)
    : Device(std::move(setup)), bias_c_(params().number("bias")), error_sd_c_(params().number("error_sd")) {}

void Thermometer::measure(SampleContext& ctx, Output& out) {
  using physiology::Signal;
  std::uint16_t flags = network::READING_OK;
  const double value = devices::measure(ctx.patient.value(Signal::core_temperature) + bias_c_, error_sd_c_,
                                        ctx.noise.normal(0.0, 1.0), CORE_TEMPERATURE_DISPLAY, flags);
  out.reading(Signal::core_temperature, value, flags);
}

}  // namespace twinbed::devices
