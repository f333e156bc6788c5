// ScoringConfig::defaults(): the scored event classes with their priorities and matching
// tolerances, and the reference monitor's alarm names mapped to the classes they announce.
// docs/alarms.md gives the reasoning for each figure.
#include "harness/Scorer.hpp"

namespace twinbed::harness {

namespace {

sim::Time seconds(std::int64_t s) { return sim::Time::from_s(s); }
sim::Time minutes(std::int64_t m) { return sim::Time::from_s(60 * m); }

ClassRule physiological(std::string name, Priority priority, sim::Time pre, sim::Time post, sim::Time min_duration = {}) {
  return ClassRule{std::move(name), priority, false, pre, post, min_duration, sim::Time::zero()};
}
ClassRule arrhythmia(std::string name) {
  return ClassRule{std::move(name), Priority::high, false, sim::Time::zero(), seconds(30), sim::Time::zero(), seconds(60)};
}

ClassRule technical(std::string name, Priority priority, sim::Time post, sim::Time min_duration) {
  return ClassRule{std::move(name), priority, true, sim::Time::zero(), post, min_duration, sim::Time::zero()};
}

}  // namespace

ScoringConfig ScoringConfig::defaults() {
  const sim::Time zero = sim::Time::zero();
  ScoringConfig config;
  config.classes = {
      // Continuous vital signs: the spec's example tolerances, 0 s before onset / 30 s after offset.
      physiological("desaturation", Priority::medium, zero, seconds(30)),
      physiological("bradycardia", Priority::medium, zero, seconds(30)),
      physiological("tachycardia", Priority::medium, zero, seconds(30)),
      physiological("bradypnoea", Priority::medium, zero, seconds(60)),
      physiological("tachypnoea", Priority::medium, zero, seconds(60)),
      // Blood pressure comes from a cuff cycling every 15 min (ICU) or less often: an alarm on
      // the first cycle after the event still announces it.
      physiological("hypotension", Priority::medium, zero, minutes(15)),
      physiological("hypertensive_crisis", Priority::medium, zero, minutes(15)),
      // Temperature moves slowly and is often a spot check.
      physiological("fever", Priority::low, zero, minutes(30)),
      physiological("hypothermia", Priority::low, zero, minutes(30)),
      // CGM: predictive "urgent low soon" alerts are meant to come up to 20 min before the low
      // (Dexcom G6/G7), and interstitial glucose lags plasma by 5-10 min.
      physiological("hypoglycaemia_level1", Priority::medium, minutes(20), minutes(15)),
      physiological("hypoglycaemia_level2", Priority::high, minutes(20), minutes(15)),
      physiological("hyperglycaemia_level1", Priority::low, zero, minutes(15)),
      physiological("hyperglycaemia_level2", Priority::low, zero, minutes(15)),
      physiological("news2_medium", Priority::medium, zero, minutes(30)),
      physiological("news2_high", Priority::high, zero, minutes(30)),
      // CinC 2015 life-threatening arrhythmias: red (high-priority) alarms on every monitor.
      // Their events have no end hold, so episodes less than 60 s apart (the end hold of the
      // vital-sign classes) are merged into one.
      arrhythmia("asystole"),
      arrhythmia("extreme_bradycardia"),
      arrhythmia("extreme_tachycardia"),
      arrhythmia("ventricular_tachycardia"),
      arrhythmia("ventricular_fibrillation"),
      // AF needs a minute of RR intervals to be called (the reference analyzer's window).
      physiological("atrial_fibrillation", Priority::medium, zero, seconds(60), seconds(60)),
      // Technical: shorter than the monitor's own delays they cannot be announced.
      technical("lead_off", Priority::low, seconds(30), seconds(20)),
      technical("sensor_detached", Priority::low, seconds(30), seconds(20)),
      technical("device_offline", Priority::low, seconds(60), minutes(5)),
      technical("network_outage", Priority::low, seconds(60), minutes(5)),
      technical("battery_low", Priority::low, minutes(5), zero),
      technical("battery_depleted", Priority::low, minutes(5), zero),
      technical("occlusion", Priority::medium, minutes(5), zero),
      technical("reservoir_empty", Priority::medium, minutes(5), zero),
      technical("lead_impedance", Priority::medium, minutes(5), zero),
      technical("sensor_expired", Priority::low, minutes(5), zero),
  };
  config.alarm_classes = {
      {"spo2_low", {"desaturation"}},
      {"spo2_desat", {"desaturation"}},
      {"hr_low", {"bradycardia", "extreme_bradycardia"}},
      {"hr_high", {"tachycardia", "extreme_tachycardia"}},
      {"rr_low", {"bradypnoea"}},
      {"rr_high", {"tachypnoea"}},
      {"sbp_low", {"hypotension"}},
      {"sbp_high", {"hypertensive_crisis"}},
      {"dbp_high", {"hypertensive_crisis"}},
      {"temp_high", {"fever"}},
      {"temp_low", {"hypothermia"}},
      {"news2_medium", {"news2_medium"}},
      {"news2_high", {"news2_high", "news2_medium"}},
      {"asystole", {"asystole"}},
      {"extreme_bradycardia", {"extreme_bradycardia", "bradycardia"}},
      {"extreme_tachycardia", {"extreme_tachycardia", "tachycardia", "ventricular_tachycardia"}},
      {"ventricular_tachycardia", {"ventricular_tachycardia", "ventricular_fibrillation"}},
      {"ventricular_fibrillation", {"ventricular_fibrillation", "ventricular_tachycardia"}},
      {"atrial_fibrillation", {"atrial_fibrillation"}},
      {"glucose_urgent_low", {"hypoglycaemia_level2", "hypoglycaemia_level1"}},
      {"glucose_urgent_low_soon", {"hypoglycaemia_level2", "hypoglycaemia_level1"}},
      {"glucose_low", {"hypoglycaemia_level1", "hypoglycaemia_level2"}},
      {"glucose_high", {"hyperglycaemia_level1", "hyperglycaemia_level2"}},
      {"lead_off", {"lead_off"}},
      {"probe_off", {"sensor_detached"}},
      {"no_data", {"device_offline", "network_outage", "battery_depleted", "sensor_detached", "lead_off"}},
      {"low_battery", {"battery_low", "battery_depleted"}},
      // Device-side alerts the reference monitor forwards under the device's own name.
      {"occlusion", {"occlusion"}},
      {"reservoir_empty", {"reservoir_empty"}},
      {"lead_impedance", {"lead_impedance"}},
      {"battery_eri", {"battery_low"}},
      {"sensor_expired", {"sensor_expired"}},
      {"vt_episode", {"ventricular_tachycardia", "ventricular_fibrillation"}},
      {"vf_episode", {"ventricular_fibrillation", "ventricular_tachycardia"}},
      {"shock_delivered", {"ventricular_fibrillation", "ventricular_tachycardia"}},
      {"irregular_rhythm", {"atrial_fibrillation"}},
  };
  return config;
}

const ClassRule* ScoringConfig::rule(const std::string& event_class) const {
  for (const ClassRule& r : classes) {
    if (r.event_class == event_class) return &r;
  }
  return nullptr;
}

}  // namespace twinbed::harness
