#pragma once
// Parsing of quantities with units as written in scenarios. Each function throws
// std::invalid_argument whose message says what is allowed; the scenario loader adds the location.
#include <cstdint>
#include <string_view>

#include "sim/Time.hpp"

namespace twinbed::harness {

// "0.02" or "2%" -> 0.02. Must lie in [0, 1].
double parse_probability(std::string_view text);
// Events per second from "2/day", "10/h", "0.5/min", "3/s". Non-negative.
double parse_rate_per_second(std::string_view text);
// Bytes from "512B", "64KiB", "1MiB", "2GiB", "1kB", "10MB", "1GB". Whole, non-negative.
std::uint64_t parse_size_bytes(std::string_view text);
// Bits per second from "20Mbps", "54 Mbit/s", "1Gbps", "250kbps", "9600bps" (SI prefixes: k = 1000).
// Positive and finite. Byte units ("MBps", "MB/s") are rejected rather than guessed.
double parse_bit_rate_bps(std::string_view text);
// Non-negative duration with a unit; see sim::parse_duration.
sim::Time parse_duration(std::string_view text);
// A plain decimal number (no unit), with optional sign and exponent. Whole string must match.
double parse_number(std::string_view text);

}  // namespace twinbed::harness
