#pragma once
// harness::LiveSpec: the scenario's `live:` block, how a live run talks to an external system
// under test over MQTT (spec harness.md "Telemetry out" and "Alarms back from the SUT").
// docs/scenario-reference.md lists every key; docs/live-harness.md explains the contract.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/Time.hpp"

namespace twinbed::harness {

enum class PayloadFormat : std::uint8_t { json = 0, fhir = 1 };
std::string_view payload_format_name(PayloadFormat format);

// What happens to a new message when the buffer that holds messages while the broker is away is
// full: drop the oldest buffered one (keep the freshest data) or drop the new one.
enum class BufferOverflow : std::uint8_t { drop_oldest = 0, drop_newest = 1 };

struct BrokerSpec {
  std::string url = "mqtt://127.0.0.1:1883";  // mqtt://host[:port] (1883) or mqtts://host[:port] (8883)
  // TLS (mqtts://): the CA that signed the broker's certificate, and optionally a client
  // certificate and key (PEM). Paths as written in the scenario, relative to the working folder.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // Credentials, never printed: the names of environment variables that hold them, or a file
  // whose first line is the username and second line the password. Empty: no credentials.
  std::string username_env;
  std::string password_env;
  std::string credentials_file;
  std::string client_id_prefix = "twinbed";  // client ids are "<prefix>-<run>-<n>"
  sim::Time keep_alive = sim::Time::from_s(30);
  // Reconnect with exponential backoff: first wait reconnect_min, doubling up to reconnect_max.
  sim::Time reconnect_min = sim::Time::from_ms(250);
  sim::Time reconnect_max = sim::Time::from_s(8);
  // Wall time the first connection may take; longer (or refused, or a TLS failure) fails the run.
  sim::Time connect_timeout = sim::Time::from_s(10);
  // Wall time the broker may stay away during a run before the run fails (exit 3).
  sim::Time retry_budget = sim::Time::from_s(120);
};

struct LiveSpec {
  BrokerSpec broker;
  int qos = 0;                       // 0 or 1
  // Telemetry topic; placeholders {run} {site} {patient} {device} {signal}. {site} is the
  // patient's cohort prefix; {signal} is "batch" for a batched upload.
  std::string topic = "twinbed/{run}/{site}/{patient}/{device}/{signal}";
  PayloadFormat payload = PayloadFormat::json;
  // A packet whose readings span several sample times is a store-and-forward upload: published as
  // one batch message when true, else as one message per reading.
  bool batch_uploads = true;
  std::uint32_t connections = 1;     // publishing connections; a device always uses the same one
  std::uint64_t buffer = 100000;     // messages held while the broker is away (0: drop them)
  BufferOverflow overflow = BufferOverflow::drop_oldest;
  // Messages handed to the MQTT library but not yet written (QoS 0) or acknowledged (QoS 1) per
  // connection; above it the publisher waits. This is the back-pressure of --speed max.
  std::uint32_t max_pending = 20000;
  // Alarms back from the SUT: topic ({run} placeholder), largest accepted message.
  std::string alarm_topic = "twinbed/{run}/alarms";
  std::uint32_t max_alarm_bytes = 4096;
  // Score on the SUT's own `t` instead of the receive time (the harness always records both).
  bool trust_sut_clock = false;
  // Session announcements (retained): "{run}" placeholder. The harness publishes the run's
  // registry (patients, devices), its start and its end here; `twinbed monitor` listens to it.
  std::string session_topic = "twinbed/{run}/session";
  // Wall time to keep listening for alarms after the last telemetry message was published.
  sim::Time alarm_grace = sim::Time::from_s(3);
  // Wall time to wait at the end for buffered and unacknowledged messages to go out.
  sim::Time drain_timeout = sim::Time::from_s(15);
  // Pace when the command line gives no --speed: 1 = real time; nullopt = as fast as possible.
  std::optional<double> speed = 1.0;
};

}  // namespace twinbed::harness
