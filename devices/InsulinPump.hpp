#pragma once
// devices::InsulinPump: an actuator on a type-1 diabetes patient. At the start it takes over the
// patient's basal insulin (the therapy's steady-state rate, quantised to the pump's increment);
// each sample it gives a meal bolus for the carbohydrate the patient announced, corrected with
// the CGM's latest value from the PatientBus (spec section 1), and reports what it delivered.
// A finite reservoir runs empty (reservoir_empty: no delivery until replaced); an injected
// occlusion stops delivery at once, and the pump alarms once the missed insulin reaches its
// detection threshold.
#include <cstdint>

#include "devices/Device.hpp"

namespace twinbed::devices {

// `units` rounded down to a whole number of `increment`s (a pump cannot deliver a fraction of a
// step); a 1e-9 tolerance keeps 0.15 / 0.05 from flooring to 2.
double round_down_to_increment(double units, double increment);
// `value` rounded to the nearest whole number of `increment`s.
double round_to_increment(double value, double increment);

// Bolus (U) before rounding, spec section 1: carbs/CR + (CGM > threshold ? (CGM - target)/CF : 0);
// no correction when the CGM value is NaN (none recent).
double meal_bolus_u(double carbs_g, double cgm_mg_dl, const physiology::InsulinTherapy& therapy,
                    double correction_threshold_mg_dl, double correction_target_mg_dl);

class InsulinPump final : public Device {
public:
  // A pump reports deliveries and alerts, not on a clock: its silence is normal.
  sim::Time report_interval() const override { return sim::Time::zero(); }
  explicit InsulinPump(DeviceSetup setup);

  // Insulin left in the reservoir (U), as of the last accounting.
  double reservoir_u() const { return reservoir_u_; }

protected:
  void on_start(SampleContext& ctx) override;
  void measure(SampleContext& ctx, Output& out) override;
  void on_fault(FaultKind kind, bool active, SampleContext& ctx) override;

private:
  bool delivering() const { return !crashed_ && !empty_ && !occluded_; }
  bool suspended() const { return empty_ || occlusion_detected_; }  // as the pump itself knows
  void account(sim::Time now);
  void deliver_bolus(double units, sim::Time now);
  void use_insulin(double units);
  void become_empty(sim::Time at);
  void refill();
  void apply_basal();

  // Parameters.
  double basal_override_u_per_h_, bolus_increment_u_, basal_increment_u_per_h_, max_bolus_u_, max_basal_u_per_h_;
  double correction_threshold_mg_dl_, correction_target_mg_dl_;
  double reservoir_capacity_u_, reservoir_low_u_, occlusion_alarm_u_;
  sim::Time cgm_max_age_, replace_empty_after_, basal_report_interval_;
  bool meal_bolus_ = true;

  // State.
  physiology::InsulinTherapy therapy_;
  bool has_therapy_ = false;
  double basal_u_per_h_ = 0.0;  // programmed
  double reservoir_u_ = 0.0;
  double missed_u_ = 0.0;       // not delivered since the occlusion started
  sim::Time accounted_until_;
  bool crashed_ = false, empty_ = false, occluded_ = false, occlusion_detected_ = false;
  bool low_alert_sent_ = false, low_alert_due_ = false, empty_alert_due_ = false;
  double reported_basal_u_per_h_ = -1.0;
  sim::Time next_basal_report_;
  sim::EventId empty_check_{};
};

const DeviceTypeInfo& insulin_pump_type();

}  // namespace twinbed::devices
