#include "physiology/Signal.hpp"

#include <array>

namespace twinbed::physiology {
namespace {
struct SignalInfo {
  std::string_view name;
  std::string_view unit;  // UCUM, as FHIR Observation.valueQuantity uses it
};
constexpr std::array<SignalInfo, std::size(ALL_SIGNALS)> INFO{{{"heart_rate", "/min"},
                                                              {"spo2", "%"},
                                                              {"respiration_rate", "/min"},
                                                              {"systolic_bp", "mm[Hg]"},
                                                              {"diastolic_bp", "mm[Hg]"},
                                                              {"mean_bp", "mm[Hg]"},
                                                              {"core_temperature", "Cel"},
                                                              {"skin_temperature", "Cel"},
                                                              {"weight", "kg"},
                                                              {"glucose", "mg/dL"},
                                                              {"interstitial_glucose", "mg/dL"},
                                                              {"perfusion_index", "%"},
                                                              {"battery_level", "%"},
                                                              {"device_alert", "1"},
                                                              {"insulin_basal_rate", "U/h"},
                                                              {"insulin_bolus", "U"},
                                                              {"infusion_rate", "mL/h"},
                                                              {"lead_impedance", "Ohm"},
                                                              {"af_burden", "%"},
                                                              {"ecg", "mV"}}};
}  // namespace

std::string_view signal_name(Signal signal) {
  const auto index = static_cast<std::size_t>(signal);
  return index < INFO.size() ? INFO[index].name : "unknown";
}

std::string_view signal_unit(Signal signal) {
  const auto index = static_cast<std::size_t>(signal);
  return index < INFO.size() ? INFO[index].unit : "";
}

std::optional<Signal> signal_from_name(std::string_view name) {
  for (const Signal s : ALL_SIGNALS) {
    if (signal_name(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace twinbed::physiology
