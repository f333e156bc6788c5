#include "devices/Smartwatch.hpp"

#include <algorithm>
#include <cmath>

#include "devices/PulseOximeter.hpp"

namespace twinbed::devices {
namespace {
// Heart-rate display of consumer watches: integer bpm, 30-220.
constexpr Display HEART_RATE_DISPLAY{1.0, 30.0, 220.0};
}  // namespace

const DeviceTypeInfo& smartwatch_type() {
  static const DeviceTypeInfo info = [] {
    std::vector<sim::ParamInfo> own{
        {"heart_rate_window", sim::ParamKind::duration, "", 10.0, 2.0, 60.0,
         "heart rate from the pulses of this window", "model choice: watches average several seconds of pulses"},
        {"heart_rate_error_sd", sim::ParamKind::number, "/min", 3.0, 0.0, 50.0, "heart-rate error at rest (1 SD)",
         "Sartor et al., BMC Sports Sci Med Rehabil 2018: wrist PPG MAE <= 3 bpm"},
        {"activity_error_factor", sim::ParamKind::number, "", 1.3, 1.0, 20.0,
         "heart-rate error SD multiplier while the wearer moves",
         "Bent et al., npj Digit Med 2020: MAE during activity ~30 % higher than at rest on average"},
        {"accelerometer_sensitivity", sim::ParamKind::probability, "", 0.95, 0.0, 1.0,
         "probability the accelerometer registers motion in a sample (then cancelled from the PPG)",
         "model choice"},
        {"perfusion_index_percent", sim::ParamKind::number, "%", 1.0, 0.02, 20.0, "perfusion index of a normal pulse",
         "model choice: the wrist is less perfused than the finger (Lima et al. 2002: finger median 1.4 %)"},
        {"tachogram_interval", sim::ParamKind::duration, "", 7200.0, 60.0, 86400.0,
         "time between rhythm checks", "Perez et al., NEJM 2019: tachograms about every 2 h"},
        {"tachogram_length", sim::ParamKind::duration, "", 60.0, 10.0, 600.0, "length of a tachogram",
         "Perez et al., NEJM 2019: 1-min tachograms"},
        {"tachogram_recheck_interval", sim::ParamKind::duration, "", 900.0, 60.0, 86400.0,
         "time to the next tachogram after an irregular one",
         "Apple, Using Apple Watch for Arrhythmia Detection, 2020: rechecks about every 15 min"},
        {"irregular_tachograms", sim::ParamKind::count, "", 5.0, 1.0, 100.0,
         "consecutive irregular tachograms that send the notification",
         "Perez et al., NEJM 2019: 5 of 6 irregular tachograms (here consecutive)"},
        {"irregular_delta", sim::ParamKind::number, "", 0.12, 0.0, 1.0,
         "a successive interval difference counts as large above this fraction of the mean interval",
         "RR-difference counting (Lian et al., Am J Cardiol 2011); model choice"},
        {"irregular_share", sim::ParamKind::probability, "", 0.4, 0.0, 1.0,
         "a tachogram is irregular when more than this share of its differences are large",
         "model choice: AF gives ~0.6-0.7, sinus with isolated ectopy < 0.1"},
        {"tachogram_min_pulses", sim::ParamKind::count, "", 30.0, 3.0, 1000.0,
         "tachograms with fewer pulses are discarded", "model choice"},
    };
    for (const sim::ParamInfo& p : ppg::ppg_params()) own.push_back(p);
    // Battery: ~300 mAh (e.g. Apple Watch Series 4-6 44 mm, 290-304 mAh by teardown), 1-2 days per
    // charge: 6 mA idle (display, radio, sensors) + 2 uAh per 5-s PPG measurement + 10 uAh per
    // once-a-minute BLE sync = ~8 mA, i.e. ~37 h.
    return DeviceTypeInfo{
        DeviceType::smartwatch,
        "smartwatch",
        "consumer watch: wrist PPG heart rate and irregular-rhythm notification",
        "watch",
        false,
        {physiology::Signal::heart_rate, physiology::Signal::battery_level, physiology::Signal::device_alert},
        {FaultKind::motion, FaultKind::detachment, FaultKind::crash, FaultKind::signal_loss},
        with_common_params(std::move(own), CommonDefaults{.sample_interval_s = 5.0,
                                                          .battery_capacity_mah = 300.0,
                                                          .idle_current_ua = 6000.0,
                                                          .charge_per_sample_uah = 2.0,
                                                          .charge_per_packet_uah = 10.0,
                                                          .batch_readings = 12.0,
                                                          .batch_interval_s = 60.0,
                                                          .motion_artifacts = true,
                                                          .battery_report_interval_s = 3600.0}),
        [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<Smartwatch>(std::move(setup)); }};
  }();
  return info;
}

Smartwatch::Smartwatch(DeviceSetup setup)
    : Device(std::move(setup)), ppg_config_(ppg::ppg_config(params())), window_(params().duration("heart_rate_window")),
      tachogram_interval_(params().duration("tachogram_interval")),
      tachogram_length_(params().duration("tachogram_length")),
      recheck_interval_(params().duration("tachogram_recheck_interval")),
      error_sd_(params().number("heart_rate_error_sd")), activity_factor_(params().number("activity_error_factor")),
      accelerometer_sensitivity_(params().number("accelerometer_sensitivity")),
      perfusion_index_(params().number("perfusion_index_percent")),
      irregular_delta_(params().number("irregular_delta")), irregular_share_(params().number("irregular_share")),
      irregular_required_(params().count("irregular_tachograms")), min_pulses_(params().count("tachogram_min_pulses")) {}

void Smartwatch::measure(SampleContext& ctx, Output& out) {
  using physiology::Signal;
  const sim::Time now = ctx.now;
  const bool on_wrist = !ctx.faults.active(FaultKind::detachment);
  const FaultState::Active& motion = ctx.faults.get(FaultKind::motion);
  const double severity = motion.on ? (motion.magnitude > 0.0 ? std::min(1.0, motion.magnitude) : 1.0) : 0.0;
  // Always draw, so the stream does not depend on the motion state.
  const bool registered = ctx.noise.uniform01() < accelerometer_sensitivity_ && severity > 0.0;
  const ppg::PpgConditions conditions{on_wrist ? perfusion_index_ : 0.0, registered ? 0.0 : severity};
  ppg::collect_beats(ppg_, ctx.patient, now, window_, ctx.noise, beats_);
  ppg::advance(ppg_, ppg_config_, beats_, now, conditions, ctx.noise,
               std::max(window_, tachogram_length_) + sim::Time::from_s(10));
  if (!on_wrist) {
    tachogram_start_.reset();
    return;
  }

  if (tachogram_start_ && registered) tachogram_start_.reset();  // the wearer moved: start again when still
  if (!tachogram_start_ && !registered && now >= next_tachogram_) tachogram_start_ = now;
  if (tachogram_start_ && now - *tachogram_start_ >= tachogram_length_) {
    finish_tachogram(*tachogram_start_, now, out);
    tachogram_start_.reset();
  }

  const std::optional<double> rate = ppg::pulse_rate_bpm(ppg_.pulses, now - window_, now);
  if (!rate) return;  // no pulse found: the watch shows nothing
  const double sd = error_sd_ * (severity > 0.0 ? activity_factor_ : 1.0);
  std::uint16_t flags = registered ? network::READING_MOTION : network::READING_OK;
  out.reading(Signal::heart_rate, devices::measure(*rate, sd, ctx.noise.normal(0.0, 1.0), HEART_RATE_DISPLAY, flags),
              flags);
}

void Smartwatch::finish_tachogram(sim::Time start, sim::Time now, Output& out) {
  const std::vector<double> intervals = ppg::inter_pulse_intervals_s(ppg_.pulses, start, now);
  if (intervals.size() + 1 < min_pulses_) {
    next_tachogram_ = now;  // too few pulses: try again at once
    return;
  }
  if (ppg::irregular_share(intervals, irregular_delta_) <= irregular_share_) {
    irregular_run_ = 0;
    next_tachogram_ = now + tachogram_interval_;
    return;
  }
  ++irregular_run_;
  next_tachogram_ = now + recheck_interval_;
  if (irregular_run_ >= irregular_required_) {
    out.alert(AlertCode::irregular_rhythm);
    irregular_run_ = 0;
    next_tachogram_ = now + tachogram_interval_;
  }
}

}  // namespace twinbed::devices
