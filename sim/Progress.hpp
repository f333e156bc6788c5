#pragma once
// sim::Progress: a one-line terminal progress bar for long runs (simulated time, events/s, ETA).
// Silent when the output is not a terminal or when the CI environment variable is set, so logs and
// pipes never fill with carriage returns.
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "sim/Time.hpp"

namespace twinbed::sim {

class Progress {
public:
  // `end` is the simulated time at which the run finishes. Writes to `out` (default stdout).
  explicit Progress(Time end, std::FILE* out = stdout);
  // Forces the bar on or off (tests, --quiet); the default follows the terminal and CI rule.
  void set_enabled(bool enabled) { enabled_ = enabled; }
  bool enabled() const { return enabled_; }

  // Redraws at most ten times a second; cheap to call often.
  void update(Time now, std::uint64_t events_executed);
  // Erases the bar so the next output starts on a clean line.
  void finish();

private:
  Time end_;
  std::FILE* out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// True when `stream` is a terminal and the CI environment variable is unset or empty.
bool interactive_terminal(std::FILE* stream);

}  // namespace twinbed::sim
