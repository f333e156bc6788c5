#pragma once
// The scenario's `monitor:` block and `baselines:` entries -> MonitorSpec.
#include <vector>

#include "harness/MonitorSpec.hpp"
#include "harness/YamlReader.hpp"

namespace twinbed::harness {

// Reads a `monitor:` block or one `baselines:` entry (`baseline`: `name` is then required). A null
// field (no `monitor:` key) gives the default: the smart reference monitor named "sut". Plug-in
// types must be registered (register_monitor) before the scenario is read. Throws InputError.
MonitorSpec read_monitor(const YamlField& field, bool baseline = false);

// Reads the `baselines:` list: every entry named, the names distinct from each other and from the
// system under test's `sut_name`. Throws InputError.
std::vector<MonitorSpec> read_baselines(const YamlField& field, const std::string& sut_name);

}  // namespace twinbed::harness
