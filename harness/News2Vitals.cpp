#include "harness/News2Vitals.hpp"

namespace twinbed::harness {

bool News2Vitals::record(physiology::Signal signal, sim::Time sample_time, double value) {
  using physiology::Signal;
  Slot slot = SLOTS;
  switch (signal) {
    case Signal::heart_rate: slot = PULSE; break;
    case Signal::respiration_rate: slot = RESPIRATION; break;
    case Signal::spo2: slot = SPO2; break;
    case Signal::systolic_bp: slot = SYSTOLIC; break;
    case Signal::core_temperature: slot = TEMPERATURE; break;
    default: return false;
  }
  Held& held = held_[slot];
  if (held.present && sample_time < held.t) return false;
  held = Held{true, sample_time, value};
  return true;
}

std::optional<physiology::News2Score> News2Vitals::score(sim::Time now, sim::Time max_age,
                                                         const PatientContext& patient) const {
  for (const Held& held : held_) {
    if (!held.present || now - held.t > max_age) return std::nullopt;
  }
  physiology::News2Inputs inputs;
  inputs.heart_rate_bpm = held_[PULSE].value;
  inputs.respiration_rate_per_min = held_[RESPIRATION].value;
  inputs.spo2_percent = held_[SPO2].value;
  inputs.systolic_mmhg = held_[SYSTOLIC].value;
  inputs.temperature_c = held_[TEMPERATURE].value;
  inputs.spo2_scale2 = patient.hypercapnic_target;
  inputs.on_oxygen = patient.on_oxygen;
  inputs.consciousness = physiology::Consciousness::alert;
  return physiology::news2_score(inputs);
}

}  // namespace twinbed::harness
