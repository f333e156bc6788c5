#include "physiology/GroundTruth.hpp"

#include <array>

namespace twinbed::physiology {
namespace {
constexpr std::array<std::string_view, 22> NAMES{
    "desaturation",         "bradycardia",          "tachycardia",          "bradypnoea",
    "tachypnoea",           "hypotension",          "hypertensive_crisis",  "fever",
    "hypothermia",          "hypoglycaemia_level1", "hypoglycaemia_level2", "hyperglycaemia_level1",
    "hyperglycaemia_level2", "news2_medium",        "news2_high",           "asystole",
    "extreme_bradycardia",  "extreme_tachycardia",  "ventricular_tachycardia", "ventricular_fibrillation",
    "atrial_fibrillation",  "condition"};
}  // namespace

std::string_view event_class_name(EventClass event_class) {
  const auto index = static_cast<std::size_t>(event_class);
  return index < NAMES.size() ? NAMES[index] : "unknown";
}

std::optional<EventClass> event_class_from_name(std::string_view name) {
  for (std::size_t i = 0; i < NAMES.size(); ++i) {
    if (NAMES[i] == name) return static_cast<EventClass>(i);
  }
  return std::nullopt;
}

std::vector<EventClass> all_event_classes() {
  std::vector<EventClass> classes;
  for (std::size_t i = 0; i < NAMES.size(); ++i) classes.push_back(static_cast<EventClass>(i));
  return classes;
}

}  // namespace twinbed::physiology
