#include "harness/Units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

namespace twinbed::harness {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Splits "12.5KiB" into (12.5, "KiB"). Throws when there is no leading number.
std::pair<double, std::string_view> split_number(std::string_view text, std::string_view allowed) {
  text = trim(text);
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || !std::isfinite(value)) {
    throw std::invalid_argument("is not a number; expected " + std::string(allowed));
  }
  return {value, trim(std::string_view(end, static_cast<std::size_t>(text.data() + text.size() - end)))};
}

}  // namespace

double parse_number(std::string_view text) {
  const auto [value, rest] = split_number(text, "a number");
  if (!rest.empty()) throw std::invalid_argument("is not a plain number; expected a number without a unit");
  return value;
}

double parse_probability(std::string_view text) {
  constexpr std::string_view allowed = "a probability in [0, 1], as 0.02 or 2%";
  auto [value, rest] = split_number(text, allowed);
  if (rest == "%") {
    value /= 100.0;
  } else if (!rest.empty()) {
    throw std::invalid_argument("has an unknown suffix '" + std::string(rest) + "'; expected " + std::string(allowed));
  }
  if (value < 0.0 || value > 1.0) throw std::invalid_argument("is outside [0, 1]; expected " + std::string(allowed));
  return value;
}

double parse_rate_per_second(std::string_view text) {
  constexpr std::string_view allowed = "a rate as N/unit with unit s, min, h, day or week (e.g. 2/day)";
  const auto [value, rest] = split_number(text, allowed);
  if (rest.empty() || rest.front() != '/') {
    throw std::invalid_argument("has no '/unit'; expected " + std::string(allowed));
  }
  const std::string_view unit = trim(rest.substr(1));
  static constexpr std::array<std::pair<std::string_view, double>, 5> UNITS{
      {{"s", 1.0}, {"min", 60.0}, {"h", 3600.0}, {"day", 86400.0}, {"week", 604800.0}}};
  for (const auto& [name, seconds] : UNITS) {
    if (unit != name) continue;
    if (value < 0.0) throw std::invalid_argument("is negative; expected " + std::string(allowed));
    return value / seconds;
  }
  throw std::invalid_argument("has unknown unit '" + std::string(unit) + "'; expected " + std::string(allowed));
}

std::uint64_t parse_size_bytes(std::string_view text) {
  constexpr std::string_view allowed = "a size with unit B, kB, MB, GB, KiB, MiB or GiB (e.g. 64KiB)";
  const auto [value, unit] = split_number(text, allowed);
  static constexpr std::array<std::pair<std::string_view, double>, 7> UNITS{{{"B", 1.0},
                                                                           {"kB", 1e3},
                                                                           {"MB", 1e6},
                                                                           {"GB", 1e9},
                                                                           {"KiB", 1024.0},
                                                                           {"MiB", 1048576.0},
                                                                           {"GiB", 1073741824.0}}};
  for (const auto& [name, bytes] : UNITS) {
    if (unit != name) continue;
    const double total = value * bytes;
    if (value < 0.0) throw std::invalid_argument("is negative; expected " + std::string(allowed));
    if (total != std::floor(total) || total > 9.0e18) {
      throw std::invalid_argument("is not a whole number of bytes; expected " + std::string(allowed));
    }
    return static_cast<std::uint64_t>(total);
  }
  if (unit.empty()) throw std::invalid_argument("has no unit; expected " + std::string(allowed));
  throw std::invalid_argument("has unknown unit '" + std::string(unit) + "'; expected " + std::string(allowed));
}

double parse_bit_rate_bps(std::string_view text) {
  constexpr std::string_view allowed =
      "a bit rate with unit bps, kbps, Mbps, Gbps (or bit/s, kbit/s, Mbit/s, Gbit/s), e.g. 20Mbps";
  const auto [value, unit] = split_number(text, allowed);
  static constexpr std::array<std::pair<std::string_view, double>, 8> UNITS{{{"bps", 1.0},
                                                                           {"kbps", 1e3},
                                                                           {"Mbps", 1e6},
                                                                           {"Gbps", 1e9},
                                                                           {"bit/s", 1.0},
                                                                           {"kbit/s", 1e3},
                                                                           {"Mbit/s", 1e6},
                                                                           {"Gbit/s", 1e9}}};
  for (const auto& [name, bps] : UNITS) {
    if (unit != name) continue;
    if (value <= 0.0) throw std::invalid_argument("is not positive; expected " + std::string(allowed));
    return value * bps;
  }
  if (unit.empty()) throw std::invalid_argument("has no unit; expected " + std::string(allowed));
  throw std::invalid_argument("has unknown unit '" + std::string(unit) + "'; expected " + std::string(allowed));
}

sim::Time parse_duration(std::string_view text) {
  try {
    return sim::parse_duration(text);
  } catch (const std::invalid_argument& e) {
    // sim's message starts with the reason; keep it, phrased to follow the quoted value.
    throw std::invalid_argument(std::string("is not a valid duration: ") + e.what());
  }
}

}  // namespace twinbed::harness
