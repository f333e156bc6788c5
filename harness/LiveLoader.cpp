// Scenario keys `live:` and `start:` (docs/scenario-reference.md "live", "start"). Keep the two in
// step.
#include "harness/LiveLoader.hpp"

#include <algorithm>
#include <stdexcept>

#include "harness/Mqtt.hpp"
#include "harness/Payload.hpp"
#include "harness/Units.hpp"

namespace twinbed::harness {
namespace {

// MQTT 3.1.1 §1.5.3: a topic is at most 65535 bytes of UTF-8. A template of at most 1024 bytes
// stays far inside that once its placeholders (ids of at most 64 characters) are filled in.
constexpr std::size_t MAX_TOPIC_BYTES = 1024;
// Client ids are "<prefix>-<run>-<n>". MQTT 3.1.1 §3.1.3.1 guarantees only 1-23 characters of
// 0-9 a-z A-Z; mosquitto takes longer ids, but a short plain prefix keeps any broker happy.
constexpr std::size_t MAX_CLIENT_ID_PREFIX = 32;
// MQTT 3.1.1 §3.1.2.10: keep-alive is a 16-bit count of seconds; libmosquitto's mosquitto_connect
// refuses less than 5 s (mosquitto.h, MOSQ_ERR_INVAL).
constexpr std::int64_t MIN_KEEP_ALIVE_S = 5;
constexpr std::int64_t MAX_KEEP_ALIVE_S = 65535;
// Waits of the client: none may be 0 (a busy loop), none need exceed an hour.
constexpr sim::Time MIN_WAIT = sim::Time::from_ms(1);
constexpr sim::Time MAX_WAIT = sim::Time::from_h(1);
// Timestamps from 1970 to 2199: SUT times in that span stay within sim::Time's +-292 years of any
// start in it (harness/SutAlarms.cpp accepts the same years).
constexpr unsigned MIN_YEAR = 1970;
constexpr unsigned MAX_YEAR = 2199;
// --speed: 1000 x real time paces a day in under 90 s; beyond that only `max` makes sense.
constexpr double MAX_SPEED = 1000.0;

const std::vector<std::string> BROKER_KEYS{"url",          "ca_file",          "cert_file",       "key_file",
                                           "username_env", "password_env",     "credentials_file", "client_id_prefix",
                                           "keep_alive",   "reconnect_min",    "reconnect_max",    "connect_timeout",
                                           "retry_budget"};
const std::vector<std::string> LIVE_KEYS{"broker",          "qos",          "topic",       "payload",
                                         "batch_uploads",   "connections",  "buffer",      "overflow",
                                         "max_pending",     "alarm_topic",  "max_alarm_bytes", "trust_sut_clock",
                                         "session_topic",   "alarm_grace",  "drain_timeout",   "speed"};
const std::vector<std::string> TELEMETRY_PLACEHOLDERS{"run", "site", "patient", "device", "signal"};
const std::vector<std::string> RUN_PLACEHOLDER{"run"};

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

// An MQTT topic to publish on (or subscribe to without wildcards), with {name} placeholders.
std::string read_topic(const YamlField& field, const std::vector<std::string>& placeholders) {
  const std::string topic = field.as_string();
  std::string allowed = "allowed: a topic of at most 1024 bytes without + # or NUL, not starting with $, "
                        "with the placeholders {";
  allowed += join(placeholders, "} {");
  allowed += '}';
  if (topic.empty() || topic.size() > MAX_TOPIC_BYTES) field.fail(topic, "is empty or too long; " + allowed);
  // MQTT 3.1.1 §4.7.1: + and # are wildcards, valid only in subscriptions to many topics;
  // §4.7.3: no U+0000; §4.7.2: $-topics belong to the broker ($SYS).
  const std::size_t wildcard = topic.find_first_of(std::string_view("+#\0", 3));
  if (wildcard != std::string::npos) {
    std::string problem = "has '";
    problem += topic[wildcard] == '\0' ? std::string("NUL") : std::string(1, topic[wildcard]);
    problem += "', an MQTT wildcard or forbidden character; ";
    field.fail(topic, problem + allowed);
  }
  if (topic.front() == '$') field.fail(topic, "starts with $, reserved for the broker's own topics; " + allowed);
  for (std::size_t i = 0; i < topic.size(); ++i) {
    if (topic[i] == '}') field.fail(topic, "has a '}' without its '{'; " + allowed);
    if (topic[i] != '{') continue;
    const std::size_t close = topic.find('}', i);
    const std::string name = close == std::string::npos ? "" : topic.substr(i + 1, close - i - 1);
    if (std::find(placeholders.begin(), placeholders.end(), name) == placeholders.end()) {
      std::string problem = "has the placeholder '";
      problem += close == std::string::npos ? topic.substr(i) : topic.substr(i, close - i + 1);
      problem += "', which is not one of this topic's; ";
      field.fail(topic, problem + allowed);
    }
    i = close;
  }
  return topic;
}

// A duration of at least `min` and at most MAX_WAIT.
sim::Time read_wait(const YamlField& field, sim::Time min) {
  const sim::Time value = field.as_duration(min);
  if (value > MAX_WAIT) field.fail("is too long; expected at most " + sim::to_string(MAX_WAIT));
  return value;
}

// POSIX.1-2017 §8.1: environment variable names are letters, digits and '_', not starting with a
// digit.
std::string read_env_name(const YamlField& field) {
  const std::string name = field.as_string();
  const bool valid = !name.empty() && name.size() <= 128 && !(name[0] >= '0' && name[0] <= '9') &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                     });
  if (!valid) field.fail(name, "is not an environment variable name; allowed: 1-128 letters, digits or '_', not starting with a digit");
  return name;
}

std::string read_path(const YamlField& field) {
  const std::string path = field.as_string();
  if (path.empty() || path.find('\0') != std::string::npos) field.fail(path, "is not a file path; allowed: a non-empty path");
  return path;
}

BrokerSpec read_broker(const YamlField& field) {
  const YamlMap map = field.as_map(BROKER_KEYS);
  BrokerSpec broker;
  bool tls = false;
  if (map.has("url")) {
    const YamlField url = map.get("url");
    broker.url = url.as_string();
    try {
      tls = parse_broker_url(broker.url).tls;
    } catch (const std::invalid_argument& e) {
      url.fail(broker.url, std::string("is not a broker URL; ") + e.what());
    }
  }
  for (const char* key : {"ca_file", "cert_file", "key_file"}) {
    if (!map.has(key)) continue;
    const YamlField file = map.get(key);
    std::string& target = std::string_view(key) == "ca_file"     ? broker.ca_file
                          : std::string_view(key) == "cert_file" ? broker.cert_file
                                                                 : broker.key_file;
    target = read_path(file);
    if (!tls) {
      std::string problem = "is a TLS setting but the broker url '";
      problem += broker.url;
      problem += "' is not TLS; allowed only with mqtts://host[:port]";
      file.fail(target, problem);
    }
  }
  if (map.has("cert_file") != map.has("key_file")) {
    const YamlField given = map.has("cert_file") ? map.get("cert_file") : map.get("key_file");
    given.fail(given.shown_value(), "needs its partner: a client certificate takes both cert_file and key_file");
  }
  if (map.has("username_env")) broker.username_env = read_env_name(map.get("username_env"));
  if (map.has("password_env")) {
    broker.password_env = read_env_name(map.get("password_env"));
    if (!map.has("username_env")) map.get("password_env").fail("needs username_env: MQTT sends a password only with a user name");
  }
  if (map.has("credentials_file")) {
    broker.credentials_file = read_path(map.get("credentials_file"));
    if (map.has("username_env") || map.has("password_env")) {
      map.get("credentials_file").fail("is given with username_env/password_env; allowed: one source of credentials, the file or the environment variables");
    }
  }
  if (map.has("client_id_prefix")) {
    const YamlField prefix_field = map.get("client_id_prefix");
    broker.client_id_prefix = prefix_field.as_string();
    const std::string& prefix = broker.client_id_prefix;
    const bool valid = !prefix.empty() && prefix.size() <= MAX_CLIENT_ID_PREFIX &&
                       std::all_of(prefix.begin(), prefix.end(), [](char c) {
                         return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
                       });
    if (!valid) prefix_field.fail(prefix, "is not a client id prefix; allowed: 1-32 letters, digits, '_' or '-'");
  }
  if (map.has("keep_alive")) {
    const YamlField keep_alive = map.get("keep_alive");
    broker.keep_alive = keep_alive.as_duration(sim::Time::zero());
    const std::int64_t ns = broker.keep_alive.ns();
    if (ns % 1'000'000'000 != 0 || ns / 1'000'000'000 < MIN_KEEP_ALIVE_S || ns / 1'000'000'000 > MAX_KEEP_ALIVE_S) {
      keep_alive.fail("is not a keep-alive; allowed: whole seconds from 5s to 65535s (MQTT sends it in seconds)");
    }
  }
  if (map.has("reconnect_min")) broker.reconnect_min = read_wait(map.get("reconnect_min"), MIN_WAIT);
  if (map.has("reconnect_max")) broker.reconnect_max = read_wait(map.get("reconnect_max"), MIN_WAIT);
  if (broker.reconnect_min > broker.reconnect_max) {
    const YamlField at = map.has("reconnect_max") ? map.get("reconnect_max") : map.get("reconnect_min");
    std::string problem = "makes reconnect_min ";
    problem += sim::to_string(broker.reconnect_min);
    problem += " longer than reconnect_max ";
    problem += sim::to_string(broker.reconnect_max);
    problem += "; allowed: reconnect_min <= reconnect_max";
    at.fail(problem);
  }
  if (map.has("connect_timeout")) broker.connect_timeout = read_wait(map.get("connect_timeout"), MIN_WAIT);
  if (map.has("retry_budget")) broker.retry_budget = map.get("retry_budget").as_duration(sim::Time::zero());
  return broker;
}

std::optional<double> read_speed(const YamlField& field) {
  const std::string text = field.as_string();
  if (text == "max") return std::nullopt;
  const char* const allowed = "is not a speed; allowed: a number > 0 and at most 1000 (1 = real time), or max";
  double speed = 0.0;
  try {
    speed = parse_number(text);
  } catch (const std::invalid_argument&) {
    field.fail(allowed);
  }
  if (!(speed > 0.0) || speed > MAX_SPEED) field.fail(allowed);
  return speed;
}

}  // namespace

LiveSpec read_live(const YamlField& field) {
  const YamlMap map = field.as_map(LIVE_KEYS);
  LiveSpec live;
  if (map.has("broker")) live.broker = read_broker(map.get("broker"));
  // QoS 2 (exactly once) costs four packets per message and telemetry tolerates duplicates.
  if (map.has("qos")) live.qos = static_cast<int>(map.get("qos").as_integer(0, 1));
  if (map.has("topic")) live.topic = read_topic(map.get("topic"), TELEMETRY_PLACEHOLDERS);
  if (map.has("payload")) {
    live.payload = map.get("payload").as_choice({"json", "fhir"}, "a payload format") == "json" ? PayloadFormat::json
                                                                                                  : PayloadFormat::fhir;
  }
  if (map.has("batch_uploads")) live.batch_uploads = map.get("batch_uploads").as_bool();
  if (map.has("connections")) live.connections = static_cast<std::uint32_t>(map.get("connections").as_integer(1, 64));
  // A buffered JSON reading is a few hundred bytes: 10 million is a few GB, the most a test
  // machine should hold for a broker that is away.
  if (map.has("buffer")) live.buffer = static_cast<std::uint64_t>(map.get("buffer").as_integer(0, 10'000'000));
  if (map.has("overflow")) {
    live.overflow = map.get("overflow").as_choice({"drop_oldest", "drop_newest"}, "an overflow policy") == "drop_oldest"
                        ? BufferOverflow::drop_oldest
                        : BufferOverflow::drop_newest;
  }
  if (map.has("max_pending")) {
    live.max_pending = static_cast<std::uint32_t>(map.get("max_pending").as_integer(1, 10'000'000));
  }
  if (map.has("alarm_topic")) live.alarm_topic = read_topic(map.get("alarm_topic"), RUN_PLACEHOLDER);
  // 64 bytes holds the smallest valid alarm; 1 MiB is far above any alarm and bounds the parser.
  if (map.has("max_alarm_bytes")) {
    live.max_alarm_bytes = static_cast<std::uint32_t>(map.get("max_alarm_bytes").as_integer(64, 1'048'576));
  }
  if (map.has("trust_sut_clock")) live.trust_sut_clock = map.get("trust_sut_clock").as_bool();
  if (map.has("session_topic")) live.session_topic = read_topic(map.get("session_topic"), RUN_PLACEHOLDER);
  if (map.has("alarm_grace")) live.alarm_grace = read_wait(map.get("alarm_grace"), sim::Time::zero());
  if (map.has("drain_timeout")) live.drain_timeout = read_wait(map.get("drain_timeout"), sim::Time::zero());
  if (map.has("speed")) live.speed = read_speed(map.get("speed"));
  return live;
}

std::int64_t read_start(const YamlField& field) {
  const std::string text = field.as_string();
  const char* const allowed =
      "is not a start time; allowed: ISO 8601 UTC YYYY-MM-DDThh:mm:ss[.fff]Z (or +00:00), whole milliseconds, "
      "years 1970-2199, e.g. 2026-01-01T00:00:00Z";
  // The year first: parse_iso_time's nanoseconds would overflow past 2262.
  const bool year_ok = text.size() >= 4 && std::all_of(text.begin(), text.begin() + 4, [](char c) {
    return c >= '0' && c <= '9';
  }) && std::stoul(text.substr(0, 4)) >= MIN_YEAR && std::stoul(text.substr(0, 4)) <= MAX_YEAR;
  const std::optional<sim::Time> t = year_ok ? parse_iso_time(text, 0) : std::nullopt;
  constexpr std::int64_t NS_PER_MS = 1'000'000;
  if (!t || t->ns() % NS_PER_MS != 0) field.fail(allowed);
  return t->ns() / NS_PER_MS;
}

}  // namespace twinbed::harness
