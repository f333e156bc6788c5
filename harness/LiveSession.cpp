#include "harness/LiveSession.hpp"

#include <thread>

#include <fmt/format.h>

#include "harness/InputError.hpp"
#include "harness/MonitorRunner.hpp"
#include "harness/World.hpp"

namespace twinbed::harness {

namespace {

// At --speed max the telemetry connections write in bursts of what 1 ms brings
// (ClientOptions::coalesce): with bench/live/load_10k.yaml the harness then takes 30 % less CPU
// and delivers about 15 % more messages/s (docs/performance.md "Live publishing").
constexpr std::chrono::microseconds kMaxSpeedCoalesce{1000};

std::chrono::milliseconds wall_ms(sim::Time t) { return std::chrono::milliseconds(t.ns() / 1'000'000); }

ClientOptions client_options(const LiveSpec& spec, std::string client_id) {
  ClientOptions options;
  options.broker = spec.broker;
  options.client_id = std::move(client_id);
  options.qos = spec.qos;
  options.buffer = spec.buffer;
  options.overflow = spec.overflow;
  options.max_pending = spec.max_pending;
  return options;
}

nlohmann::json tally_json(const Tally& t) { return {{"messages", t.messages}, {"readings", t.readings}}; }

}  // namespace

std::string render_topic(std::string text, const std::string& key, const std::string& value) {
  for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

nlohmann::json session_message(const std::string& run, const Scenario& scenario, const MonitorContext& registry,
                               const PayloadContext& names, std::optional<double> speed, const std::string& state,
                               std::int64_t wall_start_unix_us) {
  const LiveSpec& spec = *scenario.live;
  nlohmann::json patients = nlohmann::json::array();
  for (std::size_t p = 0; p < registry.patients.size(); ++p) {
    patients.push_back({{"id", registry.patients[p].id},
                        {"site", names.patient_sites[p]},
                        {"hypercapnic_target", registry.patients[p].hypercapnic_target},
                        {"on_oxygen", registry.patients[p].on_oxygen}});
  }
  nlohmann::json devices = nlohmann::json::array();
  for (const DeviceContext& d : registry.devices) {
    nlohmann::json signals = nlohmann::json::array();
    for (const physiology::Signal s : d.signals) signals.push_back(std::string(physiology::signal_name(s)));
    devices.push_back({{"id", d.id},
                       {"type", std::string(devices::device_type_info(d.type).name)},
                       {"patient", registry.patients[d.patient].id},
                       {"sample_interval_s", d.sample_interval.seconds()},
                       {"report_interval_s", d.report_interval.seconds()},
                       {"signals", signals}});
  }
  return {{"run", run},
          {"state", state},
          {"scenario", scenario.name},
          {"start", iso_time(scenario.start_unix_ms, sim::Time::zero())},
          {"start_unix_ms", scenario.start_unix_ms},
          {"duration_s", scenario.duration.seconds()},
          {"speed", speed ? nlohmann::json(*speed) : nlohmann::json()},
          {"wall_start_unix_us", wall_start_unix_us},
          {"telemetry_topic", render_topic(spec.topic, "{run}", run)},
          {"payload", std::string(payload_format_name(spec.payload))},
          {"alarm_topic", render_topic(spec.alarm_topic, "{run}", run)},
          {"patients", patients},
          {"devices", devices}};
}

LiveSession::LiveSession(const Scenario& scenario, const World& world, std::string run_id, std::optional<double> speed)
    : scenario_(scenario),
      spec_(*scenario.live),
      run_(std::move(run_id)),
      encoder_(payload_context(world, run_, scenario.start_unix_ms), spec_),
      registry_(monitor_context(world)),
      pacer_(speed) {
  ClientOptions telemetry = client_options(spec_, spec_.broker.client_id_prefix + "-" + run_);
  // --speed max: throughput, not the instant of each message; paced runs write each one at once.
  if (!speed) telemetry.coalesce = kMaxSpeedCoalesce;
  telemetry_ = std::make_unique<MqttPool>(telemetry, spec_.connections);
  // The control connection announces the session and listens for alarms. Its buffer holds the
  // announcements while the broker is away; alarms are QoS 1 so none is lost on the way in.
  ClientOptions control = client_options(spec_, spec_.broker.client_id_prefix + "-" + run_ + "-control");
  control.qos = 1;
  control_ = std::make_unique<MqttClient>(control);
  receiver_ = std::make_unique<SutAlarmReceiver>(encoder_.context(), spec_.max_alarm_bytes, spec_.trust_sut_clock,
                                                 [this](Pacer::Clock::time_point at) { return pacer_.virtual_now(at); });
  control_->subscribe({render_topic(spec_.alarm_topic, "{run}", run_)},
                      [this](std::string_view, std::string_view payload, Pacer::Clock::time_point at) {
                        receiver_->on_message(payload, at);
                      });
}

LiveSession::~LiveSession() = default;

void LiveSession::connect() {
  control_->connect();
  telemetry_->connect();
}

void LiveSession::start() {
  const auto system_now = std::chrono::system_clock::now();
  pacer_.start();
  wall_start_unix_us_ =
      std::chrono::duration_cast<std::chrono::microseconds>(system_now.time_since_epoch()).count();
  control_->publish_retained(
      render_topic(spec_.session_topic, "{run}", run_),
      session_message(run_, scenario_, registry_, encoder_.context(), pacer_.speed(), "running", wall_start_unix_us_).dump());
}

void LiveSession::consume(const network::Packet& packet, sim::Time delivered) {
  if (telemetry_->away_s() > spec_.broker.retry_budget.seconds()) {
    throw RunError(fmt::format("broker {} unreachable for more than {:g} s (live.broker.retry_budget)",
                               spec_.broker.url, spec_.broker.retry_budget.seconds()));
  }
  batch_.clear();
  encoder_.encode(packet, batch_);
  if (batch_.empty()) return;
  pacer_.wait_until(delivered);
  for (const Message& m : batch_) {
    telemetry_->publish(m.device, m.topic, m.payload, m.readings);
    pacer_.published(delivered);
  }
  if (!first_due_) first_due_ = delivered;
  last_due_ = delivered;
}

void LiveSession::finish(sim::Time end) {
  if (finished_) return;
  finished_ = true;
  pacer_.wait_until(end);
  const auto drain_start = Pacer::Clock::now();
  telemetry_->close(wall_ms(spec_.drain_timeout));
  drain_s_ = std::chrono::duration<double>(Pacer::Clock::now() - drain_start).count();
  const std::string topic = render_topic(spec_.session_topic, "{run}", run_);
  control_->publish_retained(
      topic, session_message(run_, scenario_, registry_, encoder_.context(), pacer_.speed(), "finished", wall_start_unix_us_).dump());
  // Late alarms: a SUT decides after the data it has; give it alarm_grace of wall time.
  std::this_thread::sleep_for(wall_ms(spec_.alarm_grace));
  // An empty retained message deletes the announcement, so the next subscriber does not see a
  // finished run as current (MQTT 3.1.1 section 3.3.1.3).
  control_->publish_retained(topic, "");
  control_->close(wall_ms(spec_.drain_timeout));
}

std::vector<Alarm> LiveSession::alarms() const { return receiver_->alarms(); }

std::vector<Alarm> LiveSession::alarms_at_receive() const {
  std::vector<Alarm> out;
  for (const SutAlarmReceiver::Received& r : receiver_->received()) {
    Alarm a = r.alarm;
    a.time = r.received;
    out.push_back(std::move(a));
  }
  return out;
}

nlohmann::json LiveSession::summary(const nlohmann::json& alarm_delay) const {
  const PublishAccount a = telemetry_->account();
  const ConnectionStats c = telemetry_->stats();
  const auto messages = pacer_.messages();
  nlohmann::json requested;
  if (pacer_.speed() && first_due_ && last_due_ && *last_due_ > *first_due_) {
    requested = static_cast<double>(messages) / ((*last_due_ - *first_due_).seconds() / *pacer_.speed());
  }
  const double span = pacer_.publish_span_s();
  nlohmann::json outages = nlohmann::json::array();
  double away_total = 0.0;
  for (const ConnectionStats::Outage& o : c.outages) {
    outages.push_back({{"lost_s", o.lost_s}, {"back_s", o.back_s ? nlohmann::json(*o.back_s) : nlohmann::json()}});
    if (o.back_s) away_total += *o.back_s - o.lost_s;
  }
  const auto identity = [](const PublishAccount& p, auto field) {
    return field(p.offered) == field(p.acknowledged) + field(p.pending) + field(p.buffered) +
                                   field(p.dropped_buffer_full) + field(p.dropped_error) + field(p.unsent_at_end);
  };
  const bool accounted = identity(a, [](const Tally& t) { return t.messages; }) &&
                         identity(a, [](const Tally& t) { return t.readings; });
  return {{"broker", spec_.broker.url},
          {"speed", pacer_.speed() ? nlohmann::json(*pacer_.speed()) : nlohmann::json("max")},
          {"qos", spec_.qos},
          {"payload", std::string(payload_format_name(spec_.payload))},
          {"connections", telemetry_->size()},
          {"pacing_error", pacer_.error_json()},
          {"publish_rate", {{"requested", requested}, {"achieved", span > 0 ? nlohmann::json(static_cast<double>(messages) / span) : nlohmann::json()}}},
          {"publish_span_s", span},
          {"drain_s", drain_s_},
          {"published",
           {{"offered", tally_json(a.offered)},
            {"acknowledged", tally_json(a.acknowledged)},
            {"pending", tally_json(a.pending)},
            {"buffered", tally_json(a.buffered)},
            {"dropped_buffer_full", tally_json(a.dropped_buffer_full)},
            {"dropped_error", tally_json(a.dropped_error)},
            {"unsent_at_end", tally_json(a.unsent_at_end)},
            {"buffered_peak", a.buffered_peak},
            {"resent", a.resent},
            {"accounted", accounted}}},
          {"broker_connection",
           {{"connects", c.connects},
            {"disconnects", c.disconnects},
            {"reconnect_attempts", c.reconnect_attempts},
            {"errors", c.broker_errors},
            {"error_samples", c.errors},
            {"outages", outages},
            {"away_s", away_total}}},
          {"alarms_back", receiver_->summary(scenario_.scoring)},
          {"alarm_delay", alarm_delay}};
}

}  // namespace twinbed::harness
