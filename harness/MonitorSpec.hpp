#pragma once
// harness::MonitorSpec: the scenario's `monitor:` block (the system under test) and each
// `baselines:` entry (extra monitors fed the same telemetry and scored the same way, e.g. the
// naive reference monitor next to the smart one). docs/scenario-reference.md lists every key.
#include <map>
#include <string>

#include "harness/ReferenceMonitor.hpp"

namespace twinbed::harness {

struct MonitorSpec {
  std::string name = "sut";          // label in results; baselines need distinct names
  std::string type = "reference";    // "reference", "none" (no alarms) or a registered plug-in
  ReferenceMonitorConfig reference;  // type == "reference"
  std::map<std::string, std::string> options;  // a plug-in's options, verbatim
};

}  // namespace twinbed::harness
