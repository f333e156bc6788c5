#pragma once
// physiology::Signal names the true physiological quantities a patient model exposes, and
// physiology::SignalSource is the narrow interface through which a device reads a patient.
#include <cstdint>
#include <optional>
#include <string_view>

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
};
inline constexpr Signal ALL_SIGNALS[] = {
    Signal::heart_rate,       Signal::spo2,        Signal::respiration_rate, Signal::systolic_bp,
    Signal::diastolic_bp,     Signal::mean_bp,     Signal::core_temperature, Signal::skin_temperature,
    Signal::weight,           Signal::glucose,     Signal::interstitial_glucose};

std::string_view signal_name(Signal signal);
// UCUM unit of the signal: "/min", "%", "mm[Hg]", "Cel", "kg", "mg/dL".
std::string_view signal_unit(Signal signal);
std::optional<Signal> signal_from_name(std::string_view name);

class SignalSource {
public:
  virtual ~SignalSource() = default;
  // Brings the model's state up to simulated time `t` (never backwards).
  virtual void advance_to(sim::Time t) = 0;
  // True value of `signal` at the time last advanced to.
  virtual double value(Signal signal) const = 0;
};

}  // namespace twinbed::physiology
