#include "devices/BedsideMonitor.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::devices {
namespace {
using physiology::Signal;
// An oscillometric measurement takes 30-45 s (spec/physiology.md section 5).
constexpr double NIBP_DURATION_MIN_S = 30.0;
constexpr double NIBP_DURATION_MAX_S = 45.0;
constexpr double TEMPERATURE_RESOLUTION_C = 0.1;  // displayed to 0.1 C
constexpr std::size_t SPO2_WINDOW_FALLBACK = 64;  // on-demand schedules: samples kept for averaging
// A monitor's readings do not jump independently every second: the respiration rate is counted
// over the last breaths (~30 s) and a probe's error is a bias that changes over minutes. Both
// errors are OU processes with these time constants (our choices).
constexpr double RESPIRATION_ERROR_TAU_S = 30.0;
constexpr double TEMPERATURE_ERROR_TAU_S = 600.0;

double round_to(double value, double resolution) { return std::round(value / resolution) * resolution; }
}  // namespace

NibpResult nibp_measure(double systolic, double diastolic, double mean, double bias_mmhg, double error_sd_mmhg,
                        double z_systolic, double z_diastolic, double z_mean) {
  return NibpResult{std::round(systolic + bias_mmhg + error_sd_mmhg * z_systolic),
                    std::round(diastolic + bias_mmhg + error_sd_mmhg * z_diastolic),
                    std::round(mean + bias_mmhg + error_sd_mmhg * z_mean)};
}


const DeviceTypeInfo& bedside_monitor_type() {
  static const DeviceTypeInfo info = [] {
    std::vector<sim::ParamInfo> own{
        {"spo2_error_sd", sim::ParamKind::number, "%", 2.0, 0.0, 20.0, "SpO2 error against SaO2 (1 SD, ~ARMS)",
         "ISO 80601-2-61 / FDA 2013: ARMS <= 3 %; typical 2 %"},
        {"spo2_error_time_constant", sim::ParamKind::duration, "", 60.0, 0.0, 86400.0,
         "the SpO2 error varies slowly (a bias over minutes), not sample by sample; 0 = white",
         "our choice: oximeter-vs-SaO2 differences are mostly persistent bias"},
        {"spo2_averaging", sim::ParamKind::duration, "", 8.0, 1.0, 60.0, "SpO2 averaging window",
         "spec/physiology.md section 5: 4-16 s; IntelliVue/Masimo default 8 s"},
        {"respiration_error_sd", sim::ParamKind::number, "/min", 1.0, 0.0, 20.0,
         "impedance-pneumography respiration rate error (1 SD)", "Philips IntelliVue datasheet: +/-1 rpm"},
        {"temperature_error_sd", sim::ParamKind::number, "Cel", 0.1, 0.0, 2.0, "core temperature probe error (1 SD)",
         "IntelliVue datasheet +/-0.1 C; ISO 80601-2-56 laboratory accuracy +/-0.3 C"},
        {"nibp_interval", sim::ParamKind::duration, "", 900.0, 0.0, 86400.0,
         "automatic NIBP cycle (0 = never)", "ICU practice: automatic cuff every 15 min (IntelliVue auto 1-120 min)"},
        {"nibp_bias_mmhg", sim::ParamKind::number, "mmHg", 0.0, -30.0, 30.0, "NIBP mean error",
         "ISO 81060-2: mean error within +/-5 mmHg"},
        {"nibp_error_sd", sim::ParamKind::number, "mmHg", 6.0, 0.0, 30.0, "NIBP error (1 SD)",
         "ISO 81060-2: SD <= 8 mmHg; validated devices typically 5-7"},
    };
    EcgNoiseParams noise;
    noise.emg_rms_mv = 0.01;          // a patient lying in bed: little muscle noise (our choice)
    noise.mains_amplitude_mv = 0.05;  // mains-powered with long leads: more pick-up than a patch
    for (sim::ParamInfo& p : ecg_channel_params(noise)) own.push_back(p);
    return DeviceTypeInfo{
        DeviceType::bedside_monitor,
        "bedside_monitor",
        "wired multi-parameter bedside monitor (IntelliVue class): ECG and its heart rate, SpO2, respiration rate, "
        "core temperature every second; NIBP cycles",
        "monitor",
        true,
        {Signal::ecg, Signal::heart_rate, Signal::spo2, Signal::respiration_rate, Signal::core_temperature,
         Signal::systolic_bp, Signal::diastolic_bp, Signal::mean_bp},
        {FaultKind::motion, FaultKind::detachment, FaultKind::crash, FaultKind::signal_loss},
        // Mains powered and wired: no battery; a bed-bound patient's activity is no motion artifact.
        with_common_params(std::move(own), CommonDefaults{.sample_interval_s = 1.0, .motion_artifacts = false}),
        [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<BedsideMonitor>(std::move(setup)); }};
  }();
  return info;
}

BedsideMonitor::BedsideMonitor(DeviceSetup setup)
    : Device(std::move(setup)), channel_(ecg_channel_config(params())),
      spo2_error_sd_(params().number("spo2_error_sd")), respiration_error_sd_(params().number("respiration_error_sd")),
      temperature_error_sd_(params().number("temperature_error_sd")), nibp_bias_(params().number("nibp_bias_mmhg")),
      nibp_error_sd_(params().number("nibp_error_sd")), spo2_error_tau_(params().duration("spo2_error_time_constant")),
      spo2_averaging_(params().duration("spo2_averaging")), nibp_interval_(params().duration("nibp_interval")) {
  const sim::Time interval = params().duration("sample_interval");
  const std::size_t window = interval > sim::Time::zero()
                                 ? static_cast<std::size_t>(std::ceil(spo2_averaging_.seconds() / interval.seconds())) + 1
                                 : SPO2_WINDOW_FALLBACK;
  spo2_window_.resize(window);
}

void BedsideMonitor::on_fault(FaultKind kind, bool active, SampleContext& ctx) { channel_.on_fault(kind, active, ctx); }

void BedsideMonitor::measure(SampleContext& ctx, Output& out) {
  channel_.acquire(ctx, out);
  if (const std::optional<HeartRateReading> hr = channel_.heart_rate()) {
    out.reading(Signal::heart_rate, hr->bpm, hr->flags);
  }
  measure_spo2(ctx, out);
  const double dt_s = last_ ? (ctx.now - *last_).seconds() : 0.0;
  const double z_respiration = ctx.noise.normal(0.0, 1.0);
  const double z_temperature = ctx.noise.normal(0.0, 1.0);
  respiration_error_ = last_ ? ou_step(respiration_error_, dt_s, RESPIRATION_ERROR_TAU_S, respiration_error_sd_, z_respiration)
                             : respiration_error_sd_ * z_respiration;
  temperature_error_ = last_ ? ou_step(temperature_error_, dt_s, TEMPERATURE_ERROR_TAU_S, temperature_error_sd_, z_temperature)
                             : temperature_error_sd_ * z_temperature;
  last_ = ctx.now;
  // Impedance pneumography runs through the ECG electrodes: a lead off loses it too.
  if (channel_.lead_off()) {
    out.reading(Signal::respiration_rate, 0.0, network::READING_SENSOR_OFF);
  } else {
    const double rr = ctx.patient.value(Signal::respiration_rate) + respiration_error_;
    out.reading(Signal::respiration_rate, std::max(0.0, std::round(rr)));
  }
  const double temperature = ctx.patient.value(Signal::core_temperature) + temperature_error_;
  out.reading(Signal::core_temperature, round_to(temperature, TEMPERATURE_RESOLUTION_C));
  measure_nibp(ctx, out);
}

void BedsideMonitor::measure_spo2(SampleContext& ctx, Output& out) {
  const double dt_s = spo2_last_ ? (ctx.now - *spo2_last_).seconds() : 0.0;
  const double z = ctx.noise.normal(0.0, 1.0);
  spo2_error_ = spo2_last_ ? ou_step(spo2_error_, dt_s, spo2_error_tau_.seconds(), spo2_error_sd_, z) : spo2_error_sd_ * z;
  spo2_last_ = ctx.now;
  spo2_window_[spo2_head_] = Spo2Sample{ctx.now, ctx.patient.value(Signal::spo2) + spo2_error_};
  spo2_head_ = (spo2_head_ + 1) % spo2_window_.size();
  spo2_count_ = std::min(spo2_count_ + 1, spo2_window_.size());
  double sum = 0.0;
  int n = 0;
  for (std::size_t i = 0; i < spo2_count_; ++i) {
    const Spo2Sample& s = spo2_window_[i];
    if (ctx.now - s.at >= spo2_averaging_) continue;
    sum += s.value;
    ++n;
  }
  // The display: an integer percent in 0-100.
  const double shown = std::round(sum / n);
  std::uint16_t flags = network::READING_OK;
  if (shown > 100.0 || shown < 0.0) flags |= network::READING_CLAMPED;
  out.reading(Signal::spo2, std::clamp(shown, 0.0, 100.0), flags);
}

void BedsideMonitor::measure_nibp(SampleContext& ctx, Output& out) {
  if (nibp_ready_ && ctx.now >= *nibp_ready_) {
    nibp_ready_.reset();
    out.reading(Signal::systolic_bp, nibp_pending_.systolic);
    out.reading(Signal::diastolic_bp, nibp_pending_.diastolic);
    out.reading(Signal::mean_bp, nibp_pending_.mean);
  }
  if (nibp_interval_ <= sim::Time::zero() || nibp_ready_ || (next_nibp_ && ctx.now < *next_nibp_)) return;
  // A cycle starts: the cuff reads the pressure of now and reports when it has deflated.
  next_nibp_ = ctx.now + nibp_interval_;
  const double z_systolic = ctx.noise.normal(0.0, 1.0);
  const double z_diastolic = ctx.noise.normal(0.0, 1.0);
  const double z_mean = ctx.noise.normal(0.0, 1.0);
  nibp_pending_ = nibp_measure(ctx.patient.value(Signal::systolic_bp), ctx.patient.value(Signal::diastolic_bp),
                               ctx.patient.value(Signal::mean_bp), nibp_bias_, nibp_error_sd_, z_systolic, z_diastolic,
                               z_mean);
  nibp_ready_ = ctx.now + sim::Time::from_seconds(ctx.noise.uniform(NIBP_DURATION_MIN_S, NIBP_DURATION_MAX_S));
}

}  // namespace twinbed::devices
