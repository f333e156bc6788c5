#pragma once
// devices::PulseOximeter: a finger pulse oximeter reporting SpO2, pulse rate and perfusion index.
//
// SpO2. Each sample makes an internal value: truth + skin-pigmentation bias + a slowly varying
// error (Ornstein-Uhlenbeck, `spo2_error_sd`, `spo2_error_time_constant`) + per-sample noise
// (`spo2_noise_sd`); the displayed value is the moving average of the internal values over
// `averaging_window` (4-16 s: adds lag), rounded to an integer and clamped to 0-100. The defaults
// give an ARMS of ~2.5 % over SpO2 70-100 % (ISO 80601-2-61 / FDA 2013 allow <= 3 %).
// Pigmentation: a positive bias (overestimation) for Fitzpatrick types 3-6 (weights 1/4, 1/2,
// 3/4, 1 of the type-6 bias), growing linearly from `pigmentation_bias_percent` at SaO2 100 % to
// `pigmentation_bias_low_percent` at 70 %; a cohort sets it through the parameters. With the
// defaults occult hypoxaemia (SaO2 < 88 % while SpO2 92-96 %) is ~6x more frequent for type 6
// than for type 2, in the direction of Sjoding et al. (NEJM 2020: 11.7 % vs 3.6 %).
// Pulse rate: from the PPG pulses (devices/Ppg.hpp) over the averaging window, plus the rate
// algorithm's own error (`heart_rate_error_sd`), integer, 25-240 /min; a patient model
// without beats gets regular beats at its heart_rate. No pulse in the window: value 0 with
// READING_LOW_QUALITY (the display's dashes). Perfusion index (%): `perfusion_index_percent` x
// the beats' relative pulse amplitude, 2 decimals; READING_LOW_PERFUSION below
// `low_perfusion_threshold_percent`.
// Signal quality: READING_LOW_QUALITY when the internal SpO2 values in the window scatter more
// than `sqi_spo2_sd_percent` or the inter-pulse intervals' CV exceeds `sqi_ipi_cv`. Like a real
// device's index it misses part of the artifacts (a cadence-locked rate is regular).
//
// Artifacts and faults:
// - motion (activity-driven with motion_artifacts, default true; or injected, magnitude = severity
//   0..1, 0 meaning 1): each internal value is pulled towards `artifact_spo2_percent` (R -> 1) by
//   a random weight U(0, severity) with extra noise `motion_artifact_sd`: falsely low, erratic
//   SpO2; the PPG misses pulses and sees peaks at the walking cadence: a wrong pulse rate;
//   READING_LOW_QUALITY on only part of these readings.
// - detachment: the probe sees no pulse; for `probe_off_delay` (pulse search) the internal values
//   are the ambient-light reading (~artifact_spo2_percent) and the device keeps its last quality
//   verdict, so the first readings are falsely low without a flag; after it, every reading
//   (SpO2, pulse rate, PI) has value 0 and READING_SENSOR_OFF. Reattached: averaging restarts.
// - low_perfusion (magnitude = perfusion as a fraction of normal, 0 meaning
//   `low_perfusion_scale`): PI falls by that fraction, SpO2 noise x `low_perfusion_noise_factor`
//   and bias `low_perfusion_bias_percent` (falsely low), READING_LOW_PERFUSION.
// - crash, stuck_sensor, calibration_drift, signal_loss: the generic effects of devices::Device.
#include <cstdint>
#include <deque>

#include "devices/Device.hpp"
#include "devices/Measurement.hpp"
#include "devices/Ppg.hpp"

namespace twinbed::devices {

// Positive SpO2 bias (%) of Fitzpatrick `skin_type` (0 = unknown: none) at true saturation
// `sao2_percent`: the type-6 bias interpolated between `bias_at_100` and `bias_at_70`, times the
// type's weight.
double pigmentation_bias_percent(std::uint8_t skin_type, double sao2_percent, double bias_at_100, double bias_at_70);

struct Spo2ErrorModel {
  double error_sd = 2.4;
  double error_time_constant_s = 60.0;
  double noise_sd = 1.5;
  double pigmentation_bias_percent = 1.5;
  double pigmentation_bias_low_percent = 4.0;
};
// The internal (pre-averaging) SpO2 value: truth + pigmentation bias + slow error + noise x z.
double spo2_internal_percent(double sao2_percent, std::uint8_t skin_type, const Spo2ErrorModel& model,
                             double slow_error, double z);

class PulseOximeter final : public Device {
public:
  explicit PulseOximeter(DeviceSetup setup);

protected:
  void measure(SampleContext& ctx, Output& out) override;
  void on_fault(FaultKind kind, bool active, SampleContext& ctx) override;

private:
  void update_ppg(SampleContext& ctx, const ppg::PpgConditions& conditions);

  Spo2ErrorModel model_;
  ppg::PpgConfig ppg_config_;
  sim::Time window_, probe_off_delay_;
  double artifact_spo2_, motion_artifact_sd_, perfusion_index_, low_pi_threshold_, low_perfusion_scale_,
      low_perfusion_bias_, low_perfusion_noise_factor_, sqi_sd_, sqi_cv_, heart_rate_error_sd_;

  ppg::PpgState ppg_;
  std::deque<std::pair<sim::Time, double>> internal_;  // (time, internal SpO2 %) in the window
  double slow_error_ = 0.0;
  bool slow_started_ = false;
  sim::Time last_sample_;
  bool low_quality_ = false;  // the last signal-quality verdict
  std::vector<physiology::PulseMark> beats_;  // scratch
};

}  // namespace twinbed::devices
