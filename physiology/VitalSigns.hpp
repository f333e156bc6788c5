#pragma once
// physiology::VitalSigns: one patient's true physiological state at an instant, as the vitals
// model computes it and the ground-truth detectors and devices read it.
#include <cstdint>

namespace twinbed::physiology {

// AVPU plus "new confusion", as NEWS2 scores consciousness (RCP 2017): anything but alert scores 3.
enum class Consciousness : std::uint8_t { alert = 0, new_confusion = 1, voice = 2, pain = 3, unresponsive = 4 };

// Activity state: drives heart and breathing rate now, and motion artifacts in devices later.
enum class Activity : std::uint8_t { sleep = 0, rest = 1, active = 2 };

struct VitalSigns {
  double heart_rate_bpm = 72.0;
  double respiration_rate_per_min = 14.0;
  double spo2_percent = 97.0;              // derived from pao2_mmhg through the dissociation curve
  double pao2_mmhg = 95.0;                 // arterial oxygen partial pressure
  double systolic_mmhg = 120.0;
  double diastolic_mmhg = 78.0;
  double mean_arterial_mmhg = 92.0;        // (systolic + 2 diastolic) / 3 unless modelled otherwise
  double core_temperature_c = 36.9;
  double skin_temperature_c = 33.5;
  double weight_kg = 75.0;
  double glucose_mg_dl = 95.0;             // plasma glucose (from the glucose model when present)
  Consciousness consciousness = Consciousness::alert;
  Activity activity = Activity::rest;
  bool on_oxygen = false;                  // supplemental oxygen (NEWS2 "air or oxygen")
  bool hypercapnic_target = false;         // SpO2 target 88-92 %: NEWS2 uses SpO2 scale 2
};

}  // namespace twinbed::physiology
