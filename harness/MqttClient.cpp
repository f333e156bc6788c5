// MqttClient (harness/Mqtt.hpp) on libmosquitto 2.0 (Debian 12: 2.0.11).
//
// Behaviours of libmosquitto 2.0 this file relies on (lib/*.c of eclipse/mosquitto v2.0.x, checked
// against the installed 2.0.11 by tests/live/mqtt_test.cpp):
// - mosquitto_publish() at QoS 0 builds the packet and appends it to the library's packet queue;
//   with mosquitto_threaded_set(true) the network thread writes it and calls on_publish once the
//   whole packet is in the socket (packet_mosq.c packet__write). While the socket is closed it
//   returns MOSQ_ERR_NO_CONN and queues nothing (send_publish.c).
// - When the connection drops, unwritten packets stay queued until the next
//   mosquitto_reconnect*(), which frees them without a callback (connect.c mosquitto__reconnect ->
//   packet__cleanup_all). QoS 0 messages that were pending are therefore lost by the library; we
//   keep a copy of each until on_publish and put them back in our own buffer when the connection
//   drops (they were never written whole, so sending them again cannot duplicate them).
// - QoS 1 messages stay in the library's out list until PUBACK, across reconnects, even with a
//   clean session; after CONNACK the library sends them again with DUP set (messages_mosq.c
//   message__reconnect_reset, handle_connack.c -> message__retry_check, which runs *after*
//   on_connect). mosquitto_publish at QoS 1 may return MOSQ_ERR_NO_CONN and still have queued the
//   message (message__queue appends before trying to send). on_publish fires once per PUBACK.
// - Callbacks run on the thread that calls mosquitto_loop() (ours), on_publish and on_disconnect
//   with the library's callback mutex held but none of its message/packet mutexes, so calling
//   mosquitto_publish from them is safe.
// - mosquitto_loop_forever/loop_start quit for good on a TLS or protocol error and count
//   reconnect delays in whole seconds, quadratically; the spec asks for 250 ms doubling to 8 s.
//   So this file runs its own network thread around mosquitto_loop() and reconnects itself.
// - A failed TLS handshake returns MOSQ_ERR_TLS from mosquitto_loop without on_disconnect; the
//   OpenSSL reason ("certificate verify failed") only reaches the log callback (net_mosq.c
//   net__print_ssl_error). The log callback formats a line per publish at debug level, so it is
//   installed only while disconnected.
// - A socket error during the TLS handshake (SSL_connect -> SSL_ERROR_SYSCALL: a connection reset,
//   or refused after a non-blocking connect reported EINPROGRESS) is taken for "handshake pending"
//   (net_mosq.c net__socket_connect_tls): mosquitto_loop then returns success at once, forever, the
//   dead socket always readable. handshake_error() looks at the socket itself.
#include <mosquitto.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "harness/InputError.hpp"
#include "harness/MqttState.hpp"

namespace twinbed::harness {
namespace {

using Clock = std::chrono::steady_clock;

void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

std::chrono::milliseconds to_ms(sim::Time time) {
  return std::chrono::milliseconds(std::max<std::int64_t>(0, time.ns() / 1'000'000));
}

void require_readable(const std::string& path, const char* key) {
  if (std::ifstream(path)) return;
  std::string message = "cannot read ";
  message += path;
  message += " (broker.";
  message += key;
  message += ")";
  throw RunError(message);
}

std::string strip_period(std::string text) {
  while (!text.empty() && (text.back() == '.' || text.back() == '\n')) text.pop_back();
  return text;
}

std::string format_seconds(std::chrono::milliseconds ms) {
  std::string text = std::to_string(ms.count() / 1000);
  if (ms.count() % 1000 != 0) {
    std::string fraction = std::to_string(1000 + ms.count() % 1000).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    text += '.';
    text += fraction;
  }
  text += " s";
  return text;
}

}  // namespace

// ---- callbacks: libmosquitto -> State ------------------------------------------------------------

void MqttClient::State::on_connect(mosquitto*, void* self, int rc) {
  static_cast<State*>(self)->connected_cb(rc);
}
void MqttClient::State::on_disconnect(mosquitto*, void* self, int rc) {
  static_cast<State*>(self)->disconnected_cb(rc);
}
void MqttClient::State::on_publish(mosquitto*, void* self, int mid) {
  static_cast<State*>(self)->published_cb(mid);
}
void MqttClient::State::on_message(mosquitto*, void* self, const mosquitto_message* message) {
  static_cast<State*>(self)->message_cb(message);
}
void MqttClient::State::on_subscribe(mosquitto*, void* self, int, int count, const int* granted_qos) {
  static_cast<State*>(self)->subscribed_cb(count, granted_qos);
}
void MqttClient::State::on_log(mosquitto*, void* self, int level, const char* line) {
  // Only errors explain a failed connection; debug lines are one per packet.
  if (level != MOSQ_LOG_ERR || line == nullptr) return;
  static_cast<State*>(self)->log_cb(line);
}

MqttClient::State::State(ClientOptions options_in) : options(std::move(options_in)), created(Clock::now()) {
  init_library_once();
  address = parse_broker_url(options.broker.url);
  // mids are 16-bit: the pending window must stay well below 65535 for mids to stay unique.
  max_pending = std::clamp<std::uint32_t>(options.max_pending, 1, options.qos == 1 ? kMaxPendingQos1 : kMaxPending);
  low_water = std::max<std::uint32_t>(1, max_pending - max_pending / 4);
  slots.resize(65536);
  if (options.qos == 0) copies.resize(65536);

  mosq = mosquitto_new(options.client_id.empty() ? nullptr : options.client_id.c_str(), true, this);
  if (mosq == nullptr) throw RunError("libmosquitto could not create a client (out of memory)");
  mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  // Every pending QoS 1 message in flight at once (mosquitto.h: MOSQ_OPT_SEND_MAXIMUM, 1..65535,
  // default 20): the broker sees the full window, and all pending messages are resent on reconnect.
  mosquitto_int_option(mosq, MOSQ_OPT_SEND_MAXIMUM, 65535);
  mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_threaded_set(mosq, true);
  mosquitto_connect_callback_set(mosq, &State::on_connect);
  mosquitto_disconnect_callback_set(mosq, &State::on_disconnect);
  mosquitto_publish_callback_set(mosq, &State::on_publish);
  mosquitto_message_callback_set(mosq, &State::on_message);
  mosquitto_subscribe_callback_set(mosq, &State::on_subscribe);
  mosquitto_log_callback_set(mosq, &State::on_log);

  if (auto credentials = load_credentials(options.broker)) {
    const int rc = mosquitto_username_pw_set(mosq, credentials->username.c_str(),
                                             credentials->password.empty() ? nullptr : credentials->password.c_str());
    std::fill(credentials->password.begin(), credentials->password.end(), '\0');
    if (rc != MOSQ_ERR_SUCCESS) throw RunError(std::string("libmosquitto refused the credentials: ") + mosquitto_strerror(rc));
  }
  if (address.tls) {
    const BrokerSpec& broker = options.broker;
    if (!broker.ca_file.empty()) require_readable(broker.ca_file, "ca_file");
    if (!broker.cert_file.empty()) require_readable(broker.cert_file, "cert_file");
    if (!broker.key_file.empty()) require_readable(broker.key_file, "key_file");
    if (broker.cert_file.empty() != broker.key_file.empty()) {
      throw RunError("broker.cert_file and broker.key_file go together: give both or neither");
    }
    // No CA file: trust the system's CAs (mosquitto.h MOSQ_OPT_TLS_USE_OS_CERTS).
    if (broker.ca_file.empty()) mosquitto_int_option(mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
    int rc = mosquitto_tls_set(mosq, broker.ca_file.empty() ? nullptr : broker.ca_file.c_str(), nullptr,
                               broker.cert_file.empty() ? nullptr : broker.cert_file.c_str(),
                               broker.key_file.empty() ? nullptr : broker.key_file.c_str(), nullptr);
    // Verify the broker's certificate and host name (cert_reqs 1 = SSL_VERIFY_PEER; insecure off).
    if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_tls_opts_set(mosq, 1, nullptr, nullptr);
    if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_tls_insecure_set(mosq, false);
    if (rc != MOSQ_ERR_SUCCESS) {
      throw RunError(std::string("libmosquitto refused the TLS settings of ") + broker.url + ": " + mosquitto_strerror(rc));
    }
  }
}

MqttClient::State::~State() {
  if (mosq != nullptr) mosquitto_destroy(mosq);
}

double MqttClient::State::now_s() const {
  return std::chrono::duration<double>(Clock::now() - created).count();
}

// ---- connection ------------------------------------------------------------------------------------

void MqttClient::State::begin_attempt() {
  std::lock_guard lock(mutex);
  attempt_errors.clear();
  refusal.clear();
  last_errno = 0;
  attempt_started = Clock::now();
}

std::string MqttClient::State::describe_failure(int rc, int saved_errno) {
  std::lock_guard lock(mutex);
  if (!attempt_errors.empty()) {
    std::string text = rc == MOSQ_ERR_TLS || attempt_errors.front().find("SSL") != std::string::npos
                           ? "TLS handshake failed: " : "";
    for (std::size_t i = 0; i < attempt_errors.size(); ++i) {
      if (i > 0) text += "; ";
      text += attempt_errors[i];
    }
    return text;
  }
  if (!refusal.empty()) return "connection refused: " + refusal;
  if (rc == MOSQ_ERR_ERRNO) return std::strerror(saved_errno);
  // libmosquitto 2.0.11's mosquitto_strerror has no text for it ("Unknown error").
  if (rc == MOSQ_ERR_KEEPALIVE) {
    return "keep-alive timeout: the broker did not answer a PINGREQ (broker.keep_alive " + std::to_string(keep_alive) + " s)";
  }
  return strip_period(mosquitto_strerror(rc));
}

void MqttClient::State::record_error(const std::string& line, bool broker_error) {
  std::lock_guard lock(mutex);
  if (broker_error) {
    note_error(line);
  } else {
    add_error_line(line);
  }
}

void MqttClient::State::note_error(const std::string& line) {
  ++stats.broker_errors;
  add_error_line(line);
}

void MqttClient::State::add_error_line(const std::string& line) {
  if (stats.errors.size() < 10 && std::find(stats.errors.begin(), stats.errors.end(), line) == stats.errors.end()) {
    stats.errors.push_back(line);
  }
}

void MqttClient::State::connect() {
  if (network.joinable()) return;
  begin_attempt();
  const int keep_alive_s = static_cast<int>(options.broker.keep_alive.ns() / 1'000'000'000);
  // MQTT allows 0 (off); libmosquitto refuses 1-4 s (connect.c mosquitto__connect_init).
  keep_alive = keep_alive_s <= 0 ? 0 : std::clamp(keep_alive_s, 5, 65535);
  errno = 0;
  const int rc = mosquitto_connect_async(mosq, address.host.c_str(), address.port, keep_alive);
  attempt_errno = errno;
  if (rc != MOSQ_ERR_SUCCESS) {
    const int saved_errno = errno;
    throw RunError("MQTT broker " + options.broker.url + ": " + describe_failure(rc, saved_errno));
  }
  network = std::thread([this] { run_network(); });

  const auto timeout = to_ms(options.broker.connect_timeout);
  std::unique_lock lock(mutex);
  // Connected means subscribed too: a message published right after connect() returns must not
  // miss a subscription still on its way.
  const auto ready = [&] { return connected && subacks >= filters.size(); };
  changed.wait_for(lock, timeout, [&] { return ready() || !first_failure.empty(); });
  if (ready() && first_failure.empty()) return;
  std::string cause = first_failure;
  if (cause.empty()) {
    cause = "no answer within " + format_seconds(timeout) + " (broker.connect_timeout)";
  }
  lock.unlock();
  stop_network();
  throw RunError("MQTT broker " + options.broker.url + ": " + cause);
}

int MqttClient::State::handshake_error(int loop_errno) const {
  const int fd = mosquitto_socket(mosq);
  if (!address.tls || fd < 0) return 0;
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error != 0) return error;
  char byte = 0;
  const ssize_t n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))) return 0;
  // Closed: the socket error was consumed by the library's read or write, whose errno tells it. A
  // refusal is consumed by the ClientHello's write inside mosquitto_connect_async, the loop's
  // later writes see EPIPE.
  const auto lost = [](int code) { return code == ECONNREFUSED || code == ECONNRESET; };
  if (lost(attempt_errno)) return attempt_errno;
  if (lost(loop_errno) || loop_errno == EPIPE) return loop_errno;
  return n == 0 ? ECONNRESET : errno;
}

void MqttClient::State::run_network() {
  {
    std::lock_guard lock(mutex);
    network_id = std::this_thread::get_id();
  }
  bool need_reconnect = false;
  auto delay = to_ms(options.broker.reconnect_min);
  const auto delay_max = std::max(delay, to_ms(options.broker.reconnect_max));
  const auto attempt_timeout = to_ms(options.broker.connect_timeout);
  while (!stop.load()) {
    if (need_reconnect) {
      {
        std::unique_lock lock(mutex);
        changed.wait_for(lock, delay, [&] { return stop.load(); });
        if (stop.load()) break;
        ++stats.reconnect_attempts;
      }
      // Exponential backoff (spec harness.md): reconnect_min, doubling up to reconnect_max.
      delay = std::min(delay * 2, delay_max);
      begin_attempt();
      mosquitto_log_callback_set(mosq, &State::on_log);
      errno = 0;
      const int rc = mosquitto_reconnect_async(mosq);
      attempt_errno = errno;
      if (rc != MOSQ_ERR_SUCCESS) {
        record_error("reconnect failed: " + describe_failure(rc, errno), true);
        continue;
      }
      need_reconnect = false;
    }
    int rc = mosquitto_loop(mosq, kLoopTimeoutMs, 1);
    int saved_errno = rc == MOSQ_ERR_ERRNO && last_errno != 0 ? last_errno.load() : errno;
    if (stop.load()) break;
    if (rc == MOSQ_ERR_SUCCESS && !connected.load()) {
      if (const int error = handshake_error(saved_errno)) {
        rc = MOSQ_ERR_ERRNO;
        saved_errno = error;
      }
    }
    if (rc == MOSQ_ERR_SUCCESS) {
      if (connected.load()) {  // the hot path: no lock
        delay = to_ms(options.broker.reconnect_min);
        if (options.qos == 0 && options.coalesce.count() > 0) std::this_thread::sleep_for(options.coalesce);
        continue;
      }
      std::unique_lock lock(mutex);
      if (connected || closing || Clock::now() - attempt_started < attempt_timeout) continue;
      // A broker that accepts TCP but never answers CONNECT: give up on this attempt.
      std::string line = "no CONNACK within " + format_seconds(attempt_timeout);
      if (!ever_connected) {
        first_failure = "no answer within " + format_seconds(attempt_timeout) + " (broker.connect_timeout)";
        changed.notify_all();
        changed.wait(lock, [&] { return stop.load(); });
        break;
      }
      note_error("reconnect failed: " + line);
      need_reconnect = true;
      continue;
    }
    // The connection failed or was lost. on_disconnect has run for socket errors, not for TLS ones.
    connection_lost();
    std::string cause = describe_failure(rc, saved_errno);
    std::unique_lock lock(mutex);
    if (closing) {
      changed.wait(lock, [&] { return stop.load(); });
      break;
    }
    if (!ever_connected) {
      first_failure = cause;
      changed.notify_all();
      changed.wait(lock, [&] { return stop.load(); });
      break;
    }
    note_error((lost_while_connected ? "connection lost: " : "reconnect failed: ") + cause);
    lost_while_connected = false;
    need_reconnect = true;
  }
}

void MqttClient::State::connected_cb(int rc) {
  if (rc != 0) {
    std::lock_guard lock(mutex);
    refusal = strip_period(mosquitto_connack_string(rc));
    if (refusal.starts_with("Connection Refused: ")) refusal.erase(0, 20);
    return;  // on_disconnect follows
  }
  // The library writes no debug lines per packet without a log callback (logging_mosq.c).
  mosquitto_log_callback_set(mosq, nullptr);
  bool defer_pump = false;
  {
    std::lock_guard lock(mutex);
    connected = true;
    ever_connected = true;
    ++stats.connects;
    subacks = 0;
    if (!stats.outages.empty() && !stats.outages.back().back_s) stats.outages.back().back_s = now_s();
    const std::uint64_t library_qos1 = (options.qos == 1 ? account.pending.messages : 0) + retained_pending;
    if (stats.connects > 1 && options.qos == 1) account.resent += account.pending.messages;
    // The library resends its QoS 1 messages right after this callback returns: flushing our buffer
    // now would put newer messages ahead of them. Their PUBACKs start the flush instead.
    defer_pump = library_qos1 > 0;
  }
  for (const std::string& filter : filters) {
    const int sub_rc = mosquitto_subscribe(mosq, nullptr, filter.c_str(), 1);
    if (sub_rc != MOSQ_ERR_SUCCESS) record_error("subscribe " + filter + " failed: " + strip_period(mosquitto_strerror(sub_rc)), false);
  }
  changed.notify_all();
  if (!defer_pump) pump();
}

void MqttClient::State::disconnected_cb(int rc) {
  last_errno = errno;
  (void)rc;
  connection_lost();
}

void MqttClient::State::connection_lost() {
  {
    // send_mutex: no publish() is between mosquitto_publish and registering its mid, so every QoS 0
    // message the library will now drop is in `slots`.
    std::lock_guard send_lock(send_mutex);
    std::lock_guard lock(mutex);
    if (!connected) return;
    connected = false;
    if (!closing) {
      ++stats.disconnects;
      stats.outages.push_back({now_s(), std::nullopt});
      lost_while_connected = true;
    }
    if (options.qos == 0) rebuffer_unwritten();
  }
  mosquitto_log_callback_set(mosq, &State::on_log);
  changed.notify_all();
}

void MqttClient::State::log_cb(const char* line) {
  std::string text = line;
  // "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed" -> the reason.
  if (text.starts_with("OpenSSL Error")) {
    const std::size_t colon = text.find("]: ");
    if (colon != std::string::npos) text.erase(0, colon + 3);
  }
  std::lock_guard lock(mutex);
  if (attempt_errors.size() < 4) attempt_errors.push_back(std::move(text));
}

void MqttClient::State::subscribed_cb(int count, const int* granted_qos) {
  std::lock_guard lock(mutex);
  ++subacks;
  for (int i = 0; i < count; ++i) {
    // 0x80: the broker refused the subscription (MQTT 3.1.1 section 3.9.3, e.g. an ACL).
    if (granted_qos != nullptr && granted_qos[i] == 0x80) {
      const std::string line = "the broker refused a subscription (SUBACK 0x80)";
      add_error_line(line);
      if (!ever_subscribed) first_failure = line;
    }
  }
  if (subacks >= filters.size()) ever_subscribed = true;
  changed.notify_all();
}

void MqttClient::State::message_cb(const mosquitto_message* message) {
  const auto received = Clock::now();
  if (!handler || message == nullptr || message->topic == nullptr) return;
  try {
    handler(message->topic,
            std::string_view(static_cast<const char*>(message->payload), static_cast<std::size_t>(message->payloadlen)),
            received);
  } catch (const std::exception& error) {
    record_error(std::string("message handler failed: ") + error.what(), false);
  } catch (...) {
    record_error("message handler failed", false);
  }
}

void MqttClient::State::stop_network() {
  {
    std::lock_guard lock(mutex);
    stop = true;
  }
  changed.notify_all();
  if (network.joinable()) network.join();
}

void MqttClient::State::close(std::chrono::milliseconds timeout) {
  if (closed) return;
  const auto deadline = Clock::now() + timeout;
  {
    std::unique_lock lock(mutex);
    ++waiters;
    changed.wait_until(lock, deadline, [&] { return drained(); });
    --waiters;
    closing = true;
    give_up_unsent();
  }
  changed.notify_all();
  if (network.joinable()) {
    bool was_connected = false;
    {
      std::lock_guard lock(mutex);
      was_connected = connected;
    }
    if (was_connected && mosquitto_disconnect(mosq) == MOSQ_ERR_SUCCESS) {
      // The network thread writes DISCONNECT and calls on_disconnect; a dead socket may not.
      std::unique_lock lock(mutex);
      changed.wait_for(lock, std::chrono::seconds(1), [&] { return !connected; });
    }
    stop_network();
  }
  std::lock_guard lock(mutex);
  connected = false;
  closed = true;
}

bool MqttClient::State::drained() const {
  return account.pending.messages == 0 && buffer.empty() && retained_buffer.empty() && pumping == 0;
}


// ---- MqttClient ------------------------------------------------------------------------------------

MqttClient::MqttClient(ClientOptions options) : state_(std::make_unique<State>(std::move(options))) {}

MqttClient::~MqttClient() {
  if (!state_) return;
  try {
    state_->close(std::chrono::milliseconds(0));
  } catch (...) {
    // A destructor must not throw; close() only throws for broken invariants (std::system_error).
  }
}

void MqttClient::subscribe(std::vector<std::string> filters, MessageHandler handler) {
  state_->filters = std::move(filters);
  state_->handler = std::move(handler);
}

void MqttClient::connect() { state_->connect(); }

void MqttClient::publish(const std::string& topic, const std::string& payload, std::uint32_t readings) {
  state_->publish(topic, payload, readings);
}

void MqttClient::publish_retained(const std::string& topic, const std::string& payload) {
  state_->publish_retained(topic, payload);
}

void MqttClient::close(std::chrono::milliseconds timeout) { state_->close(timeout); }

bool MqttClient::connected() const { return state_->connected.load(); }

double MqttClient::away_s() const {
  std::lock_guard lock(state_->mutex);
  if (state_->connected || state_->stats.outages.empty() || state_->stats.outages.back().back_s) return 0.0;
  return state_->now_s() - state_->stats.outages.back().lost_s;
}

PublishAccount MqttClient::account() const {
  std::lock_guard lock(state_->mutex);
  return state_->account;
}

ConnectionStats MqttClient::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

}  // namespace twinbed::harness
