#include "sim/Time.hpp"

#include <array>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace twinbed::sim {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ns;
};
// Longest names first so that "min" and "ms" are not read as "m".
constexpr std::array<Unit, 7> UNITS{{{"min", 60'000'000'000},
                                     {"ns", 1},
                                     {"us", 1'000},
                                     {"ms", 1'000'000},
                                     {"s", 1'000'000'000},
                                     {"h", 3'600'000'000'000},
                                     {"d", 86'400'000'000'000}}};

constexpr std::string_view ALLOWED = "a non-negative number with a unit: ns, us, ms, s, min, h, d (e.g. 250ms, 15min, 24h)";

[[noreturn]] void fail(std::string_view why) {
  throw std::invalid_argument(std::string(why) + "; expected " + std::string(ALLOWED));
}

}  // namespace

Time Time::from_seconds(double seconds) { return Time(static_cast<std::int64_t>(std::llround(seconds * 1e9))); }

Time parse_duration(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) fail("empty duration");
  if (text.front() == '-') fail("negative duration");
  std::size_t pos = 0;
  std::int64_t whole = 0;
  std::int64_t frac_digits_value = 0;
  std::int64_t frac_scale = 1;
  bool any_digit = false;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    // Exact bound per digit, so that every int64 (e.g. to_string(Time::max())) parses back.
    const int digit = text[pos] - '0';
    if (whole > (std::numeric_limits<std::int64_t>::max() - digit) / 10) fail("duration too large");
    whole = whole * 10 + digit;
    ++pos;
    any_digit = true;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (frac_scale < 1'000'000'000'000'000LL) {
        frac_digits_value = frac_digits_value * 10 + (text[pos] - '0');
        frac_scale *= 10;
      } else if (text[pos] != '0') {
        // 18 fractional digits are finer than 1 ns in every unit (the largest, d, is 8.64e13 ns),
        // so a non-zero digit past them can never be whole nanoseconds: reject, never drop it.
        fail("duration is not a whole number of nanoseconds");
      }
      ++pos;
      any_digit = true;
    }
  }
  if (!any_digit) fail("no number");
  std::string_view unit_text = text.substr(pos);
  while (!unit_text.empty() && unit_text.front() == ' ') unit_text.remove_prefix(1);
  if (unit_text.empty()) fail("missing unit");
  for (const Unit& unit : UNITS) {
    if (unit_text != unit.name) continue;
    if (whole > std::numeric_limits<std::int64_t>::max() / unit.ns) fail("duration too large");
    // fraction * unit = (value / scale) * unit, exact in integers when it is whole nanoseconds:
    // reduce by g = gcd(unit, scale) so nothing overflows.
    const std::int64_t g = std::gcd(unit.ns, frac_scale);
    const std::int64_t divisor = frac_scale / g;
    if (frac_digits_value % divisor != 0) fail("duration is not a whole number of nanoseconds");
    const std::int64_t frac_ns = frac_digits_value / divisor * (unit.ns / g);
    if (whole * unit.ns > std::numeric_limits<std::int64_t>::max() - frac_ns) fail("duration too large");
    return Time::from_ns(whole * unit.ns + frac_ns);
  }
  fail("unknown unit '" + std::string(unit_text) + "'");
}

std::string to_string(Time t) {
  const std::int64_t ns = t.ns();
  if (ns == 0) return "0s";
  static constexpr std::array<Unit, 7> BY_SIZE{{{"d", 86'400'000'000'000},
                                                {"h", 3'600'000'000'000},
                                                {"min", 60'000'000'000},
                                                {"s", 1'000'000'000},
                                                {"ms", 1'000'000},
                                                {"us", 1'000},
                                                {"ns", 1}}};
  for (const Unit& unit : BY_SIZE) {
    if (ns % unit.ns == 0) return std::to_string(ns / unit.ns) + std::string(unit.name);
  }
  return std::to_string(ns) + "ns";
}

}  // namespace twinbed::sim
