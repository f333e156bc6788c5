#pragma once
// Helpers shared by the live MQTT tests (tests/live/mqtt_test.cpp, mqtt_security_test.cpp): client
// options for a loopback broker, numbered payloads, a collecting subscriber, a durable subscriber
// on libmosquitto itself, and the one-line error connect() throws.
#include <gtest/gtest.h>
#include <mosquitto.h>

#include <atomic>
#include <charconv>
#include <map>
#include <mutex>

#include "harness/InputError.hpp"
#include "harness/Mqtt.hpp"
#include "tests/live/MosquittoBroker.hpp"

namespace twinbed::testing {

using harness::ClientOptions;
using harness::MessageHandler;
using harness::MqttClient;
using harness::PublishAccount;
using harness::RunError;
using harness::Tally;
using namespace std::chrono_literals;

inline std::string listener_line(int port) {
  std::string line = "listener ";
  line += std::to_string(port);
  line += " 127.0.0.1\n";
  return line;
}

// A broker with one anonymous listener, started.
inline std::unique_ptr<MosquittoBroker> plain_broker(const TempDir& dir) {
  const int port = free_port();
  auto broker = std::make_unique<MosquittoBroker>(dir.path(), port, listener_line(port) + "allow_anonymous true\n");
  broker->start();
  return broker;
}

inline ClientOptions client_options(const std::string& url, const std::string& id, int qos = 0) {
  ClientOptions options;
  options.broker.url = url;
  options.broker.connect_timeout = sim::Time::from_s(3);
  options.broker.reconnect_min = sim::Time::from_ms(50);
  options.broker.reconnect_max = sim::Time::from_ms(200);
  options.client_id = id;
  options.qos = qos;
  return options;
}

// "<seq> ........": the sequence number first, then padding to a telemetry-like size.
inline std::string payload_for(std::uint64_t seq) {
  std::string payload = std::to_string(seq);
  payload.resize(120, '.');
  return payload;
}

// What a subscriber saw: the sequence numbers per topic, in arrival order.
class Collector {
public:
  void add(std::string_view topic, std::string_view payload) {
    std::uint64_t seq = 0;
    std::from_chars(payload.data(), payload.data() + payload.size(), seq);
    std::lock_guard lock(mutex_);
    by_topic_[std::string(topic)].push_back(seq);
    ++total_;
  }
  std::size_t total() const {
    std::lock_guard lock(mutex_);
    return total_;
  }
  std::vector<std::uint64_t> seqs(const std::string& topic) const {
    std::lock_guard lock(mutex_);
    auto it = by_topic_.find(topic);
    return it == by_topic_.end() ? std::vector<std::uint64_t>{} : it->second;
  }
  MessageHandler handler() {
    return [this](std::string_view topic, std::string_view payload, std::chrono::steady_clock::time_point) {
      add(topic, payload);
    };
  }

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<std::uint64_t>> by_topic_;
  std::size_t total_ = 0;
};

inline std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t end) {
  std::vector<std::uint64_t> values;
  for (std::uint64_t v = first; v < end; ++v) values.push_back(v);
  return values;
}

inline void expect_adds_up(const PublishAccount& a) {
  Tally sum = a.acknowledged;
  sum += a.pending;
  sum += a.buffered;
  sum += a.dropped_buffer_full;
  sum += a.dropped_error;
  sum += a.unsent_at_end;
  EXPECT_EQ(sum.messages, a.offered.messages);
  EXPECT_EQ(sum.readings, a.offered.readings);
}

// A subscriber on libmosquitto directly with a persistent session (clean_session false): the broker
// keeps its subscription and queues its messages across a broker restart, so what it counts does
// not depend on which client reconnects first. Also an implementation independent of MqttClient.
class DurableSubscriber {
public:
  DurableSubscriber(int port, const std::string& filter) : filter_(filter) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new("durable-subscriber", false, this);
    mosquitto_connect_callback_set(mosq_, [](mosquitto* m, void* self, int rc) {
      if (rc == 0) mosquitto_subscribe(m, nullptr, static_cast<DurableSubscriber*>(self)->filter_.c_str(), 1);
    });
    mosquitto_subscribe_callback_set(mosq_, [](mosquitto*, void* self, int, int, const int*) {
      static_cast<DurableSubscriber*>(self)->subscribed_ = true;
    });
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* message) {
      static_cast<DurableSubscriber*>(self)->collector.add(
          message->topic, std::string_view(static_cast<const char*>(message->payload), message->payloadlen));
    });
    mosquitto_reconnect_delay_set(mosq_, 1, 1, false);
    ok_ = mosquitto_connect(mosq_, "127.0.0.1", port, 30) == MOSQ_ERR_SUCCESS && mosquitto_loop_start(mosq_) == MOSQ_ERR_SUCCESS &&
          wait_until([&] { return subscribed_.load(); }, 5s);
  }
  ~DurableSubscriber() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
  }
  bool ok() const { return ok_; }
  Collector collector;

private:
  std::string filter_;
  mosquitto* mosq_ = nullptr;
  std::atomic<bool> subscribed_{false};
  bool ok_ = false;
};

// The RunError connect() throws, and how long it took.
inline std::pair<std::string, double> connect_error(const ClientOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  try {
    MqttClient client(options);
    client.connect();
  } catch (const RunError& error) {
    return {error.what(), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  }
  return {"", 0.0};
}

inline void run(const std::string& command) {
  const std::string quiet = command + " >/dev/null 2>&1";
  if (std::system(quiet.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

// A CA, a server certificate for 127.0.0.1/localhost and a client certificate signed by it, and an
// unrelated CA, made with /usr/bin/openssl.
inline void make_certificates(const TempDir& dir) {
  const std::string d = dir.path().string() + "/";
  const std::string key = " -newkey rsa:2048 -nodes -keyout ";
  run("/usr/bin/openssl req -x509" + key + d + "ca.key -out " + d + "ca.crt -days 2 -subj /CN=twinbed-test-ca");
  run("/usr/bin/openssl req -x509" + key + d + "other.key -out " + d + "other.crt -days 2 -subj /CN=twinbed-other-ca");
  {
    std::ofstream ext(d + "server.ext");
    ext << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  }
  run("/usr/bin/openssl req" + key + d + "server.key -out " + d + "server.csr -subj /CN=127.0.0.1");
  run("/usr/bin/openssl x509 -req -in " + d + "server.csr -CA " + d + "ca.crt -CAkey " + d + "ca.key -CAcreateserial -out " + d +
      "server.crt -days 2 -extfile " + d + "server.ext");
  run("/usr/bin/openssl req" + key + d + "client.key -out " + d + "client.csr -subj /CN=twinbed-client");
  run("/usr/bin/openssl x509 -req -in " + d + "client.csr -CA " + d + "ca.crt -CAkey " + d + "ca.key -CAcreateserial -out " + d +
      "client.crt -days 2");
}

}  // namespace twinbed::testing
