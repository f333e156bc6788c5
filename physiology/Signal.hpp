#pragma once
// physiology::Signal names the true physiological quantities a patient model exposes, and
// physiology::SignalSource is the narrow interface through which a device reads a patient.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "physiology/VitalSigns.hpp"
#include "sim/Time.hpp"

namespace twinbed::physiology {

// Stored as a HDF5 enum in /telemetry; append new signals at the end so stored codes stay valid.
enum class Signal : std::uint8_t {
  heart_rate = 0,            // beats per minute
  spo2 = 1,                  // peripheral oxygen saturation, percent
  respiration_rate = 2,      // breaths per minute
  systolic_bp = 3,           // mmHg
  diastolic_bp = 4,          // mmHg
  mean_bp = 5,               // mean arterial pressure, mmHg
  core_temperature = 6,      // degrees Celsius
  skin_temperature = 7,      // degrees Celsius
  weight = 8,                // kg
  glucose = 9,               // plasma glucose, mg/dL
  interstitial_glucose = 10, // subcutaneous glucose (what a CGM sees), mg/dL
  // What devices report besides vital signs (no true value: value() returns 0 for these).
  perfusion_index = 11,      // pulse oximeter perfusion index, percent
  battery_level = 12,        // remaining battery charge, percent
  device_alert = 13,         // a device-side alert; the value is a devices::AlertCode
  insulin_basal_rate = 14,   // insulin pump basal rate delivered, U/h
  insulin_bolus = 15,        // insulin bolus delivered, U
  infusion_rate = 16,        // infusion pump rate, mL/h
  lead_impedance = 17,       // implanted lead impedance, ohm
  af_burden = 18,            // implant: share of time in AF since the last transmission, percent
  ecg = 19,                  // single-lead ECG waveform, mV (waveform blocks, not readings)
};
inline constexpr Signal ALL_SIGNALS[] = {
    Signal::heart_rate,      Signal::spo2,          Signal::respiration_rate,   Signal::systolic_bp,
    Signal::diastolic_bp,    Signal::mean_bp,       Signal::core_temperature,   Signal::skin_temperature,
    Signal::weight,          Signal::glucose,       Signal::interstitial_glucose, Signal::perfusion_index,
    Signal::battery_level,   Signal::device_alert,  Signal::insulin_basal_rate, Signal::insulin_bolus,
    Signal::infusion_rate,   Signal::lead_impedance, Signal::af_burden,         Signal::ecg};

std::string_view signal_name(Signal signal);
// UCUM unit of the signal: "/min", "%", "mm[Hg]", "Cel", "kg", "mg/dL".
std::string_view signal_unit(Signal signal);
std::optional<Signal> signal_from_name(std::string_view name);

// A heartbeat as a sensor sees it: its R peak and the pulse it produces at the periphery.
struct PulseMark {
  sim::Time r_time;
  float pulse_amplitude = 1.0F;  // relative PPG/palpable pulse; 0 = no pulse (e.g. short AF beats)
  bool ventricular = false;      // a ventricular beat (PVC, VT): wide QRS, weak pulse
  // A fibrillation wave, not a beat: during VF the ventricles give no QRS and no pulse, but an
  // intracardiac lead senses the chaotic activation (what an ICD counts). No pulse amplitude.
  bool fibrillation = false;
};
// VF waves as a lead senses them: the VF dominant frequency is 4-6 Hz (spec section 2), a cycle
// of 170-250 ms; 200 ms (300 /min) is the middle.
inline constexpr sim::Time FIBRILLATION_CYCLE = sim::Time::from_ms(200);

// What an insulin pump needs to know of its wearer (T1D patients).
struct InsulinTherapy {
  double basal_u_per_min = 0.0;          // the basal rate that holds the patient's steady state
  double carb_ratio_g_per_u = 0.0;       // CR
  double correction_factor_mg_dl_per_u = 0.0;  // CF
};

// How many seconds of beats and ECG a patient keeps for its devices to read back.
inline constexpr sim::Time SENSOR_HISTORY = sim::Time::from_s(20);

// The narrow interface through which a device reads (and, for actuators, acts on) a patient.
// Only advance_to and value are required; the rest defaults to "this patient has none".
class SignalSource {
public:
  virtual ~SignalSource() = default;
  // Brings the model's state up to simulated time `t` (never backwards).
  virtual void advance_to(sim::Time t) = 0;
  // True value of `signal` at the time last advanced to.
  virtual double value(Signal signal) const = 0;

  // Fitzpatrick skin type 1-6 (0 = unknown): pulse oximetry's pigmentation bias depends on it.
  virtual std::uint8_t skin_type() const { return 0; }
  // Activity state now and since when (drives motion artifacts).
  virtual Activity activity() const { return Activity::rest; }
  virtual sim::Time activity_since() const { return sim::Time::zero(); }
  // Appends the beats with R peak in [from, to) to `out`, in time order, with a `fibrillation`
  // mark every FIBRILLATION_CYCLE during ventricular fibrillation. `to` must not be after the time
  // advanced to; beats older than SENSOR_HISTORY before it may be gone.
  virtual void beats(sim::Time from, sim::Time to, std::vector<PulseMark>& out) const {
    (void)from, (void)to, (void)out;
  }
  // The true single-lead ECG in mV: fills `out` with samples first_sample... at
  // ecg_sample_rate_hz(). Returns false when the patient has no ECG. Samples must lie before the
  // time advanced to and within SENSOR_HISTORY of it.
  virtual bool ecg(std::int64_t first_sample, std::span<float> out) {
    (void)first_sample, (void)out;
    return false;
  }
  virtual double ecg_sample_rate_hz() const { return 0.0; }

  // Insulin (T1D patients; nullopt and no effect for others).
  virtual std::optional<InsulinTherapy> insulin_therapy() const { return std::nullopt; }
  virtual void deliver_bolus_u(double units) { (void)units; }
  virtual void set_basal_u_per_min(double rate) { (void)rate; }
  // Carbohydrate (g) of the meals that started since the last call: what a patient tells a pump.
  virtual double take_meal_announcements_g() { return 0.0; }
};

}  // namespace twinbed::physiology
