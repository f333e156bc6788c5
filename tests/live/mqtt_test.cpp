// harness::MqttClient / MqttPool against a real mosquitto on 127.0.0.1 (tests/live/MosquittoBroker.hpp):
// exact delivery counts at QoS 0 and 1, the account adding up, the broker going away and coming
// back (buffer, overflow policies, outage statistics), connection failures as one clear line.
// TLS and credentials: mqtt_security_test.cpp.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <thread>
#include <tuple>

#include "tests/live/MqttTestKit.hpp"

using namespace twinbed;
using namespace twinbed::harness;
using namespace twinbed::testing;
using namespace std::chrono_literals;

// ---- delivery and accounting ---------------------------------------------------------------------

// (QoS, ClientOptions::coalesce in microseconds: 0, or 1 ms as at --speed max; QoS 1 ignores it).
using QosCoalesce = std::tuple<int, int>;

std::string qos_coalesce_name(const ::testing::TestParamInfo<QosCoalesce>& info) {
  std::string name = "qos" + std::to_string(std::get<0>(info.param));
  name += "_coalesce" + std::to_string(std::get<1>(info.param)) + "us";
  return name;
}

ClientOptions publisher_options(const std::string& url, const QosCoalesce& param) {
  ClientOptions options = client_options(url, "pub", std::get<0>(param));
  options.coalesce = std::chrono::microseconds(std::get<1>(param));
  return options;
}

class MqttDelivery : public ::testing::TestWithParam<QosCoalesce> {};

TEST_P(MqttDelivery, EveryMessageArrivesInOrderAndIsAcknowledged) {
  TempDir dir;
  auto broker = plain_broker(dir);
  Collector seen;
  MqttClient subscriber(client_options(broker->url(), "sub"));
  subscriber.subscribe({"load/#"}, seen.handler());
  subscriber.connect();  // returns once the subscription is acknowledged

  constexpr std::uint64_t kMessages = 20000;
  constexpr std::uint64_t kTopics = 4;
  MqttClient publisher(publisher_options(broker->url(), GetParam()));
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

INSTANTIATE_TEST_SUITE_P(Qos, MqttDelivery, ::testing::Combine(::testing::Values(0, 1), ::testing::Values(0, 1000)),
                         qos_coalesce_name);

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

class MqttBrokerAwayUnderLoad : public ::testing::TestWithParam<QosCoalesce> {};

TEST_P(MqttBrokerAwayUnderLoad, MessagesCaughtInTheLibraryAreNotLost) {
  // The broker stops while a burst is in flight. QoS 0: the messages libmosquitto had not written
  // yet are dropped by it at the reconnect; the client sends them again itself, so every message
  // is acknowledged, none twice, in order. QoS 1: the library resends its unacknowledged ones
  // (counted as `resent`), so every message arrives at least once.
  const int qos = std::get<0>(GetParam());
  constexpr std::uint64_t kMessages = 60000;
  TempDir dir;
  auto broker = plain_broker(dir);
  DurableSubscriber subscriber(broker->port(), "burst/#");
  ASSERT_TRUE(subscriber.ok());
  MqttClient publisher(publisher_options(broker->url(), GetParam()));
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

INSTANTIATE_TEST_SUITE_P(Qos, MqttBrokerAwayUnderLoad,
                         ::testing::Combine(::testing::Values(0, 1), ::testing::Values(0, 1000)), qos_coalesce_name);

// ---- connection failures -------------------------------------------------------------------------


TEST(MqttConnect, RefusedPortFailsAtOnceWithOneLineNamingTheBroker) {
  const int port = free_port();
  const std::string url = "mqtt://127.0.0.1:" + std::to_string(port);
  const auto [message, seconds] = connect_error(client_options(url, "refused"));
  EXPECT_EQ(message, "MQTT broker " + url + ": Connection refused");
  EXPECT_LT(seconds, 1.0);
}

TEST(MqttConnect, SilentBrokerTimesOutAfterConnectTimeout) {
  // A socket that listens (the kernel completes the TCP handshake) but never answers CONNECT.
  const int port = free_port();
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

// A frozen broker keeps the TCP connection open and answers nothing: only the keep-alive finds
// out. libmosquitto sends PINGREQ after keep_alive without traffic from the broker and gives up
// when no PINGRESP came within another keep_alive.
TEST(MqttKeepAlive, AFrozenBrokerIsDetectedAndTheClientComesBackWhenItThaws) {
  TempDir dir;
  auto broker = plain_broker(dir);
  ClientOptions options = client_options(broker->url(), "keep-alive");
  options.broker.keep_alive = sim::Time::from_s(5);
  MqttClient client(options);
  client.connect();
  broker->freeze();
  const auto frozen = std::chrono::steady_clock::now();
  const bool lost = wait_until([&] { return !client.connected(); }, 15s);
  const double detected = std::chrono::duration<double>(std::chrono::steady_clock::now() - frozen).count();
  broker->thaw();
  ASSERT_TRUE(lost);
  EXPECT_GE(detected, 5.0);
  EXPECT_LE(detected, 11.5);
  ASSERT_TRUE(wait_until([&] { return client.connected(); }, 10s));
  client.publish("ka/t", payload_for(0));
  client.close(5s);
  EXPECT_EQ(client.account().acknowledged.messages, 1u);
  const ConnectionStats stats = client.stats();
  EXPECT_EQ(stats.disconnects, 1u);
  EXPECT_EQ(stats.connects, 2u);
  ASSERT_FALSE(stats.errors.empty());
  EXPECT_EQ(stats.errors.front(),
            "connection lost: keep-alive timeout: the broker did not answer a PINGREQ (broker.keep_alive 5 s)");
}

TEST(MqttConnect, BadUrlIsInvalidArgument) {
  EXPECT_THROW(MqttClient(client_options("http://127.0.0.1:1883", "x")), std::invalid_argument);
}

