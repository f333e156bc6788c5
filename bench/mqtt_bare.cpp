// twinbed_mqtt_bare: a bare libmosquitto publish loop, the practical publishing limit of this
// machine for the MQTT load benchmark (docs/performance.md). One connection, libmosquitto's own
// network thread (mosquitto_loop_start), N messages of a given size to one topic as fast as the
// library takes them, with at most --window messages not yet written (QoS 0) or acknowledged
// (QoS 1) so memory stays bounded, as the harness's max_pending does. Prints one JSON line.
#include <mosquitto.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Progress {
  std::atomic<std::uint64_t> done{0};
  std::atomic<bool> connected{false};
};

void on_connect(mosquitto*, void* self, int rc) {
  if (rc == 0) static_cast<Progress*>(self)->connected = true;
}

void on_publish(mosquitto*, void* self, int) { static_cast<Progress*>(self)->done.fetch_add(1, std::memory_order_relaxed); }

std::string replace_all(std::string text, const std::string& key, const std::string& value) {
  for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

std::vector<std::string> render_topics(const std::string& pattern, std::uint32_t devices) {
  if (devices == 0) return {pattern};
  std::vector<std::string> topics;
  topics.reserve(std::size_t{devices} * 3);
  const std::uint32_t half = (devices + 1) / 2;
  for (std::uint32_t d = 0; d < devices; ++d) {
    const std::string site = d < half ? "a" : "b";
    char number[16];
    std::snprintf(number, sizeof(number), "%04u", (d < half ? d : d - half) + 1);
    const std::string device = replace_all(replace_all(pattern, "{site}", site), "{patient}", site + number);
    for (const char* signal : {"heart_rate", "spo2", "perfusion_index"}) topics.push_back(replace_all(device, "{signal}", signal));
  }
  return topics;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Publish N messages with a bare libmosquitto loop and print {published, seconds, rate} as JSON"};
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string topic = "twinbed/bench/bare";
  std::uint64_t count = 1'000'000;
  std::size_t size = 200;
  int qos = 0;
  std::uint64_t window = 20000;
  std::string client_id = "twinbed-mqtt-bare";
  std::uint32_t devices = 0;
  int nodelay = 1;
  app.add_option("--host", host, "Broker host");
  app.add_option("--port", port, "Broker port")->check(CLI::Range(1, 65535));
  app.add_option("--topic", topic, "Topic");
  app.add_option("--count", count, "Messages to publish");
  app.add_option("--size", size, "Payload bytes");
  app.add_option("--qos", qos, "QoS")->check(CLI::Range(0, 1));
  app.add_option("--window", window, "Most messages not yet written/acknowledged (0: no limit)");
  app.add_option("--client-id", client_id, "MQTT client id");
  app.add_option("--devices", devices, "Render --topic ({site} {patient} {signal}) for this many devices x 3 signals");
  app.add_option("--nodelay", nodelay, "TCP_NODELAY (1, as harness::MqttClient sets it, or 0)")->check(CLI::Range(0, 1));
  CLI11_PARSE(app, argc, argv);

  mosquitto_lib_init();
  Progress progress;
  mosquitto* mosq = mosquitto_new(client_id.c_str(), true, &progress);
  mosquitto_int_option(mosq, MOSQ_OPT_SEND_MAXIMUM, 65535);
  mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, nodelay);
  mosquitto_connect_callback_set(mosq, on_connect);
  mosquitto_publish_callback_set(mosq, on_publish);
  int rc = mosquitto_connect(mosq, host.c_str(), port, 30);
  if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_loop_start(mosq);
  if (rc != MOSQ_ERR_SUCCESS) {
    std::fprintf(stderr, "twinbed_mqtt_bare: %s:%d: %s\n", host.c_str(), port, mosquitto_strerror(rc));
    return 3;
  }
  const auto connect_deadline = Clock::now() + std::chrono::seconds(10);
  while (!progress.connected && Clock::now() < connect_deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  const std::vector<std::string> topics = render_topics(topic, devices);
  std::string payload(size, 'x');
  const auto start = Clock::now();
  std::uint64_t refused = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    // Sleep rather than spin: on a small machine a spinning publisher takes the broker's CPU.
    while (window > 0 && i - progress.done.load(std::memory_order_relaxed) >= window) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    if (mosquitto_publish(mosq, nullptr, topics[i % topics.size()].c_str(), static_cast<int>(payload.size()), payload.data(), qos, false) !=
        MOSQ_ERR_SUCCESS) {
      ++refused;
    }
  }
  const auto handed = Clock::now();
  const auto drain_deadline = handed + std::chrono::seconds(60);
  while (progress.done.load() + refused < count && Clock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  const auto end = Clock::now();
  mosquitto_disconnect(mosq);
  mosquitto_loop_stop(mosq, false);
  mosquitto_destroy(mosq);
  mosquitto_lib_cleanup();

  const double seconds = std::chrono::duration<double>(end - start).count();
  std::printf("{\"published\":%llu,\"refused\":%llu,\"seconds\":%.6f,\"rate\":%.1f,\"size\":%zu,\"qos\":%d}\n",
              static_cast<unsigned long long>(progress.done.load()), static_cast<unsigned long long>(refused), seconds,
              seconds > 0.0 ? static_cast<double>(progress.done.load()) / seconds : 0.0, size, qos);
  return refused == 0 ? 0 : 1;
}
