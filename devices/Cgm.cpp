#include "devices/Cgm.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace twinbed::devices {
namespace {
constexpr double MINUTE_S = 60.0;

// A CGM has no "on demand" mode: a sample_interval of 0 (the type's default) means the chosen
// sensor's own period, so picking `sensor: navigator` alone gives 1-minute readings.
DeviceSetup follow_sensor_period(DeviceSetup setup) {
  if (setup.params.number("sample_interval") == 0.0 && setup.times_of_day.empty()) {
    const CgmSensorModel& sensor = cgm_sensor_models()[setup.params.choice("sensor")];
    setup.params.set("sample_interval", sensor.sample_period_min * MINUTE_S);
  }
  return setup;
}
}  // namespace

const std::array<CgmSensorModel, 3>& cgm_sensor_models() {
  // simglucose params/sensor_params.csv (Jinyu Xie, MIT licence; data/uva_padova/SOURCE.md and
  // LICENSE-simglucose.txt): the Breton & Kovatchev (2008) noise fit shared by all three models,
  // each model's sample period (min) and display range (mg/dL).
  static const std::array<CgmSensorModel, 3> models{{
      {"dexcom", {0.7, -0.5444, 15.9574, 1.6898, -5.47}, 3.0, 39.0, 600.0},
      {"guardian_rt", {0.7, -0.5444, 15.9574, 1.6898, -5.47}, 5.0, 39.0, 600.0},
      {"navigator", {0.7, -0.5444, 15.9574, 1.6898, -5.47}, 1.0, 32.0, 600.0},
  }};
  return models;
}

double johnson_su(double e, const CgmNoiseParams& p) { return p.xi + p.lambda * std::sinh((e - p.gamma) / p.delta); }

double catmull_rom(double p0, double p1, double p2, double p3, double u) {
  const double u2 = u * u;
  const double u3 = u2 * u;
  return 0.5 * (2.0 * p1 + (p2 - p0) * u + (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3) * u2 +
                (3.0 * p1 - p0 - 3.0 * p2 + p3) * u3);
}

double cgm_reading(double truth_mg_dl, double noise_mg_dl, double compression_percent, double min_mg_dl,
                   double max_mg_dl, std::uint16_t& flags) {
  // Compression lowers the glucose the sensor itself sees (pressure on the interstitial site);
  // the sensor's error adds on top.
  const double value = truth_mg_dl * (1.0 - compression_percent / 100.0) + noise_mg_dl;
  if (value < min_mg_dl || value > max_mg_dl) flags |= network::READING_CLAMPED;
  return std::clamp(value, min_mg_dl, max_mg_dl);
}

// --- CgmNoise ---------------------------------------------------------------------------------------

double CgmNoise::grid_point(std::int64_t k, sim::RandomStream& rng) {
  while (generated_ <= k) {
    // simglucose noise_gen.py: e_0 ~ N(0,1), then e_k = PACF (e_{k-1} + N(0,1)).
    const double z = rng.normal(0.0, 1.0);
    e_ = generated_ == 0 ? z : params_.pacf * (e_ + z);
    kept_.push_back(johnson_su(e_, params_));
    ++generated_;
  }
  return kept_[static_cast<std::size_t>(k - first_kept_)];
}

double CgmNoise::at(double minutes, sim::RandomStream& rng) {
  const double grid = std::max(0.0, minutes) / CGM_NOISE_GRID_MIN;
  const auto k = static_cast<std::int64_t>(std::floor(grid));
  const double u = grid - static_cast<double>(k);
  // Keep the points k-1 .. k+2 the cubic needs; older ones are never asked for again.
  const double p3 = grid_point(k + 2, rng);
  const double p2 = grid_point(k + 1, rng);
  const double p1 = grid_point(k, rng);
  const double p0 = k > 0 ? grid_point(k - 1, rng) : p1;  // the first segment: no point before
  while (first_kept_ < k - 1) {
    kept_.pop_front();
    ++first_kept_;
  }
  return catmull_rom(p0, p1, p2, p3, u);
}

// --- catalogue ---------------------------------------------------------------------------------------

const DeviceTypeInfo& cgm_type() {
  using K = sim::ParamKind;
  static const DeviceTypeInfo info{
      DeviceType::cgm,
      "cgm",
      "continuous glucose monitor: interstitial glucose with the Breton-Kovatchev error model, warm-up, "
      "sensor life and compression lows",
      "cgm",
      false,
      {physiology::Signal::interstitial_glucose, physiology::Signal::device_alert},
      {FaultKind::compression, FaultKind::signal_loss, FaultKind::calibration_drift, FaultKind::stuck_sensor,
       FaultKind::detachment, FaultKind::crash},
      with_common_params(
          {
              {"sensor", K::choice, "", 0.0, 0.0, 2.0,
               "sensor model: noise, sample period (3 / 5 / 1 min, used when sample_interval is 0) and range "
               "([39, 600] / [39, 600] / [32, 600] mg/dL)",
               "simglucose sensor_params.csv (MIT, J. Xie); Breton & Kovatchev 2008",
               {"dexcom", "guardian_rt", "navigator"}},
              {"warm_up", K::duration, "", 2.0 * 3600.0, 0.0, 12.0 * 3600.0,
               "no values after each sensor insertion (warm_up fault)",
               "spec section 5: 1-2 h; Dexcom G6 user guide: 2 h"},
              {"sensor_life", K::duration, "", 10.0 * 86400.0, 0.0, 30.0 * 86400.0,
               "sensor life from insertion, warm-up included; then sensor_expired (fault and alert); 0 = unlimited",
               "spec section 5: 10-14 days; Dexcom G6: 10 days"},
              {"replacement_delay", K::duration, "", 3600.0, 0.0, 7.0 * 86400.0,
               "time from expiry until the patient inserts a new sensor (which then warms up)", "scenario choice"},
              {"compression_drop", K::number, "%", 40.0, 0.0, 100.0,
               "fall of the glucose the sensor sees during a compression fault whose magnitude is 0",
               "illustrative: compression lows are falsely low readings of tens of mg/dL (Mensh et al., J Diabetes "
               "Sci Technol 7:863, 2013; Baysal et al., J Diabetes Sci Technol 8:1091, 2014)"},
          },
          // Dexcom G6 class: a coin-cell transmitter meant to last its 90-day life (Dexcom G6 user
          // guide); 26 mAh at 8 uA idle plus 0.2 uAh per 3-minute reading gives ~90 days. Each
          // reading is sent at once (batch 1); the transmitter holds 3 h for backfill (60 readings
          // at 3 min; Dexcom G6 user guide: up to 3 h of backfill).
          CommonDefaults{.sample_interval_s = 0.0,
                         .battery_capacity_mah = 26.0,
                         .idle_current_ua = 8.0,
                         .charge_per_packet_uah = 0.2,
                         .buffer_capacity = 60.0}),
      [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<Cgm>(std::move(setup)); }};
  return info;
}

// --- Cgm ----------------------------------------------------------------------------------------------

Cgm::Cgm(DeviceSetup setup)
    : Device(follow_sensor_period(std::move(setup))), sensor_(cgm_sensor_models()[params().choice("sensor")]),
      warm_up_(params().duration("warm_up")), sensor_life_(params().duration("sensor_life")),
      replacement_delay_(params().duration("replacement_delay")),
      compression_default_percent_(params().number("compression_drop")), noise_(sensor_.noise) {}

void Cgm::on_start(SampleContext& ctx) { start_session(ctx.now); }

// A new sensor: fresh noise (simglucose draws a new sequence per sensor), a warm-up, a life.
void Cgm::start_session(sim::Time at) {
  noise_ = CgmNoise(sensor_.noise);
  grid_anchored_ = false;
  ++session_;
  if (warm_up_ > sim::Time::zero()) {
    warming_up_ = true;
    begin_fault(FaultKind::warm_up, 0.0, at);
    simulator().schedule_at(at + warm_up_, [this, session = session_]() {
      if (session == session_) end_warm_up();
    });
  }
  if (sensor_life_ > sim::Time::zero()) simulator().schedule_at(at + sensor_life_, [this]() { expire(); });
}

void Cgm::end_warm_up() {
  if (!warming_up_) return;
  warming_up_ = false;
  end_fault(FaultKind::warm_up);
}

void Cgm::expire() {
  end_warm_up();  // a sensor life shorter than its warm-up
  expired_ = true;
  expiry_alert_due_ = true;
  begin_fault(FaultKind::sensor_expired);
  simulator().schedule_in(replacement_delay_, [this]() {
    expired_ = false;
    end_fault(FaultKind::sensor_expired);
    start_session(simulator().now());
  });
}

void Cgm::measure(SampleContext& ctx, Output& out) {
  if (expiry_alert_due_) {
    expiry_alert_due_ = false;
    out.alert(AlertCode::sensor_expired);
  }
  if (warming_up_ || expired_ || ctx.faults.active(FaultKind::detachment)) return;
  if (!grid_anchored_) {
    // simglucose starts the noise grid at the sensor's first measurement.
    grid_anchored_ = true;
    grid_origin_ = ctx.now;
  }
  const double noise = noise_.at((ctx.now - grid_origin_).seconds() / MINUTE_S, ctx.noise);
  double compression = 0.0;
  if (ctx.faults.active(FaultKind::compression)) {
    const double magnitude = ctx.faults.get(FaultKind::compression).magnitude;
    compression = magnitude > 0.0 ? magnitude : compression_default_percent_;
  }
  std::uint16_t flags = network::READING_OK;
  const double value = cgm_reading(ctx.patient.value(physiology::Signal::interstitial_glucose), noise, compression,
                                   sensor_.min_mg_dl, sensor_.max_mg_dl, flags);
  out.reading(physiology::Signal::interstitial_glucose, value, flags);
  // The pump's bolus calculator sees what the CGM displays. The base applies signal loss, a stuck
  // sensor and calibration drift after measure(): mirror the first two here (no fresh value);
  // drift is applied as the base does, from the fault's start.
  if (ctx.faults.active(FaultKind::signal_loss) || ctx.faults.active(FaultKind::stuck_sensor)) return;
  double shown = value;
  const FaultState::Active& drift = ctx.faults.get(FaultKind::calibration_drift);
  if (drift.on) shown *= 1.0 + drift.magnitude / 100.0 * (ctx.now - drift.since).seconds() / 86400.0;
  ctx.bus.cgm_mg_dl = shown;
  ctx.bus.cgm_time = ctx.now;
}

}  // namespace twinbed::devices
