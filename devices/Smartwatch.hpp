#pragma once
// devices::Smartwatch: a consumer watch with a wrist PPG sensor: heart rate every
// `sample_interval` (5 s) and an irregular-rhythm notification.
//
// Heart rate: 60 / mean inter-pulse interval of the PPG pulses (devices/Ppg.hpp) over
// `heart_rate_window`, plus the watch's error (`heart_rate_error_sd`, MAE a few bpm at rest) times
// `activity_error_factor` while the wearer moves (activity with motion_artifacts, default true,
// or an injected motion fault), rounded to an integer. The accelerometer registers motion in a
// sample with probability `accelerometer_sensitivity`: registered motion is cancelled from the PPG
// (only the larger error remains) and the reading carries READING_MOTION; unregistered motion
// reaches the PPG raw (missed pulses, cadence peaks: a wrong rate).
//
// Irregular rhythm (Apple Heart Study, Perez et al., NEJM 2019): every `tachogram_interval` the
// watch records a tachogram of `tachogram_length` while the accelerometer registers no motion
// (motion restarts it). A tachogram is irregular when the share of successive inter-pulse
// differences larger than `irregular_delta` x the mean interval exceeds `irregular_share`; after
// an irregular one the next comes `tachogram_recheck_interval` later. `irregular_tachograms`
// consecutive irregular tachograms send an urgent AlertCode::irregular_rhythm alert and start a new
// count. Tachograms with fewer than `tachogram_min_pulses` pulses are discarded. Isolated ectopic
// beats add two or three large differences to a minute: sinus rhythm rarely fires; frequent
// ectopy or undetected motion can.
//
// Faults: motion (above); detachment (off the wrist: no readings, no tachograms); crash and
// signal_loss (the generic effects of devices::Device).
#include <optional>

#include "devices/Device.hpp"
#include "devices/Ppg.hpp"

namespace twinbed::devices {

class Smartwatch final : public Device {
public:
  explicit Smartwatch(DeviceSetup setup);

protected:
  void measure(SampleContext& ctx, Output& out) override;

private:
  // Evaluates the finished tachogram that started at `start`; may send the alert.
  void finish_tachogram(sim::Time start, sim::Time now, Output& out);

  ppg::PpgConfig ppg_config_;
  sim::Time window_, tachogram_interval_, tachogram_length_, recheck_interval_;
  double error_sd_, activity_factor_, accelerometer_sensitivity_, perfusion_index_, irregular_delta_,
      irregular_share_;
  std::uint64_t irregular_required_, min_pulses_;

  ppg::PpgState ppg_;
  std::vector<physiology::PulseMark> beats_;  // scratch
  sim::Time next_tachogram_;
  std::optional<sim::Time> tachogram_start_;
  std::uint64_t irregular_run_ = 0;
};

}  // namespace twinbed::devices
