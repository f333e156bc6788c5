#pragma once
// harness::Mqtt: twinbed's MQTT client on libmosquitto (Debian's libmosquitto-dev). One MqttClient
// is one broker connection with its own network thread: TLS, credentials, keep-alive, reconnect
// with exponential backoff, a buffer while the broker is away, subscriptions renewed after each
// reconnect, and an account of every message (spec harness.md "Telemetry out"). MqttPool spreads
// telemetry over several connections when one is not enough for the rate.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/LiveSpec.hpp"

namespace twinbed::harness {

struct BrokerAddress {
  bool tls = false;
  std::string host;
  int port = 1883;
};
// "mqtt://host[:port]" (default port 1883) or "mqtts://host[:port]" (8883). Throws
// std::invalid_argument with a message that says what is allowed.
BrokerAddress parse_broker_url(std::string_view url);

struct Credentials {
  std::string username;
  std::string password;
};
// The broker credentials of `broker` (environment variables or file), nullopt when none are
// configured. Throws RunError naming the variable or file that is missing, never the values.
std::optional<Credentials> load_credentials(const BrokerSpec& broker);

// Messages and the readings they carry.
struct Tally {
  std::uint64_t messages = 0;
  std::uint64_t readings = 0;
  Tally& operator+=(const Tally& other) {
    messages += other.messages;
    readings += other.readings;
    return *this;
  }
};

// Where every message handed to publish() is. At any time
//   offered = acknowledged + pending + buffered + dropped_buffer_full + dropped_error + unsent_at_end
struct PublishAccount {
  Tally offered;              // handed to publish()
  Tally acknowledged;         // QoS 1: PUBACK received; QoS 0: written to the socket
  Tally pending;              // in the library: not yet written (QoS 0) or acknowledged (QoS 1)
  Tally buffered;             // held while the broker is away
  Tally dropped_buffer_full;  // the broker was away and the buffer full (BufferOverflow policy)
  Tally dropped_error;        // the library refused it (e.g. payload larger than the broker allows)
  Tally unsent_at_end;        // still pending or buffered when close() gave up waiting
  std::uint64_t buffered_peak = 0;  // most messages buffered at once
  std::uint64_t resent = 0;         // QoS 1 messages the library sent again after a reconnect
  PublishAccount& operator+=(const PublishAccount& other);
};

struct ConnectionStats {
  std::uint64_t connects = 0;          // successful CONNACKs, the first included
  std::uint64_t disconnects = 0;       // connections lost unexpectedly
  std::uint64_t reconnect_attempts = 0;
  std::uint64_t broker_errors = 0;     // refused CONNACKs, socket and protocol errors
  // When the broker was away: [lost, back) in wall seconds since the client was created; `back`
  // is unset while still away. The same outage seen by several connections is listed once each.
  struct Outage {
    double lost_s = 0.0;
    std::optional<double> back_s;
  };
  std::vector<Outage> outages;
  std::vector<std::string> errors;     // the first distinct error lines (at most 10)
  ConnectionStats& operator+=(const ConnectionStats& other);
};

struct ClientOptions {
  BrokerSpec broker;
  std::string client_id;
  int qos = 0;
  std::uint64_t buffer = 100000;
  BufferOverflow overflow = BufferOverflow::drop_oldest;
  // Messages handed to libmosquitto and not yet written (QoS 0) or acknowledged (QoS 1); publish()
  // waits above it. At QoS 1 at most 256 are used: libmosquitto walks its whole out list on every
  // PUBACK, so longer windows get slower, not faster (see harness/MqttState.hpp).
  std::uint32_t max_pending = 20000;
  // While connected, the network thread pauses this long after each turn of its loop, so what is
  // published meanwhile is written in one burst. 0: it writes each message at once, woken by the
  // library for every mosquitto_publish; at 100,000+ messages/s those wake-ups cost about a third
  // of the client's CPU (docs/performance.md "Live publishing"). For throughput, not latency.
  // QoS 0 only: at QoS 1 each turn brings the acknowledgements that release the next messages
  // (the window, the buffer's flush after a reconnect), and pausing them throttles the client
  // (measured: a flush after an outage fell to about 1,800 messages/s).
  std::chrono::microseconds coalesce{0};
};

// Called on the client's network thread for each message on a subscribed topic, with the wall
// time it arrived. Should not throw (an exception is caught and listed in stats().errors).
using MessageHandler =
    std::function<void(std::string_view topic, std::string_view payload, std::chrono::steady_clock::time_point received)>;

class MqttClient {
public:
  // Does not connect yet. Throws std::invalid_argument for a bad URL, RunError for missing
  // credentials or unreadable TLS files.
  explicit MqttClient(ClientOptions options);
  ~MqttClient();  // disconnects and stops the network thread
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Topic filters to subscribe to (QoS 1), before connect(); renewed after every reconnect.
  void subscribe(std::vector<std::string> filters, MessageHandler handler);
  // Connects and starts the network thread; returns once the broker accepted the connection and
  // acknowledged the subscriptions. Throws RunError with one line naming the broker when it
  // refuses, does not answer within broker.connect_timeout, or the TLS handshake fails (e.g.
  // "certificate verify failed"). After that first connection, losses are retried forever with
  // backoff; the caller decides from away_s() when the broker has been away too long.
  void connect();
  // Publishes at the options' QoS. While the broker is away the message is buffered (or dropped,
  // see ClientOptions); while max_pending messages are pending it waits (back-pressure).
  // Thread-safe. Never throws for broker trouble: it is counted. Called from a MessageHandler (the
  // network thread) it never waits, since only that thread can take acknowledgements.
  void publish(const std::string& topic, const std::string& payload, std::uint32_t readings = 1);
  // A retained QoS 1 message that bypasses the account (session announcements); buffered like
  // the rest while the broker is away.
  void publish_retained(const std::string& topic, const std::string& payload);
  // Waits until nothing is pending or buffered (or `timeout`), moves what is left to
  // unsent_at_end, disconnects cleanly and stops the network thread.
  void close(std::chrono::milliseconds timeout);

  bool connected() const;
  // Wall seconds the broker has been away now (0 when connected).
  double away_s() const;
  PublishAccount account() const;
  ConnectionStats stats() const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

// Several publishing connections; a key (the device index) always maps to the same one, so each
// device's messages stay in order.
class MqttPool {
public:
  // Client ids "<prefix>-<n>", n = 1..connections.
  MqttPool(const ClientOptions& options, std::uint32_t connections);
  void connect();  // all of them; throws RunError like MqttClient::connect
  void publish(std::uint32_t key, const std::string& topic, const std::string& payload, std::uint32_t readings);
  void publish_retained(const std::string& topic, const std::string& payload);  // on the first
  void close(std::chrono::milliseconds timeout);  // all, with one overall deadline
  bool connected() const;                         // all connected
  double away_s() const;                          // the longest
  PublishAccount account() const;                 // summed
  ConnectionStats stats() const;                  // summed
  std::uint32_t size() const { return static_cast<std::uint32_t>(clients_.size()); }

private:
  std::vector<std::unique_ptr<MqttClient>> clients_;
};

}  // namespace twinbed::harness
