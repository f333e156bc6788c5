#pragma once
// The scenario's `monitor:` block and `baselines:` entries -> MonitorSpec.
#include "harness/MonitorSpec.hpp"
#include "harness/YamlReader.hpp"

namespace twinbed::harness {

// Reads a `monitor:` block or one `baselines:` entry. Throws InputError.
MonitorSpec read_monitor(const YamlField& field);

}  // namespace twinbed::harness
