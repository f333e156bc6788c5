#pragma once
// physiology::news2_score: the National Early Warning Score 2 (Royal College of Physicians, 2017,
// "National Early Warning Score (NEWS) 2: Standardising the assessment of acute-illness severity
// in the NHS", chart 1 and chart 2), computed from one set of observations.
//
// Non-integer observations: the RCP chart records whole numbers (and temperature to 0.1 C), so
// respiration rate, SpO2, systolic pressure and pulse are rounded to the nearest integer and
// temperature to the nearest 0.1 C, halves away from zero, before banding: RR 8.5 -> 9 scores 1,
// RR 8.49 -> 8 scores 3; 38.05 C -> 38.1 C scores 1 (see docs/models/ground-truth.md).
#include <cstdint>

#include "physiology/VitalSigns.hpp"

namespace twinbed::physiology {

// RCP 2017, chart 4 "clinical response": 0-4 low; a single parameter scoring 3 with an aggregate
// of 0-4 is "low-medium" (urgent ward-based response); 5-6 medium; 7 or more high.
enum class News2Risk : std::uint8_t { low = 0, low_medium = 1, medium = 2, high = 3 };

struct News2Inputs {
  double respiration_rate_per_min = 14.0;
  double spo2_percent = 97.0;
  bool spo2_scale2 = false;  // SpO2 scale 2: hypercapnic respiratory failure, target 88-92 %
  bool on_oxygen = false;    // supplemental oxygen ("air or oxygen?")
  double systolic_mmhg = 120.0;
  double heart_rate_bpm = 72.0;
  Consciousness consciousness = Consciousness::alert;
  double temperature_c = 36.9;
};

struct News2Score {
  int total = 0;
  int respiration = 0;
  int spo2 = 0;
  int air_or_oxygen = 0;
  int systolic = 0;
  int pulse = 0;
  int consciousness = 0;
  int temperature = 0;
  bool any_single_three = false;  // a "red score": one parameter scores 3
  News2Risk risk = News2Risk::low;
};

// Scores one set of observations (all inputs finite). Pure.
News2Score news2_score(const News2Inputs& inputs);

// The NEWS2 observations of a true physiological state: SpO2 scale 2 when the patient has a
// hypercapnic SpO2 target (VitalSigns::hypercapnic_target), core temperature as temperature.
News2Inputs news2_inputs(const VitalSigns& vitals);

}  // namespace twinbed::physiology
