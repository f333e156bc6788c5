#pragma once
// Reading a YAML mapping whose kind key picks a sim::ParamInfo table: a device (`type`, the device
// catalogue) or a link (`technology`, the link technologies). The kind is read first because it
// decides which keys are allowed; then every key of its table is read by its ParamKind and range.
// One function serves both so devices and links accept, reject and report values the same way.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/YamlReader.hpp"
#include "sim/Params.hpp"

namespace twinbed::harness {

// One kind: its YAML name and its table.
struct TableKind {
  std::string_view name;
  std::span<const sim::ParamInfo> params;
};

struct TableEntry {
  YamlMap map;           // the entry, its keys checked against common_keys and the kind's table
  std::size_t kind = 0;  // index into `kinds`
  sim::ParamSet params;  // the kind's table, defaults overridden by the entry's keys
};

// `common_keys` are the entry's own keys (the kind key among them), listed first in errors.
// `default_kind` applies when the kind key is absent; without one the key is required.
// `kind_what` names the kind in errors ("a device type").
TableEntry read_table_entry(const YamlField& field, const std::string& kind_key, std::span<const TableKind> kinds,
                            std::optional<std::size_t> default_kind, const std::string& kind_what,
                            const std::vector<std::string>& common_keys);

}  // namespace twinbed::harness
