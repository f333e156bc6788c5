#pragma once
// Strict, location-aware reading of YAML (yaml-cpp) into plain values. Every accessor checks the
// node's type and range and throws InputError naming file:line:column (or the --set flag that put
// the value there), the dotted key, the bad value and what is allowed. Unknown keys are errors with
// a "did you mean" suggestion; duplicate keys are errors. No YAML node outlives scenario loading.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/InputError.hpp"
#include "sim/Time.hpp"

namespace twinbed::harness {

class YamlMap;

class YamlField {
public:
  const std::string& path() const { return path_; }
  SourceLocation location() const;
  [[noreturn]] void fail(const std::string& value, const std::string& problem) const;
  [[noreturn]] void fail(const std::string& problem) const { fail(shown_value(), problem); }
  // The scalar text, or a description ("a list") for other node kinds: used in error messages.
  std::string shown_value() const;

  bool is_null() const { return !node_ || node_.IsNull(); }
  YamlMap as_map(const std::vector<std::string>& allowed_keys) const;
  // A mapping whose keys are checked later (read one key first to learn which keys are allowed).
  YamlMap as_unchecked_map() const;
  std::vector<YamlField> as_list() const;
  // A mapping whose keys are data (e.g. `p50: 5ms`), in file order: each key as a field located at
  // the key (its value is the key text) with its value's field. Duplicate keys are errors.
  std::vector<std::pair<YamlField, YamlField>> as_entries() const;

  std::string as_string() const;
  bool as_bool() const;
  std::int64_t as_integer(std::int64_t min, std::int64_t max) const;
  std::uint64_t as_unsigned() const;
  double as_number(double min, double max) const;
  // Every duration is at most MAX_DURATION (100 years), so a sum of two stays far inside int64
  // nanoseconds' 292-year range: now + any delay never overflows.
  static constexpr sim::Time MAX_DURATION = sim::Time::from_days(36500);
  sim::Time as_duration(sim::Time min) const;
  // A mean time between random events, written as a duration ("12h") or as a rate ("2/day" = 12h).
  sim::Time as_mean_interval(sim::Time min) const;
  double as_probability() const;
  // One of `allowed`; otherwise "is not <what> (did you mean '...'?); allowed: a, b, c".
  std::string as_choice(const std::vector<std::string>& allowed, const std::string& what) const;

private:
  friend class YamlDocument;
  friend class YamlMap;
  struct Context;
  YamlField(YAML::Node node, std::string path, YAML::Mark fallback, std::shared_ptr<const Context> context)
      : node_(std::move(node)), path_(std::move(path)), fallback_(fallback), context_(std::move(context)) {}
  const std::string& scalar(const char* expected) const;

  YAML::Node node_;
  std::string path_;
  YAML::Mark fallback_;  // where to point when the node has no mark of its own (a missing key)
  std::shared_ptr<const Context> context_;
};

class YamlMap {
public:
  const YamlField& field() const { return field_; }
  // True when the key is present, even with an empty value (which the typed readers reject).
  bool has(const std::string& key) const;
  // A present key's field. A missing key yields a null field located at the mapping.
  YamlField get(const std::string& key) const;
  // Throws when the key is missing.
  YamlField required(const std::string& key) const;

private:
  friend class YamlField;
  explicit YamlMap(YamlField field) : field_(std::move(field)) {}
  YamlField field_;
};

class YamlDocument {
public:
  // Throws InputError for a missing/unreadable file or malformed YAML.
  static YamlDocument load_file(const std::string& path);
  static YamlDocument parse(const std::string& text, const std::string& file_label);

  // Applies "--set key.path=value" (path segments separated by '.', list indices as numbers or
  // [n]). The value is read as YAML, so numbers, lists and quoted strings work.
  void apply_override(const std::string& assignment);

  YamlField root() const;
  const std::string& text() const { return text_; }
  const std::string& file() const;

private:
  YamlDocument() = default;
  YAML::Node root_;
  std::string text_;
  std::shared_ptr<YamlField::Context> context_;
};

}  // namespace twinbed::harness
