#include "devices/EcgPatch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace twinbed::devices {
namespace {
// PhysioNet/CinC Challenge 2015: asystole is no QRS for >= 4 s; the device reads heart rate 0.
constexpr double ASYSTOLE_S = 4.0;
// The channel keeps what the patient still holds, less a second of margin.
constexpr sim::Time MAX_BLOCK = physiology::SENSOR_HISTORY - sim::Time::from_s(1);
constexpr double NS_PER_S = 1e9;
}  // namespace

std::optional<double> mean_heart_rate(std::span<const std::int64_t> r_peaks, std::size_t intervals, double sample_rate_hz) {
  if (r_peaks.size() < 2 || intervals == 0) return std::nullopt;
  const std::size_t k = std::min(intervals, r_peaks.size() - 1);
  const std::int64_t span = r_peaks.back() - r_peaks[r_peaks.size() - 1 - k];
  if (span <= 0) return std::nullopt;
  return 60.0 * sample_rate_hz * static_cast<double>(k) / static_cast<double>(span);
}

// --- EcgChannel -----------------------------------------------------------------------------------

EcgChannel::EcgChannel(const EcgChannelConfig& config) : config_(config), noise_(config.noise, 1.0) {}

void EcgChannel::start(double rate_hz) {
  rate_ = rate_hz;
  noise_ = EcgNoise(config_.noise, rate_hz);
  detector_.emplace(rate_hz, config_.qrs);
  // Every buffer is sized once: a block never allocates.
  block_.reserve(static_cast<std::size_t>(std::ceil(MAX_BLOCK.seconds() * rate_hz)) + 1);
  peaks_.reserve(256);
  beats_.reserve(config_.heart_rate_beats + 1);
}

std::int64_t EcgChannel::sample_at_or_after(sim::Time t) const {
  if (t == sim::Time::max()) return std::numeric_limits<std::int64_t>::max();
  // Whole seconds and the rest apart, so the product stays exact (sample k is at k / rate).
  const std::int64_t whole = t.ns() / static_cast<std::int64_t>(NS_PER_S);
  const std::int64_t rest = t.ns() % static_cast<std::int64_t>(NS_PER_S);
  return static_cast<std::int64_t>(std::ceil(static_cast<double>(whole) * rate_ + static_cast<double>(rest) * rate_ / NS_PER_S));
}

void EcgChannel::sync(Interval& interval, FaultKind kind, const SampleContext& ctx) {
  const FaultState::Active& state = ctx.faults.get(kind);
  if (state.on && !interval.open()) {
    interval.since = state.since;
    interval.until = sim::Time::max();
    if (kind == FaultKind::motion) {
      motion_scale_ = state.origin == FaultOrigin::activity ? config_.activity_motion_scale
                                                            : (state.magnitude > 0.0 ? state.magnitude : 1.0);
    }
  } else if (!state.on && interval.open()) {
    // An activity bout ends when the patient's activity changed (the base class dates it so too).
    interval.until = std::max(interval.since, kind == FaultKind::motion ? std::min(ctx.now, ctx.patient.activity_since()) : ctx.now);
  }
}

void EcgChannel::on_fault(FaultKind kind, bool active, const SampleContext& ctx) {
  Interval* interval = kind == FaultKind::detachment ? &lead_off_ : kind == FaultKind::motion ? &motion_ : nullptr;
  if (interval != nullptr) {
    if (active) {
      *interval = Interval{ctx.now, sim::Time::max()};
      if (kind == FaultKind::motion) motion_scale_ = ctx.faults.get(kind).magnitude > 0.0 ? ctx.faults.get(kind).magnitude : 1.0;
    } else if (interval->open()) {
      interval->until = ctx.now;
    }
  }
  // A crashed firmware acquired nothing: after the reboot it starts again at the present.
  if (kind == FaultKind::crash && !active) restart_ = true;
}

void EcgChannel::acquire(SampleContext& ctx, Output& out) {
  const double rate = ctx.patient.ecg_sample_rate_hz();
  if (!(rate > 0.0)) return;
  if (!detector_) start(rate);
  sync(lead_off_, FaultKind::detachment, ctx);
  sync(motion_, FaultKind::motion, ctx);

  const std::int64_t end = sample_at_or_after(ctx.now);
  if (cursor_ < 0) cursor_ = std::max<std::int64_t>(0, end - std::llround(rate));  // the first block: the last second
  if (restart_) cursor_ = end;
  restart_ = false;
  const auto max_block = static_cast<std::int64_t>(block_.capacity()) - 1;
  cursor_ = std::max(cursor_, end - max_block);  // a gap longer than the patient's history is lost
  const std::int64_t first = cursor_;
  if (end <= first) return;
  block_.resize(static_cast<std::size_t>(end - first));
  const std::span<float> samples(block_);
  if (!ctx.patient.ecg(first, samples)) return;
  cursor_ = end_ = end;

  auto clamp = [first, end](std::int64_t k) { return std::clamp(k, first, end); };
  auto part = [&](std::int64_t from, std::int64_t to) {
    return samples.subspan(static_cast<std::size_t>(from - first), static_cast<std::size_t>(to - from));
  };
  std::uint16_t flags = network::READING_OK;
  // Noise: still before and after the motion interval, moving inside it.
  const std::int64_t motion_from = clamp(sample_at_or_after(motion_.since));
  const std::int64_t motion_to = std::max(motion_from, clamp(sample_at_or_after(motion_.until)));
  noise_.add(first, part(first, motion_from), 0.0, ctx.noise);
  noise_.add(motion_from, part(motion_from, motion_to), motion_scale_, ctx.noise);
  noise_.add(motion_to, part(motion_to, end), 0.0, ctx.noise);
  if (motion_to > motion_from) flags |= network::READING_MOTION;  // the patch's accelerometer
  const auto limit = static_cast<float>(config_.adc_limit_mv);
  for (float& x : samples) x = std::clamp(x, -limit, limit);
  // Lead-off: the amplifier's output replaces the signal; the detector sees nothing of it.
  const std::int64_t off_from = clamp(sample_at_or_after(lead_off_.since));
  const std::int64_t off_to = std::max(off_from, clamp(sample_at_or_after(lead_off_.until)));
  const float off_value = lead_off_value(config_.lead_off, config_.adc_limit_mv);
  for (float& x : part(off_from, off_to)) x = off_value;
  if (off_to > off_from) flags |= network::READING_SENSOR_OFF;
  detect(first, part(first, off_from));
  detect(off_to, part(off_to, end));

  const auto start_ns = static_cast<std::int64_t>(std::llround(static_cast<double>(first) * NS_PER_S / rate_));
  out.waveform(physiology::Signal::ecg, sim::Time::from_ns(start_ns), rate_, samples, flags);
}

void EcgChannel::detect(std::int64_t first, std::span<const float> samples) {
  if (samples.empty()) return;
  if (detector_->next_sample() != first) {  // a gap (lead-off, reboot): learn afresh
    detector_->reset(first);
    beats_.clear();
    run_start_ = first;
  }
  peaks_.clear();
  detector_->feed(samples, peaks_);
  const auto asystole = static_cast<std::int64_t>(ASYSTOLE_S * rate_);
  for (const std::int64_t p : peaks_) {
    if (!beats_.empty() && p - beats_.back() > asystole) beats_.clear();  // a pause starts a new average
    if (beats_.size() == config_.heart_rate_beats + 1) beats_.erase(beats_.begin());
    beats_.push_back(p);
  }
}

std::optional<HeartRateReading> EcgChannel::heart_rate() const {
  if (!detector_) return std::nullopt;
  const std::uint16_t flags = motion_.open() ? network::READING_MOTION : network::READING_OK;
  if (lead_off_.open()) return HeartRateReading{0.0, static_cast<std::uint16_t>(flags | network::READING_SENSOR_OFF)};
  const auto asystole = static_cast<std::int64_t>(ASYSTOLE_S * rate_);
  const auto warm_up = static_cast<std::int64_t>(config_.qrs.learning_s * rate_) + asystole;
  if (end_ - run_start_ < warm_up) return std::nullopt;
  if (beats_.empty() || end_ - beats_.back() > asystole) return HeartRateReading{0.0, flags};
  const std::optional<double> bpm = mean_heart_rate(beats_, config_.heart_rate_beats, rate_);
  if (!bpm) return std::nullopt;
  return HeartRateReading{std::round(*bpm), flags};
}

// --- parameters -----------------------------------------------------------------------------------

std::vector<sim::ParamInfo> ecg_channel_params(const EcgNoiseParams& d) {
  using K = sim::ParamKind;
  return {
      {"heart_rate_beats", K::count, "", 12.0, 1.0, 64.0, "RR intervals averaged for the heart rate",
       "Philips IntelliVue ST/AR averages the 12 most recent RR intervals (AAMI EC13 4.1.2.1 b: disclosed)"},
      {"baseline_wander_mv", K::number, "mV", d.baseline_wander_mv, 0.0, 5.0,
       "respiratory baseline wander amplitude (0.15-0.3 Hz)",
       "Friesen et al., IEEE TBME 37:85, 1990: 0.15-0.3 Hz, up to 15 % of p-p ECG"},
      {"emg_rms_mv", K::number, "mV", d.emg_rms_mv, 0.0, 2.0, "EMG (white, band-limited by the front end), RMS",
       "Friesen 1990 stress level: SD 10 % of p-p ECG (~0.16 mV); at rest a fraction of it"},
      {"mains_hz", K::number, "Hz", d.mains_hz, 45.0, 65.0, "mains frequency (50 Europe, 60 Americas)",
       "IEC 60038"},
      {"mains_amplitude_mv", K::number, "mV", d.mains_amplitude_mv, 0.0, 2.0, "mains interference amplitude",
       "Friesen 1990: up to 50 % of p-p ECG unshielded; small for a floating battery device"},
      {"motion_amplitude_mv", K::number, "mV", d.motion_amplitude_mv, 0.0, 10.0,
       "motion artifact: SD of each transient and of the slow excursion",
       "Friesen 1990: transients up to 500 % of p-p ECG, 100-500 ms; default comparable to a QRS"},
      {"motion_event_rate_hz", K::number, "Hz", d.motion_event_rate_hz, 0.0, 20.0,
       "motion transients per second while the wearer moves", "our choice (walking cadence ~2 steps/s)"},
      {"activity_motion_scale", K::number, "", 0.5, 0.0, 10.0,
       "motion artifact of the wearer's activity bouts, relative to a motion fault of magnitude 1",
       "our choice: everyday walking disturbs a chest lead less than a scripted motion fault"},
      {"lead_off_output", K::choice, "", 0.0, 0.0, 1.0, "what the amplifier outputs with a lead off",
       "ECG front ends (e.g. TI ADS1292, Maxim MAX30003): rail or zero", {"rail", "zero"}},
      {"adc_limit_mv", K::number, "mV", 5.0, 0.5, 1000.0, "ADC input range +/- (samples clip here; the rail)",
       "AAMI EC13 / IEC 60601-2-27: at least +/-5 mV input range"},
  };
}

EcgChannelConfig ecg_channel_config(const sim::ParamSet& params) {
  EcgChannelConfig config;
  config.heart_rate_beats = std::max<std::size_t>(1, params.count("heart_rate_beats"));
  config.noise.baseline_wander_mv = params.number("baseline_wander_mv");
  config.noise.emg_rms_mv = params.number("emg_rms_mv");
  config.noise.mains_hz = params.number("mains_hz");
  config.noise.mains_amplitude_mv = params.number("mains_amplitude_mv");
  config.noise.motion_amplitude_mv = params.number("motion_amplitude_mv");
  config.noise.motion_event_rate_hz = params.number("motion_event_rate_hz");
  config.activity_motion_scale = params.number("activity_motion_scale");
  config.lead_off = static_cast<LeadOffLevel>(params.choice("lead_off_output"));
  config.adc_limit_mv = params.number("adc_limit_mv");
  return config;
}

// --- EcgPatch -------------------------------------------------------------------------------------

const DeviceTypeInfo& ecg_patch_type() {
  static const DeviceTypeInfo info = [] {
    std::vector<sim::ParamInfo> own{
        {"heart_rate_interval", sim::ParamKind::duration, "", 5.0, 1.0, 3600.0, "time between heart-rate readings",
         "monitors refresh the displayed heart rate every 1-5 s; our default"},
    };
    for (sim::ParamInfo& p : ecg_channel_params(EcgNoiseParams{})) own.push_back(p);
    return DeviceTypeInfo{
        DeviceType::ecg_patch,
        "ecg_patch",
        "wearable single-lead ECG patch (VitalPatch, ePatch, Zio class): 250 Hz lead in 1 s blocks, heart rate from "
        "its own QRS detector",
        "ecg",
        true,
        {physiology::Signal::ecg, physiology::Signal::heart_rate, physiology::Signal::battery_level},
        {FaultKind::motion, FaultKind::detachment, FaultKind::crash, FaultKind::signal_loss},
        with_common_params(
            std::move(own),
            // 7-day wear on one battery (VitalConnect VitalPatch; Zio AT up to 14 days): 200 mAh at
            // 1 mA idle (front end, MCU, BLE connection) plus 0.05 uAh per 1 s packet -> 169 h.
            CommonDefaults{.sample_interval_s = 1.0,
                           .battery_capacity_mah = 200.0,
                           .idle_current_ua = 1000.0,
                           .charge_per_packet_uah = 0.05,
                           .buffer_capacity = 300.0,  // 5 min of blocks while the phone is away
                           .motion_artifacts = true,
                           .battery_report_interval_s = 3600.0}),
        [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<EcgPatch>(std::move(setup)); }};
  }();
  return info;
}

EcgPatch::EcgPatch(DeviceSetup setup)
    : Device(std::move(setup)), channel_(ecg_channel_config(params())),
      heart_rate_interval_(params().duration("heart_rate_interval")) {}

void EcgPatch::on_fault(FaultKind kind, bool active, SampleContext& ctx) { channel_.on_fault(kind, active, ctx); }

void EcgPatch::measure(SampleContext& ctx, Output& out) {
  channel_.acquire(ctx, out);
  if (next_heart_rate_ && ctx.now < *next_heart_rate_) return;
  next_heart_rate_ = ctx.now + heart_rate_interval_;
  if (const std::optional<HeartRateReading> hr = channel_.heart_rate()) {
    out.reading(physiology::Signal::heart_rate, hr->bpm, hr->flags);
  }
}

}  // namespace twinbed::devices
