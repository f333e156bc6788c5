#pragma once
// harness::Pacer: keeps a live run in step with the wall clock (spec harness.md, live mode). At
// speed s, simulated instant t is due at wall instant origin + t / s; the run waits for it before
// publishing, and the pacing error (actual - due publish instant) is measured for every message.
// Without a speed ("max") nothing waits: the publisher's back-pressure sets the pace.
#include <atomic>
#include <chrono>
#include <optional>

#include <nlohmann/json.hpp>

#include "harness/LatencyHistogram.hpp"
#include "sim/Time.hpp"

namespace twinbed::harness {

class Pacer {
public:
  using Clock = std::chrono::steady_clock;
  explicit Pacer(std::optional<double> speed) : speed_(speed) {}

  // Simulated time 0 is now.
  void start();
  std::optional<double> speed() const { return speed_; }
  Clock::time_point origin() const { return origin_; }

  // The wall instant simulated time t is due (origin at max speed).
  Clock::time_point due(sim::Time t) const;
  // Blocks until t is due (returns at once at max speed or when late).
  void wait_until(sim::Time t) const;
  // A message due at t was published now: records the pacing error and the simulated instant
  // reached (what virtual_now reports at max speed).
  void published(sim::Time t);

  // Simulated time at wall instant `wall`: (wall - origin) x speed; at max speed the latest
  // simulated instant published. Thread-safe (the alarm receiver calls it on its thread).
  sim::Time virtual_now(Clock::time_point wall) const;

  std::uint64_t messages() const { return errors_.count(); }
  // Wall seconds from the first to the last publish (0 before two).
  double publish_span_s() const;
  // "pacing_error": {"p50", "p99", "max", "mean"} in s (null at max speed or without messages).
  nlohmann::json error_json() const;

private:
  std::optional<double> speed_;
  Clock::time_point origin_{};
  LatencyHistogram errors_;
  std::optional<Clock::time_point> first_, last_;
  std::atomic<std::int64_t> reached_ns_{0};
};

}  // namespace twinbed::harness
