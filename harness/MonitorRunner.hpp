#pragma once
// harness::MonitorRunner: the run's alarm systems. It builds the system under test (`monitor:`)
// and every baseline (`baselines:`) from the scenario, feeds them the delivered telemetry, keeps
// their clocks ticking, and at the end scores each against the same ground truth.
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/AlarmRecorder.hpp"
#include "harness/Monitor.hpp"
#include "harness/Scenario.hpp"
#include "harness/World.hpp"
#include "sim/Simulator.hpp"

namespace twinbed::harness {

// What a monitor may know of the world: ids, device types and the clinical context.
MonitorContext monitor_context(const World& world, const std::map<std::string, std::string>& options = {});

// The reference monitor, a registered plug-in, or nullptr for type "none" and "external" (a live
// run's platform, whose alarms come back over MQTT).
std::unique_ptr<Monitor> make_monitor(const MonitorSpec& spec, const MonitorContext& context, AlarmSink& alarms);

class MonitorRunner {
public:
  // Creates the monitors and attaches them to `dispatcher`.
  MonitorRunner(const Scenario& scenario, const World& world, Dispatcher& dispatcher);
  MonitorRunner(const MonitorRunner&) = delete;
  MonitorRunner& operator=(const MonitorRunner&) = delete;
  ~MonitorRunner();

  // Schedules the monitors' ticks on `simulator` until `end`.
  void start(sim::Simulator& simulator, sim::Time end);
  void finish(sim::Time end);

  struct Result {
    nlohmann::json monitor;    // summary.json "monitor": name, type, mode, alarm counts
    nlohmann::json alarms;     // summary.json "alarms"
    AlarmTables tables;        // /alarms and /scores (or /baselines/<name>/...)
  };
  // The alarms of an "external" SUT (live mode), received over MQTT: replaces the SUT's log.
  void set_sut_alarms(std::vector<Alarm> alarms);
  // Scores every monitor against the world's ground truth: the SUT first, then the baselines.
  std::vector<Result> score(const World& world) const;
  // Scores `alarms` alone against the same ground truth (Scores::to_json()).
  nlohmann::json score_alarms(const World& world, std::vector<Alarm> alarms) const;

private:
  struct Entry;
  void tick(sim::Simulator& simulator, sim::Time end, std::size_t entry);

  const Scenario& scenario_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace twinbed::harness
