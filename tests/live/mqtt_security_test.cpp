// harness::MqttClient over TLS (a CA, server and client certificates made with /usr/bin/openssl)
// and with credentials (a password_file made with mosquitto_passwd), against a real mosquitto.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "tests/live/MqttTestKit.hpp"

using namespace twinbed;
using namespace twinbed::harness;
using namespace twinbed::testing;
using namespace std::chrono_literals;

// ---- TLS -----------------------------------------------------------------------------------------


class MqttTls : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    make_certificates(*dir_);
    open_port_ = free_port();
    client_cert_port_ = free_port();
    broker_ = new MosquittoBroker(dir_->path(), open_port_,
                                  tls_listener(open_port_) + tls_listener(client_cert_port_) + "require_certificate true\n");
    broker_->start();
  }
  static void TearDownTestSuite() {
    delete broker_;
    delete dir_;
  }
  static std::string tls_listener(int port) {
    return listener_line(port) + "cafile " + dir_->file("ca.crt") + "\ncertfile " + dir_->file("server.crt") +
           "\nkeyfile " + dir_->file("server.key") + "\nallow_anonymous true\n";
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

// Nothing listens: the non-blocking connect reports EINPROGRESS and the refusal reaches the
// ClientHello's write. libmosquitto 2.0.11 alone takes that socket error for a pending handshake
// and spins until connect_timeout (harness/MqttClient.cpp handshake_error).
TEST_F(MqttTls, RefusedPortFailsAtOnce) {
  const int port = free_port();
  const std::string url = "mqtts://127.0.0.1:" + std::to_string(port);
  const auto [message, seconds] = connect_error(tls_options(port, "tls-refused", "ca.crt"));
  EXPECT_EQ(message, "MQTT broker " + url + ": Connection refused");
  EXPECT_LT(seconds, 1.0);  // connect_timeout is 3 s
}

// The same refusal on every reconnect while the broker is away: each attempt fails at once and the
// backoff (50 ms doubling to 200 ms) runs, instead of one attempt per connect_timeout (3 s).
TEST_F(MqttTls, ReconnectsWithBackoffWhileTheBrokerIsAway) {
  TempDir folder;
  const int port = free_port();
  MosquittoBroker broker(folder.path(), port, tls_listener(port));
  broker.start();
  MqttClient client(tls_options(port, "tls-away", "ca.crt"));
  client.connect();
  broker.stop();
  ASSERT_TRUE(wait_until([&] { return !client.connected(); }, 5s));
  for (std::uint64_t i = 0; i < 10; ++i) client.publish("tls/c", payload_for(i));
  std::this_thread::sleep_for(1500ms);
  broker.start();
  ASSERT_TRUE(wait_until([&] { return client.connected(); }, 5s));
  client.close(5s);
  EXPECT_EQ(client.account().acknowledged.messages, 10u);
  const ConnectionStats stats = client.stats();
  EXPECT_EQ(stats.connects, 2u);
  EXPECT_GE(stats.reconnect_attempts, 6u);  // 1.5 s away: 50 + 100 + 200 + 200 + ... ms
  EXPECT_NE(std::find(stats.errors.begin(), stats.errors.end(), "reconnect failed: Connection refused"), stats.errors.end())
      << ::testing::PrintToString(stats.errors);
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
    port_ = free_port();
    run("/usr/bin/mosquitto_passwd -c -b " + dir_.file("passwords") + " alice " + kPassword);
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

