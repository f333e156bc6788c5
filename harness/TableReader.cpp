#include "harness/TableReader.hpp"

#include <algorithm>

namespace twinbed::harness {
namespace {

// Reads one parameter by its kind, within the table's range.
double read_param(const YamlField& field, const sim::ParamInfo& info) {
  switch (info.kind) {
    case sim::ParamKind::number: return field.as_number(info.min, info.max);
    case sim::ParamKind::probability: return field.as_probability();
    case sim::ParamKind::count:
      return static_cast<double>(
          field.as_integer(static_cast<std::int64_t>(info.min), static_cast<std::int64_t>(info.max)));
    case sim::ParamKind::flag: return field.as_bool() ? 1.0 : 0.0;
    case sim::ParamKind::duration: {
      const sim::Time t = field.as_duration(sim::Time::from_seconds(info.min));
      if (t.seconds() > info.max) {
        field.fail("is longer than " + sim::format_param_value(info, info.max) + ", the most '" +
                   std::string(info.name) + "' allows");
      }
      return t.seconds();
    }
    case sim::ParamKind::choice: {
      const std::vector<std::string> choices(info.choices.begin(), info.choices.end());
      const std::string choice = field.as_choice(choices, "a choice of '" + std::string(info.name) + "'");
      return static_cast<double>(std::find(choices.begin(), choices.end(), choice) - choices.begin());
    }
  }
  return 0.0;  // unreachable: every ParamKind is handled above
}

}  // namespace

TableEntry read_table_entry(const YamlField& field, const std::string& kind_key, std::span<const TableKind> kinds,
                            std::optional<std::size_t> default_kind, const std::string& kind_what,
                            const std::vector<std::string>& common_keys) {
  std::vector<std::string> kind_names;
  for (const TableKind& kind : kinds) kind_names.emplace_back(kind.name);
  // The kind first: it decides which keys are allowed.
  const YamlMap unchecked = field.as_unchecked_map();
  std::size_t kind = default_kind.value_or(0);
  if (unchecked.has(kind_key) || !default_kind) {
    const std::string name = unchecked.required(kind_key).as_choice(kind_names, kind_what);
    kind = static_cast<std::size_t>(std::find(kind_names.begin(), kind_names.end(), name) - kind_names.begin());
  }
  const std::span<const sim::ParamInfo> table = kinds[kind].params;
  std::vector<std::string> keys = common_keys;
  for (const sim::ParamInfo& info : table) keys.emplace_back(info.name);
  TableEntry entry{field.as_map(keys), kind, sim::ParamSet(table)};
  for (const sim::ParamInfo& info : table) {
    const std::string key(info.name);
    if (entry.map.has(key)) entry.params.set(info.name, read_param(entry.map.get(key), info));
  }
  return entry;
}

}  // namespace twinbed::harness
