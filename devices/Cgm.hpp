#pragma once
// devices::Cgm: a continuous glucose monitor. It reads the patient's interstitial glucose and adds
// the CGM error process of Breton & Kovatchev (J Diabetes Sci Technol 2:853, 2008) as simglucose
// implements it: an AR(1) sequence on a 15-minute grid, mapped through a Johnson SU transform and
// interpolated (cubic) to the sensor's sample period, clipped to the sensor's range. The sensor
// has a warm-up without values, a limited life (then `sensor_expired` until the patient inserts a
// new one, which warms up again) and injected compression lows (lying on the sensor at night).
// Each value is published on the PatientBus for an insulin pump's bolus calculator.
#include <array>
#include <cstdint>
#include <deque>
#include <string_view>

#include "devices/Device.hpp"

namespace twinbed::devices {

// Parameters of the CGM error model (Johnson SU of an AR(1) process on a 15-minute grid).
struct CgmNoiseParams {
  double pacf = 0.0;    // lag-one (15 min) autocorrelation of the underlying Gaussian process
  double gamma = 0.0;   // Johnson SU shape
  double lambda = 0.0;  // Johnson SU scale, mg/dL
  double delta = 1.0;   // Johnson SU shape
  double xi = 0.0;      // Johnson SU location, mg/dL
};

// One row of simglucose's sensor_params.csv: a CGM model's noise, sample period and range.
struct CgmSensorModel {
  std::string_view name;
  CgmNoiseParams noise;
  double sample_period_min = 0.0;
  double min_mg_dl = 0.0;
  double max_mg_dl = 0.0;
};

// Dexcom, GuardianRT, Navigator, in the order of the `sensor` choice.
const std::array<CgmSensorModel, 3>& cgm_sensor_models();

// The minutes between two points of the noise grid (Breton & Kovatchev 2008).
inline constexpr double CGM_NOISE_GRID_MIN = 15.0;

// Johnson SU transform of the Gaussian grid value e: xi + lambda sinh((e - gamma) / delta), mg/dL.
double johnson_su(double e, const CgmNoiseParams& params);

// Catmull-Rom cubic through p1 (u = 0) and p2 (u = 1), with neighbours p0 and p3: passes through
// every grid point, so on-grid values follow the Johnson SU law exactly.
double catmull_rom(double p0, double p1, double p2, double p3, double u);

// The reading for a true interstitial glucose: the truth lowered by `compression_percent` (a
// compression low), plus the sensor error, clipped to the sensor's range (READING_CLAMPED).
double cgm_reading(double truth_mg_dl, double noise_mg_dl, double compression_percent, double min_mg_dl,
                   double max_mg_dl, std::uint16_t& flags);

// The error sequence of one sensor: Johnson SU values on the 15-minute grid, drawn lazily from
// `rng` (e_0 ~ N(0,1), e_k = pacf (e_{k-1} + N(0,1))), interpolated between grid points.
class CgmNoise {
public:
  explicit CgmNoise(const CgmNoiseParams& params) : params_(params) {}
  // Error (mg/dL) `minutes` after the grid origin; `minutes` must not decrease between calls.
  double at(double minutes, sim::RandomStream& rng);
  // The Johnson SU value of grid point k (generated on demand; k must not fall behind).
  double grid_point(std::int64_t k, sim::RandomStream& rng);

private:
  CgmNoiseParams params_;
  double e_ = 0.0;                // Gaussian state of the last generated grid point
  std::int64_t generated_ = 0;    // grid points generated so far
  std::int64_t first_kept_ = 0;   // grid index of kept_.front()
  std::deque<double> kept_;       // Johnson SU values of grid points first_kept_...
};

class Cgm final : public Device {
public:
  explicit Cgm(DeviceSetup setup);

protected:
  void on_start(SampleContext& ctx) override;
  void measure(SampleContext& ctx, Output& out) override;

private:
  void start_session(sim::Time at);
  void end_warm_up();
  void expire();

  CgmSensorModel sensor_;
  sim::Time warm_up_, sensor_life_, replacement_delay_;
  double compression_default_percent_ = 0.0;
  CgmNoise noise_;
  std::uint64_t session_ = 0;  // sensors inserted so far (stale warm-up ends are ignored)
  bool warming_up_ = false;
  bool expired_ = false;
  bool expiry_alert_due_ = false;
  bool grid_anchored_ = false;  // the grid starts at the session's first reading
  sim::Time grid_origin_;
};

const DeviceTypeInfo& cgm_type();

}  // namespace twinbed::devices
