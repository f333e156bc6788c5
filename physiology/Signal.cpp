#include "physiology/Signal.hpp"

namespace twinbed::physiology {

std::string_view signal_name(Signal signal) {
  switch (signal) {
    case Signal::heart_rate: return "heart_rate";
    case Signal::spo2: return "spo2";
  }
  return "unknown";
}

std::string_view signal_unit(Signal signal) {
  switch (signal) {
    case Signal::heart_rate: return "/min";
    case Signal::spo2: return "%";
  }
  return "";
}

std::optional<Signal> signal_from_name(std::string_view name) {
  for (const Signal s : ALL_SIGNALS) {
    if (signal_name(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace twinbed::physiology
