#include "devices/InfusionPump.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace twinbed::devices {
namespace {
using physiology::Signal;

// Programming resolution of large-volume pumps: 0.1 mL/h (e.g. BD Alaris, B. Braun Infusomat).
constexpr double RATE_RESOLUTION_ML_H = 0.1;
// Volumes within this of a threshold count as reaching it (floating-point integration).
constexpr double VOLUME_EPSILON_ML = 1e-9;
}  // namespace

// --- pure models --------------------------------------------------------------------------------

double occlusion_alarm_delay_s(double alarm_volume_ml, double rate_ml_h) {
  return rate_ml_h > 0.0 ? alarm_volume_ml / rate_ml_h * 3600.0 : std::numeric_limits<double>::infinity();
}

double time_to_empty_s(double remaining_ml, double rate_ml_h) {
  return rate_ml_h > 0.0 ? std::max(0.0, remaining_ml) / rate_ml_h * 3600.0 : std::numeric_limits<double>::infinity();
}

double titrated_rate_ml_h(double prescribed_ml_h, double sd, double z, bool programming_error, double error_factor) {
  double rate = prescribed_ml_h * std::exp(sd * z);
  if (programming_error) rate *= error_factor;
  return std::max(RATE_RESOLUTION_ML_H, std::round(rate / RATE_RESOLUTION_ML_H) * RATE_RESOLUTION_ML_H);
}

// --- catalogue ----------------------------------------------------------------------------------

const DeviceTypeInfo& infusion_pump_type() {
  using K = sim::ParamKind;
  static const DeviceTypeInfo info{
      DeviceType::infusion_pump,
      "infusion_pump",
      "smart infusion pump with a drug library (dose error reduction): programmed rate and titrations, hard-limit "
      "rejections, occlusion alarm, bag empty; the drug does not act on the patient",
      "pump",
      false,
      {Signal::infusion_rate, Signal::device_alert},
      {FaultKind::occlusion, FaultKind::crash},
      with_common_params(
          {
              {"rate_ml_h", K::number, "mL/h", 100.0, 0.1, 1200.0, "prescribed infusion rate",
               "maintenance IV fluids 25-30 mL/kg/day, ~75-90 mL/h at 70 kg (NICE CG174); rounded"},
              {"volume_ml", K::number, "mL", 1000.0, 1.0, 5000.0, "bag or syringe volume to be infused (VTBI)",
               "1 L crystalloid bag; 50 mL for a syringe pump"},
              {"rate_limit_ml_h", K::number, "mL/h", 500.0, 0.1, 2000.0,
               "drug library hard upper limit: a programming above it is rejected",
               "scenario choice; hard limits per drug profile (AAMI/ISMP smart pump guidance, ISMP 2009 summit)"},
              {"titration_every", K::duration, "", 4.0 * 3600.0, 0.0, 30.0 * 86400.0,
               "mean time between rate changes by the nurse (exponential); 0 = never", "scenario choice"},
              {"titration_sd", K::number, "", 0.25, 0.0, 2.0,
               "a titrated rate is the prescribed rate times lognormal(0, this)", "scenario choice"},
              {"programming_error_probability", K::probability, "", 0.005, 0.0, 1.0,
               "probability that a rate entry is a programming error",
               "scenario choice; 10-fold decimal errors are a leading IV pump error (ISMP 2009 smart pump summit)"},
              {"programming_error_factor", K::number, "", 10.0, 1.0, 1000.0, "a programming error multiplies the rate",
               "ISMP: decimal-point (10-fold) errors"},
              {"occlusion_alarm_volume_ml", K::number, "mL", 0.5, 0.0, 20.0,
               "compliance volume the pump pushes against a downstream occlusion before it alarms: alarm time = this / "
               "rate",
               "occlusion alarm delays of tens of minutes at 1 mL/h in syringe pump tests (e.g. Kim & Steward, "
               "Paediatr Anaesth 1999; ECRI evaluations)"},
              {"status_interval", K::duration, "", 900.0, 0.0, 86400.0,
               "an infusion_rate status reading at least this often; 0 = only on changes",
               "scenario choice (pump-EHR interoperability status period)"},
          },
          // A 1-min supervision cycle; model events (titration, occlusion alarm, bag empty) wake the
          // pump at their exact time. Mains powered: the backup battery only matters on mains
          // failure, which is not modelled. Hospital Wi-Fi: each event is sent at once.
          CommonDefaults{.sample_interval_s = 60.0, .batch_readings = 1.0, .max_retries = 3.0}),
      [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<InfusionPump>(std::move(setup)); }};
  return info;
}

// --- the device --------------------------------------------------------------------------------

InfusionPump::InfusionPump(DeviceSetup setup)
    : Device(std::move(setup)), prescribed_ml_h_(params().number("rate_ml_h")),
      volume_ml_(params().number("volume_ml")),
      limit_ml_h_(params().number("rate_limit_ml_h")), titration_every_(params().duration("titration_every")),
      titration_sd_(params().number("titration_sd")),
      error_probability_(params().number("programming_error_probability")),
      error_factor_(params().number("programming_error_factor")),
      alarm_volume_ml_(params().number("occlusion_alarm_volume_ml")),
      status_interval_(params().duration("status_interval")), rate_ml_h_(prescribed_ml_h_) {}

void InfusionPump::on_start(SampleContext& ctx) {
  last_update_ = ctx.now;
  next_status_ = ctx.now;
  if (titration_every_ > sim::Time::zero()) {
    next_titration_ = ctx.now + sim::Time::from_seconds(ctx.noise.exponential(titration_every_.seconds()));
  }
  request_measurement();  // the infusion starts now: report it
}

void InfusionPump::advance(sim::Time to) {
  const double dt_h = (to - last_update_).seconds() / 3600.0;
  if (running_ && !crashed_ && dt_h > 0.0) {
    const double pumped_ml = rate_ml_h_ * dt_h;
    if (occluded_) {
      // Nothing reaches the patient; the line pressure builds until the alarm.
      occluded_ml_ += pumped_ml;
      if (occluded_ml_ >= alarm_volume_ml_ - VOLUME_EPSILON_ML) {
        running_ = false;  // pumps stop infusing on an occlusion alarm
        occlusion_alarmed_ = true;
        pending_alerts_.push_back(AlertCode::occlusion);
        rate_report_due_ = true;
      }
    } else if (infused_ml_ + pumped_ml >= volume_ml_ - VOLUME_EPSILON_ML) {
      const sim::Time empty_at =
          last_update_ + sim::Time::from_seconds(time_to_empty_s(volume_ml_ - infused_ml_, rate_ml_h_));
      infused_ml_ = volume_ml_;
      running_ = false;
      begin_fault(FaultKind::reservoir_empty, 0.0, std::min(empty_at, to));
      pending_alerts_.push_back(AlertCode::infusion_stopped);
      rate_report_due_ = true;
    } else {
      infused_ml_ += pumped_ml;
    }
  }
  last_update_ = to;
}

void InfusionPump::on_fault(FaultKind kind, bool active, SampleContext& ctx) {
  advance(ctx.now);  // the volumes up to now ran under the old state
  if (kind == FaultKind::occlusion) {
    occluded_ = active;
    occluded_ml_ = 0.0;  // a new occlusion starts from the line's resting pressure; a cleared one releases it
    if (!active && occlusion_alarmed_) {
      // The nurse clears the line and restarts the infusion.
      occlusion_alarmed_ = false;
      running_ = infused_ml_ < volume_ml_;
      if (running_) pending_alerts_.push_back(AlertCode::infusion_started);
      rate_report_due_ = true;
    }
  } else if (kind == FaultKind::crash) {
    crashed_ = active;
    // After the reboot the infusion resumes (assumed restarted at once by the nurse).
    if (!active && running_) {
      pending_alerts_.push_back(AlertCode::infusion_started);
      rate_report_due_ = true;
    }
  }
  if (!active) {
    request_measurement();  // report what changed now
  } else {
    schedule_wake(ctx.now);
  }
}

void InfusionPump::measure(SampleContext& ctx, Output& out) {
  advance(ctx.now);
  if (!started_) {
    started_ = true;
    out.alert(AlertCode::infusion_started, false);
    rate_report_due_ = true;
  }
  for (const AlertCode code : pending_alerts_) {
    const bool urgent = code == AlertCode::occlusion;
    out.alert(code, urgent);
  }
  pending_alerts_.clear();
  if (running_ && ctx.now >= next_titration_) titrate(ctx, out);
  if (rate_report_due_ || (status_interval_ > sim::Time::zero() && ctx.now >= next_status_)) {
    out.reading(Signal::infusion_rate, delivering_rate_ml_h());
    rate_report_due_ = false;
    if (status_interval_ > sim::Time::zero()) next_status_ = ctx.now + status_interval_;
  }
  schedule_wake(ctx.now);
}

void InfusionPump::titrate(SampleContext& ctx, Output& out) {
  // Both draws always happen, so changing one parameter does not shift the other's draws.
  const double z = ctx.noise.normal(0.0, 1.0);
  const bool error = ctx.noise.bernoulli(error_probability_);
  next_titration_ = ctx.now + sim::Time::from_seconds(ctx.noise.exponential(titration_every_.seconds()));
  const double programmed = titrated_rate_ml_h(prescribed_ml_h_, titration_sd_, z, error, error_factor_);
  if (programmed > limit_ml_h_) {
    out.alert(AlertCode::dose_limit);  // the drug library's hard stop: the entry is rejected
    return;
  }
  if (programmed == rate_ml_h_) return;
  rate_ml_h_ = programmed;
  out.alert(AlertCode::rate_changed, false);
  rate_report_due_ = true;
}

void InfusionPump::schedule_wake(sim::Time now) {
  // The next model event: a titration, the occlusion alarm or the bag running empty.
  sim::Time at = sim::Time::max();
  if (running_ && !crashed_) {
    at = next_titration_;
    const double seconds = occluded_ ? occlusion_alarm_delay_s(alarm_volume_ml_ - occluded_ml_, rate_ml_h_)
                                     : time_to_empty_s(volume_ml_ - infused_ml_, rate_ml_h_);
    if (std::isfinite(seconds)) at = std::min(at, last_update_ + sim::Time::from_seconds(seconds));
  }
  if (wake_) simulator().cancel(*wake_);
  wake_.reset();
  if (at == sim::Time::max()) return;
  at = std::max(at, now + sim::Time::from_ns(1));
  wake_ = simulator().schedule_at(at, [this]() {
    wake_.reset();
    request_measurement();
  });
}

}  // namespace twinbed::devices
