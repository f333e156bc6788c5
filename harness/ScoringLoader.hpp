#pragma once
// The scenario's `scoring:` block: per-class tolerances and priorities, which classes are scored,
// and the alarm-type -> event-class table (for an external SUT's own alarm names).
#include "harness/Scorer.hpp"
#include "harness/YamlReader.hpp"

namespace twinbed::harness {

// Starts from ScoringConfig::defaults() and applies the block. Throws InputError.
ScoringConfig read_scoring(const YamlField& field);

}  // namespace twinbed::harness
