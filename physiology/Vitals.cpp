#include "physiology/Vitals.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

namespace twinbed::physiology {
namespace {

// Limits that keep the sum of terms inside values a living patient can show (as in Patient.cpp):
// HR from extreme bradycardia to the fastest tachycardias; RR down to the apnoeic range of opioid
// overdose; the 50 % SpO2 floor of oximeter calibration is not applied here (SpO2 is true SaO2).
constexpr double HEART_RATE_MIN_BPM = 20.0;
constexpr double HEART_RATE_MAX_BPM = 250.0;
constexpr double RESPIRATION_MIN_PER_MIN = 2.0;
constexpr double RESPIRATION_MAX_PER_MIN = 70.0;
constexpr double SYSTOLIC_MIN_MMHG = 40.0;
constexpr double SYSTOLIC_MAX_MMHG = 280.0;
constexpr double MIN_PULSE_PRESSURE_MMHG = 10.0;  // typical floor, keeps DBP < SBP
constexpr double DIASTOLIC_MIN_MMHG = 20.0;
constexpr double TEMPERATURE_MIN_C = 30.0;
constexpr double TEMPERATURE_MAX_C = 43.0;
constexpr double PAO2_MIN_MMHG = 15.0;        // below this the curve is < 20 % and life is brief
constexpr double SKIN_OFFSET_MIN_C = 1.0;      // physiology.md section 5: skin reads 1-4 C below core
constexpr double SKIN_OFFSET_MAX_C = 4.0;
constexpr double VENTILATION_RATIO_MIN = 0.15;  // keeps the power law finite in apnoea
constexpr double VENTILATION_RATIO_MAX = 4.0;
constexpr double HOURS_PER_DAY = 24.0;
constexpr double REFERENCE_AMBIENT_C = 24.0;  // the ambient at which the activity offsets apply; typical ward

double clamp_probability(double p) { return std::clamp(p, 0.0, 1.0); }

}  // namespace

double severinghaus_saturation_percent(double po2_mmhg) {
  const double p = std::max(po2_mmhg, 1e-6);
  return 100.0 / (23400.0 / (p * p * p + 150.0 * p) + 1.0);
}

double severinghaus_po2_mmhg(double saturation_percent) {
  assert(saturation_percent > 0.0 && saturation_percent < 100.0);
  double lo = 0.0, hi = 1000.0;  // S(1000) = 99.998 %
  while (hi - lo > 1e-9) {
    const double mid = 0.5 * (lo + hi);
    (severinghaus_saturation_percent(mid) < saturation_percent ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double alveolar_po2_mmhg(double fio2, double paco2_mmhg, double atmospheric_mmhg) {
  return fio2 * (atmospheric_mmhg - WATER_VAPOUR_PRESSURE_MMHG) - paco2_mmhg / RESPIRATORY_QUOTIENT;
}

double paco2_from_ventilation_mmhg(double paco2_setpoint_mmhg, double ventilation_ratio, double exponent) {
  const double r = std::clamp(ventilation_ratio, VENTILATION_RATIO_MIN, VENTILATION_RATIO_MAX);
  return paco2_setpoint_mmhg * std::pow(r, -exponent);
}

double mean_arterial_pressure_mmhg(double systolic_mmhg, double diastolic_mmhg) {
  return diastolic_mmhg + (systolic_mmhg - diastolic_mmhg) / 3.0;
}

double cosinor(double amplitude, double clock_hours, double acrophase_hours) {
  return amplitude * std::cos(2.0 * std::numbers::pi * (clock_hours - acrophase_hours) / HOURS_PER_DAY);
}

Effects& Effects::operator+=(const Effects& o) {
  heart_rate_delta_bpm += o.heart_rate_delta_bpm;
  respiration_rate_delta_per_min += o.respiration_rate_delta_per_min;
  respiration_drive_factor *= o.respiration_drive_factor;
  systolic_delta_mmhg += o.systolic_delta_mmhg;
  diastolic_delta_mmhg += o.diastolic_delta_mmhg;
  temperature_delta_c += o.temperature_delta_c;
  aa_gradient_delta_mmhg += o.aa_gradient_delta_mmhg;
  paco2_delta_mmhg += o.paco2_delta_mmhg;
  fio2_delta += o.fio2_delta;
  weight_delta_kg += o.weight_delta_kg;
  consciousness = std::max(consciousness, o.consciousness);
  hypercapnic_target = hypercapnic_target || o.hypercapnic_target;
  return *this;
}

OuStepper::OuStepper(const OuParams& params, sim::Time dt)
    : baseline(params.baseline), decay(std::exp(-dt.seconds() / params.tau.seconds())),
      scale(params.sd * std::sqrt(1.0 - decay * decay)) {}

sim::Time activity_dwell_mean(Activity state, bool night, const ActivityParams& p) {
  switch (state) {
    case Activity::sleep: return night ? p.night_sleep_dwell : p.day_sleep_dwell;
    case Activity::rest: return night ? p.night_rest_dwell : p.day_rest_dwell;
    case Activity::active: return night ? p.night_active_dwell : p.day_active_dwell;
  }
  return p.day_rest_dwell;
}

Activity next_activity(Activity state, bool night, double u, const ActivityParams& p) {
  switch (state) {
    case Activity::sleep:
    case Activity::active: return Activity::rest;
    case Activity::rest:
      if (night) return u < clamp_probability(p.night_activity_probability) ? Activity::active : Activity::sleep;
      return u < clamp_probability(p.day_nap_probability) ? Activity::sleep : Activity::active;
  }
  return Activity::rest;
}

bool is_night(sim::Time clock_of_day, const ActivityParams& p) {
  if (p.night_start_clock > p.night_end_clock)  // spans midnight
    return clock_of_day >= p.night_start_clock || clock_of_day < p.night_end_clock;
  return clock_of_day >= p.night_start_clock && clock_of_day < p.night_end_clock;
}

VitalsModel::VitalsModel(const Profile& profile, const VitalsModelParams& params, std::string_view patient_id,
                         std::uint64_t master_seed, std::uint32_t replication, const EffectSource* effects)
    : profile_(profile), params_(params), effects_(effects),
      heart_rate_ou_(params.heart_rate_noise, params.step), respiration_ou_(params.respiration_noise, params.step),
      systolic_ou_(params.systolic_noise, params.slow_step), diastolic_ou_(params.diastolic_noise, params.slow_step),
      temperature_ou_(params.temperature_noise, params.slow_step),
      aa_gradient_ou_(params.aa_gradient_noise, params.slow_step),
      heart_rate_rng_(master_seed, replication, patient_id, "vitals.heart_rate"),
      respiration_rng_(master_seed, replication, patient_id, "vitals.respiration"),
      systolic_rng_(master_seed, replication, patient_id, "vitals.systolic"),
      diastolic_rng_(master_seed, replication, patient_id, "vitals.diastolic"),
      temperature_rng_(master_seed, replication, patient_id, "vitals.temperature"),
      gas_exchange_rng_(master_seed, replication, patient_id, "vitals.gas_exchange"),
      activity_rng_(master_seed, replication, patient_id, "vitals.activity") {
  assert(params_.step > sim::Time::zero());
  assert(params_.slow_step >= params_.step && (params_.slow_step.ns() % params_.step.ns()) == 0);
  paco2_alpha_ = 1.0 - std::exp(-params_.step.seconds() / params_.paco2_tau.seconds());
  skin_alpha_ = 1.0 - std::exp(-params_.step.seconds() / params_.skin_temperature_tau.seconds());
  // The profile's SpO2 fixes the resting A-a gradient (never negative: SpO2 above the room-air
  // maximum is reached at a zero gradient).
  const double pao2 = severinghaus_po2_mmhg(std::clamp(profile_.spo2_percent, 1.0, 99.9));
  baseline_aa_gradient_mmhg_ = std::max(
      0.0, alveolar_po2_mmhg(ROOM_AIR_FIO2, params_.paco2_setpoint_mmhg, params_.atmospheric_pressure_mmhg) - pao2);
  // Start in the stationary distribution of each OU process: no warm-up transient.
  state_.heart_rate_noise_bpm = heart_rate_rng_.normal(0.0, params_.heart_rate_noise.sd);
  state_.respiration_noise_per_min = respiration_rng_.normal(0.0, params_.respiration_noise.sd);
  state_.systolic_noise_mmhg = systolic_rng_.normal(0.0, params_.systolic_noise.sd);
  state_.diastolic_noise_mmhg = diastolic_rng_.normal(0.0, params_.diastolic_noise.sd);
  state_.temperature_noise_c = temperature_rng_.normal(0.0, params_.temperature_noise.sd);
  state_.aa_gradient_noise_mmhg = gas_exchange_rng_.normal(0.0, params_.aa_gradient_noise.sd);
  update_activity(sim::Time::zero(), true);
  update_circadian(sim::Time::zero());
  effects_now_ = effects_ != nullptr ? effects_->effects_at(sim::Time::zero()) : Effects{};
  state_.next_slow_update = params_.slow_step;
  compute(true);
}

sim::Time VitalsModel::clock_of_day(sim::Time t) const {
  const std::int64_t day = sim::Time::from_days(1).ns();
  const std::int64_t ns = (params_.circadian.start_clock_time + t).ns() % day;
  return sim::Time::from_ns(ns < 0 ? ns + day : ns);
}

void VitalsModel::update_activity(sim::Time t, bool initial) {
  const ActivityParams& p = params_.activity;
  if (!p.enabled) {
    state_.activity = p.fixed_activity;
    return;
  }
  const bool night = is_night(clock_of_day(t), p);
  if (initial) {
    state_.activity = night ? Activity::sleep : Activity::rest;
  } else if (t >= state_.next_activity_change) {
    state_.activity = next_activity(state_.activity, night, activity_rng_.uniform01(), p);
  } else if (night == state_.night) {
    return;
  }
  // A new state, or the rates changed between night and day: the chain is memoryless, so drawing
  // a fresh dwell from the current rates is exact for piecewise-constant rates.
  state_.night = night;
  state_.next_activity_change = t + sim::Time::from_seconds(activity_rng_.exponential(activity_dwell_mean(state_.activity, night, p).seconds()));
}

void VitalsModel::update_circadian(sim::Time t) {
  const CircadianParams& c = params_.circadian;
  const double clock_h = clock_of_day(t).seconds() / 3600.0;
  // The acrophase (peak) lies 12 h after the nadir.
  state_.circadian_heart_rate_bpm = cosinor(c.heart_rate_amplitude_bpm, clock_h, c.heart_rate_nadir_h + 12.0);
  state_.circadian_temperature_c = cosinor(c.temperature_amplitude_c, clock_h, c.temperature_nadir_h + 12.0);
  state_.circadian_pressure_factor = 1.0 + cosinor(c.blood_pressure_amplitude_fraction, clock_h, c.blood_pressure_nadir_h + 12.0);
  state_.next_circadian_update = t + c.update_interval;
}

void VitalsModel::advance_to(sim::Time t) {
  while (state_.time + params_.step <= t) step();
}

void VitalsModel::step() {
  const sim::Time t = state_.time + params_.step;
  state_.heart_rate_noise_bpm = heart_rate_ou_.step(state_.heart_rate_noise_bpm, heart_rate_rng_.normal(0.0, 1.0));
  state_.respiration_noise_per_min = respiration_ou_.step(state_.respiration_noise_per_min, respiration_rng_.normal(0.0, 1.0));
  if (t >= state_.next_slow_update) slow_update(t);
  update_activity(t, false);
  if (t >= state_.next_circadian_update) update_circadian(t);
  state_.time = t;
  compute(false);
}

void VitalsModel::slow_update(sim::Time t) {
  state_.systolic_noise_mmhg = systolic_ou_.step(state_.systolic_noise_mmhg, systolic_rng_.normal(0.0, 1.0));
  state_.diastolic_noise_mmhg = diastolic_ou_.step(state_.diastolic_noise_mmhg, diastolic_rng_.normal(0.0, 1.0));
  state_.temperature_noise_c = temperature_ou_.step(state_.temperature_noise_c, temperature_rng_.normal(0.0, 1.0));
  state_.aa_gradient_noise_mmhg = aa_gradient_ou_.step(state_.aa_gradient_noise_mmhg, gas_exchange_rng_.normal(0.0, 1.0));
  if (effects_ != nullptr) effects_now_ = effects_->effects_at(t);
  state_.next_slow_update = t + params_.slow_step;
}

void VitalsModel::compute(bool initial) {
  const Effects& e = effects_now_;
  const ActivityParams& a = params_.activity;
  const Activity activity = state_.activity;
  VitalSigns& v = vitals_;

  // Temperature first: fever drives heart rate and breathing.
  const double fever_c = e.temperature_delta_c + state_.temperature_noise_c;
  v.core_temperature_c = std::clamp(profile_.core_temperature_c + state_.circadian_temperature_c + fever_c,
                                    TEMPERATURE_MIN_C, TEMPERATURE_MAX_C);

  const double activity_hr = activity == Activity::active  ? a.active_heart_rate_delta_bpm
                             : activity == Activity::sleep ? a.sleep_heart_rate_delta_bpm
                                                           : 0.0;
  v.heart_rate_bpm = std::clamp(profile_.heart_rate_bpm + state_.circadian_heart_rate_bpm + activity_hr +
                                    params_.fever_heart_rate_gain_bpm_per_c * fever_c + e.heart_rate_delta_bpm +
                                    state_.heart_rate_noise_bpm,
                                HEART_RATE_MIN_BPM, HEART_RATE_MAX_BPM);

  // Breathing: the metabolic demand (baseline, activity, fever) sets the rate that keeps PaCO2 at
  // its set-point; conditions add to it (tachypnoea) or scale it (depressed drive).
  const double activity_rr = activity == Activity::active  ? a.active_respiration_delta_per_min
                             : activity == Activity::sleep ? a.sleep_respiration_delta_per_min
                                                           : 0.0;
  const double demand_rr = std::max(profile_.respiration_rate_per_min + activity_rr +
                                        params_.fever_respiration_gain_per_min_per_c * fever_c,
                                    RESPIRATION_MIN_PER_MIN);
  v.respiration_rate_per_min = std::clamp(
      (demand_rr + e.respiration_rate_delta_per_min + state_.respiration_noise_per_min) * e.respiration_drive_factor,
      RESPIRATION_MIN_PER_MIN, RESPIRATION_MAX_PER_MIN);

  // Gas exchange: PaCO2 lags its target; PaO2 = PAO2 - A-a gradient. Tachypnoea from conditions is
  // taken to match their extra demand (dead space, metabolism): only a depressed drive changes
  // alveolar ventilation here, other shifts come through paco2_delta_mmhg.
  const double paco2_setpoint = params_.paco2_setpoint_mmhg + e.paco2_delta_mmhg;
  const double paco2_target =
      e.respiration_drive_factor == 1.0
          ? paco2_setpoint
          : paco2_from_ventilation_mmhg(paco2_setpoint, e.respiration_drive_factor, params_.ventilation_exponent);
  state_.paco2_mmhg = initial ? paco2_target : state_.paco2_mmhg + paco2_alpha_ * (paco2_target - state_.paco2_mmhg);
  const double fio2 = std::clamp(fio2_ + e.fio2_delta, ROOM_AIR_FIO2, 1.0);
  const double aa_gradient =
      std::max(0.0, baseline_aa_gradient_mmhg_ + e.aa_gradient_delta_mmhg + state_.aa_gradient_noise_mmhg);
  v.pao2_mmhg = std::max(
      alveolar_po2_mmhg(fio2, state_.paco2_mmhg, params_.atmospheric_pressure_mmhg) - aa_gradient, PAO2_MIN_MMHG);
  v.spo2_percent = severinghaus_saturation_percent(v.pao2_mmhg);
  v.on_oxygen = fio2 > ROOM_AIR_FIO2 + 1e-9;

  // Blood pressure: nocturnal dipping scales the resting pressures; effects add.
  const bool active = activity == Activity::active;
  v.systolic_mmhg = std::clamp(profile_.systolic_mmhg * state_.circadian_pressure_factor +
                                   (active ? a.active_systolic_delta_mmhg : 0.0) + e.systolic_delta_mmhg +
                                   state_.systolic_noise_mmhg,
                               SYSTOLIC_MIN_MMHG, SYSTOLIC_MAX_MMHG);
  v.diastolic_mmhg = std::clamp(profile_.diastolic_mmhg * state_.circadian_pressure_factor +
                                    (active ? a.active_diastolic_delta_mmhg : 0.0) + e.diastolic_delta_mmhg +
                                    state_.diastolic_noise_mmhg,
                                DIASTOLIC_MIN_MMHG, v.systolic_mmhg - MIN_PULSE_PRESSURE_MMHG);
  v.mean_arterial_mmhg = mean_arterial_pressure_mmhg(v.systolic_mmhg, v.diastolic_mmhg);

  // Skin follows core minus a gradient set by activity and ambient temperature, with a lag.
  const double activity_offset = activity == Activity::active  ? a.active_skin_offset_c
                                 : activity == Activity::sleep ? a.sleep_skin_offset_c
                                                               : a.rest_skin_offset_c;
  const double offset = std::clamp(activity_offset + params_.skin_offset_per_ambient_c * (REFERENCE_AMBIENT_C - params_.ambient_temperature_c),
                                   SKIN_OFFSET_MIN_C, SKIN_OFFSET_MAX_C);
  const double skin_target = v.core_temperature_c - offset;
  state_.skin_temperature_c =
      initial ? skin_target : state_.skin_temperature_c + skin_alpha_ * (skin_target - state_.skin_temperature_c);
  v.skin_temperature_c = state_.skin_temperature_c;

  v.weight_kg = profile_.weight_kg + e.weight_delta_kg;
  v.consciousness = e.consciousness;
  v.activity = activity;
  v.hypercapnic_target = e.hypercapnic_target;
}

}  // namespace twinbed::physiology
