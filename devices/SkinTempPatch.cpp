#include "devices/SkinTempPatch.hpp"

#include <cmath>

#include "devices/Measurement.hpp"
#include "physiology/OrnsteinUhlenbeck.hpp"

namespace twinbed::devices {
namespace {
// 0.1 C display over the thermistor's operating range (room air to fever).
constexpr Display SKIN_TEMPERATURE_DISPLAY{0.1, 0.0, 50.0};
}  // namespace

double relax_temperature(double from_c, double target_c, sim::Time dt, sim::Time tau) {
  return target_c + (from_c - target_c) * std::exp(-dt.seconds() / tau.seconds());
}

const DeviceTypeInfo& skin_temp_patch_type() {
  using K = sim::ParamKind;
  static const DeviceTypeInfo info{
      DeviceType::skin_temp_patch,
      "skin_temp_patch",
      "continuous wearable skin-temperature patch; reads towards room temperature when it comes off",
      "skintemp",
      false,
      {physiology::Signal::skin_temperature},
      {FaultKind::detachment, FaultKind::crash, FaultKind::calibration_drift, FaultKind::stuck_sensor,
       FaultKind::signal_loss},
      with_common_params(
          {
              {"noise_sd", K::number, "C", 0.05, 0.0, 1.0, "reading-to-reading sensor noise (1 SD)",
               "thermistor + ADC noise, below the 0.1 C display step (assumption)"},
              {"bias", K::number, "C", 0.0, -5.0, 5.0, "mean offset of the patch from the skin under it",
               "0: the physiology already puts the skin 1-4 C below core (spec section 5)"},
              {"drift_sd", K::number, "C", 0.3, 0.0, 5.0,
               "ambient-driven drift (1 SD of an Ornstein-Uhlenbeck process around the bias)",
               "spec section 5: skin patches drift with ambient temperature (magnitude: assumption)"},
              {"drift_tau", K::duration, "", 3600.0, 60.0, 7 * 86400.0, "correlation time of the drift",
               "room temperature and bedding change over hours (assumption)"},
              {"ambient_c", K::number, "C", 23.0, -20.0, 45.0,
               "room temperature a detached patch cools towards",
               "hospital rooms are kept at about 21-24 C"},
              {"thermal_time_constant", K::duration, "", 180.0, 1.0, 3600.0,
               "time constant of the sensor towards what it touches (skin, or air when detached)",
               "estimate: ~2 J/K patch, ~10 W/(m2 K) still-air convection over ~10 cm2 gives ~200 s"},
          },
          // Every minute: continuous patches report at intervals of seconds to minutes. Battery: a
          // small coin cell (~30 mAh); 30 uA radio idle, 0.2 uAh per reading, 5 uAh per packet of
          // 5 readings: ~100 uA on average, about 12 days.
          CommonDefaults{.sample_interval_s = 60.0,
                         .battery_capacity_mah = 30.0,
                         .idle_current_ua = 30.0,
                         .charge_per_sample_uah = 0.2,
                         .charge_per_packet_uah = 5.0,
                         .batch_readings = 5.0}),
      [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<SkinTempPatch>(std::move(setup)); }};
  return info;
}

SkinTempPatch::SkinTempPatch(DeviceSetup setup)
    : Device(std::move(setup)), noise_sd_c_(params().number("noise_sd")), bias_c_(params().number("bias")),
      drift_sd_c_(params().number("drift_sd")), ambient_c_(params().number("ambient_c")),
      drift_tau_(params().duration("drift_tau")), thermal_tau_(params().duration("thermal_time_constant")) {}

void SkinTempPatch::advance(SampleContext& ctx, bool attached) {
  const double z = ctx.noise.normal(0.0, 1.0);
  const physiology::OuParams drift{bias_c_, drift_sd_c_, drift_tau_};
  if (!started_) {
    // The patch starts on the skin at thermal equilibrium, its drift at a stationary draw.
    started_ = true;
    updated_ = ctx.now;
    drift_c_ = bias_c_ + drift_sd_c_ * z;
    sensor_c_ = attached ? ctx.patient.value(physiology::Signal::skin_temperature) + drift_c_ : ambient_c_;
    return;
  }
  const sim::Time dt = ctx.now - updated_;
  updated_ = ctx.now;
  drift_c_ = physiology::ou_step(drift_c_, drift, dt, z);
  // The target is held over the step: the skin changes over tens of minutes, the step is minutes.
  const double target_c = attached ? ctx.patient.value(physiology::Signal::skin_temperature) + drift_c_ : ambient_c_;
  sensor_c_ = relax_temperature(sensor_c_, target_c, dt, thermal_tau_);
}

void SkinTempPatch::on_fault(FaultKind kind, bool active, SampleContext& ctx) {
  // Close the interval before the change with the state it had: attached before a detachment
  // starts, detached before it ends. The exponential then starts exactly at the change.
  if (kind == FaultKind::detachment) advance(ctx, active);
}

void SkinTempPatch::measure(SampleContext& ctx, Output& out) {
  advance(ctx, !ctx.faults.active(FaultKind::detachment));
  std::uint16_t flags = network::READING_OK;
  const double value =
      devices::measure(sensor_c_, noise_sd_c_, ctx.noise.normal(0.0, 1.0), SKIN_TEMPERATURE_DISPLAY, flags);
  out.reading(physiology::Signal::skin_temperature, value, flags);
}

}  // namespace twinbed::devices
