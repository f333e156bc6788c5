#pragma once
// devices::Device: something worn by, implanted in or placed beside a patient. It samples true
// signals on its own schedule, applies its measurement model and hands packets to its uplink.
#include <cstdint>
#include <string>

#include "sim/Simulator.hpp"

namespace twinbed::devices {

struct DeviceCounters {
  std::uint64_t samples = 0;   // sampling instants
  std::uint64_t readings = 0;  // readings produced (a sample may produce several)
  std::uint64_t packets = 0;   // packets handed to the uplink
};

class Device {
public:
  virtual ~Device() = default;
  // Schedules the device's activity on `simulator`; called once, before the run starts.
  virtual void start(sim::Simulator& simulator) = 0;
  virtual const std::string& id() const = 0;
  virtual const DeviceCounters& counters() const = 0;
};

}  // namespace twinbed::devices
