#include "devices/Faults.hpp"

namespace twinbed::devices {
namespace {
constexpr std::array<std::string_view, FAULT_KIND_COUNT> KIND_NAMES{
    "motion",         "detachment", "low_perfusion", "compression",   "signal_loss",     "crash",
    "stuck_sensor",   "calibration_drift", "occlusion", "lead_impedance", "battery_low", "battery_depleted",
    "warm_up",        "sensor_expired",    "reservoir_empty", "measurement_failed"};
}  // namespace

std::string_view fault_kind_name(FaultKind kind) {
  const auto index = static_cast<std::size_t>(kind);
  return index < KIND_NAMES.size() ? KIND_NAMES[index] : "unknown";
}

std::optional<FaultKind> fault_kind_from_name(std::string_view name) {
  for (std::size_t i = 0; i < KIND_NAMES.size(); ++i) {
    if (KIND_NAMES[i] == name) return static_cast<FaultKind>(i);
  }
  return std::nullopt;
}

std::string_view fault_origin_name(FaultOrigin origin) {
  switch (origin) {
    case FaultOrigin::scheduled: return "scheduled";
    case FaultOrigin::random: return "random";
    case FaultOrigin::activity: return "activity";
    case FaultOrigin::model: return "model";
  }
  return "unknown";
}

}  // namespace twinbed::devices
