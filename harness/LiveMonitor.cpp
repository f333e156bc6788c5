#include "harness/LiveMonitor.hpp"

#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <ostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/InputError.hpp"
#include "harness/LiveSession.hpp"
#include "harness/Mqtt.hpp"
#include "harness/MonitorRunner.hpp"
#include "harness/Payload.hpp"
#include "harness/TelemetryDecoder.hpp"

namespace twinbed::harness {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// The filter that matches every topic a template can produce: each segment with a placeholder
// becomes the single-level wildcard.
std::string topic_filter(const std::string& topic_template) {
  std::string filter;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = topic_template.find('/', start);
    const std::string segment = topic_template.substr(start, end == std::string::npos ? std::string::npos : end - start);
    filter += segment.find('{') != std::string::npos ? "+" : segment;
    if (end == std::string::npos) break;
    filter += '/';
    start = end + 1;
  }
  return filter;
}

// The topic segment that holds {run}, or npos when the template has none.
std::size_t run_segment(const std::string& topic_template) {
  std::size_t segment = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = topic_template.find('/', start);
    if (topic_template.substr(start, end - start).find("{run}") != std::string::npos) return segment;
    if (end == std::string::npos) return std::string::npos;
    ++segment;
    start = end + 1;
  }
}

std::string_view segment_of(std::string_view topic, std::size_t index) {
  for (std::size_t i = 0; i < index; ++i) {
    const std::size_t slash = topic.find('/');
    if (slash == std::string_view::npos) return {};
    topic.remove_prefix(slash + 1);
  }
  return topic.substr(0, topic.find('/'));
}

// Publishes each annunciated alarm in the SUT alarm contract (docs/sut-alarms.md).
class AlarmPublisher final : public AlarmSink {
public:
  AlarmPublisher(MqttClient& client, std::string topic, const PayloadContext& names, std::uint64_t& published)
      : client_(client), topic_(std::move(topic)), names_(names), published_(published) {}

  void raise(const Alarm& alarm) override {
    if (alarm.suppressed) return;  // a candidate the monitor chose not to annunciate
    json message{{"patient", names_.patient_ids.at(alarm.patient)},
                 {"type", alarm.type},
                 {"priority", std::string(priority_name(alarm.priority))},
                 {"t", iso_time(names_.start_unix_ms, alarm.time)},
                 {"id", fmt::format("{}-a{}", names_.run, ++count_)}};
    if (alarm.device != NO_DEVICE && alarm.device < names_.device_ids.size()) message["device"] = names_.device_ids[alarm.device];
    if (std::isfinite(alarm.value)) message["value"] = alarm.value;
    if (!alarm.detail.empty()) message["detail"] = alarm.detail.substr(0, 512);
    client_.publish(topic_, message.dump());
    ++published_;
  }

private:
  MqttClient& client_;
  std::string topic_;
  const PayloadContext& names_;
  std::uint64_t& published_;
  std::uint64_t count_ = 0;
};

struct RunState {
  PayloadContext names;
  MonitorContext context;
  std::optional<double> speed;
  Clock::time_point origin;
  sim::Time duration;
  std::unique_ptr<TelemetryDecoder> decoder;
  std::unique_ptr<AlarmPublisher> alarms;
  std::unique_ptr<Monitor> monitor;
  sim::Time next_tick;
  sim::Time data_clock;  // at max speed: the newest sample time seen
  std::uint64_t messages = 0;
  std::uint64_t undecodable = 0;

  // The run's simulated time now: the wall clock mapped through the announced speed, or the data.
  sim::Time now(Clock::time_point wall) const {
    if (!speed) return data_clock;
    const double elapsed = std::chrono::duration<double>(wall - origin).count();
    return sim::Time::from_seconds(elapsed * *speed);
  }
  // Ticks strictly before `until` (deliveries at an instant come before its tick), or up to and
  // including it at the end of the run.
  void advance(sim::Time until, bool inclusive) {
    if (!monitor) return;
    const sim::Time interval = monitor->tick_interval();
    if (interval <= sim::Time::zero()) return;
    while ((inclusive ? next_tick <= until : next_tick < until) && next_tick <= duration) {
      monitor->tick(next_tick);
      next_tick = next_tick + interval;
    }
  }
};

class Service {
public:
  Service(const LiveMonitorOptions& options) : options_(options) {
    ClientOptions client;
    client.broker = options.live.broker;
    client.client_id = options.live.broker.client_id_prefix + "-monitor-" + std::to_string(::getpid());
    client.qos = 1;
    client.buffer = options.live.buffer;
    client.max_pending = options.live.max_pending;
    client_ = std::make_unique<MqttClient>(client);
    session_filter_ = render_topic(options.live.session_topic, "{run}", "+");
    telemetry_filter_ = topic_filter(options.live.topic);
    run_segment_ = run_segment(options.live.topic);
    client_->subscribe({session_filter_, telemetry_filter_},
                       [this](std::string_view topic, std::string_view payload, Clock::time_point at) {
                         on_message(topic, payload, at);
                       });
  }

  LiveMonitorStats serve(const std::atomic<bool>& stop) {
    client_->connect();
    log(fmt::format("monitor: listening on {} for {} and {}", options_.live.broker.url, session_filter_, telemetry_filter_));
    const Clock::time_point begin = Clock::now();
    while (!stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      std::lock_guard lock(mutex_);
      const Clock::time_point now = Clock::now();
      for (auto& [id, run] : runs_) run.advance(run.now(now), false);
      if (options_.runs > 0 && stats_.runs_finished >= options_.runs) break;
      if (options_.max_wall_s > 0 && std::chrono::duration<double>(now - begin).count() > options_.max_wall_s) break;
    }
    client_->close(std::chrono::seconds(5));
    std::lock_guard lock(mutex_);
    return stats_;
  }

private:
  void log(const std::string& line) {
    if (options_.log) *options_.log << line << std::endl;
  }

  void on_message(std::string_view topic, std::string_view payload, Clock::time_point at) {
    std::lock_guard lock(mutex_);
    try {
      if (is_session_topic(topic)) {
        on_session(payload, at);
      } else {
        on_telemetry(topic, payload, at);
      }
    } catch (const std::exception& e) {
      // Nothing a message says may stop the service.
      log(fmt::format("monitor: message on {} skipped: {}", topic, e.what()));
    }
  }

  // The session topic has one {run} segment: it matches when the rest is equal.
  bool is_session_topic(std::string_view topic) const {
    const std::size_t plus = session_filter_.find('+');
    if (plus == std::string::npos) return topic == session_filter_;
    const std::string_view prefix = std::string_view(session_filter_).substr(0, plus);
    const std::string_view suffix = std::string_view(session_filter_).substr(plus + 1);
    return topic.size() > prefix.size() + suffix.size() && topic.starts_with(prefix) && topic.ends_with(suffix) &&
           topic.substr(prefix.size(), topic.size() - prefix.size() - suffix.size()).find('/') == std::string_view::npos;
  }

  void on_session(std::string_view payload, Clock::time_point at) {
    if (payload.empty()) return;  // a deleted announcement
    const json s = json::parse(payload, nullptr, false);
    if (s.is_discarded() || !s.is_object() || !s.contains("run")) {
      log("monitor: unreadable session message skipped");
      return;
    }
    const std::string id = s.at("run").get<std::string>();
    const std::string state = s.value("state", "");
    if (state == "finished") {
      const auto it = runs_.find(id);
      if (it == runs_.end()) return;
      RunState& run = it->second;
      run.advance(run.duration, true);
      if (run.monitor) run.monitor->finish(run.duration);
      ++stats_.runs_finished;
      log(fmt::format("monitor: run {} finished: {} telemetry messages, {} unreadable, {} alarms published", id,
                      run.messages, run.undecodable, stats_.alarms_published));
      runs_.erase(it);
      return;
    }
    if (state != "running" || runs_.contains(id)) return;
    RunState run;
    run.names.run = id;
    run.names.start_unix_ms = s.at("start_unix_ms").get<std::int64_t>();
    std::map<std::string, std::uint32_t> patient_index;
    for (const json& p : s.at("patients")) {
      const std::string pid = p.at("id").get<std::string>();
      patient_index[pid] = static_cast<std::uint32_t>(run.names.patient_ids.size());
      run.names.patient_ids.push_back(pid);
      run.names.patient_sites.push_back(p.value("site", ""));
      run.context.patients.push_back(PatientContext{pid, p.value("hypercapnic_target", false), p.value("on_oxygen", false)});
    }
    std::vector<std::uint32_t> device_patients;
    for (const json& d : s.at("devices")) {
      DeviceContext device;
      device.id = d.at("id").get<std::string>();
      const auto type = devices::device_type_from_name(d.at("type").get<std::string>());
      if (!type) throw RunError("unknown device type " + d.at("type").get<std::string>());
      device.type = *type;
      device.patient = patient_index.at(d.at("patient").get<std::string>());
      device.sample_interval = sim::Time::from_seconds(d.value("sample_interval_s", 0.0));
      device.report_interval = sim::Time::from_seconds(d.value("report_interval_s", 0.0));
      for (const json& name : d.value("signals", json::array())) {
        if (const auto signal = physiology::signal_from_name(name.get<std::string>())) device.signals.push_back(*signal);
      }
      run.names.device_ids.push_back(device.id);
      device_patients.push_back(device.patient);
      run.context.devices.push_back(std::move(device));
    }
    run.context.options = options_.monitor.options;
    if (s.at("speed").is_number()) run.speed = s.at("speed").get<double>();
    // Simulated time 0 was the announced wall instant; map it onto this process's steady clock.
    const auto system_now = std::chrono::system_clock::now();
    const auto since_start = system_now.time_since_epoch() - std::chrono::microseconds(s.at("wall_start_unix_us").get<std::int64_t>());
    run.origin = at - std::chrono::duration_cast<Clock::duration>(since_start);
    run.duration = sim::Time::from_seconds(s.at("duration_s").get<double>());
    auto [it, inserted] = runs_.emplace(id, std::move(run));
    RunState& r = it->second;
    r.decoder = std::make_unique<TelemetryDecoder>(r.names);
    r.decoder->set_device_patients(device_patients);
    r.alarms = std::make_unique<AlarmPublisher>(*client_, render_topic(options_.live.alarm_topic, "{run}", id), r.names,
                                                stats_.alarms_published);
    r.monitor = make_monitor(options_.monitor, r.context, *r.alarms);
    if (r.monitor) r.next_tick = r.monitor->tick_interval();
    ++stats_.runs_started;
    log(fmt::format("monitor: run {} started: {} patients, {} devices, speed {}", id, r.names.patient_ids.size(),
                    r.names.device_ids.size(), r.speed ? fmt::format("{:g}", *r.speed) : std::string("max")));
  }

  void on_telemetry(std::string_view topic, std::string_view payload, Clock::time_point at) {
    ++stats_.messages;
    RunState* run = nullptr;
    if (run_segment_ != std::string::npos) {
      const auto it = runs_.find(std::string(segment_of(topic, run_segment_)));
      if (it != runs_.end()) run = &it->second;
    } else if (runs_.size() == 1) {
      run = &runs_.begin()->second;
    }
    if (run == nullptr) {
      ++stats_.unknown_run;
      return;
    }
    ++run->messages;
    const std::string error = run->decoder->decode(payload, packet_);
    if (!error.empty()) {
      ++run->undecodable;
      ++stats_.undecodable;
      if (run->undecodable <= 5) log(fmt::format("monitor: run {}: unreadable telemetry on {}: {}", run->names.run, topic, error));
      return;
    }
    for (const network::Reading& r : packet_.readings) run->data_clock = std::max(run->data_clock, r.sample_time);
    const sim::Time now = std::max(run->now(at), sim::Time::zero());
    run->advance(now, false);
    if (run->monitor) run->monitor->consume(packet_, now);
  }

  const LiveMonitorOptions& options_;
  std::unique_ptr<MqttClient> client_;
  std::string session_filter_;
  std::string telemetry_filter_;
  std::size_t run_segment_ = std::string::npos;
  std::mutex mutex_;
  std::map<std::string, RunState> runs_;
  LiveMonitorStats stats_;
  network::Packet packet_;
};

}  // namespace

LiveMonitorStats serve_live_monitor(const LiveMonitorOptions& options, const std::atomic<bool>& stop) {
  Service service(options);
  return service.serve(stop);
}

}  // namespace twinbed::harness
