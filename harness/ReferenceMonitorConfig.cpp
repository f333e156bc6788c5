// The reference monitor's default threshold alarms: adult defaults of a typical bedside monitor,
// aligned with twinbed's ground-truth definitions (docs/models/ground-truth.md) so that a perfect
// measurement alarms exactly on the events. Sources per line; docs/alarms.md has the table.
#include "harness/ReferenceMonitor.hpp"

namespace twinbed::harness {

std::vector<ThresholdRule> ReferenceMonitorConfig::default_thresholds() {
  using physiology::Signal;
  const sim::Time ten_s = sim::Time::from_s(10);
  const sim::Time one_min = sim::Time::from_s(60);
  const sim::Time none = sim::Time::zero();
  // The last field, `inclusive`, is set where the ground-truth class counts the limit itself
  // (RR <= 8 and >= 25, SBP <= 90, temperature >= 38.3 and <= 35.0: docs/models/ground-truth.md).
  return {
      // SpO2 low 90 % (Philips IntelliVue and EDAN M3A adult default), 10 s alarm delay (IntelliVue
      // default SpO2 alarm delay); "desat" below 85 % is red, as the IntelliVue Desat alarm.
      {"spo2_low", Signal::spo2, false, 90.0, Priority::medium, ten_s, true, false},
      {"spo2_desat", Signal::spo2, false, 85.0, Priority::high, ten_s, true, false},
      // HR 50 / 120 bpm: IntelliVue, EDAN M3A and Contec CMS8000 adult defaults.
      {"hr_low", Signal::heart_rate, false, 50.0, Priority::medium, ten_s, true, false},
      {"hr_high", Signal::heart_rate, true, 120.0, Priority::medium, ten_s, true, false},
      // RR 8 / 25 /min: the NEWS2 red bands (RCP 2017); IntelliVue defaults 8 / 30.
      {"rr_low", Signal::respiration_rate, false, 8.0, Priority::medium, ten_s, true, true},
      {"rr_high", Signal::respiration_rate, true, 25.0, Priority::medium, ten_s, true, true},
      // NIBP: each reading is a whole measurement, so no delay. SBP 90: NEWS2 red band and the
      // IntelliVue default; 180/120: hypertensive crisis (Whelton et al., 2017 ACC/AHA).
      {"sbp_low", Signal::systolic_bp, false, 90.0, Priority::medium, none, true, true},
      {"sbp_high", Signal::systolic_bp, true, 180.0, Priority::medium, none, true, false},
      {"dbp_high", Signal::diastolic_bp, true, 120.0, Priority::medium, none, true, false},
      // Temperature: fever 38.3 C (SCCM/IDSA 2008), hypothermia 35.0 C (NEWS2 red band); a minute
      // of persistence against probe noise.
      {"temp_high", Signal::core_temperature, true, 38.3, Priority::low, one_min, true, true},
      {"temp_low", Signal::core_temperature, false, 35.0, Priority::low, one_min, true, true},
  };
}

}  // namespace twinbed::harness
