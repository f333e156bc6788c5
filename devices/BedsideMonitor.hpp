#pragma once
// devices::BedsideMonitor: a wired, mains-powered multi-parameter bedside monitor (Philips
// IntelliVue, GE CARESCAPE class). Every second: an ECG waveform block and the heart rate from its
// own QRS detector (EcgChannel, shared with the ECG patch), SpO2, respiration rate by impedance
// pneumography through the ECG electrodes, and core temperature; NIBP every `nibp_interval`.
#include <optional>
#include <vector>

#include "devices/Device.hpp"
#include "devices/Measurement.hpp"
#include "devices/EcgPatch.hpp"

namespace twinbed::devices {

// One oscillometric NIBP measurement's readings (mmHg, integers as displayed).
struct NibpResult {
  double systolic = 0.0;
  double diastolic = 0.0;
  double mean = 0.0;
};
// Truth plus the cuff's error (z_* ~ N(0,1), scaled by sd, shifted by bias), rounded. Pure.
NibpResult nibp_measure(double systolic, double diastolic, double mean, double bias_mmhg, double error_sd_mmhg,
                        double z_systolic, double z_diastolic, double z_mean);


class BedsideMonitor final : public Device {
public:
  explicit BedsideMonitor(DeviceSetup setup);

protected:
  void measure(SampleContext& ctx, Output& out) override;
  void on_fault(FaultKind kind, bool active, SampleContext& ctx) override;

private:
  struct Spo2Sample {
    sim::Time at;
    double value = 0.0;
  };
  void measure_spo2(SampleContext& ctx, Output& out);
  void measure_nibp(SampleContext& ctx, Output& out);

  EcgChannel channel_;
  double spo2_error_sd_, respiration_error_sd_, temperature_error_sd_, nibp_bias_, nibp_error_sd_;
  sim::Time spo2_error_tau_, spo2_averaging_, nibp_interval_;

  // SpO2: the oximeter's slowly varying error and its averaging window (a ring, sized once).
  double spo2_error_ = 0.0;
  std::optional<sim::Time> spo2_last_;
  std::vector<Spo2Sample> spo2_window_;
  std::size_t spo2_head_ = 0, spo2_count_ = 0;

  // Respiration rate and temperature: slowly varying errors.
  std::optional<sim::Time> last_;
  double respiration_error_ = 0.0, temperature_error_ = 0.0;

  // NIBP: the next cycle, and the measurement under way (the cuff inflating and deflating).
  std::optional<sim::Time> next_nibp_;
  std::optional<sim::Time> nibp_ready_;
  NibpResult nibp_pending_;
};

}  // namespace twinbed::devices
