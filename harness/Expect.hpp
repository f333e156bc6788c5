#pragma once
// harness::Expectation: one `expect:` line of a scenario, "metric op value[unit]", e.g.
// "alarms.desaturation.delay.p95 <= 30s". Metrics are dotted paths into summary.json; durations
// there are in seconds and ratios in 0..1, so "30s", "500ms", "2min", "1h" and "99.9%" convert.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace twinbed::harness {

enum class CompareOp : std::uint8_t { ge, le, gt, lt, eq, ne };
std::string_view compare_op_text(CompareOp op);  // ">=", ...

struct Expectation {
  std::string text;    // as written
  std::string metric;  // "alarms.overall.sensitivity"
  CompareOp op = CompareOp::ge;
  double value = 0.0;  // in the summary's unit (seconds, ratio)
  std::string value_text;  // "30s", as written: messages quote the bound the way the user wrote it
  std::string location;  // "file:line:column" of the line, for messages
};

// Parses one line. Throws std::invalid_argument with a message naming what is wrong and what is
// allowed (the loader adds the location). Units: ns, us, ms, s, min, h, d (to seconds), % (/100);
// no unit leaves the number as it is.
Expectation parse_expectation(const std::string& text);

struct AssertionResult {
  Expectation expectation;
  bool passed = false;
  std::optional<double> actual;  // unset: the metric is missing or undefined (null)
  std::string message;           // "alarms.overall.sensitivity = 0.9412, expected >= 0.95"
};

// Every comparison treats values within a relative 1e-9 of each other as equal (so "== 0.3" holds
// for 0.1 + 0.2, and ">= 99.9%" for a completeness of exactly 0.999 computed another way). A
// metric that is missing, null (undefined: no events, no alarms) or not a number fails.
std::vector<AssertionResult> evaluate(const std::vector<Expectation>& expectations, const nlohmann::json& summary);

// summary.json "assertions": [{"expect": text, "passed": b, "actual": x|null, "message": m,
// "location": "file:line:column"}, ...]
nlohmann::json assertions_json(const std::vector<AssertionResult>& results);

}  // namespace twinbed::harness
