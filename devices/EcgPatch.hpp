#pragma once
// devices::EcgPatch: a wearable single-lead ECG patch (VitalConnect VitalPatch, BioTel ePatch,
// iRhythm Zio class) streaming its lead in 1 s waveform blocks and its own heart rate.
//
// devices::EcgChannel is the acquisition both ECG devices share (the patch and the bedside
// monitor): it reads the patient's true ECG since its last block, adds the front end's noise
// (EcgNoise), clips at the ADC's range, replaces lead-off stretches by the amplifier's lead-off
// output, runs its QrsDetector on what it measured and derives the heart rate from the beats.
//
// Faults: `motion` adds the motion artifact from its start to its end, to the sample (magnitude
// scales it, 0 = 1; the wearer's activity bouts count `activity_motion_scale`); `detachment` is
// lead-off (the patch's impedance check detects it at once: lead-off output, READING_SENSOR_OFF,
// heart rate 0); after a `crash` the acquisition restarts at the reboot and the detector learns
// again; `signal_loss` is the base class's (nothing sent).
#include <cstdint>
#include <optional>
#include <vector>

#include "devices/Device.hpp"
#include "devices/EcgNoise.hpp"
#include "devices/QrsDetector.hpp"

namespace twinbed::devices {

struct EcgChannelConfig {
  EcgNoiseParams noise;
  QrsParams qrs;
  double activity_motion_scale = 0.5;  // motion of activity bouts vs a motion fault of magnitude 1
  LeadOffLevel lead_off = LeadOffLevel::rail;
  double adc_limit_mv = 5.0;
  std::size_t heart_rate_beats = 12;  // RR intervals averaged for the heart rate
};

// The heart rate as the device displays it (integer /min) and its flags.
struct HeartRateReading {
  double bpm = 0.0;
  std::uint16_t flags = network::READING_OK;
};

// Mean heart rate (/min) over the last `intervals` RR intervals of `r_peaks` (increasing sample
// indices at `sample_rate_hz`); nullopt with fewer than two beats. Pure.
std::optional<double> mean_heart_rate(std::span<const std::int64_t> r_peaks, std::size_t intervals, double sample_rate_hz);

class EcgChannel {
public:
  explicit EcgChannel(const EcgChannelConfig& config);

  // Acquires the samples from the last block up to ctx.now (strictly before it), emits them as a
  // waveform block and feeds the detector. Does nothing for a patient without an ECG.
  void acquire(SampleContext& ctx, Output& out);
  // The heart rate now: 0 + READING_SENSOR_OFF during lead-off, 0 after ASYSTOLE without a beat,
  // nullopt while the detector has too little signal since its last restart to say.
  std::optional<HeartRateReading> heart_rate() const;
  // Tracks lead-off and motion intervals to the sample; a crash's reboot restarts acquisition.
  void on_fault(FaultKind kind, bool active, const SampleContext& ctx);
  bool lead_off() const { return lead_off_.open(); }

  // R peaks detected so far in the current run (the last heart_rate_beats + 1), sample indices.
  std::span<const std::int64_t> recent_beats() const { return beats_; }

private:
  struct Interval {
    sim::Time since = sim::Time::max();  // max = none yet
    sim::Time until = sim::Time::max();  // max = still open
    bool open() const { return since != sim::Time::max() && until == sim::Time::max(); }
  };
  void sync(Interval& interval, FaultKind kind, const SampleContext& ctx);
  void start(double rate_hz);
  void detect(std::int64_t first, std::span<const float> samples);
  std::int64_t sample_at_or_after(sim::Time t) const;

  EcgChannelConfig config_;
  EcgNoise noise_;
  std::optional<QrsDetector> detector_;
  double rate_ = 0.0;
  std::int64_t cursor_ = -1;  // next sample to acquire; -1 = not started
  bool restart_ = false;      // after a reboot: resume at the present
  std::int64_t end_ = 0;      // end of the last block
  std::int64_t run_start_ = 0;
  Interval lead_off_, motion_;
  double motion_scale_ = 1.0;
  std::vector<float> block_;
  std::vector<std::int64_t> peaks_, beats_;
};

class EcgPatch final : public Device {
public:
  explicit EcgPatch(DeviceSetup setup);

protected:
  void measure(SampleContext& ctx, Output& out) override;
  void on_fault(FaultKind kind, bool active, SampleContext& ctx) override;

private:
  EcgChannel channel_;
  sim::Time heart_rate_interval_;
  std::optional<sim::Time> next_heart_rate_;
};

// The ECG channel's parameters, shared by both ECG device types' tables (with the type's noise
// defaults), and the channel settings read back from a table.
std::vector<sim::ParamInfo> ecg_channel_params(const EcgNoiseParams& defaults);
EcgChannelConfig ecg_channel_config(const sim::ParamSet& params);

}  // namespace twinbed::devices
