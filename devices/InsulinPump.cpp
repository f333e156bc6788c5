#include "devices/InsulinPump.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace twinbed::devices {
namespace {
constexpr double HOUR_S = 3600.0;
constexpr double INCREMENT_TOLERANCE = 1e-9;
}  // namespace

double round_down_to_increment(double units, double increment) {
  if (units <= 0.0) return 0.0;
  return std::floor(units / increment + INCREMENT_TOLERANCE) * increment;
}

double round_to_increment(double value, double increment) { return std::round(value / increment) * increment; }

double meal_bolus_u(double carbs_g, double cgm_mg_dl, const physiology::InsulinTherapy& therapy,
                    double correction_threshold_mg_dl, double correction_target_mg_dl) {
  double bolus = therapy.carb_ratio_g_per_u > 0.0 ? carbs_g / therapy.carb_ratio_g_per_u : 0.0;
  if (!std::isnan(cgm_mg_dl) && cgm_mg_dl > correction_threshold_mg_dl && therapy.correction_factor_mg_dl_per_u > 0.0) {
    bolus += (cgm_mg_dl - correction_target_mg_dl) / therapy.correction_factor_mg_dl_per_u;
  }
  return bolus;
}

// --- catalogue ---------------------------------------------------------------------------------------

const DeviceTypeInfo& insulin_pump_type() {
  using K = sim::ParamKind;
  static const DeviceTypeInfo info{
      DeviceType::insulin_pump,
      "insulin_pump",
      "insulin pump (actuator): takes over the basal rate, meal boluses from announced carbohydrate and the "
      "CGM, reservoir, occlusion alarm",
      "pump",
      false,
      {physiology::Signal::insulin_basal_rate, physiology::Signal::insulin_bolus, physiology::Signal::device_alert},
      {FaultKind::occlusion, FaultKind::crash},
      with_common_params(
          {
              {"basal_rate_u_per_h", K::number, "U/h", 0.0, 0.0, 35.0,
               "programmed basal rate; 0 = the patient's steady-state basal (UVA/Padova u2ss) rounded to the "
               "basal increment",
               "scenario choice"},
              {"meal_bolus", K::flag, "", 1.0, 0.0, 1.0,
               "bolus for each announced meal: carbs/CR + (CGM > threshold ? (CGM - target)/CF : 0)",
               "spec section 1 (simglucose basal-bolus controller)"},
              {"correction_threshold_mg_dl", K::number, "mg/dL", 150.0, 0.0, 600.0,
               "CGM value above which the bolus adds a correction", "spec section 1"},
              {"correction_target_mg_dl", K::number, "mg/dL", 140.0, 0.0, 600.0,
               "glucose the correction aims at", "spec section 1"},
              {"cgm_max_age", K::duration, "", 15.0 * 60.0, 0.0, 86400.0,
               "an older CGM value (warm-up, signal loss) gives no correction",
               "design choice: three 5-minute CGM periods"},
              {"bolus_increment_u", K::number, "U", 0.05, 0.001, 1.0, "bolus step; boluses round down to it",
               "simglucose pump_params.csv (Insulet, Cozmo): 0.05 U"},
              {"basal_increment_u_per_h", K::number, "U/h", 0.05, 0.001, 1.0, "basal rate step",
               "simglucose pump_params.csv (Insulet, Cozmo): 0.05 U"},
              {"max_bolus_u", K::number, "U", 30.0, 0.0, 100.0, "largest single bolus",
               "simglucose pump_params.csv: Insulet 30 U (Cozmo 75 U)"},
              {"max_basal_u_per_h", K::number, "U/h", 30.0, 0.0, 100.0, "largest basal rate",
               "simglucose pump_params.csv: Insulet 30 U/h (Cozmo 35 U/h)"},
              {"reservoir_u", K::number, "U", 200.0, 1.0, 1000.0, "insulin in a full reservoir (pod, cartridge)",
               "Omnipod pod: up to 200 U; Medtronic/Tandem cartridges 300 U"},
              {"reservoir_low_u", K::number, "U", 20.0, 0.0, 1000.0, "reservoir_low alert threshold",
               "pump manuals: programmable low-reservoir alert (Omnipod 10-50 U)"},
              {"replace_empty_after", K::duration, "", HOUR_S, 0.0, 30.0 * 86400.0,
               "the patient refills an empty reservoir this long after it ran out; 0 = never", "scenario choice"},
              {"occlusion_alarm_u", K::number, "U", 1.25, 0.05, 20.0,
               "missed insulin at which the pump detects an occlusion (alarm at occlusion_alarm_u / basal rate)",
               "MiniMed Paradigm 511 user guide: up to 3 U, typically 75 min at 1 U/h; occlusion detection "
               "< 5 h at 1 U/h in all 10 systems tested (J Diabetes Sci Technol 12:601, 2018)"},
              {"basal_report_interval", K::duration, "", HOUR_S, 60.0, 86400.0,
               "an insulin_basal_rate reading at least this often (and at every change)", "scenario choice"},
          },
          // One-minute control step as simglucose's pumps (pump_params.csv sample_time 1 min).
          // Mains powered by default: the pod's or pump's battery outlasts its reservoir.
          CommonDefaults{.sample_interval_s = 60.0}),
      [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<InsulinPump>(std::move(setup)); }};
  return info;
}

// --- InsulinPump ----------------------------------------------------------------------------------------

InsulinPump::InsulinPump(DeviceSetup setup)
    : Device(std::move(setup)), basal_override_u_per_h_(params().number("basal_rate_u_per_h")),
      bolus_increment_u_(params().number("bolus_increment_u")),
      basal_increment_u_per_h_(params().number("basal_increment_u_per_h")),
      max_bolus_u_(params().number("max_bolus_u")), max_basal_u_per_h_(params().number("max_basal_u_per_h")),
      correction_threshold_mg_dl_(params().number("correction_threshold_mg_dl")),
      correction_target_mg_dl_(params().number("correction_target_mg_dl")),
      reservoir_capacity_u_(params().number("reservoir_u")), reservoir_low_u_(params().number("reservoir_low_u")),
      occlusion_alarm_u_(params().number("occlusion_alarm_u")), cgm_max_age_(params().duration("cgm_max_age")),
      replace_empty_after_(params().duration("replace_empty_after")),
      basal_report_interval_(params().duration("basal_report_interval")), meal_bolus_(params().flag("meal_bolus")) {}

void InsulinPump::on_start(SampleContext& ctx) {
  const std::optional<physiology::InsulinTherapy> therapy = ctx.patient.insulin_therapy();
  has_therapy_ = therapy.has_value();
  if (therapy) therapy_ = *therapy;
  reservoir_u_ = reservoir_capacity_u_;
  accounted_until_ = ctx.now;
  next_basal_report_ = ctx.now;
  if (basal_override_u_per_h_ > 0.0) {
    basal_u_per_h_ = round_to_increment(basal_override_u_per_h_, basal_increment_u_per_h_);
  } else if (therapy) {
    basal_u_per_h_ = round_to_increment(therapy->basal_u_per_min * 60.0, basal_increment_u_per_h_);
  } else {
    return;  // no insulin therapy (a non-diabetic patient) and no programmed rate: leave the patient alone
  }
  basal_u_per_h_ = std::min(basal_u_per_h_, max_basal_u_per_h_);
  apply_basal();
}

// Brings the reservoir and the missed insulin up to `now` at the programmed basal rate.
void InsulinPump::account(sim::Time now) {
  const double hours = (now - accounted_until_).seconds() / HOUR_S;
  const sim::Time from = accounted_until_;
  accounted_until_ = now;
  if (hours <= 0.0 || crashed_ || empty_ || basal_u_per_h_ <= 0.0) return;
  const double due_u = basal_u_per_h_ * hours;
  if (occluded_) {
    missed_u_ += due_u;  // the motor pushes against the blocked line; the plunger hardly moves
    return;
  }
  if (due_u + INCREMENT_TOLERANCE >= reservoir_u_) {  // tolerance: the empty check's time is rounded to 1 ns
    become_empty(from + sim::Time::from_seconds(reservoir_u_ / basal_u_per_h_ * HOUR_S));
    return;
  }
  use_insulin(due_u);
}

void InsulinPump::use_insulin(double units) {
  reservoir_u_ -= units;
  if (!low_alert_sent_ && reservoir_u_ <= reservoir_low_u_) {
    low_alert_sent_ = true;
    low_alert_due_ = true;
  }
}

void InsulinPump::become_empty(sim::Time at) {
  reservoir_u_ = 0.0;
  empty_ = true;
  empty_alert_due_ = true;
  low_alert_sent_ = true;  // no separate low alert once empty
  begin_fault(FaultKind::reservoir_empty, 0.0, at);
  apply_basal();
  if (replace_empty_after_ > sim::Time::zero()) {
    simulator().schedule_at(std::max(simulator().now(), at + replace_empty_after_), [this]() { refill(); });
  }
}

void InsulinPump::refill() {
  patient().advance_to(simulator().now());
  account(simulator().now());
  reservoir_u_ = reservoir_capacity_u_;
  low_alert_sent_ = false;
  if (empty_) {
    empty_ = false;
    end_fault(FaultKind::reservoir_empty);
  }
  apply_basal();
}

// Sets the patient's basal to what actually flows now, and plans the check that catches the
// reservoir running empty between two samples.
void InsulinPump::apply_basal() {
  simulator().cancel(empty_check_);
  if (!has_therapy_ && basal_u_per_h_ <= 0.0) return;
  const bool flowing = delivering() && basal_u_per_h_ > 0.0;
  patient().set_basal_u_per_min(flowing ? basal_u_per_h_ / 60.0 : 0.0);
  if (!flowing) return;
  const sim::Time until_empty = sim::Time::from_seconds(reservoir_u_ / basal_u_per_h_ * HOUR_S);
  empty_check_ = simulator().schedule_in(until_empty, [this]() {
    patient().advance_to(simulator().now());
    account(simulator().now());
  });
}

void InsulinPump::deliver_bolus(double units, sim::Time now) {
  account(now);
  if (occluded_) {
    missed_u_ += units;
    return;
  }
  const double given = std::min(units, reservoir_u_);
  use_insulin(given);
  patient().deliver_bolus_u(given);
  if (reservoir_u_ <= INCREMENT_TOLERANCE) {
    become_empty(now);
  } else {
    apply_basal();  // the reservoir now empties sooner
  }
}

void InsulinPump::on_fault(FaultKind kind, bool active, SampleContext& ctx) {
  if (kind != FaultKind::occlusion && kind != FaultKind::crash && kind != FaultKind::battery_depleted) return;
  account(ctx.now);
  if (kind == FaultKind::crash || kind == FaultKind::battery_depleted) {
    // A rebooting pump delivers nothing until it is back; a dead one never again.
    crashed_ = kind == FaultKind::battery_depleted ? true : active;
  } else {
    occluded_ = active;
    if (!active) {  // the line is clear again (the patient changed the set): basal resumes
      occlusion_detected_ = false;
      missed_u_ = 0.0;
    }
  }
  apply_basal();
}

void InsulinPump::measure(SampleContext& ctx, Output& out) {
  using physiology::Signal;
  account(ctx.now);
  if (occluded_ && !occlusion_detected_ && missed_u_ >= occlusion_alarm_u_) {
    occlusion_detected_ = true;
    out.alert(AlertCode::occlusion);
  }
  if (low_alert_due_) {
    low_alert_due_ = false;
    out.alert(AlertCode::reservoir_low);
  }
  if (empty_alert_due_) {
    empty_alert_due_ = false;
    out.alert(AlertCode::reservoir_empty);
  }

  // Announcements are taken every sample, so a meal eaten while the bolus is off is not bolused later.
  const double carbs_g = ctx.patient.take_meal_announcements_g();
  if (carbs_g > 0.0 && meal_bolus_ && has_therapy_ && !suspended()) {
    const bool fresh = !std::isnan(ctx.bus.cgm_mg_dl) && ctx.now - ctx.bus.cgm_time <= cgm_max_age_;
    const double cgm = fresh ? ctx.bus.cgm_mg_dl : std::numeric_limits<double>::quiet_NaN();
    const double bolus = round_down_to_increment(
        std::min(meal_bolus_u(carbs_g, cgm, therapy_, correction_threshold_mg_dl_, correction_target_mg_dl_),
                 max_bolus_u_),
        bolus_increment_u_);
    if (bolus > 0.0) {
      deliver_bolus(bolus, ctx.now);
      out.reading(Signal::insulin_bolus, bolus);  // what the pump believes it gave (an occlusion hides)
    }
  }

  // The basal rate as the pump knows it: zero once it has stopped (empty, occlusion alarm).
  const double shown_basal = suspended() ? 0.0 : basal_u_per_h_;
  if (shown_basal != reported_basal_u_per_h_ || ctx.now >= next_basal_report_) {
    out.reading(Signal::insulin_basal_rate, shown_basal);
    reported_basal_u_per_h_ = shown_basal;
    next_basal_report_ = ctx.now + basal_report_interval_;
  }
}

}  // namespace twinbed::devices
