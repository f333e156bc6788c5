#include "devices/WeightScale.hpp"

#include "devices/Measurement.hpp"

namespace twinbed::devices {
namespace {
// 0.1 kg display (spec section 5: heart-failure programme scales) up to a bathroom scale's
// capacity (150-200 kg).
constexpr Display WEIGHT_DISPLAY{0.1, 0.0, 200.0};
}  // namespace

const DeviceTypeInfo& weight_scale_type() {
  using K = sim::ParamKind;
  static const DeviceTypeInfo info{
      DeviceType::weight_scale,
      "weight_scale",
      "connected weight scale for heart-failure home monitoring: once a day, 0.1 kg; set times_of_day "
      "(e.g. [450min] for 07:30) for a morning weighing, adherence and delay_max for how the patient keeps to it",
      "scale",
      false,
      {physiology::Signal::weight},
      {FaultKind::crash, FaultKind::calibration_drift, FaultKind::stuck_sensor},
      with_common_params(
          {
              {"error_sd", K::number, "kg", 0.1, 0.0, 5.0, "weighing error (1 SD)",
               "OIML R 76 class III, e = 0.1 kg: maximum permissible error in service +/-0.2 kg at 80 kg (2 SD)"},
              {"clothing_kg", K::number, "kg", 0.0, 0.0, 10.0,
               "what the patient wears on the scale (added to the reading)",
               "0: programmes ask for a weighing in the same light clothes each morning; the offset is constant"},
          },
          // Once a day (spec section 5). Without times_of_day the first weighing falls at a random
          // time of the first day, then every 24 h. Battery: AAA alkaline cells (~1100 mAh);
          // 40 uA step-on sensing and radio idle, ~50 uAh per weighing: about three years.
          CommonDefaults{.sample_interval_s = 86400.0,
                         .battery_capacity_mah = 1100.0,
                         .idle_current_ua = 40.0,
                         .charge_per_sample_uah = 50.0,
                         .charge_per_packet_uah = 10.0}),
      [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<WeightScale>(std::move(setup)); }};
  return info;
}

WeightScale::WeightScale(DeviceSetup setup)
    : Device(std::move(setup)), error_sd_kg_(params().number("error_sd")),
      clothing_kg_(params().number("clothing_kg")) {}

void WeightScale::measure(SampleContext& ctx, Output& out) {
  using physiology::Signal;
  std::uint16_t flags = network::READING_OK;
  const double value = devices::measure(ctx.patient.value(Signal::weight) + clothing_kg_, error_sd_kg_,
                                        ctx.noise.normal(0.0, 1.0), WEIGHT_DISPLAY, flags);
  out.reading(Signal::weight, value, flags);
}

}  // namespace twinbed::devices
