#include "devices/PulseOximeter.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::devices {
namespace {
// Display ranges of a typical bedside/finger oximeter (e.g. Masimo Radical-7: SpO2 0-100 %,
// pulse rate 25-240 bpm, both integers; PI 0.02-20 % with two decimals).
constexpr Display SPO2_DISPLAY{1.0, 0.0, 100.0};
constexpr Display PULSE_RATE_DISPLAY{1.0, 25.0, 240.0};
constexpr Display PERFUSION_INDEX_DISPLAY{0.01, 0.0, 20.0};
// Fitzpatrick types 1-6: share of the type-6 pigmentation bias. Types 1-2 are the reference
// (lightly pigmented skin, the calibration population); the bias grows with melanin (Bickler et
// al., Anesthesiology 2005; Feiner et al., Anesth Analg 2007: darker skin, larger positive bias).
constexpr double PIGMENT_WEIGHT[7] = {0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0};

double motion_severity(const FaultState& faults) {
  const FaultState::Active& motion = faults.get(FaultKind::motion);
  if (!motion.on) return 0.0;
  return motion.magnitude > 0.0 ? std::min(1.0, motion.magnitude) : 1.0;
}
}  // namespace


double pigmentation_bias_percent(std::uint8_t skin_type, double sao2_percent, double bias_at_100, double bias_at_70) {
  const double weight = skin_type < std::size(PIGMENT_WEIGHT) ? PIGMENT_WEIGHT[skin_type] : 1.0;
  const double f = std::clamp((100.0 - sao2_percent) / 30.0, 0.0, 1.0);
  return weight * (bias_at_100 + f * (bias_at_70 - bias_at_100));
}


double spo2_internal_percent(double sao2_percent, std::uint8_t skin_type, const Spo2ErrorModel& model,
                             double slow_error, double z) {
  return sao2_percent +
         pigmentation_bias_percent(skin_type, sao2_percent, model.pigmentation_bias_percent,
                                   model.pigmentation_bias_low_percent) +
         slow_error + model.noise_sd * z;
}

const DeviceTypeInfo& pulse_oximeter_type() {
  static const DeviceTypeInfo info = [] {
    std::vector<sim::ParamInfo> own{
        {"averaging_window", sim::ParamKind::duration, "", 8.0, 4.0, 16.0,
         "moving average of the per-sample SpO2 and pulse-rate values (adds lag)",
         "oximeter averaging modes 4-16 s (e.g. Masimo SET 2-16 s; Nellcor)"},
        {"spo2_error_sd", sim::ParamKind::number, "%", 2.4, 0.0, 20.0,
         "slowly varying SpO2 error (1 SD); with the noise and rounding ARMS ~2.5 %",
         "ISO 80601-2-61; FDA 2013 guidance: ARMS <= 3 % over 70-100 %"},
        {"spo2_error_time_constant", sim::ParamKind::duration, "", 60.0, 0.0, 3600.0,
         "correlation time of that error", "model choice: oximeter error is correlated over minutes in a subject"},
        {"spo2_noise_sd", sim::ParamKind::number, "%", 1.5, 0.0, 20.0, "per-sample SpO2 noise before averaging (1 SD)",
         "model choice"},
        {"pigmentation_bias_percent", sim::ParamKind::number, "%", 1.5, -10.0, 20.0,
         "SpO2 overestimation for Fitzpatrick type 6 at SaO2 100 % (types 3-5: 1/4, 1/2, 3/4)",
         "Feiner et al., Anesth Analg 2007; calibrated to Sjoding et al., NEJM 2020"},
        {"pigmentation_bias_low_percent", sim::ParamKind::number, "%", 4.0, -10.0, 20.0,
         "the same at SaO2 70 % (linear in between)",
         "Bickler et al., Anesthesiology 2005 (+3.6 % at SaO2 60-70 %); Sjoding et al. 2020"},
        {"heart_rate_error_sd", sim::ParamKind::number, "/min", 1.0, 0.0, 50.0,
         "pulse-rate error of the rate algorithm, added to the PPG rate (1 SD)",
         "datasheets: +/-3 bpm without motion (e.g. Masimo SET); the PPG timing adds its own"},
        {"artifact_spo2_percent", sim::ParamKind::number, "%", 85.0, 0.0, 100.0,
         "reading an artifact drives the red/infrared ratio towards (R = 1)",
         "Tremper & Barker, Anesthesiology 1989: R = 1 reads ~85 %"},
        {"motion_artifact_sd", sim::ParamKind::number, "%", 3.0, 0.0, 30.0, "extra SpO2 noise during motion (1 SD)",
         "model choice"},
        {"perfusion_index_percent", sim::ParamKind::number, "%", 1.4, 0.02, 20.0, "perfusion index of a normal pulse",
         "Lima et al., Crit Care Med 2002: healthy adults median PI 1.4 %"},
        {"low_perfusion_threshold_percent", sim::ParamKind::number, "%", 0.4, 0.0, 20.0,
         "READING_LOW_PERFUSION below this perfusion index",
         "oximeter low-signal indicators at PI ~0.3-1 % (manufacturer manuals)"},
        {"low_perfusion_scale", sim::ParamKind::probability, "", 0.15, 0.0, 1.0,
         "perfusion as a fraction of normal during a low_perfusion fault of magnitude 0", "model choice"},
        {"low_perfusion_bias_percent", sim::ParamKind::number, "%", -3.0, -30.0, 30.0, "SpO2 bias during low perfusion",
         "model choice: low perfusion degrades accuracy, falsely low (Louie et al., Anesth Analg 2018)"},
        {"low_perfusion_noise_factor", sim::ParamKind::number, "", 3.0, 1.0, 20.0,
         "per-sample SpO2 noise multiplier during low perfusion", "model choice"},
        {"sqi_spo2_sd_percent", sim::ParamKind::number, "%", 4.0, 0.0, 100.0,
         "READING_LOW_QUALITY when the internal SpO2 values in the window scatter more than this (1 SD)",
         "model choice"},
        {"sqi_ipi_cv", sim::ParamKind::number, "", 0.4, 0.0, 10.0,
         "READING_LOW_QUALITY when the inter-pulse intervals' coefficient of variation exceeds this",
         "model choice"},
        {"probe_off_delay", sim::ParamKind::duration, "", 5.0, 0.0, 60.0,
         "pulse search before a detached probe reads SENSOR OFF",
         "manufacturer manuals: pulse search of a few seconds"},
    };
    for (const sim::ParamInfo& p : ppg::ppg_params()) own.push_back(p);
    return DeviceTypeInfo{
        DeviceType::pulse_oximeter,
        "pulse_oximeter",
        "finger pulse oximeter: SpO2, pulse rate and perfusion index from PPG",
        "spo2",
        false,
        {physiology::Signal::spo2, physiology::Signal::heart_rate, physiology::Signal::perfusion_index},
        {FaultKind::motion, FaultKind::detachment, FaultKind::low_perfusion, FaultKind::crash,
         FaultKind::stuck_sensor, FaultKind::calibration_drift, FaultKind::signal_loss},
        with_common_params(std::move(own), CommonDefaults{.sample_interval_s = 1.0, .motion_artifacts = true}),
        [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<PulseOximeter>(std::move(setup)); }};
  }();
  return info;
}

PulseOximeter::PulseOximeter(DeviceSetup setup)
    : Device(std::move(setup)),
      model_{params().number("spo2_error_sd"), params().duration("spo2_error_time_constant").seconds(),
             params().number("spo2_noise_sd"), params().number("pigmentation_bias_percent"),
             params().number("pigmentation_bias_low_percent")},
      ppg_config_(ppg::ppg_config(params())), window_(params().duration("averaging_window")),
      probe_off_delay_(params().duration("probe_off_delay")), artifact_spo2_(params().number("artifact_spo2_percent")),
      motion_artifact_sd_(params().number("motion_artifact_sd")),
      perfusion_index_(params().number("perfusion_index_percent")),
      low_pi_threshold_(params().number("low_perfusion_threshold_percent")),
      low_perfusion_scale_(params().number("low_perfusion_scale")),
      low_perfusion_bias_(params().number("low_perfusion_bias_percent")),
      low_perfusion_noise_factor_(params().number("low_perfusion_noise_factor")),
      sqi_sd_(params().number("sqi_spo2_sd_percent")), sqi_cv_(params().number("sqi_ipi_cv")),
      heart_rate_error_sd_(params().number("heart_rate_error_sd")) {}

void PulseOximeter::on_fault(FaultKind kind, bool active, SampleContext&) {
  if (kind == FaultKind::detachment && !active) {
    internal_.clear();  // reattached: averaging starts afresh
    low_quality_ = false;
  }
}

void PulseOximeter::update_ppg(SampleContext& ctx, const ppg::PpgConditions& conditions) {
  ppg::collect_beats(ppg_, ctx.patient, ctx.now, window_, ctx.noise, beats_);
  ppg::advance(ppg_, ppg_config_, beats_, ctx.now, conditions, ctx.noise, window_ + sim::Time::from_s(1));
}

void PulseOximeter::measure(SampleContext& ctx, Output& out) {
  using physiology::Signal;
  const sim::Time now = ctx.now;
  const FaultState::Active& detachment = ctx.faults.get(FaultKind::detachment);
  const FaultState::Active& low_perfusion = ctx.faults.get(FaultKind::low_perfusion);
  const double severity = detachment.on ? 0.0 : motion_severity(ctx.faults);
  const double perfusion_scale =
      low_perfusion.on ? (low_perfusion.magnitude > 0.0 ? low_perfusion.magnitude : low_perfusion_scale_) : 1.0;
  update_ppg(ctx, ppg::PpgConditions{detachment.on ? 0.0 : perfusion_index_ * perfusion_scale, severity});

  // The slow error runs on whatever happens to the probe.
  const double dt_s = slow_started_ ? (now - last_sample_).seconds() : 0.0;
  slow_error_ = slow_started_ ? ou_step(slow_error_, dt_s, model_.error_time_constant_s, model_.error_sd,
                                        ctx.noise.normal(0.0, 1.0))
                              : model_.error_sd * ctx.noise.normal(0.0, 1.0);
  slow_started_ = true;
  last_sample_ = now;

  if (detachment.on && now - detachment.since >= probe_off_delay_) {
    internal_.clear();
    out.reading(Signal::spo2, 0.0, network::READING_SENSOR_OFF);
    out.reading(Signal::heart_rate, 0.0, network::READING_SENSOR_OFF);
    out.reading(Signal::perfusion_index, 0.0, network::READING_SENSOR_OFF);
    return;
  }

  double internal = 0.0;
  if (detachment.on) {
    internal = artifact_spo2_ + motion_artifact_sd_ * ctx.noise.normal(0.0, 1.0);  // ambient light, R -> 1
  } else {
    internal = spo2_internal_percent(ctx.patient.value(Signal::spo2), ctx.patient.skin_type(), model_, slow_error_,
                                     ctx.noise.normal(0.0, 1.0));
    if (low_perfusion.on) {
      const double extra_sd = model_.noise_sd * std::sqrt(std::max(0.0, low_perfusion_noise_factor_ *
                                                                              low_perfusion_noise_factor_ - 1.0));
      internal += low_perfusion_bias_ + extra_sd * ctx.noise.normal(0.0, 1.0);
    }
    if (severity > 0.0) {
      const double weight = severity * ctx.noise.uniform01();
      const double artifact = artifact_spo2_ + motion_artifact_sd_ * ctx.noise.normal(0.0, 1.0);
      internal = (1.0 - weight) * internal + weight * artifact;
    }
  }
  internal_.emplace_back(now, internal);
  while (!internal_.empty() && internal_.front().first <= now - window_) internal_.pop_front();
  double sum = 0.0;
  for (const auto& [t, v] : internal_) sum += v;
  const double mean = sum / static_cast<double>(internal_.size());
  double squares = 0.0;
  for (const auto& [t, v] : internal_) squares += (v - mean) * (v - mean);
  const double scatter = internal_.size() > 1 ? std::sqrt(squares / static_cast<double>(internal_.size() - 1)) : 0.0;

  const sim::Time from = now - window_;
  const std::vector<double> intervals = ppg::inter_pulse_intervals_s(ppg_.pulses, from, now);
  // During the pulse search the device keeps its last verdict: the first readings of a detached
  // probe carry no flag.
  if (!detachment.on) low_quality_ = scatter > sqi_sd_ || ppg::coefficient_of_variation(intervals) > sqi_cv_;
  const double pi = ppg::mean_perfusion_index(ppg_, from, now);
  std::uint16_t common = low_quality_ ? network::READING_LOW_QUALITY : network::READING_OK;
  if (pi < low_pi_threshold_) common |= network::READING_LOW_PERFUSION;

  std::uint16_t flags = common;
  out.reading(Signal::spo2, devices::measure(mean, 0.0, 0.0, SPO2_DISPLAY, flags), flags);
  flags = common;
  const std::optional<double> rate = ppg::pulse_rate_bpm(ppg_.pulses, from, now);
  const double z_rate = ctx.noise.normal(0.0, 1.0);
  if (rate) {
    out.reading(Signal::heart_rate, devices::measure(*rate, heart_rate_error_sd_, z_rate, PULSE_RATE_DISPLAY, flags),
                flags);
  } else {
    out.reading(Signal::heart_rate, 0.0, flags | network::READING_LOW_QUALITY);  // no pulse found: dashes
  }
  flags = common;
  out.reading(Signal::perfusion_index, devices::measure(pi, 0.0, 0.0, PERFUSION_INDEX_DISPLAY, flags), flags);
}

}  // namespace twinbed::devices
