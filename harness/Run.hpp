#pragma once
// harness::Run: one replication of a scenario, from assembly to results on disk. Owns the
// simulator, the world, the sinks and the recorder. Results are written into a temporary folder
// that is renamed to results/<scenario>/<run-id>/ only when everything succeeded, so a failed run
// leaves nothing behind.
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/Scenario.hpp"

namespace twinbed::harness {

// Live mode (`--speed`): paced to the wall clock, telemetry published to the scenario's broker, the
// external platform's alarms scored. docs/live-harness.md.
struct LiveOptions {
  std::optional<double> speed;  // simulated seconds per wall second; nullopt = "max"
};

// "--speed": a number of simulated seconds per wall second (above 0, at most 1000) or "max"
// (nullopt). Throws InputError naming the flag, the value and what is allowed.
std::optional<double> parse_speed(const std::string& text);

struct RunOptions {
  std::filesystem::path out_root = "results";
  // Progress bar: nullopt follows the terminal (silent when not a terminal or CI is set).
  std::optional<bool> progress;
  // Fixed run id (tests); by default "<UTC yyyymmddThhmmssZ>-s<seed>" with a "-N" suffix if taken.
  std::optional<std::string> run_id;
  std::optional<LiveOptions> live;  // unset: virtual time, the scenario's monitor is the SUT
};

struct RunResult {
  std::filesystem::path directory;  // results/<scenario>/<run-id>
  nlohmann::json summary;           // the content of summary.json
};

class Run {
public:
  Run(Scenario scenario, RunOptions options);
  // Throws RunError when the run cannot complete (I/O); nothing is left on disk then.
  RunResult execute();

private:
  Scenario scenario_;
  RunOptions options_;
};

// The short human summary the CLI prints.
std::string format_summary(const RunResult& result);

}  // namespace twinbed::harness
