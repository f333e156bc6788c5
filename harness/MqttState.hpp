#pragma once
// MqttClient::State: the private half of harness/Mqtt.hpp's MqttClient, shared by MqttClient.cpp
// (connection, network thread, callbacks) and MqttPublish.cpp (publishing and the account).
// Not installed for consumers; include only from those two files.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "harness/Mqtt.hpp"

struct mosquitto;
struct mosquitto_message;

namespace twinbed::harness {

struct MqttClient::State {
  // MQTT packet identifiers are 16-bit and libmosquitto hands them out in turn; a pending window
  // well below 65535 keeps every pending message's mid unique.
  static constexpr std::uint32_t kMaxPending = 60000;
  // libmosquitto walks its whole QoS 1 out list on every PUBACK (messages_mosq.c
  // message__release_to_inflight), so a long list costs O(n) per message: measured on loopback
  // (bench/mqtt_bare --qos 1) 72k msg/s with 100 in flight, 70k with 500, 41k with 2000 and about
  // 2k with 20000. Beyond a few hundred the window no longer helps throughput anyway.
  static constexpr std::uint32_t kMaxPendingQos1 = 256;
  // mosquitto_loop's select timeout: how often the network thread looks at `stop` and timeouts.
  static constexpr int kLoopTimeoutMs = 100;

  // One message handed to the library, by mid.
  enum class SlotState : std::uint8_t { free = 0, pending = 1, acked_early = 2 };
  struct Slot {
    std::uint64_t seq = 0;        // publication order, to put lost QoS 0 messages back in order
    std::uint32_t readings = 0;
    SlotState state = SlotState::free;
    bool retained = false;        // publish_retained: outside the account
  };
  // A copy of a pending QoS 0 message (the library drops unwritten ones when the connection drops).
  struct Copy {
    std::string topic;
    std::string payload;
  };
  struct Held {
    std::string topic;
    std::string payload;
    std::uint32_t readings = 0;
    std::uint64_t seq = 0;
  };

  explicit State(ClientOptions options);
  ~State();

  // Connection (MqttClient.cpp).
  void connect();
  void close(std::chrono::milliseconds timeout);
  void stop_network();
  void run_network();
  int handshake_error(int loop_errno) const;  // network thread: a dead socket under a TLS handshake
  void begin_attempt();
  std::string describe_failure(int rc, int saved_errno);
  void record_error(const std::string& line, bool broker_error);
  void note_error(const std::string& line);      // mutex held: a broker error and its line
  void add_error_line(const std::string& line);  // mutex held: the first 10 distinct lines
  void connection_lost();
  bool drained() const;                        // mutex held
  double now_s() const;

  // Publishing (MqttPublish.cpp).
  void publish(const std::string& topic, const std::string& payload, std::uint32_t readings);
  void publish_retained(const std::string& topic, const std::string& payload);
  void submit(const std::string& topic, const std::string& payload, std::uint32_t readings, bool retained);
  void pump();
  void hold(Held&& message);       // mutex held: into the buffer, by the overflow policy
  void rebuffer_unwritten();       // mutex held: pending QoS 0 copies back to the buffer's front
  void give_up_unsent();           // mutex held: pending and buffered -> unsent_at_end
  void acknowledge(int mid);

  // libmosquitto callbacks.
  static void on_connect(mosquitto*, void* self, int rc);
  static void on_disconnect(mosquitto*, void* self, int rc);
  static void on_publish(mosquitto*, void* self, int mid);
  static void on_message(mosquitto*, void* self, const mosquitto_message* message);
  static void on_log(mosquitto*, void* self, int level, const char* line);
  static void on_subscribe(mosquitto*, void* self, int mid, int count, const int* granted_qos);
  void connected_cb(int rc);
  void disconnected_cb(int rc);
  void published_cb(int mid);
  void message_cb(const mosquitto_message* message);
  void log_cb(const char* line);
  void subscribed_cb(int count, const int* granted_qos);

  ClientOptions options;
  BrokerAddress address;
  std::chrono::steady_clock::time_point created;
  std::uint32_t max_pending = 0;
  std::uint32_t low_water = 0;  // publishers blocked at max_pending resume below this
  int keep_alive = 0;
  mosquitto* mosq = nullptr;
  std::vector<std::string> filters;
  MessageHandler handler;
  std::thread network;
  std::thread::id network_id;
  std::atomic<bool> stop{false};
  std::atomic<int> last_errno{0};
  int attempt_errno = 0;  // errno after mosquitto_(re)connect_async; network thread after connect()

  // Lock order: send_mutex before mutex. Neither is held while waiting for the library's mutexes
  // that its network thread holds when calling back (it holds only its callback mutex then).
  std::mutex send_mutex;  // held across mosquitto_publish and registering the mid
  mutable std::mutex mutex;
  std::condition_variable changed;

  // Guarded by `mutex`.
  std::atomic<bool> connected{false};
  bool ever_connected = false;
  bool lost_while_connected = false;
  bool closing = false;
  bool closed = false;
  std::chrono::steady_clock::time_point attempt_started;
  std::vector<std::string> attempt_errors;  // OpenSSL/libmosquitto error lines of this attempt
  std::string refusal;                      // CONNACK refusal of this attempt
  std::string first_failure;                // why the first connection failed
  std::size_t subacks = 0;                  // SUBACKs on this connection
  bool ever_subscribed = false;
  PublishAccount account;
  ConnectionStats stats;
  std::deque<Held> buffer;
  std::deque<Held> retained_buffer;
  std::vector<Slot> slots;
  std::vector<Copy> copies;  // QoS 0 only, by mid
  std::uint64_t next_seq = 0;
  std::uint64_t retained_pending = 0;
  std::uint32_t pumping = 0;  // taken from the buffer, not yet handed to the library
  int waiters = 0;            // threads waiting on `changed` for pending to fall
};

}  // namespace twinbed::harness
