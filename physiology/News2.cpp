#include "physiology/News2.hpp"

#include <cassert>
#include <cmath>

namespace twinbed::physiology {
namespace {

// Nearest integer, halves away from zero (std::lround's rule): the chart records whole numbers.
int whole(double value) { return static_cast<int>(std::lround(value)); }

// Temperature in tenths of a degree, halves away from zero. A decimal half such as 38.05 (stored
// as 38.04999...) becomes exactly 380.5 when multiplied by 10, so it rounds up as on paper
// (news2_test checks every x.x5 band edge).
int tenths_c(double temperature_c) { return static_cast<int>(std::lround(temperature_c * 10.0)); }

// Every band below is RCP 2017 NEWS2 chart 1 (the scoring table in spec/physiology.md section 4).

// Respiration rate /min: <=8 -> 3; 9-11 -> 1; 12-20 -> 0; 21-24 -> 2; >=25 -> 3.
int respiration_points(int rr) {
  if (rr <= 8) return 3;
  if (rr <= 11) return 1;
  if (rr <= 20) return 0;
  if (rr <= 24) return 2;
  return 3;
}

// SpO2 scale 1 %: <=91 -> 3; 92-93 -> 2; 94-95 -> 1; >=96 -> 0.
int spo2_scale1_points(int spo2) {
  if (spo2 <= 91) return 3;
  if (spo2 <= 93) return 2;
  if (spo2 <= 95) return 1;
  return 0;
}

// SpO2 scale 2 % (RCP 2017 chart 1, for a prescribed target of 88-92 %): <=83 -> 3; 84-85 -> 2;
// 86-87 -> 1; 88-92 -> 0; >=93 on air -> 0; on oxygen 93-94 -> 1, 95-96 -> 2, >=97 -> 3
// (oxygen given above the target range is itself a warning sign).
int spo2_scale2_points(int spo2, bool on_oxygen) {
  if (spo2 <= 83) return 3;
  if (spo2 <= 85) return 2;
  if (spo2 <= 87) return 1;
  if (spo2 <= 92 || !on_oxygen) return 0;
  if (spo2 <= 94) return 1;
  if (spo2 <= 96) return 2;
  return 3;
}

// Air or oxygen: oxygen -> 2; air -> 0.
int air_or_oxygen_points(bool on_oxygen) { return on_oxygen ? 2 : 0; }

// Systolic blood pressure mmHg: <=90 -> 3; 91-100 -> 2; 101-110 -> 1; 111-219 -> 0; >=220 -> 3.
int systolic_points(int sbp) {
  if (sbp <= 90) return 3;
  if (sbp <= 100) return 2;
  if (sbp <= 110) return 1;
  if (sbp <= 219) return 0;
  return 3;
}

// Pulse /min: <=40 -> 3; 41-50 -> 1; 51-90 -> 0; 91-110 -> 1; 111-130 -> 2; >=131 -> 3.
int pulse_points(int hr) {
  if (hr <= 40) return 3;
  if (hr <= 50) return 1;
  if (hr <= 90) return 0;
  if (hr <= 110) return 1;
  if (hr <= 130) return 2;
  return 3;
}

// Consciousness: alert -> 0; new confusion, voice, pain, unresponsive -> 3 (ACVPU).
int consciousness_points(Consciousness c) { return c == Consciousness::alert ? 0 : 3; }

// Temperature C, in tenths: <=35.0 -> 3; 35.1-36.0 -> 1; 36.1-38.0 -> 0; 38.1-39.0 -> 1; >=39.1 -> 2.
int temperature_points(int tenths) {
  if (tenths <= 350) return 3;
  if (tenths <= 360) return 1;
  if (tenths <= 380) return 0;
  if (tenths <= 390) return 1;
  return 2;
}

// RCP 2017 chart 4: aggregate 7+ high; 5-6 medium; a red score (single 3) at 0-4 low-medium.
News2Risk risk_of(int total, bool any_single_three) {
  if (total >= 7) return News2Risk::high;
  if (total >= 5) return News2Risk::medium;
  return any_single_three ? News2Risk::low_medium : News2Risk::low;
}

}  // namespace

News2Score news2_score(const News2Inputs& in) {
  assert(std::isfinite(in.respiration_rate_per_min) && std::isfinite(in.spo2_percent) &&
         std::isfinite(in.systolic_mmhg) && std::isfinite(in.heart_rate_bpm) &&
         std::isfinite(in.temperature_c));
  News2Score s;
  s.respiration = respiration_points(whole(in.respiration_rate_per_min));
  const int spo2 = whole(in.spo2_percent);
  s.spo2 = in.spo2_scale2 ? spo2_scale2_points(spo2, in.on_oxygen) : spo2_scale1_points(spo2);
  s.air_or_oxygen = air_or_oxygen_points(in.on_oxygen);
  s.systolic = systolic_points(whole(in.systolic_mmhg));
  s.pulse = pulse_points(whole(in.heart_rate_bpm));
  s.consciousness = consciousness_points(in.consciousness);
  s.temperature = temperature_points(tenths_c(in.temperature_c));
  s.total = s.respiration + s.spo2 + s.air_or_oxygen + s.systolic + s.pulse + s.consciousness +
            s.temperature;
  s.any_single_three = s.respiration == 3 || s.spo2 == 3 || s.systolic == 3 || s.pulse == 3 ||
                       s.consciousness == 3 || s.temperature == 3;
  s.risk = risk_of(s.total, s.any_single_three);
  return s;
}

News2Inputs news2_inputs(const VitalSigns& v) {
  return News2Inputs{
      .respiration_rate_per_min = v.respiration_rate_per_min,
      .spo2_percent = v.spo2_percent,
      .spo2_scale2 = v.hypercapnic_target,
      .on_oxygen = v.on_oxygen,
      .systolic_mmhg = v.systolic_mmhg,
      .heart_rate_bpm = v.heart_rate_bpm,
      .consciousness = v.consciousness,
      .temperature_c = v.core_temperature_c,
  };
}

}  // namespace twinbed::physiology
