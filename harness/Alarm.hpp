#pragma once
// harness::Alarm: what a system under test annunciates. The reference monitor, a C++ plug-in or
// (live mode) an external platform produce alarms; the scorer matches them against ground truth.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/Time.hpp"

namespace twinbed::harness {

// IEC 60601-1-8 alarm priorities: high = immediate response, medium = prompt, low = awareness.
// Stored as an HDF5 enum in /alarms: keep the codes.
enum class Priority : std::uint8_t { low = 0, medium = 1, high = 2 };
std::string_view priority_name(Priority priority);
std::optional<Priority> priority_from_name(std::string_view name);

inline constexpr std::uint32_t NO_DEVICE = std::numeric_limits<std::uint32_t>::max();

struct Alarm {
  sim::Time time;                    // when it was annunciated (virtual time; live: receive time)
  std::uint32_t patient = 0;         // index in the run's patient table
  std::uint32_t device = NO_DEVICE;  // the device whose data raised it, when there is one
  std::string type;                  // the monitor's name for it: "spo2_low", "asystole", ...
  Priority priority = Priority::medium;
  // A candidate the monitor chose not to annunciate (smart mode: artifact suspected). Recorded so
  // the scorer can count true negatives (CinC 2015) and suppressed true alarms.
  bool suppressed = false;
  double value = std::numeric_limits<double>::quiet_NaN();  // the measured value behind it
  std::string detail;  // human-readable: what triggered it, or why it was suppressed
};

class AlarmSink {
public:
  virtual ~AlarmSink() = default;
  virtual void raise(const Alarm& alarm) = 0;
};

// Keeps every alarm in the order raised.
class AlarmLog final : public AlarmSink {
public:
  void raise(const Alarm& alarm) override { alarms.push_back(alarm); }
  std::vector<Alarm> alarms;
};

}  // namespace twinbed::harness
