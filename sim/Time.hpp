#pragma once
// sim::Time: a strong integer type for simulated time (nanoseconds since scenario start).
// Kernel APIs never take double time: ordering by integers is exact and portable (ns-3 nstime.h).
#include <compare>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace twinbed::sim {

class Time {
public:
  constexpr Time() = default;
  static constexpr Time from_ns(std::int64_t ns) { return Time(ns); }
  static constexpr Time from_us(std::int64_t us) { return Time(us * 1'000); }
  static constexpr Time from_ms(std::int64_t ms) { return Time(ms * 1'000'000); }
  static constexpr Time from_s(std::int64_t s) { return Time(s * 1'000'000'000); }
  static constexpr Time from_min(std::int64_t m) { return from_s(m * 60); }
  static constexpr Time from_h(std::int64_t h) { return from_s(h * 3'600); }
  static constexpr Time from_days(std::int64_t d) { return from_s(d * 86'400); }
  // Rounds to the nearest nanosecond. For model parameters only; never for event ordering.
  static Time from_seconds(double seconds);
  // A fractional count would be truncated silently: use from_seconds() for real numbers.
  template <std::floating_point F> static Time from_ms(F) = delete;
  template <std::floating_point F> static Time from_s(F) = delete;
  template <std::floating_point F> static Time from_min(F) = delete;
  template <std::floating_point F> static Time from_h(F) = delete;
  template <std::floating_point F> static Time from_days(F) = delete;
  static constexpr Time zero() { return Time(0); }
  static constexpr Time max() { return Time(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr double seconds() const { return static_cast<double>(ns_) * 1e-9; }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Time o) const { return Time(ns_ + o.ns_); }
  constexpr Time operator-(Time o) const { return Time(ns_ - o.ns_); }
  constexpr Time& operator+=(Time o) { ns_ += o.ns_; return *this; }
  constexpr Time& operator-=(Time o) { ns_ -= o.ns_; return *this; }
  constexpr Time operator*(std::int64_t k) const { return Time(ns_ * k); }
  constexpr std::int64_t operator/(Time o) const { return ns_ / o.ns_; }

private:
  constexpr explicit Time(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

// Parses "250ms", "15min", "24h", "7d", "1.5s", "0s". Units: ns, us, ms, s, min, h, d.
// A number without a unit, a negative value, an unknown unit or an overflow throws
// std::invalid_argument whose message says what is allowed.
Time parse_duration(std::string_view text);

// Shortest exact rendering with the largest unit that divides the value: "250ms", "15min", "1.5s" is
// "1500ms". Round-trips through parse_duration.
std::string to_string(Time t);

inline namespace literals {
constexpr Time operator""_ns(unsigned long long v) { return Time::from_ns(static_cast<std::int64_t>(v)); }
constexpr Time operator""_us(unsigned long long v) { return Time::from_us(static_cast<std::int64_t>(v)); }
constexpr Time operator""_ms(unsigned long long v) { return Time::from_ms(static_cast<std::int64_t>(v)); }
constexpr Time operator""_s(unsigned long long v) { return Time::from_s(static_cast<std::int64_t>(v)); }
constexpr Time operator""_min(unsigned long long v) { return Time::from_min(static_cast<std::int64_t>(v)); }
constexpr Time operator""_h(unsigned long long v) { return Time::from_h(static_cast<std::int64_t>(v)); }
constexpr Time operator""_d(unsigned long long v) { return Time::from_days(static_cast<std::int64_t>(v)); }
}  // namespace literals

}  // namespace twinbed::sim
