#pragma once
// harness::LiveMonitor: `twinbed monitor`, the reference monitor as a standalone MQTT service. It
// listens for run announcements (LiveSession's retained session message), subscribes to their
// telemetry, feeds each run's own monitor what arrives, and publishes its alarms on the run's
// alarm topic in the contract of docs/sut-alarms.md. So anyone can see the whole live loop run,
// and the tests drive a real platform-shaped process. docs/live-harness.md.
#include <atomic>
#include <cstdint>
#include <iosfwd>

#include "harness/LiveSpec.hpp"
#include "harness/MonitorSpec.hpp"

namespace twinbed::harness {

struct LiveMonitorOptions {
  LiveSpec live;                // broker and topics (the scenario's live: block)
  MonitorSpec monitor;          // the alarm system each run gets (the scenario's monitor: block)
  std::uint32_t runs = 0;       // exit after this many finished runs (0: serve until stopped)
  double max_wall_s = 0.0;      // exit after this long (0: no limit)
  std::ostream* log = nullptr;  // one line per run started and finished, and per problem
};

struct LiveMonitorStats {
  std::uint64_t runs_started = 0;
  std::uint64_t runs_finished = 0;
  std::uint64_t messages = 0;        // telemetry messages
  std::uint64_t undecodable = 0;     // telemetry messages it could not read (counted, skipped)
  std::uint64_t unknown_run = 0;     // telemetry of runs it was not told about
  std::uint64_t alarms_published = 0;
};

// Serves until `runs` runs finished, `max_wall_s` passed or `stop` becomes true. Throws RunError
// when the broker cannot be reached at the start.
LiveMonitorStats serve_live_monitor(const LiveMonitorOptions& options, const std::atomic<bool>& stop);

}  // namespace twinbed::harness
