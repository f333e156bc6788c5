#pragma once
// harness::LiveLoader: reads the scenario's `live:` block (docs/scenario-reference.md "live").
#include "harness/LiveSpec.hpp"
#include "harness/YamlReader.hpp"

namespace twinbed::harness {

// Throws InputError naming file:line:column, the key, the bad value and what is allowed.
LiveSpec read_live(const YamlField& field);
// `start:` "2026-01-01T00:00:00Z" (ISO 8601 UTC, fraction allowed) -> ms since the Unix epoch.
std::int64_t read_start(const YamlField& field);

}  // namespace twinbed::harness
