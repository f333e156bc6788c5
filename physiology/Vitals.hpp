#pragma once
// physiology::VitalsModel: one patient's heart rate, breathing, blood pressure, temperatures,
// gas exchange (PaCO2, PaO2 -> SpO2), weight and consciousness, advanced lazily on a fixed grid.
//
//   value = baseline (Profile) + circadian cosinor + activity state + couplings + condition effects
//           + Ornstein-Uhlenbeck short-term variability
//
// SpO2 is never drawn: it follows from PaO2 through the Severinghaus (1979) dissociation curve, and
// PaO2 from the alveolar gas equation minus an A-a gradient that conditions widen. Equations and
// sources: docs/models/vitals.md.
#include <cstdint>
#include <string_view>

#include "physiology/OrnsteinUhlenbeck.hpp"
#include "physiology/Profile.hpp"
#include "physiology/VitalSigns.hpp"
#include "sim/RandomStream.hpp"
#include "sim/Time.hpp"

namespace twinbed::physiology {

// ---- Gas exchange (West, Respiratory Physiology: The Essentials, ch. 5) ----------------------
inline constexpr double SEA_LEVEL_PRESSURE_MMHG = 760.0;    // standard atmosphere
inline constexpr double WATER_VAPOUR_PRESSURE_MMHG = 47.0;  // saturated at 37 C
inline constexpr double RESPIRATORY_QUOTIENT = 0.8;         // mixed diet, West ch. 5
inline constexpr double ROOM_AIR_FIO2 = 0.21;
inline constexpr double NORMAL_PACO2_MMHG = 40.0;           // normal 35-45 mmHg, West ch. 5

// Severinghaus (J Appl Physiol 46:599, 1979): S = 1 / (23400 / (PO2^3 + 150 PO2) + 1), in percent.
double severinghaus_saturation_percent(double po2_mmhg);
// Inverse of the above (bisection to 1e-9 mmHg), for saturations in (0, 100).
double severinghaus_po2_mmhg(double saturation_percent);
// Alveolar gas equation (simplified form): PAO2 = FiO2 (Patm - PH2O) - PaCO2 / RQ.
double alveolar_po2_mmhg(double fio2, double paco2_mmhg, double atmospheric_mmhg = SEA_LEVEL_PRESSURE_MMHG);
// Alveolar ventilation equation (PaCO2 = k VCO2 / VA): PaCO2 scales with the inverse of alveolar
// ventilation relative to metabolic demand (`ventilation_ratio`, 1 = matched). `exponent` < 1 because tidal volume partly compensates for a
// slowed rate (typical, exposed as a parameter; 1 = pure rate-driven ventilation).
double paco2_from_ventilation_mmhg(double paco2_setpoint_mmhg, double ventilation_ratio, double exponent);
// MAP = DBP + (SBP - DBP) / 3 (the usual clinical approximation at resting heart rates).
double mean_arterial_pressure_mmhg(double systolic_mmhg, double diastolic_mmhg);
// Cosinor term: amplitude * cos(2 pi (clock - acrophase) / 24 h), clock and acrophase in hours.
double cosinor(double amplitude, double clock_hours, double acrophase_hours);

// What conditions (and treatments) do to the vitals. Neutral by default; combine with +=.
struct Effects {
  double heart_rate_delta_bpm = 0.0;
  double respiration_rate_delta_per_min = 0.0;
  double respiration_drive_factor = 1.0;  // multiplies breathing rate: opioids < 1
  double systolic_delta_mmhg = 0.0;
  double diastolic_delta_mmhg = 0.0;
  double temperature_delta_c = 0.0;       // core; raises HR and RR through the fever couplings
  double aa_gradient_delta_mmhg = 0.0;    // V/Q mismatch, shunt, oedema
  double paco2_delta_mmhg = 0.0;          // set-point shift: chronic hypercapnia, dead space
  double fio2_delta = 0.0;                // supplemental oxygen
  double weight_delta_kg = 0.0;           // fluid retention
  Consciousness consciousness = Consciousness::alert;  // the worst level wins when combined
  bool hypercapnic_target = false;        // NEWS2 SpO2 scale 2 applies

  Effects& operator+=(const Effects& other);
};

// A time-varying source of effects (physiology::ConditionSet); must be pure in `t`.
class EffectSource {
public:
  virtual ~EffectSource() = default;
  virtual Effects effects_at(sim::Time t) const = 0;
};

// Cosinor rhythms. Phases are clock times of the minimum (nadir), in hours.
struct CircadianParams {
  sim::Time start_clock_time = sim::Time::zero();  // clock time at t = 0 (default midnight)
  double heart_rate_amplitude_bpm = 5.0;      // spec: +/- 5-10 bpm
  double heart_rate_nadir_h = 4.0;            // spec: minimum around 04:00-05:00
  double temperature_amplitude_c = 0.4;       // spec: +/- 0.3-0.5 C
  double temperature_nadir_h = 4.5;
  // Cosinor amplitude as a fraction of the mesor: 0.075 makes the 22-06 h mean ~11 % below the
  // 08-20 h mean, inside the 10-20 % "dipping" of the spec.
  double blood_pressure_amplitude_fraction = 0.075;
  double blood_pressure_nadir_h = 3.0;
  // The rhythm changes < 0.03 bpm per minute: evaluating it once a minute saves three cosines a step.
  sim::Time update_interval = sim::Time::from_min(1);
};

// Activity as a continuous-time Markov chain whose rates depend on night or day. Dwell times are
// typical (exposed as parameters): a night's sleep broken by ~3 brief awakenings, daytime bouts of
// activity of ~12 min every ~45 min (about a fifth of the waking day active).
struct ActivityParams {
  bool enabled = true;
  Activity fixed_activity = Activity::rest;  // the state when disabled
  sim::Time night_start_clock = sim::Time::from_h(22);
  sim::Time night_end_clock = sim::Time::from_h(7);
  sim::Time night_sleep_dwell = sim::Time::from_min(120);
  sim::Time night_rest_dwell = sim::Time::from_min(10);
  sim::Time night_active_dwell = sim::Time::from_min(5);
  sim::Time day_sleep_dwell = sim::Time::from_min(20);   // naps
  sim::Time day_rest_dwell = sim::Time::from_min(45);
  sim::Time day_active_dwell = sim::Time::from_min(12);
  double day_nap_probability = 0.05;      // P(rest -> sleep) by day; otherwise rest -> active
  double night_activity_probability = 0.1;  // P(rest -> active) at night; otherwise rest -> sleep
  // Effects of the state (typical): walking raises HR 20-30 bpm and RR by ~5 /min over rest.
  double sleep_heart_rate_delta_bpm = -4.0;
  double active_heart_rate_delta_bpm = 25.0;
  double sleep_respiration_delta_per_min = -1.5;
  double active_respiration_delta_per_min = 5.0;
  double active_systolic_delta_mmhg = 12.0;
  double active_diastolic_delta_mmhg = 4.0;
  // Core-to-skin gradient: 1-4 C (physiology.md section 5); smaller in sleep (distal vasodilation,
  // Kraeuchi & Wirz-Justice, Am J Physiol 267:R819, 1994) and in exercise; typical values.
  double sleep_skin_offset_c = 1.5;
  double rest_skin_offset_c = 3.0;
  double active_skin_offset_c = 2.2;
};

struct VitalsModelParams {
  sim::Time step = sim::Time::from_s(1);
  // Processes that change over minutes to hours (blood pressure, temperature and A-a gradient
  // variability; condition effects) are updated every `slow_step` (a multiple of `step`) and held
  // in between: their exact OU update is as valid on this grid, a 10 s hold moves SBP by < 1 mmHg,
  // and it saves four Gaussian draws per second (docs/models/vitals.md, performance).
  sim::Time slow_step = sim::Time::from_s(10);
  // Short-term variability, each an OU deviation around 0 (typical, exposed as parameters).
  OuParams heart_rate_noise{0.0, 3.0, sim::Time::from_min(2)};
  OuParams respiration_noise{0.0, 1.0, sim::Time::from_min(2)};
  OuParams systolic_noise{0.0, 5.0, sim::Time::from_min(10)};
  OuParams diastolic_noise{0.0, 3.0, sim::Time::from_min(10)};
  OuParams temperature_noise{0.0, 0.1, sim::Time::from_min(30)};
  OuParams aa_gradient_noise{0.0, 1.5, sim::Time::from_min(5)};
  CircadianParams circadian;
  ActivityParams activity;
  // Heart rate rises about 10 bpm per degree C of fever (Karjalainen & Viitasalo, Acta Med Scand
  // 220:207, 1986, measured 8.5 bpm/C); metabolic rate ~ +10 %/C drives breathing (DuBois 1921):
  // +2.5 /min per C is typical, exposed as a parameter.
  double fever_heart_rate_gain_bpm_per_c = 10.0;
  double fever_respiration_gain_per_min_per_c = 2.5;
  double paco2_setpoint_mmhg = NORMAL_PACO2_MMHG;
  double ventilation_exponent = 0.6;                  // typical; see paco2_from_ventilation_mmhg
  sim::Time paco2_tau = sim::Time::from_min(3);       // CO2 stores equilibrate over minutes; typical
  sim::Time skin_temperature_tau = sim::Time::from_min(10);  // typical
  double ambient_temperature_c = 24.0;                // typical ward
  double skin_offset_per_ambient_c = 0.15;            // extra gradient per C below 24 C; typical
  double atmospheric_pressure_mmhg = SEA_LEVEL_PRESSURE_MMHG;
};

// Exact OU update with its coefficients precomputed for a fixed step: identical to ou_step.
struct OuStepper {
  OuStepper(const OuParams& params, sim::Time dt);
  double step(double x, double z) const { return baseline + (x - baseline) * decay + scale * z; }
  double baseline = 0.0;
  double decay = 0.0;
  double scale = 0.0;
};

// Activity transitions, pure: the mean dwell in `state`, and the next state given u ~ U[0,1).
sim::Time activity_dwell_mean(Activity state, bool night, const ActivityParams& params);
Activity next_activity(Activity state, bool night, double u, const ActivityParams& params);
bool is_night(sim::Time clock_of_day, const ActivityParams& params);

struct VitalsModelState {
  sim::Time time = sim::Time::zero();
  // OU deviations from the deterministic part.
  double heart_rate_noise_bpm = 0.0;
  double respiration_noise_per_min = 0.0;
  double systolic_noise_mmhg = 0.0;
  double diastolic_noise_mmhg = 0.0;
  double temperature_noise_c = 0.0;
  double aa_gradient_noise_mmhg = 0.0;
  // Lagged states.
  double paco2_mmhg = NORMAL_PACO2_MMHG;
  double skin_temperature_c = 33.5;
  // Activity chain.
  Activity activity = Activity::rest;
  bool night = true;
  sim::Time next_activity_change = sim::Time::zero();
  sim::Time next_slow_update = sim::Time::zero();
  // Circadian terms, refreshed every CircadianParams::update_interval.
  sim::Time next_circadian_update = sim::Time::zero();
  double circadian_heart_rate_bpm = 0.0;
  double circadian_temperature_c = 0.0;
  double circadian_pressure_factor = 1.0;
};

class VitalsModel {
public:
  // Streams are keyed by `patient_id` with one purpose per process ("vitals.heart_rate", ...).
  // `effects` (nullable, not owned) must outlive the model.
  VitalsModel(const Profile& profile, const VitalsModelParams& params, std::string_view patient_id,
              std::uint64_t master_seed, std::uint32_t replication, const EffectSource* effects = nullptr);

  // Advances on the fixed grid to the last grid point <= t (never backwards). No allocation.
  void advance_to(sim::Time t);
  const VitalSigns& current() const { return vitals_; }
  const VitalsModelState& state() const { return state_; }
  const Profile& profile() const { return profile_; }
  const VitalsModelParams& params() const { return params_; }

  // Treatment: the oxygen fraction delivered (0.21 = air; nasal cannula ~0.24-0.44).
  void set_fio2(double fio2) { fio2_ = fio2; }
  // The A-a gradient that reproduces the profile's SpO2 on room air at the PaCO2 set-point.
  double baseline_aa_gradient_mmhg() const { return baseline_aa_gradient_mmhg_; }

private:
  void step();
  void update_activity(sim::Time t, bool initial);
  void update_circadian(sim::Time t);
  void slow_update(sim::Time t);
  void compute(bool initial);
  sim::Time clock_of_day(sim::Time t) const;

  Profile profile_;
  VitalsModelParams params_;
  const EffectSource* effects_;
  double fio2_ = ROOM_AIR_FIO2;
  double baseline_aa_gradient_mmhg_ = 0.0;
  double paco2_alpha_ = 0.0;  // 1 - exp(-step / tau)
  double skin_alpha_ = 0.0;
  OuStepper heart_rate_ou_, respiration_ou_, systolic_ou_, diastolic_ou_, temperature_ou_, aa_gradient_ou_;
  VitalsModelState state_;
  Effects effects_now_;  // refreshed every slow_step
  VitalSigns vitals_;
  sim::RandomStream heart_rate_rng_, respiration_rng_, systolic_rng_, diastolic_rng_, temperature_rng_,
      gas_exchange_rng_, activity_rng_;
};

}  // namespace twinbed::physiology
