// twinbed_mqtt_count: the subscriber side of the MQTT load benchmark (docs/performance.md). Counts
// the messages arriving on a topic filter until it has --count of them or none came for
// --idle-timeout, then prints one JSON line: how many, the seconds between the first and the last,
// the rate over that span, and the mean topic and payload sizes. Only libmosquitto, so it measures the broker, not twinbed.
#include <mosquitto.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

struct Counter {
  std::string filter;
  int qos = 0;
  std::string ready_file;
  std::atomic<std::uint64_t> received{0};
  std::atomic<bool> subscribed{false};
  std::atomic<std::int64_t> first_ns{0};  // steady clock
  std::atomic<std::int64_t> last_ns{0};
  std::int64_t first_unix_ns = 0;
  std::uint64_t topic_bytes = 0;    // the network thread only
  std::uint64_t payload_bytes = 0;
};

std::int64_t steady_ns() { return Clock::now().time_since_epoch().count(); }

void on_connect(mosquitto* mosq, void* self, int rc) {
  auto* counter = static_cast<Counter*>(self);
  if (rc == 0) mosquitto_subscribe(mosq, nullptr, counter->filter.c_str(), counter->qos);
}

void on_subscribe(mosquitto*, void* self, int, int, const int*) {
  auto* counter = static_cast<Counter*>(self);
  if (!counter->ready_file.empty()) std::ofstream(counter->ready_file) << "subscribed\n";
  counter->subscribed = true;
}

void on_message(mosquitto*, void* self, const mosquitto_message* message) {
  auto* counter = static_cast<Counter*>(self);
  counter->topic_bytes += std::char_traits<char>::length(message->topic);
  counter->payload_bytes += static_cast<std::uint64_t>(message->payloadlen);
  const std::int64_t now = steady_ns();
  if (counter->received.fetch_add(1, std::memory_order_relaxed) == 0) {
    counter->first_ns = now;
    counter->first_unix_ns = std::chrono::system_clock::now().time_since_epoch().count();
  }
  counter->last_ns.store(now, std::memory_order_relaxed);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Count MQTT messages on a topic filter and print {received, seconds, rate} as JSON"};
  std::string host = "127.0.0.1";
  int port = 1883;
  Counter counter;
  counter.filter = "twinbed/#";
  std::uint64_t count = 0;
  double idle_timeout_s = 5.0;
  double start_timeout_s = 60.0;
  std::string client_id = "twinbed-mqtt-count";
  app.add_option("--host", host, "Broker host");
  app.add_option("--port", port, "Broker port")->check(CLI::Range(1, 65535));
  app.add_option("--topic", counter.filter, "Topic filter to count");
  app.add_option("--qos", counter.qos, "Subscription QoS")->check(CLI::Range(0, 1));
  app.add_option("--count", count, "Stop after this many messages (0: only the idle timeout)");
  app.add_option("--idle-timeout", idle_timeout_s, "Stop when no message came for this many seconds");
  app.add_option("--start-timeout", start_timeout_s, "Give up when the first message takes longer than this");
  app.add_option("--ready-file", counter.ready_file, "Written once the subscription is acknowledged");
  app.add_option("--client-id", client_id, "MQTT client id");
  CLI11_PARSE(app, argc, argv);

  mosquitto_lib_init();
  mosquitto* mosq = mosquitto_new(client_id.c_str(), true, &counter);
  mosquitto_connect_callback_set(mosq, on_connect);
  mosquitto_subscribe_callback_set(mosq, on_subscribe);
  mosquitto_message_callback_set(mosq, on_message);
  int rc = mosquitto_connect(mosq, host.c_str(), port, 30);
  if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_loop_start(mosq);
  if (rc != MOSQ_ERR_SUCCESS) {
    std::fprintf(stderr, "twinbed_mqtt_count: %s:%d: %s\n", host.c_str(), port, mosquitto_strerror(rc));
    return 3;
  }
  const auto started = Clock::now();
  const auto idle = std::chrono::duration<double>(idle_timeout_s);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const std::uint64_t received = counter.received.load();
    if (count > 0 && received >= count) break;
    if (received == 0) {
      if (Clock::now() - started > std::chrono::duration<double>(start_timeout_s)) break;
      continue;
    }
    const auto last = Clock::time_point(Clock::duration(counter.last_ns.load()));
    if (Clock::now() - last > idle) break;
  }
  mosquitto_disconnect(mosq);
  mosquitto_loop_stop(mosq, false);
  mosquitto_destroy(mosq);
  mosquitto_lib_cleanup();

  const std::uint64_t received = counter.received.load();
  const double seconds = static_cast<double>(counter.last_ns.load() - counter.first_ns.load()) * 1e-9;
  const double rate = seconds > 0.0 ? static_cast<double>(received - 1) / seconds : 0.0;
  const double n = received > 0 ? static_cast<double>(received) : 1.0;
  std::printf("{\"received\":%llu,\"seconds\":%.6f,\"rate\":%.1f,\"first_unix_s\":%.6f,\"mean_topic_bytes\":%.1f,"
              "\"mean_payload_bytes\":%.1f}\n",
              static_cast<unsigned long long>(received), seconds, rate, static_cast<double>(counter.first_unix_ns) * 1e-9,
              static_cast<double>(counter.topic_bytes) / n, static_cast<double>(counter.payload_bytes) / n);
  return received > 0 ? 0 : 1;
}
