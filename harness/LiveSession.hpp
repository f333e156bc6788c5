#pragma once
// harness::LiveSession: the live half of a run (spec harness.md, live mode). It announces the run
// to the platform (a retained session message with the device registry), publishes every
// delivered packet at its delivery instant paced to the wall clock, takes the SUT's alarms back,
// and at the end drains what is buffered and accounts for every message. docs/live-harness.md.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/Monitor.hpp"
#include "harness/Mqtt.hpp"
#include "harness/Pacer.hpp"
#include "harness/Payload.hpp"
#include "harness/Scenario.hpp"
#include "harness/Sink.hpp"
#include "harness/SutAlarms.hpp"

namespace twinbed::harness {

class World;

// The session announcement: what a platform needs to provision the run's devices and to map the
// wall clock to simulated time. `state` is "running" or "finished". docs/live-harness.md.
nlohmann::json session_message(const std::string& run, const Scenario& scenario, const MonitorContext& registry,
                               const PayloadContext& names, std::optional<double> speed, const std::string& state,
                               std::int64_t wall_start_unix_us);

// "{run}" (and the other placeholders) replaced in a topic template.
std::string render_topic(std::string text, const std::string& key, const std::string& value);

class LiveSession final : public Sink {
public:
  // speed: simulated seconds per wall second; nullopt = as fast as the broker accepts.
  LiveSession(const Scenario& scenario, const World& world, std::string run_id, std::optional<double> speed);
  ~LiveSession() override;
  LiveSession(const LiveSession&) = delete;
  LiveSession& operator=(const LiveSession&) = delete;

  // Connects the telemetry connections and the alarm subscriber. Throws RunError (exit 3).
  void connect();
  // Simulated time 0 is now; announces the run (retained).
  void start();
  // Publishes the packet's messages when its delivery instant is due. Throws RunError when the
  // broker has been away longer than the retry budget.
  void consume(const network::Packet& packet, sim::Time delivered) override;
  // Waits until `end` is due, announces the end, drains the publishers, listens for late alarms
  // for alarm_grace, then disconnects.
  void finish(sim::Time end);

  // The SUT's alarms as scored (receive time, or the SUT's t when trusted) and at receive time.
  std::vector<Alarm> alarms() const;
  std::vector<Alarm> alarms_at_receive() const;

  // summary.json "live" (docs/results-schema.md); alarm_delay is the scorer's delay row for the
  // alarms at receive time (end-to-end: receive time - ground-truth onset).
  nlohmann::json summary(const nlohmann::json& alarm_delay) const;

private:
  const Scenario& scenario_;
  LiveSpec spec_;
  std::string run_;
  PayloadEncoder encoder_;
  MonitorContext registry_;
  Pacer pacer_;
  std::unique_ptr<MqttPool> telemetry_;
  std::unique_ptr<MqttClient> control_;  // session announcements and the SUT's alarms
  std::unique_ptr<SutAlarmReceiver> receiver_;
  std::vector<Message> batch_;
  std::int64_t wall_start_unix_us_ = 0;
  std::optional<sim::Time> first_due_, last_due_;
  double drain_s_ = 0.0;
  bool finished_ = false;
};

}  // namespace twinbed::harness
