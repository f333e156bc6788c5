#pragma once
// The rules for names written in a scenario (scenario, device, node, link, mobility names and
// patient id prefixes). Ids become HDF5 fixed-length strings (63 characters + NUL) and MQTT topic
// levels, so names are short and plain: a device id "<prefix><4 digits>-<name>" stays within
// 16 + 4 + 1 + 24 = 45 characters.
#include <cstddef>
#include <string>
#include <string_view>

#include "harness/YamlReader.hpp"

namespace twinbed::harness {

inline constexpr std::size_t MAX_PREFIX_LENGTH = 16;
inline constexpr std::size_t MAX_NAME_LENGTH = 24;

inline constexpr std::string_view NAME_CHARACTERS =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
// No '-' in prefixes: the first '-' of a device id then ends the patient id, so ids are unique.
inline constexpr std::string_view PREFIX_CHARACTERS =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

// Throws through `field` unless `name` is 1..max_length of `characters`.
inline void check_name(const YamlField& field, const std::string& name, const char* what, std::size_t max_length,
                       std::string_view characters = NAME_CHARACTERS) {
  const bool valid =
      !name.empty() && name.size() <= max_length && name.find_first_not_of(characters) == std::string::npos;
  if (!valid) {
    std::string problem = "is not a valid ";
    problem += what;
    problem += "; expected 1-" + std::to_string(max_length) + " letters, digits, '_'";
    if (characters.find('-') != std::string_view::npos) problem += " or '-'";
    field.fail(name, problem);
  }
}

}  // namespace twinbed::harness
