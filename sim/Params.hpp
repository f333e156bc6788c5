#pragma once
// sim::ParamInfo / ParamSet: every tunable of a device type or link technology lives in one table (name, unit,
// default, allowed range, source). The YAML loader reads a device's keys from it, `twinbed
// catalog` prints it and docs/devices.md is generated from it, so the three never disagree.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/Time.hpp"

namespace twinbed::sim {

enum class ParamKind : std::uint8_t {
  number,       // a real number in `unit`
  duration,     // a duration; stored in seconds, written in YAML with a unit ("30s", "5min")
  probability,  // 0..1
  count,        // a non-negative integer
  flag,         // true / false (stored 0 / 1)
  choice,       // one of `choices` (stored as its index)
};

struct ParamInfo {
  std::string_view name;
  ParamKind kind = ParamKind::number;
  std::string_view unit;  // for number: the unit the value is in ("%", "mmHg", "uA"); "" otherwise
  double default_value = 0.0;
  double min = 0.0;
  double max = 0.0;
  std::string_view description;
  std::string_view source;  // paper, standard or datasheet the default comes from
  std::vector<std::string_view> choices = {};
};

// Values for one device type's table, defaults first, then whatever the scenario set.
class ParamSet {
public:
  ParamSet() = default;
  explicit ParamSet(std::span<const ParamInfo> table);

  std::span<const ParamInfo> table() const { return table_; }
  // Lookups by name; a name missing from the table is a programming error (std::logic_error).
  double number(std::string_view name) const;
  sim::Time duration(std::string_view name) const;
  std::uint64_t count(std::string_view name) const;
  bool flag(std::string_view name) const;
  std::size_t choice(std::string_view name) const;
  void set(std::string_view name, double value);
  const ParamInfo* find(std::string_view name) const;

private:
  std::size_t index_of(std::string_view name) const;
  std::span<const ParamInfo> table_;
  std::vector<double> values_;
};

// "30 s", "0.1 kg", "drop_oldest", "true": a value as the catalogue and docs print it.
std::string format_param_value(const ParamInfo& info, double value);
std::string_view param_kind_name(ParamKind kind);
// "10 s .. 1 h", "true/false", "drop_oldest, drop_newest": what a parameter accepts.
std::string param_range_text(const ParamInfo& info);
// A table as the docs show it (Markdown: key, kind, default, allowed, meaning, source) and as
// `twinbed catalog` prints it (one line a parameter). Device types and link technologies share them.
std::string param_table_markdown(std::span<const ParamInfo> table);
std::string param_table_text(std::span<const ParamInfo> table);

}  // namespace twinbed::sim
