#pragma once
// devices::InfusionPump: a smart large-volume (or syringe) infusion pump with a drug library. It
// runs a programmed infusion, which the nurse titrates now and then; a programming beyond the
// library's hard limit (e.g. a 10-fold decimal error) is rejected with an alert. It reports its
// rate on every change and periodically, detects occlusions once the pumped volume has built up
// the line pressure, and stops when the bag runs empty. The drug does not act on the patient
// (the physiology has no pharmacology yet).
#include <optional>
#include <vector>

#include "devices/Device.hpp"

namespace twinbed::devices {

// Time (s) for an occlusion alarm at `rate_ml_h`: the pump must push the line's compliance volume
// `alarm_volume_ml` against the blockage before the pressure reaches the alarm threshold.
double occlusion_alarm_delay_s(double alarm_volume_ml, double rate_ml_h);
// Time (s) until `remaining_ml` is infused at `rate_ml_h` (infinity at rate 0).
double time_to_empty_s(double remaining_ml, double rate_ml_h);
// A nurse's titration: `prescribed` times lognormal(0, sd) (z ~ N(0,1)), times `error_factor` if
// it is a programming error, rounded to the pump's 0.1 mL/h resolution.
double titrated_rate_ml_h(double prescribed_ml_h, double sd, double z, bool programming_error, double error_factor);

class InfusionPump final : public Device {
public:
  // A pump reports deliveries and alerts, not on a clock: its silence is normal.
  sim::Time report_interval() const override { return sim::Time::zero(); }
  explicit InfusionPump(DeviceSetup setup);

protected:
  void on_start(SampleContext& ctx) override;
  void on_fault(FaultKind kind, bool active, SampleContext& ctx) override;
  void measure(SampleContext& ctx, Output& out) override;

private:
  void advance(sim::Time to);
  void titrate(SampleContext& ctx, Output& out);
  double delivering_rate_ml_h() const { return running_ && !crashed_ ? rate_ml_h_ : 0.0; }
  void schedule_wake(sim::Time now);

  double prescribed_ml_h_, volume_ml_, limit_ml_h_;
  sim::Time titration_every_;
  double titration_sd_, error_probability_, error_factor_, alarm_volume_ml_;
  sim::Time status_interval_;

  double rate_ml_h_;               // programmed rate now
  double infused_ml_ = 0.0;
  double occluded_ml_ = 0.0;       // volume pushed against the current occlusion
  sim::Time last_update_;          // volumes are integrated up to here
  bool running_ = true;            // infusing (not empty, not stopped by an occlusion alarm)
  bool occluded_ = false;
  bool crashed_ = false;
  bool occlusion_alarmed_ = false;
  bool started_ = false;
  bool rate_report_due_ = false;
  std::vector<AlertCode> pending_alerts_;  // raised outside measure()
  sim::Time next_titration_ = sim::Time::max();
  sim::Time next_status_;
  std::optional<sim::EventId> wake_;       // a measurement at the next model event
};

}  // namespace twinbed::devices
