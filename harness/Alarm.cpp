#include "harness/Alarm.hpp"

#include <array>

namespace twinbed::harness {

namespace {
constexpr std::array<std::string_view, 3> PRIORITY_NAMES{"low", "medium", "high"};
}

std::string_view priority_name(Priority priority) { return PRIORITY_NAMES.at(static_cast<std::size_t>(priority)); }

std::optional<Priority> priority_from_name(std::string_view name) {
  for (std::size_t i = 0; i < PRIORITY_NAMES.size(); ++i) {
    if (PRIORITY_NAMES[i] == name) return static_cast<Priority>(i);
  }
  return std::nullopt;
}

}  // namespace twinbed::harness
