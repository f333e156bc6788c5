#pragma once
// devices faults: artifacts and device faults, the technical ground truth of a run. A fault is an
// interval on one device; every interval is handed to a FaultSink (the recorder's /faults table)
// when it ends, or at the end of the run if it is still open.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sim/Time.hpp"

namespace twinbed::devices {

// Stored as a HDF5 enum in /faults: append new kinds at the end.
enum class FaultKind : std::uint8_t {
  motion = 0,              // motion artifact (patient activity, or scripted)
  detachment = 1,          // probe off / electrode lead-off / sensor not on the body
  low_perfusion = 2,       // weak peripheral pulse at the optical sensor
  compression = 3,         // CGM compression low (lying on the sensor)
  signal_loss = 4,         // sensor stops producing values (CGM signal loss, dropouts)
  crash = 5,               // firmware crash: offline until the reboot completes (duration)
  stuck_sensor = 6,        // the sensor repeats its last value
  calibration_drift = 7,   // readings drift by `magnitude` percent per day from the fault's start
  occlusion = 8,           // infusion line blocked: the pump delivers nothing
  lead_impedance = 9,      // implanted lead impedance out of range (magnitude = ohm)
  battery_low = 10,        // battery below its low-battery warning level (until depleted)
  battery_depleted = 11,   // battery empty: the device is dead until the end of the run
  warm_up = 12,            // sensor warm-up after insertion: no values
  sensor_expired = 13,     // sensor past its life: no values until replaced
  reservoir_empty = 14,    // pump reservoir or syringe empty: no delivery
  measurement_failed = 15, // a measurement attempt failed (NIBP), retried
};
inline constexpr std::size_t FAULT_KIND_COUNT = 16;

std::string_view fault_kind_name(FaultKind kind);
std::optional<FaultKind> fault_kind_from_name(std::string_view name);

// What started the fault (stored in /faults).
enum class FaultOrigin : std::uint8_t {
  scheduled = 0,  // the scenario's `at:` entry
  random = 1,     // the scenario's `every:` entry
  activity = 2,   // the patient's activity state (motion while active)
  model = 3,      // the device's own model (battery, warm-up, sensor life, reservoir, NIBP failure)
};
std::string_view fault_origin_name(FaultOrigin origin);

// Which activity state a random fault may start in (thinning: `every` counts time in that state).
enum class FaultDuring : std::uint8_t { any = 0, sleep = 1, rest = 2, active = 3 };

// One `faults:` entry of a device in the scenario.
struct FaultSpec {
  FaultKind kind = FaultKind::detachment;
  std::optional<sim::Time> at;   // scheduled start; otherwise random
  sim::Time every;               // random: mean time between onsets (exponential)
  sim::Time duration;            // scheduled: exact; random: mean (exponential); zero = to the end
  double magnitude = 0.0;        // kind-specific (see docs/devices.md)
  FaultDuring during = FaultDuring::any;
};

struct FaultRecord {
  std::uint32_t device = 0;
  std::uint32_t patient = 0;
  FaultKind kind = FaultKind::detachment;
  FaultOrigin origin = FaultOrigin::model;
  sim::Time start;
  sim::Time end;
  double magnitude = 0.0;
};

class FaultSink {
public:
  virtual ~FaultSink() = default;
  virtual void on_fault(const FaultRecord& record) = 0;
};

// The faults active on a device now, as its measurement model reads them.
class FaultState {
public:
  struct Active {
    bool on = false;
    FaultOrigin origin = FaultOrigin::model;
    sim::Time since;
    double magnitude = 0.0;
    int depth = 0;  // overlapping intervals of one kind (scheduled + random + activity)
  };
  bool active(FaultKind kind) const { return state_[index(kind)].on; }
  const Active& get(FaultKind kind) const { return state_[index(kind)]; }
  Active& get(FaultKind kind) { return state_[index(kind)]; }

private:
  static std::size_t index(FaultKind kind) { return static_cast<std::size_t>(kind); }
  std::array<Active, FAULT_KIND_COUNT> state_{};
};

}  // namespace twinbed::devices
