// The scenario's `live:` and `start:` keys (harness/LiveLoader.hpp, docs/scenario-reference.md).
#include "harness/LiveLoader.hpp"

#include <gtest/gtest.h>

#include "harness/InputError.hpp"
#include "harness/Scenario.hpp"

using namespace twinbed;
using namespace twinbed::harness;

namespace {

LiveSpec parse(const std::string& text) {
  const YamlDocument doc = YamlDocument::parse(text, "l.yaml");
  return read_live(doc.root().as_unchecked_map().get("live"));
}

std::int64_t start_of(const std::string& value) {
  const YamlDocument doc = YamlDocument::parse("start: " + value + "\n", "s.yaml");
  return read_start(doc.root().as_unchecked_map().get("start"));
}

template <typename F>
std::string error_of(F&& read) {
  try {
    read();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return "";
}

// `live:` with one line under it: the line is line 2, indented by 2.
std::string live_error(const std::string& line) {
  return error_of([&] { parse("live:\n  " + line + "\n"); });
}

const char* const SCENARIO = R"(twinbed: 1
name: x
duration: 1h
cohort:
  - count: 1
)";

}  // namespace

TEST(LiveLoader, Defaults) {
  const LiveSpec live = parse("live: {}\n");
  const LiveSpec defaults;
  EXPECT_EQ(live.broker.url, "mqtt://127.0.0.1:1883");
  EXPECT_EQ(live.broker.ca_file, "");
  EXPECT_EQ(live.broker.cert_file, "");
  EXPECT_EQ(live.broker.key_file, "");
  EXPECT_EQ(live.broker.username_env, "");
  EXPECT_EQ(live.broker.password_env, "");
  EXPECT_EQ(live.broker.credentials_file, "");
  EXPECT_EQ(live.broker.client_id_prefix, "twinbed");
  EXPECT_EQ(live.broker.keep_alive, sim::Time::from_s(30));
  EXPECT_EQ(live.broker.reconnect_min, sim::Time::from_ms(250));
  EXPECT_EQ(live.broker.reconnect_max, sim::Time::from_s(8));
  EXPECT_EQ(live.broker.connect_timeout, sim::Time::from_s(10));
  EXPECT_EQ(live.broker.retry_budget, sim::Time::from_s(120));
  EXPECT_EQ(live.qos, 0);
  EXPECT_EQ(live.topic, "twinbed/{run}/{site}/{patient}/{device}/{signal}");
  EXPECT_EQ(live.payload, PayloadFormat::json);
  EXPECT_TRUE(live.batch_uploads);
  EXPECT_EQ(live.connections, 1u);
  EXPECT_EQ(live.buffer, 100000u);
  EXPECT_EQ(live.overflow, BufferOverflow::drop_oldest);
  EXPECT_EQ(live.max_pending, 20000u);
  EXPECT_EQ(live.alarm_topic, "twinbed/{run}/alarms");
  EXPECT_EQ(live.max_alarm_bytes, 4096u);
  EXPECT_FALSE(live.trust_sut_clock);
  EXPECT_EQ(live.session_topic, "twinbed/{run}/session");
  EXPECT_EQ(live.alarm_grace, sim::Time::from_s(3));
  EXPECT_EQ(live.drain_timeout, sim::Time::from_s(15));
  EXPECT_EQ(live.speed, std::optional<double>(1.0));
  EXPECT_EQ(live.speed, defaults.speed);
}

TEST(LiveLoader, ReadsEveryKey) {
  const LiveSpec live = parse(R"(live:
  broker:
    url: mqtts://broker.example.org:8884
    ca_file: certs/ca.pem
    cert_file: certs/client.pem
    key_file: certs/client.key
    username_env: TWINBED_USER
    password_env: TWINBED_PASSWORD
    client_id_prefix: ward-7
    keep_alive: 1min
    reconnect_min: 100ms
    reconnect_max: 30s
    connect_timeout: 3s
    retry_budget: 5min
  qos: 1
  topic: "hospital/{site}/{patient}/{device}/{signal}/{run}"
  payload: fhir
  batch_uploads: false
  connections: 4
  buffer: 0
  overflow: drop_newest
  max_pending: 500
  alarm_topic: "sut/{run}/alarm-out"
  max_alarm_bytes: 1048576
  trust_sut_clock: true
  session_topic: "sessions/{run}"
  alarm_grace: 10s
  drain_timeout: 0s
  speed: 12.5
)");
  EXPECT_EQ(live.broker.url, "mqtts://broker.example.org:8884");
  EXPECT_EQ(live.broker.ca_file, "certs/ca.pem");
  EXPECT_EQ(live.broker.cert_file, "certs/client.pem");
  EXPECT_EQ(live.broker.key_file, "certs/client.key");
  EXPECT_EQ(live.broker.username_env, "TWINBED_USER");
  EXPECT_EQ(live.broker.password_env, "TWINBED_PASSWORD");
  EXPECT_EQ(live.broker.client_id_prefix, "ward-7");
  EXPECT_EQ(live.broker.keep_alive, sim::Time::from_s(60));
  EXPECT_EQ(live.broker.reconnect_min, sim::Time::from_ms(100));
  EXPECT_EQ(live.broker.reconnect_max, sim::Time::from_s(30));
  EXPECT_EQ(live.broker.connect_timeout, sim::Time::from_s(3));
  EXPECT_EQ(live.broker.retry_budget, sim::Time::from_min(5));
  EXPECT_EQ(live.qos, 1);
  EXPECT_EQ(live.topic, "hospital/{site}/{patient}/{device}/{signal}/{run}");
  EXPECT_EQ(live.payload, PayloadFormat::fhir);
  EXPECT_FALSE(live.batch_uploads);
  EXPECT_EQ(live.connections, 4u);
  EXPECT_EQ(live.buffer, 0u);
  EXPECT_EQ(live.overflow, BufferOverflow::drop_newest);
  EXPECT_EQ(live.max_pending, 500u);
  EXPECT_EQ(live.alarm_topic, "sut/{run}/alarm-out");
  EXPECT_EQ(live.max_alarm_bytes, 1048576u);
  EXPECT_TRUE(live.trust_sut_clock);
  EXPECT_EQ(live.session_topic, "sessions/{run}");
  EXPECT_EQ(live.alarm_grace, sim::Time::from_s(10));
  EXPECT_EQ(live.drain_timeout, sim::Time::zero());
  EXPECT_EQ(live.speed, std::optional<double>(12.5));

  EXPECT_EQ(parse("live: {speed: max}\n").speed, std::nullopt);
  EXPECT_EQ(parse("live: {speed: 1000}\n").speed, std::optional<double>(1000.0));
  EXPECT_EQ(parse("live: {speed: 0.01}\n").speed, std::optional<double>(0.01));
  // Credentials from a file instead of the environment; a user name without a password.
  EXPECT_EQ(parse("live: {broker: {credentials_file: /run/secrets/mqtt}}\n").broker.credentials_file,
            "/run/secrets/mqtt");
  const LiveSpec user_only = parse("live: {broker: {username_env: MQTT_USER}}\n");
  EXPECT_EQ(user_only.broker.username_env, "MQTT_USER");
  EXPECT_EQ(user_only.broker.password_env, "");
}

TEST(LiveLoader, InvalidValuesNameWhereWhatAndTheAllowedValues) {
  struct Case {
    std::string line;
    std::string message;  // the whole InputError text
  };
  const std::string url_allowed = "expected mqtt://host[:port] or mqtts://host[:port]";
  const std::string topic_allowed =
      "allowed: a topic of at most 1024 bytes without + # or NUL, not starting with $, with the placeholders "
      "{run} {site} {patient} {device} {signal}";
  const std::string run_topic_allowed =
      "allowed: a topic of at most 1024 bytes without + # or NUL, not starting with $, with the placeholders {run}";
  const std::string speed_allowed = "is not a speed; allowed: a number > 0 and at most 1000 (1 = real time), or max";
  const std::vector<Case> cases{
      {"broker: {url: http://h}", "l.yaml:2:17: live.broker.url: 'http://h' is not a broker URL; " + url_allowed},
      {"broker: {url: \"mqtt://h:99999\"}",
       "l.yaml:2:17: live.broker.url: 'mqtt://h:99999' is not a broker URL; port must be 1-65535; " + url_allowed},
      {"broker: {url: mqtt://h, ca_file: ca.pem}",
       "l.yaml:2:36: live.broker.ca_file: 'ca.pem' is a TLS setting but the broker url 'mqtt://h' is not TLS; "
       "allowed only with mqtts://host[:port]"},
      {"broker: {cert_file: c.pem, key_file: k.pem}",
       "l.yaml:2:23: live.broker.cert_file: 'c.pem' is a TLS setting but the broker url 'mqtt://127.0.0.1:1883' is "
       "not TLS; allowed only with mqtts://host[:port]"},
      {"broker: {url: mqtts://h, cert_file: c.pem}",
       "l.yaml:2:39: live.broker.cert_file: 'c.pem' needs its partner: a client certificate takes both cert_file "
       "and key_file"},
      {"broker: {url: mqtts://h, key_file: k.pem}",
       "l.yaml:2:38: live.broker.key_file: 'k.pem' needs its partner: a client certificate takes both cert_file "
       "and key_file"},
      {"broker: {reconnect_min: 10s, reconnect_max: 5s}",
       "l.yaml:2:47: live.broker.reconnect_max: '5s' makes reconnect_min 10s longer than reconnect_max 5s; allowed: "
       "reconnect_min <= reconnect_max"},
      {"broker: {reconnect_min: 9s}",
       "l.yaml:2:27: live.broker.reconnect_min: '9s' makes reconnect_min 9s longer than reconnect_max 8s; allowed: "
       "reconnect_min <= reconnect_max"},
      {"broker: {reconnect_max: 2h}", "l.yaml:2:27: live.broker.reconnect_max: '2h' is too long; expected at most 1h"},
      {"broker: {connect_timeout: 0s}",
       "l.yaml:2:29: live.broker.connect_timeout: '0s' is too short; expected at least 1ms"},
      {"broker: {keep_alive: 4s}",
       "l.yaml:2:24: live.broker.keep_alive: '4s' is not a keep-alive; allowed: whole seconds from 5s to 65535s "
       "(MQTT sends it in seconds)"},
      {"broker: {keep_alive: 1500ms}",
       "l.yaml:2:24: live.broker.keep_alive: '1500ms' is not a keep-alive; allowed: whole seconds from 5s to 65535s "
       "(MQTT sends it in seconds)"},
      {"broker: {keep_alive: 65536s}",
       "l.yaml:2:24: live.broker.keep_alive: '65536s' is not a keep-alive; allowed: whole seconds from 5s to 65535s "
       "(MQTT sends it in seconds)"},
      {"broker: {username_env: 1USER}",
       "l.yaml:2:26: live.broker.username_env: '1USER' is not an environment variable name; allowed: 1-128 letters, "
       "digits or '_', not starting with a digit"},
      {"broker: {password_env: PW}",
       "l.yaml:2:26: live.broker.password_env: 'PW' needs username_env: MQTT sends a password only with a user name"},
      {"broker: {username_env: U, credentials_file: c.txt}",
       "l.yaml:2:47: live.broker.credentials_file: 'c.txt' is given with username_env/password_env; allowed: one "
       "source of credentials, the file or the environment variables"},
      {"broker: {client_id_prefix: \"a b\"}",
       "l.yaml:2:30: live.broker.client_id_prefix: 'a b' is not a client id prefix; allowed: 1-32 letters, digits, "
       "'_' or '-'"},
      {"broker: {urll: x}",
       "l.yaml:2:12: live.broker.urll: 'urll' is not a known key (did you mean 'url'?); allowed: url, ca_file, "
       "cert_file, key_file, username_env, password_env, credentials_file, client_id_prefix, keep_alive, "
       "reconnect_min, reconnect_max, connect_timeout, retry_budget"},
      {"qos: 2", "l.yaml:2:8: live.qos: '2' is out of range; expected a whole number in [0, 1]"},
      {"topic: a/+/b", "l.yaml:2:10: live.topic: 'a/+/b' has '+', an MQTT wildcard or forbidden character; " + topic_allowed},
      {"topic: \"a/#\"", "l.yaml:2:10: live.topic: 'a/#' has '#', an MQTT wildcard or forbidden character; " + topic_allowed},
      {"topic: $SYS/x", "l.yaml:2:10: live.topic: '$SYS/x' starts with $, reserved for the broker's own topics; " + topic_allowed},
      {"topic: t/{room}", "l.yaml:2:10: live.topic: 't/{room}' has the placeholder '{room}', which is not one of this "
                          "topic's; " + topic_allowed},
      {"topic: t/{run", "l.yaml:2:10: live.topic: 't/{run' has the placeholder '{run', which is not one of this "
                        "topic's; " + topic_allowed},
      {"topic: t/}", "l.yaml:2:10: live.topic: 't/}' has a '}' without its '{'; " + topic_allowed},
      {"topic: \"\"", "l.yaml:2:10: live.topic: is empty or too long; " + topic_allowed},
      {"alarm_topic: a/{patient}", "l.yaml:2:16: live.alarm_topic: 'a/{patient}' has the placeholder '{patient}', "
                                   "which is not one of this topic's; " + run_topic_allowed},
      {"session_topic: s/+", "l.yaml:2:18: live.session_topic: 's/+' has '+', an MQTT wildcard or forbidden "
                             "character; " + run_topic_allowed},
      {"payload: xml", "l.yaml:2:12: live.payload: 'xml' is not a payload format; allowed: json, fhir"},
      {"batch_uploads: yes", "l.yaml:2:18: live.batch_uploads: 'yes' is not a boolean; expected true or false"},
      {"connections: 0", "l.yaml:2:16: live.connections: '0' is out of range; expected a whole number in [1, 64]"},
      {"connections: 65", "l.yaml:2:16: live.connections: '65' is out of range; expected a whole number in [1, 64]"},
      {"buffer: 10000001", "l.yaml:2:11: live.buffer: '10000001' is out of range; expected a whole number in [0, 10000000]"},
      {"overflow: drop_all", "l.yaml:2:13: live.overflow: 'drop_all' is not an overflow policy; allowed: drop_oldest, "
                             "drop_newest"},
      {"overflow: drop_olderst", "l.yaml:2:13: live.overflow: 'drop_olderst' is not an overflow policy (did you mean "
                                 "'drop_oldest'?); allowed: drop_oldest, drop_newest"},
      {"max_pending: 0", "l.yaml:2:16: live.max_pending: '0' is out of range; expected a whole number in [1, 10000000]"},
      {"max_alarm_bytes: 63",
       "l.yaml:2:20: live.max_alarm_bytes: '63' is out of range; expected a whole number in [64, 1048576]"},
      {"max_alarm_bytes: 1048577",
       "l.yaml:2:20: live.max_alarm_bytes: '1048577' is out of range; expected a whole number in [64, 1048576]"},
      {"trust_sut_clock: 1", "l.yaml:2:20: live.trust_sut_clock: '1' is not a boolean; expected true or false"},
      {"alarm_grace: 2h", "l.yaml:2:16: live.alarm_grace: '2h' is too long; expected at most 1h"},
      {"drain_timeout: 5", "l.yaml:2:18: live.drain_timeout: '5' "},  // the unit message is Units.cpp's
      {"speed: 0", "l.yaml:2:10: live.speed: '0' " + speed_allowed},
      {"speed: -1", "l.yaml:2:10: live.speed: '-1' " + speed_allowed},
      {"speed: 1001", "l.yaml:2:10: live.speed: '1001' " + speed_allowed},
      {"speed: fast", "l.yaml:2:10: live.speed: 'fast' " + speed_allowed},
      {"speed: .inf", "l.yaml:2:10: live.speed: '.inf' " + speed_allowed},
      {"sped: 2", "l.yaml:2:3: live.sped: 'sped' is not a known key (did you mean 'speed'?); allowed: broker, qos, "
                  "topic, payload, batch_uploads, connections, buffer, overflow, max_pending, alarm_topic, "
                  "max_alarm_bytes, trust_sut_clock, session_topic, alarm_grace, drain_timeout, speed"},
  };
  for (const Case& c : cases) {
    const std::string error = live_error(c.line);
    if (c.message.back() == ' ') {
      EXPECT_EQ(error.substr(0, c.message.size()), c.message) << c.line;
    } else {
      EXPECT_EQ(error, c.message) << c.line;
    }
  }
  EXPECT_EQ(error_of([] { parse("live:\n"); }).substr(0, 26), "l.yaml:1:1: live: is empty");
  EXPECT_EQ(error_of([] { parse("live: [1]\n"); }).substr(0, 60),
            "l.yaml:1:7: live: '<list>' is a list; expected a mapping wit");
}

TEST(LiveLoader, Start) {
  EXPECT_EQ(start_of("2026-01-01T00:00:00Z"), 1767225600000);
  EXPECT_EQ(start_of("\"2030-06-15T08:30:00.250Z\""), 1907742600250);
  EXPECT_EQ(start_of("2030-06-15T08:30:00.25+00:00"), 1907742600250);
  EXPECT_EQ(start_of("1970-01-01T00:00:00.001Z"), 1);
  EXPECT_EQ(start_of("2199-12-31T23:59:59.999Z"), 7258118399999);
  const std::string allowed =
      "is not a start time; allowed: ISO 8601 UTC YYYY-MM-DDThh:mm:ss[.fff]Z (or +00:00), whole milliseconds, "
      "years 1970-2199, e.g. 2026-01-01T00:00:00Z";
  for (const char* bad : {"2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00:00.0005Z", "2026-02-29T00:00:00Z",
                          "1969-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "now"}) {
    EXPECT_EQ(error_of([&] { start_of(bad); }), "s.yaml:1:8: start: '" + std::string(bad) + "' " + allowed);
  }
}

TEST(LiveLoader, ScenarioKeysAndOverrides) {
  const Scenario plain = parse_scenario(SCENARIO, "x.yaml");
  EXPECT_FALSE(plain.live.has_value());
  EXPECT_EQ(plain.start_unix_ms, 1767225600000);

  const Scenario with_live =
      parse_scenario(std::string(SCENARIO) + "start: 2030-06-15T08:30:00.250Z\nlive:\n  speed: 5\n  qos: 1\n", "x.yaml");
  ASSERT_TRUE(with_live.live.has_value());
  EXPECT_EQ(with_live.live->speed, std::optional<double>(5.0));
  EXPECT_EQ(with_live.live->qos, 1);
  EXPECT_EQ(with_live.start_unix_ms, 1907742600250);

  LoadOptions options;
  options.overrides = {"live.speed=10", "live.broker.url=mqtts://b.example:8884", "start=2027-01-01T00:00:00Z"};
  const Scenario overridden = parse_scenario(std::string(SCENARIO) + "live:\n  speed: 5\n  qos: 1\n", "x.yaml", options);
  EXPECT_EQ(overridden.live->speed, std::optional<double>(10.0));
  EXPECT_EQ(overridden.live->qos, 1);
  EXPECT_EQ(overridden.live->broker.url, "mqtts://b.example:8884");
  EXPECT_EQ(overridden.start_unix_ms, 1798761600000);

  // A --set creates the live: block of a scenario that has none.
  options.overrides = {"live.speed=max"};
  const Scenario created = parse_scenario(SCENARIO, "x.yaml", options);
  ASSERT_TRUE(created.live.has_value());
  EXPECT_EQ(created.live->speed, std::nullopt);
  EXPECT_EQ(created.live->broker.url, "mqtt://127.0.0.1:1883");

  options.overrides = {"live.qos=2"};
  EXPECT_EQ(error_of([&] { parse_scenario(SCENARIO, "x.yaml", options); }),
            "--set live.qos=2: live.qos: '2' is out of range; expected a whole number in [0, 1]");
  EXPECT_EQ(error_of([] { parse_scenario(std::string(SCENARIO) + "live:\n  speed: 0\n", "x.yaml"); }),
            "x.yaml:7:10: live.speed: '0' is not a speed; allowed: a number > 0 and at most 1000 (1 = real time), or max");
}
