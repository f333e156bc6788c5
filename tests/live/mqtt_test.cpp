// harness::MqttClient / MqttPool against a real mosquitto on 127.0.0.1 (tests/live/MosquittoBroker.hpp):
// exact delivery counts at QoS 0 and 1, the account adding up, the broker going away and coming
// back (buffer, overflow policies, outage statistics), connection failures as one clear line,
// TLS and credentials.
#include <gtest/gtest.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstdlib>
#include <map>
#include <mutex>

#include "harness/InputError.hpp"
#include "harness/Mqtt.hpp"
#include "tests/live/MosquittoBroker.hpp"

using namespace twinbed;
using namespace twinbed::harness;
using twinbed::testing::MosquittoBroker;
using twinbed::testing::TempDir;
using twinbed::testing::wait_until;
using namespace std::chrono_literals;

namespace {

std::string listener_line(int port) {
  std::string line = "listener ";
  line += std::to_string(port);
  line += " 127.0.0.1\n";
  return line;
}

// A broker with one anonymous listener, started.
std::unique_ptr<MosquittoBroker> plain_broker(const TempDir& dir) {
  const int port = twinbed::testing::free_port();
  auto broker = std::make_unique<MosquittoBroker>(dir.path(), port, listener_line(port) + "allow_anonymous true\n");
  broker->start();
  return broker;
}

ClientOptions client_options(const std::string& url, const std::string& id, int qos = 0) {
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
std::string payload_for(std::uint64_t seq) {
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

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t end) {
  std::vector<std::uint64_t> values;
  for (std::uint64_t v = first; v < end; ++v) values.push_back(v);
  return values;
}

void expect_adds_up(const PublishAccount& a) {
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

}  // namespace

// ---- delivery and accounting ---------------------------------------------------------------------

class MqttDelivery : public ::testing::TestWithParam<int> {};

TEST_P(MqttDelivery, EveryMessageArrivesInOrderAndIsAcknowledged) {
  const int qos = GetParam();
  TempDir dir;
  auto broker = plain_broker(dir);
  Collector seen;
  MqttClient subscriber(client_options(broker->url(), "sub"));
  subscriber.subscribe({"load/#"}, seen.handler());
  subscriber.connect();  // returns once the subscription is acknowledged

  constexpr std::uint64_t kMessages = 20000;
  constexpr std::uint64_t kTopics = 4;
  MqttClient publisher(client_options(broker->url(), "pub", qos));
  publisher.connect();
  for (std::uint64_t i = 0; i < kMessages; ++i) {
    publisher.publish("load/" + std::to_string(i % kTopics), payload_for(i / kTopics), 3);
  }
  ASSERT_TRUE(wait_until([&] { return seen.total() >= kMessages; }, 15s)) << seen.total() << " of " << kMessages;
  publisher.close(5s);

  const PublishAccount account = publisher.account();
  EXPECT_EQ(account.offered.messages, kMessages);
  EXPECT_EQ(account.offered.readings, 3 * kMessages);
  EXPECT_EQ(account.acknowledged.messages, kMessages);
  EXPECT_EQ(account.acknowledged.readings, 3 * kMessages);
  EXPECT_EQ(account.pending.messages + account.buffered.messages + account.dropped_buffer_full.messages +
                account.dropped_error.messages + account.unsent_at_end.messages,
            0u);
  EXPECT_EQ(account.resent, 0u);
  expect_adds_up(account);
  const ConnectionStats stats = publisher.stats();
  EXPECT_EQ(stats.connects, 1u);
  EXPECT_EQ(stats.disconnects, 0u);
  EXPECT_TRUE(stats.outages.empty());

  std::this_thread::sleep_for(100ms);  // nothing more may arrive: no duplicates
  EXPECT_EQ(seen.total(), kMessages);
  for (std::uint64_t t = 0; t < kTopics; ++t) {
    EXPECT_EQ(seen.seqs("load/" + std::to_string(t)), range(0, kMessages / kTopics)) << "topic load/" << t;
  }
}

INSTANTIATE_TEST_SUITE_P(Qos, MqttDelivery, ::testing::Values(0, 1));

TEST(MqttPool, EachKeyKeepsItsConnectionAndTheAccountsSum) {
  TempDir dir;
  auto broker = plain_broker(dir);
  Collector seen;
  MqttClient subscriber(client_options(broker->url(), "sub"));
  subscriber.subscribe({"dev/#"}, seen.handler());
  subscriber.connect();

  MqttPool pool(client_options(broker->url(), "pool", 1), 3);
  ASSERT_EQ(pool.size(), 3u);
  pool.connect();
  EXPECT_TRUE(pool.connected());
  constexpr std::uint32_t kDevices = 30;
  constexpr std::uint64_t kEach = 200;
  for (std::uint64_t i = 0; i < kEach; ++i) {
    for (std::uint32_t device = 0; device < kDevices; ++device) {
      pool.publish(device, "dev/" + std::to_string(device), payload_for(i), 1);
    }
  }
  ASSERT_TRUE(wait_until([&] { return seen.total() >= kDevices * kEach; }, 10s));
  pool.close(5s);
  const PublishAccount account = pool.account();
  EXPECT_EQ(account.offered.messages, kDevices * kEach);
  EXPECT_EQ(account.acknowledged.messages, kDevices * kEach);
  expect_adds_up(account);
  EXPECT_EQ(pool.stats().connects, 3u);
  for (std::uint32_t device = 0; device < kDevices; ++device) {
    EXPECT_EQ(seen.seqs("dev/" + std::to_string(device)), range(0, kEach)) << "device " << device;
  }
}

TEST(MqttSubscribe, HandlerExceptionsAreCountedNotPropagated) {
  TempDir dir;
  auto broker = plain_broker(dir);
  std::atomic<int> calls{0};
  MqttClient subscriber(client_options(broker->url(), "sub"));
  subscriber.subscribe({"bad/#", "good/#"}, [&](std::string_view topic, std::string_view, auto) {
    ++calls;
    if (topic.starts_with("bad/")) throw std::runtime_error("boom");
  });
  subscriber.connect();
  MqttClient publisher(client_options(broker->url(), "pub", 1));
  publisher.connect();
  for (int i = 0; i < 5; ++i) {
    publisher.publish("bad/x", "1");
    publisher.publish("good/x", "2");
  }
  ASSERT_TRUE(wait_until([&] { return calls.load() >= 10; }, 5s));
  EXPECT_TRUE(subscriber.connected());
  const ConnectionStats stats = subscriber.stats();
  EXPECT_EQ(stats.errors, std::vector<std::string>{"message handler failed: boom"});
  EXPECT_EQ(stats.broker_errors, 0u);
}

TEST(MqttSubscribe, HandlerMayPublishWithoutWaitingForItself) {
  // A handler runs on the network thread, the only one that takes acknowledgements: publish() from
  // there must not wait for the window (max_pending 1) to drain.
  TempDir dir;
  auto broker = plain_broker(dir);
  Collector echoes;
  MqttClient listener(client_options(broker->url(), "listener"));
  listener.subscribe({"echo/#"}, echoes.handler());
  listener.connect();
  ClientOptions options = client_options(broker->url(), "echoer", 1);
  options.max_pending = 1;
  MqttClient echoer(options);
  echoer.subscribe({"ping/#"}, [&](std::string_view, std::string_view payload, auto) {
    echoer.publish("echo/x", std::string(payload));
  });
  echoer.connect();
  MqttClient pinger(client_options(broker->url(), "pinger", 1));
  pinger.connect();
  for (std::uint64_t i = 0; i < 50; ++i) pinger.publish("ping/x", payload_for(i));
  ASSERT_TRUE(wait_until([&] { return echoes.total() >= 50; }, 5s)) << echoes.total();
  EXPECT_EQ(echoes.seqs("echo/x"), range(0, 50));
}

// ---- the broker goes away ------------------------------------------------------------------------

struct AwayCase {
  int qos;
  std::uint64_t buffer;
  BufferOverflow overflow;
};

class MqttBrokerAway : public ::testing::TestWithParam<AwayCase> {};

TEST_P(MqttBrokerAway, BufferedWhileAwayThenDeliveredOrDroppedByPolicy) {
  const AwayCase param = GetParam();
  constexpr std::uint64_t kBefore = 100;
  constexpr std::uint64_t kAway = 1000;
  TempDir dir;
  auto broker = plain_broker(dir);
  DurableSubscriber subscriber(broker->port(), "away/#");
  ASSERT_TRUE(subscriber.ok());

  ClientOptions options = client_options(broker->url(), "pub", param.qos);
  options.buffer = param.buffer;
  options.overflow = param.overflow;
  MqttClient publisher(options);
  publisher.connect();
  for (std::uint64_t i = 0; i < kBefore; ++i) publisher.publish("away/t", payload_for(i), 2);
  ASSERT_TRUE(wait_until([&] { return publisher.account().acknowledged.messages == kBefore; }, 5s));
  ASSERT_TRUE(wait_until([&] { return subscriber.collector.total() == kBefore; }, 5s));
  // Let the subscriber's PUBACKs reach the broker: a message still unacknowledged when the broker
  // stops is saved with the session and delivered again after the restart (QoS 1 is at least once).
  std::this_thread::sleep_for(200ms);

  broker->stop();
  ASSERT_TRUE(wait_until([&] { return !publisher.connected(); }, 5s));
  EXPECT_GT(publisher.away_s(), 0.0);
  for (std::uint64_t i = kBefore; i < kBefore + kAway; ++i) publisher.publish("away/t", payload_for(i), 2);
  const std::uint64_t kept = std::min(kAway, param.buffer);
  const PublishAccount away = publisher.account();
  EXPECT_EQ(away.buffered.messages, kept);
  EXPECT_EQ(away.buffered.readings, 2 * kept);
  EXPECT_EQ(away.dropped_buffer_full.messages, kAway - kept);
  EXPECT_EQ(away.buffered_peak, kept);
  expect_adds_up(away);

  broker->start();
  ASSERT_TRUE(wait_until([&] { return publisher.connected(); }, 5s));
  ASSERT_TRUE(wait_until([&] { return subscriber.collector.total() >= kBefore + kept; }, 10s))
      << subscriber.collector.total();
  publisher.close(5s);

  const PublishAccount account = publisher.account();
  EXPECT_EQ(account.offered.messages, kBefore + kAway);
  EXPECT_EQ(account.offered.readings, 2 * (kBefore + kAway));
  EXPECT_EQ(account.acknowledged.messages, kBefore + kept);
  EXPECT_EQ(account.dropped_buffer_full.messages, kAway - kept);
  EXPECT_EQ(account.dropped_buffer_full.readings, 2 * (kAway - kept));
  EXPECT_EQ(account.buffered.messages + account.pending.messages + account.unsent_at_end.messages, 0u);
  expect_adds_up(account);

  const ConnectionStats stats = publisher.stats();
  EXPECT_EQ(stats.connects, 2u);
  EXPECT_EQ(stats.disconnects, 1u);
  EXPECT_GE(stats.reconnect_attempts, 1u);
  EXPECT_GE(stats.broker_errors, 1u);
  EXPECT_FALSE(stats.errors.empty());
  ASSERT_EQ(stats.outages.size(), 1u);
  ASSERT_TRUE(stats.outages[0].back_s.has_value());
  EXPECT_GT(*stats.outages[0].back_s, stats.outages[0].lost_s);
  EXPECT_EQ(publisher.away_s(), 0.0);

  // Which messages survive: all, the newest `buffer` (drop_oldest) or the first `buffer` (drop_newest).
  std::vector<std::uint64_t> expected = range(0, kBefore);
  const std::vector<std::uint64_t> survivors = param.overflow == BufferOverflow::drop_oldest
                                                   ? range(kBefore + kAway - kept, kBefore + kAway)
                                                   : range(kBefore, kBefore + kept);
  expected.insert(expected.end(), survivors.begin(), survivors.end());
  std::this_thread::sleep_for(100ms);
  const std::vector<std::uint64_t> got = subscriber.collector.seqs("away/t");
  EXPECT_EQ(got, expected);
  if (got != expected) {
    std::size_t i = 0;
    while (i < got.size() && i < expected.size() && got[i] == expected[i]) ++i;
    ADD_FAILURE() << "got " << got.size() << " expected " << expected.size() << "; first difference at " << i << ": "
                  << (i < got.size() ? std::to_string(got[i]) : "end") << " vs "
                  << (i < expected.size() ? std::to_string(expected[i]) : "end");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Policies, MqttBrokerAway,
    ::testing::Values(AwayCase{0, 5000, BufferOverflow::drop_oldest}, AwayCase{1, 5000, BufferOverflow::drop_oldest},
                      AwayCase{1, 300, BufferOverflow::drop_oldest}, AwayCase{1, 300, BufferOverflow::drop_newest},
                      AwayCase{0, 300, BufferOverflow::drop_newest}, AwayCase{0, 0, BufferOverflow::drop_oldest}),
    [](const auto& info) {
      std::string name = "qos" + std::to_string(info.param.qos);
      name += "_buffer" + std::to_string(info.param.buffer);
      name += info.param.overflow == BufferOverflow::drop_oldest ? "_drop_oldest" : "_drop_newest";
      return name;
    });

class MqttBrokerAwayUnderLoad : public ::testing::TestWithParam<int> {};

TEST_P(MqttBrokerAwayUnderLoad, MessagesCaughtInTheLibraryAreNotLost) {
  // The broker stops while a burst is in flight. QoS 0: the messages libmosquitto had not written
  // yet are dropped by it at the reconnect; the client sends them again itself, so every message
  // is acknowledged, none twice, in order. QoS 1: the library resends its unacknowledged ones
  // (counted as `resent`), so every message arrives at least once.
  const int qos = GetParam();
  constexpr std::uint64_t kMessages = 60000;
  TempDir dir;
  auto broker = plain_broker(dir);
  DurableSubscriber subscriber(broker->port(), "burst/#");
  ASSERT_TRUE(subscriber.ok());
  MqttClient publisher(client_options(broker->url(), "pub", qos));
  publisher.connect();
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < kMessages; ++i) publisher.publish("burst/t", payload_for(i));
  });
  const bool midway = wait_until([&] { return publisher.account().acknowledged.messages >= kMessages / 4; }, 20s);
  broker->stop();
  const bool lost = wait_until([&] { return !publisher.connected(); }, 5s);
  const PublishAccount at_loss = publisher.account();
  producer.join();
  ASSERT_TRUE(midway);
  ASSERT_TRUE(lost);
  // QoS 0: nothing stays pending in a library that will never write it.
  if (qos == 0) {
    EXPECT_EQ(at_loss.pending.messages, 0u);
  }
  broker->start();
  ASSERT_TRUE(wait_until([&] { return publisher.connected(); }, 5s));
  publisher.close(20s);
  const PublishAccount account = publisher.account();
  EXPECT_EQ(account.offered.messages, kMessages);
  EXPECT_EQ(account.acknowledged.messages, kMessages);
  expect_adds_up(account);
  ASSERT_TRUE(wait_until([&] {
    const auto seqs = subscriber.collector.seqs("burst/t");
    return !seqs.empty() && seqs.back() == kMessages - 1;
  }, 20s));
  std::this_thread::sleep_for(100ms);
  std::vector<std::uint64_t> seqs = subscriber.collector.seqs("burst/t");
  if (qos == 0) {
    // Written to the socket of a broker that is shutting down, a QoS 0 message may still be lost
    // there: what arrives is an increasing subsequence.
    EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
    EXPECT_EQ(std::adjacent_find(seqs.begin(), seqs.end()), seqs.end()) << "a message arrived twice";
    EXPECT_GT(seqs.size(), kMessages / 2);
  } else {
    // Duplicates come from both hops (our resends, and the broker's to the durable subscriber).
    EXPECT_GT(account.resent, 0u);
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    EXPECT_EQ(seqs, range(0, kMessages));
  }
}

INSTANTIATE_TEST_SUITE_P(Qos, MqttBrokerAwayUnderLoad, ::testing::Values(0, 1));

// ---- connection failures -------------------------------------------------------------------------

namespace {

// The RunError connect() throws, and how long it took.
std::pair<std::string, double> connect_error(const ClientOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  try {
    MqttClient client(options);
    client.connect();
  } catch (const RunError& error) {
    return {error.what(), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  }
  return {"", 0.0};
}

}  // namespace

TEST(MqttConnect, RefusedPortFailsAtOnceWithOneLineNamingTheBroker) {
  const int port = twinbed::testing::free_port();
  const std::string url = "mqtt://127.0.0.1:" + std::to_string(port);
  const auto [message, seconds] = connect_error(client_options(url, "refused"));
  EXPECT_EQ(message, "MQTT broker " + url + ": Connection refused");
  EXPECT_LT(seconds, 1.0);
}

TEST(MqttConnect, SilentBrokerTimesOutAfterConnectTimeout) {
  // A socket that listens (the kernel completes the TCP handshake) but never answers CONNECT.
  const int port = twinbed::testing::free_port();
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  const std::string url = "mqtt://127.0.0.1:" + std::to_string(port);
  ClientOptions options = client_options(url, "silent");
  options.broker.connect_timeout = sim::Time::from_ms(500);
  const auto [message, seconds] = connect_error(options);
  close(fd);
  EXPECT_EQ(message, "MQTT broker " + url + ": no answer within 0.5 s (broker.connect_timeout)");
  EXPECT_GE(seconds, 0.5);
  EXPECT_LT(seconds, 2.0);
}

TEST(MqttConnect, BadUrlIsInvalidArgument) {
  EXPECT_THROW(MqttClient(client_options("http://127.0.0.1:1883", "x")), std::invalid_argument);
}

// ---- TLS -----------------------------------------------------------------------------------------

namespace {

void run(const std::string& command) {
  const std::string quiet = command + " >/dev/null 2>&1";
  if (std::system(quiet.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

// A CA, a server certificate for 127.0.0.1/localhost and a client certificate signed by it, and an
// unrelated CA, made with /usr/bin/openssl.
void make_certificates(const TempDir& dir) {
  const std::string d = dir.path().string() + "/";
  const std::string key = " -newkey rsa:2048 -nodes -keyout ";
  run("openssl req -x509" + key + d + "ca.key -out " + d + "ca.crt -days 2 -subj /CN=twinbed-test-ca");
  run("openssl req -x509" + key + d + "other.key -out " + d + "other.crt -days 2 -subj /CN=twinbed-other-ca");
  {
    std::ofstream ext(d + "server.ext");
    ext << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  }
  run("openssl req" + key + d + "server.key -out " + d + "server.csr -subj /CN=127.0.0.1");
  run("openssl x509 -req -in " + d + "server.csr -CA " + d + "ca.crt -CAkey " + d + "ca.key -CAcreateserial -out " + d +
      "server.crt -days 2 -extfile " + d + "server.ext");
  run("openssl req" + key + d + "client.key -out " + d + "client.csr -subj /CN=twinbed-client");
  run("openssl x509 -req -in " + d + "client.csr -CA " + d + "ca.crt -CAkey " + d + "ca.key -CAcreateserial -out " + d +
      "client.crt -days 2");
}

}  // namespace

class MqttTls : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    make_certificates(*dir_);
    open_port_ = twinbed::testing::free_port();
    client_cert_port_ = twinbed::testing::free_port();
    const std::string tls = "cafile " + dir_->file("ca.crt") + "\ncertfile " + dir_->file("server.crt") +
                            "\nkeyfile " + dir_->file("server.key") + "\nallow_anonymous true\n";
    broker_ = new MosquittoBroker(dir_->path(), open_port_,
                                  listener_line(open_port_) + tls + listener_line(client_cert_port_) + tls +
                                      "require_certificate true\n");
    broker_->start();
  }
  static void TearDownTestSuite() {
    delete broker_;
    delete dir_;
  }
  static ClientOptions tls_options(int port, const std::string& id, const std::string& ca) {
    ClientOptions options = client_options("mqtts://127.0.0.1:" + std::to_string(port), id, 1);
    options.broker.ca_file = dir_->file(ca);
    return options;
  }
  static TempDir* dir_;
  static MosquittoBroker* broker_;
  static int open_port_;
  static int client_cert_port_;
};
TempDir* MqttTls::dir_ = nullptr;
MosquittoBroker* MqttTls::broker_ = nullptr;
int MqttTls::open_port_ = 0;
int MqttTls::client_cert_port_ = 0;

TEST_F(MqttTls, RightCaDeliversMessages) {
  Collector seen;
  MqttClient subscriber(tls_options(open_port_, "tls-sub", "ca.crt"));
  subscriber.subscribe({"tls/#"}, seen.handler());
  subscriber.connect();
  MqttClient publisher(tls_options(open_port_, "tls-pub", "ca.crt"));
  publisher.connect();
  for (std::uint64_t i = 0; i < 500; ++i) publisher.publish("tls/a", payload_for(i));
  ASSERT_TRUE(wait_until([&] { return seen.total() >= 500; }, 5s));
  publisher.close(5s);
  EXPECT_EQ(publisher.account().acknowledged.messages, 500u);
  EXPECT_EQ(seen.seqs("tls/a"), range(0, 500));
}

TEST_F(MqttTls, WrongCaFailsWithCertificateVerifyFailed) {
  const std::string url = "mqtts://127.0.0.1:" + std::to_string(open_port_);
  const auto [message, seconds] = connect_error(tls_options(open_port_, "tls-wrong", "other.crt"));
  EXPECT_EQ(message, "MQTT broker " + url +
                         ": TLS handshake failed: error:0A000086:SSL routines::certificate verify failed");
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_LT(seconds, 2.0);
}

TEST_F(MqttTls, ClientCertificateWhenTheBrokerRequiresOne) {
  ClientOptions options = tls_options(client_cert_port_, "tls-cert", "ca.crt");
  options.broker.cert_file = dir_->file("client.crt");
  options.broker.key_file = dir_->file("client.key");
  MqttClient client(options);
  client.connect();
  for (std::uint64_t i = 0; i < 10; ++i) client.publish("tls/b", payload_for(i));
  client.close(5s);
  EXPECT_EQ(client.account().acknowledged.messages, 10u);

  const std::string url = "mqtts://127.0.0.1:" + std::to_string(client_cert_port_);
  const auto [message, seconds] = connect_error(tls_options(client_cert_port_, "tls-nocert", "ca.crt"));
  // TLS 1.3: the broker's refusal arrives as an alert after the handshake (OpenSSL 3).
  EXPECT_EQ(message, "MQTT broker " + url +
                         ": TLS handshake failed: error:0A00045C:SSL routines::tlsv13 alert certificate required");
}

TEST_F(MqttTls, UnreadableCaFileNamesIt) {
  try {
    MqttClient client(tls_options(open_port_, "x", "missing.crt"));
    FAIL() << "no exception";
  } catch (const RunError& error) {
    EXPECT_EQ(std::string(error.what()), "cannot read " + dir_->file("missing.crt") + " (broker.ca_file)");
  }
}

// ---- credentials ---------------------------------------------------------------------------------

class MqttCredentials : public ::testing::Test {
protected:
  void SetUp() override {
    port_ = twinbed::testing::free_port();
    run("mosquitto_passwd -c -b " + dir_.file("passwords") + " alice " + kPassword);
    broker_ = std::make_unique<MosquittoBroker>(
        dir_.path(), port_, listener_line(port_) + "allow_anonymous false\npassword_file " + dir_.file("passwords") + "\n");
    broker_->start();
    url_ = broker_->url();
  }
  static constexpr const char* kPassword = "s3cret-Pa55";
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<MosquittoBroker> broker_;
  std::string url_;
};

TEST_F(MqttCredentials, FromEnvironmentVariables) {
  setenv("TWINBED_TEST_MQTT_USER", "alice", 1);
  setenv("TWINBED_TEST_MQTT_PASSWORD", kPassword, 1);
  ClientOptions options = client_options(url_, "env", 1);
  options.broker.username_env = "TWINBED_TEST_MQTT_USER";
  options.broker.password_env = "TWINBED_TEST_MQTT_PASSWORD";
  MqttClient client(options);
  client.connect();
  client.publish("cred/a", payload_for(1));
  client.close(5s);
  EXPECT_EQ(client.account().acknowledged.messages, 1u);
}

TEST_F(MqttCredentials, FromFile) {
  {
    std::ofstream file(dir_.file("credentials"));
    file << "alice\n" << kPassword << "\n";
  }
  ClientOptions options = client_options(url_, "file", 1);
  options.broker.credentials_file = dir_.file("credentials");
  const auto credentials = load_credentials(options.broker);
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->username, "alice");
  EXPECT_EQ(credentials->password, kPassword);
  MqttClient client(options);
  client.connect();
  EXPECT_TRUE(client.connected());
}

TEST_F(MqttCredentials, WrongPasswordIsNotAuthorisedAndNotEchoed) {
  {
    std::ofstream file(dir_.file("credentials"));
    file << "alice\nwrong-Pa55word\n";
  }
  ClientOptions options = client_options(url_, "wrong", 1);
  options.broker.credentials_file = dir_.file("credentials");
  const auto [message, seconds] = connect_error(options);
  EXPECT_EQ(message, "MQTT broker " + url_ + ": connection refused: not authorised");
  EXPECT_EQ(message.find("wrong-Pa55word"), std::string::npos);
}

TEST_F(MqttCredentials, NoCredentialsIsNotAuthorised) {
  const auto [message, seconds] = connect_error(client_options(url_, "anonymous", 1));
  EXPECT_EQ(message, "MQTT broker " + url_ + ": connection refused: not authorised");
}

TEST_F(MqttCredentials, MissingVariableOrFileIsNamed) {
  unsetenv("TWINBED_TEST_MQTT_MISSING");
  setenv("TWINBED_TEST_MQTT_USER", "alice", 1);
  ClientOptions options = client_options(url_, "missing", 1);
  options.broker.username_env = "TWINBED_TEST_MQTT_USER";
  options.broker.password_env = "TWINBED_TEST_MQTT_MISSING";
  try {
    MqttClient client(options);
    FAIL() << "no exception";
  } catch (const RunError& error) {
    EXPECT_EQ(std::string(error.what()),
              "environment variable TWINBED_TEST_MQTT_MISSING (broker.password_env) is not set");
  }
  ClientOptions from_file = client_options(url_, "missing-file", 1);
  from_file.broker.credentials_file = dir_.file("nope");
  try {
    MqttClient client(from_file);
    FAIL() << "no exception";
  } catch (const RunError& error) {
    EXPECT_EQ(std::string(error.what()),
              "cannot read the credentials file " + dir_.file("nope") + " (broker.credentials_file)");
  }
}
