#include "harness/Expect.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "harness/InputError.hpp"

namespace twinbed::harness {
namespace {

constexpr std::string_view FORM = "expected 'metric op value', e.g. 'alarms.overall.sensitivity >= 0.95'";
constexpr std::string_view OPS = ">=, <=, >, <, ==, !=";
constexpr std::string_view METRIC_FORM =
    "expected a dotted path into summary.json of names made of a-z, 0-9 and _, e.g. telemetry.completeness";
constexpr std::string_view VALUE_FORM =
    "expected a number with an optional unit: ns, us, ms, s, min, h, d (converted to seconds) or % (divided by 100)";

// Summary durations are in seconds (harness spec, "Assertions, exit codes, reports").
constexpr std::array<std::pair<std::string_view, double>, 7> DURATION_UNITS{
    {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}, {"min", 60.0}, {"h", 3600.0}, {"d", 86400.0}}};

constexpr std::array<std::pair<std::string_view, CompareOp>, 6> OP_TEXT{{{">=", CompareOp::ge},
                                                                          {"<=", CompareOp::le},
                                                                          {">", CompareOp::gt},
                                                                          {"<", CompareOp::lt},
                                                                          {"==", CompareOp::eq},
                                                                          {"!=", CompareOp::ne}}};

// Values this close count as equal. Far below any metric's meaningful resolution, well above the
// rounding of a ratio or a unit conversion ("99.9%" is 99.9 / 100, not the double nearest 0.999).
constexpr double RELATIVE_TOLERANCE = 1e-9;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

[[noreturn]] void reject(const std::string& problem) { throw std::invalid_argument(problem); }

void check_metric(std::string_view metric, std::string_view op) {
  if (metric.empty()) {
    std::string problem = "has no metric before '";
    problem.append(op).append("'; ").append(METRIC_FORM);
    reject(problem);
  }
  std::size_t segment_length = 0;
  for (const char c : metric) {
    if (c == '.') {
      if (segment_length == 0) break;
      segment_length = 0;
      continue;
    }
    ++segment_length;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') continue;
    std::string problem = "has metric '";
    problem.append(metric).append("' with the character '").append(1, c).append("'; ").append(METRIC_FORM);
    reject(problem);
  }
  if (segment_length == 0) {
    std::string problem = "has metric '";
    problem.append(metric).append("' with an empty name between dots; ").append(METRIC_FORM);
    reject(problem);
  }
}

double parse_value(std::string_view text, std::string_view op) {
  if (text.empty()) {
    std::string problem = "has no value after '";
    problem.append(op).append("'; ").append(VALUE_FORM);
    reject(problem);
  }
  double number = 0.0;
  // from_chars takes '-' but not '+'; "+5" is still a plain number to a reader.
  const std::string_view digits = text.size() > 1 && text[0] == '+' && text[1] != '-' ? text.substr(1) : text;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc() || !std::isfinite(number)) {
    std::string problem = "has value '";
    problem.append(text).append("' that is not a finite number; ").append(VALUE_FORM);
    reject(problem);
  }
  const std::string_view unit = trim(digits.substr(static_cast<std::size_t>(end - digits.data())));
  if (unit.empty()) return number;
  if (unit == "%") return number / 100.0;
  for (const auto& [name, seconds] : DURATION_UNITS) {
    if (unit == name) return number * seconds;
  }
  std::string problem = "has an unknown unit '";
  problem.append(unit).append("' in '").append(text).append("'; ").append(VALUE_FORM);
  reject(problem);
}

bool approximately_equal(double a, double b) {
  return a == b || std::abs(a - b) <= RELATIVE_TOLERANCE * std::max(std::abs(a), std::abs(b));
}

bool holds(double actual, CompareOp op, double bound) {
  const bool equal = approximately_equal(actual, bound);
  switch (op) {
    case CompareOp::ge: return equal || actual > bound;
    case CompareOp::le: return equal || actual < bound;
    case CompareOp::gt: return !equal && actual > bound;
    case CompareOp::lt: return !equal && actual < bound;
    case CompareOp::eq: return equal;
    case CompareOp::ne: return !equal;
  }
  return false;
}

// The actual value as short as possible (6 significant digits) but never so rounded that it seems
// to contradict the verdict ("= 1, expected >= 1" for 0.99999996 failing).
std::string show_actual(const nlohmann::json& value, const Expectation& e) {
  if (value.is_number_unsigned()) return fmt::format("{}", value.get<std::uint64_t>());
  if (value.is_number_integer()) return fmt::format("{}", value.get<std::int64_t>());
  const double x = value.get<double>();
  const bool verdict = holds(x, e.op, e.value);
  for (int precision = 6; precision <= 17; ++precision) {
    std::string text = fmt::format("{:.{}g}", x, precision);
    double shown = 0.0;
    std::from_chars(text.data(), text.data() + text.size(), shown);
    if (holds(shown, e.op, e.value) == verdict) return text;
  }
  return fmt::format("{}", x);
}

std::string expected_part(const Expectation& e) {
  std::string text = ", expected ";
  text.append(compare_op_text(e.op)).append(" ").append(e.value_text);
  return text;
}

// "completeness, completeness_worst_device, duplicates": the keys of `level` nearest to `key`.
std::string nearest_keys(const nlohmann::json& level, const std::string& key) {
  std::vector<std::pair<std::size_t, std::string>> ranked;
  for (const auto& [name, value] : level.items()) ranked.emplace_back(edit_distance(key, name), name);
  std::sort(ranked.begin(), ranked.end());
  std::string text;
  for (std::size_t i = 0; i < ranked.size() && i < 3; ++i) text.append(i ? ", " : "").append(ranked[i].second);
  return text;
}

std::string kind_of(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>() ? "a boolean (true)" : "a boolean (false)";
  std::string kind;
  if (value.is_string()) return kind.append("text ('").append(value.get<std::string>()).append("')");
  if (value.is_array()) return kind.append("a list of ").append(std::to_string(value.size())).append(" entries");
  if (value.is_object()) return "a group of metrics";
  return "a number";
}

// Walks the dotted path; a failure message when it does not lead to a value.
std::pair<const nlohmann::json*, std::string> resolve(const nlohmann::json& summary, const std::string& metric) {
  const nlohmann::json* node = &summary;
  std::string walked;
  std::size_t start = 0;
  while (start <= metric.size()) {
    const std::size_t dot = std::min(metric.find('.', start), metric.size());
    const std::string key = metric.substr(start, dot - start);
    std::string failure = "unknown metric '" + metric + "': ";
    const std::string where = walked.empty() ? std::string("summary.json") : "'" + walked + "'";
    if (node->is_object()) {
      const auto found = node->find(key);
      if (found == node->end()) {
        failure += "no key '" + key + "' in " + where;
        if (node->empty()) failure += ", which is empty";
        else failure.append("; nearest: ").append(nearest_keys(*node, key));
        return {nullptr, failure};
      }
      node = &*found;
    } else if (node->is_array()) {
      std::size_t index = 0;
      const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), index);
      if (error != std::errc() || end != key.data() + key.size() || index >= node->size()) {
        if (node->empty()) {
          failure += where + " is an empty list";
        } else {
          failure += where + " is " + kind_of(*node) + "; index it with a number from 0 to ";
          failure += std::to_string(node->size() - 1);
        }
        return {nullptr, failure};
      }
      node = &(*node)[index];
    } else {
      failure += where + " is " + kind_of(*node) + ", not a group; it has no '" + key + "'";
      return {nullptr, failure};
    }
    walked += (walked.empty() ? "" : ".") + key;
    start = dot + 1;
  }
  return {node, ""};
}

AssertionResult evaluate_one(const Expectation& e, const nlohmann::json& summary) {
  AssertionResult result;
  result.expectation = e;
  const auto [value, failure] = resolve(summary, e.metric);
  if (!value) {
    result.message = failure;
    return result;
  }
  // In memory an undefined ratio may still be NaN; summary.json writes it as null.
  if (value->is_null() || (value->is_number_float() && std::isnan(value->get<double>()))) {
    result.message = e.metric + " is undefined (no events / no alarms)" + expected_part(e);
    return result;
  }
  if (!value->is_number()) {
    result.message = e.metric + " is " + kind_of(*value) + ", not a number";
    if (value->is_object() && !value->empty()) result.message += "; name one of its metrics, e.g. " + e.metric + "." + value->begin().key();
    if (value->is_array() && !value->empty()) result.message += "; index one, e.g. " + e.metric + ".0";
    return result;
  }
  const double actual = value->get<double>();
  result.actual = actual;
  result.passed = holds(actual, e.op, e.value);
  result.message = e.metric + " = " + show_actual(*value, e) + expected_part(e);
  return result;
}

}  // namespace

std::string_view compare_op_text(CompareOp op) {
  for (const auto& [text, value] : OP_TEXT) {
    if (value == op) return text;
  }
  return "?";
}

Expectation parse_expectation(const std::string& text) {
  Expectation e;
  const std::string_view line = trim(text);
  e.text = std::string(line);
  if (line.empty()) reject(std::string("is empty; ").append(FORM));
  const std::size_t op_start = line.find_first_of("<>=!");
  if (op_start == std::string_view::npos) {
    std::string problem = "has no comparison; ";
    problem.append(FORM).append(", with op one of ").append(OPS);
    reject(problem);
  }
  const std::size_t op_end = std::min(line.find_first_not_of("<>=!", op_start), line.size());
  const std::string_view op = line.substr(op_start, op_end - op_start);
  const auto known = std::find_if(OP_TEXT.begin(), OP_TEXT.end(), [&](const auto& entry) { return entry.first == op; });
  if (known == OP_TEXT.end()) {
    std::string problem = "has the comparison '";
    problem.append(op).append("'; allowed: ").append(OPS);
    reject(problem);
  }
  e.op = known->second;
  const std::string_view metric = trim(line.substr(0, op_start));
  check_metric(metric, op);
  e.metric = std::string(metric);
  const std::string_view value = trim(line.substr(op_end));
  e.value = parse_value(value, op);
  e.value_text = std::string(value);
  return e;
}

std::vector<AssertionResult> evaluate(const std::vector<Expectation>& expectations, const nlohmann::json& summary) {
  std::vector<AssertionResult> results;
  results.reserve(expectations.size());
  for (const Expectation& e : expectations) results.push_back(evaluate_one(e, summary));
  return results;
}

nlohmann::json assertions_json(const std::vector<AssertionResult>& results) {
  nlohmann::json list = nlohmann::json::array();
  for (const AssertionResult& r : results) {
    list.push_back({{"expect", r.expectation.text},
                    {"passed", r.passed},
                    {"actual", r.actual ? nlohmann::json(*r.actual) : nlohmann::json(nullptr)},
                    {"message", r.message},
                    {"location", r.expectation.location}});
  }
  return list;
}

}  // namespace twinbed::harness
