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
  heart_rate = 0,  // beats per minute
  spo2 = 1,        // peripheral oxygen saturation, percent
};
inline constexpr Signal ALL_SIGNALS[] = {Signal::heart_rate, Signal::spo2};

std::string_view signal_name(Signal signal);
// UCUM unit of the signal: "/min", "%".
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
