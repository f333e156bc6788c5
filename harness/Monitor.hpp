#pragma once
// harness::Monitor: the embedded system under test. It sees exactly what a platform would see,
// the packets the network delivers, and raises alarms. The reference monitor is one
// implementation; users plug in their own through register_monitor() and the installed library.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "devices/Catalog.hpp"
#include "harness/Alarm.hpp"
#include "harness/Sink.hpp"
#include "physiology/Signal.hpp"
#include "sim/Time.hpp"

namespace twinbed::harness {

// What a monitor may know of a patient without peeking at the ground truth: the clinical context
// a care team has (prescribed SpO2 target, oxygen therapy).
struct PatientContext {
  std::string id;
  bool hypercapnic_target = false;  // NEWS2 SpO2 scale 2 (target 88-92 %)
  bool on_oxygen = false;           // supplemental oxygen (NEWS2 "air or oxygen")
};

// A device as the platform registers it.
struct DeviceContext {
  std::string id;
  devices::DeviceType type = devices::DeviceType::pulse_oximeter;
  std::uint32_t patient = 0;
  sim::Time sample_interval;                 // zero: on demand / times of day only
  // The longest gap between its packets in normal operation (devices::Device::report_interval):
  // the sample interval, or the batching or transmission period; zero when it does not report on
  // a clock (spot checks at times of day, pumps). The no-data alarm watches only devices with one.
  sim::Time report_interval;
  std::vector<physiology::Signal> signals;   // what it reports (readings and waveforms)
};

struct MonitorContext {
  std::vector<PatientContext> patients;
  std::vector<DeviceContext> devices;
  std::map<std::string, std::string> options;  // a plug-in's `monitor.options`, verbatim
};

class Monitor : public Sink {
public:
  // consume(packet, delivered) is Sink's: called for every delivered packet in delivery order.
  // Time-based alarms (no data, persistence without new data) need a clock: the run calls tick()
  // every tick_interval() of virtual time (zero: never), after the deliveries of that instant.
  virtual sim::Time tick_interval() const { return sim::Time::from_s(1); }
  virtual void tick(sim::Time now) { (void)now; }
  // The run ended at `end`: nothing more will be delivered.
  virtual void finish(sim::Time end) { (void)end; }
};

using MonitorFactory = std::function<std::unique_ptr<Monitor>(const MonitorContext&, AlarmSink&)>;

// Makes `type` usable as `monitor: {type: <type>}` in scenarios of this process. Throws
// std::invalid_argument when the name is taken ("reference" and "none" are built in).
void register_monitor(const std::string& type, MonitorFactory factory);
// The registered plug-in names, sorted (without the built-in ones).
std::vector<std::string> registered_monitors();
// The factory of a registered plug-in, or nullptr.
const MonitorFactory* find_monitor(const std::string& type);

}  // namespace twinbed::harness
