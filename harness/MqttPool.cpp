// MqttPool (harness/Mqtt.hpp): several publishing connections, and the sums of their accounts and
// connection statistics.
#include <algorithm>

#include "harness/Mqtt.hpp"

namespace twinbed::harness {

PublishAccount& PublishAccount::operator+=(const PublishAccount& other) {
  offered += other.offered;
  acknowledged += other.acknowledged;
  pending += other.pending;
  buffered += other.buffered;
  dropped_buffer_full += other.dropped_buffer_full;
  dropped_error += other.dropped_error;
  unsent_at_end += other.unsent_at_end;
  // Peaks of different connections need not coincide; their sum bounds the pool's peak.
  buffered_peak += other.buffered_peak;
  resent += other.resent;
  return *this;
}

ConnectionStats& ConnectionStats::operator+=(const ConnectionStats& other) {
  connects += other.connects;
  disconnects += other.disconnects;
  reconnect_attempts += other.reconnect_attempts;
  broker_errors += other.broker_errors;
  outages.insert(outages.end(), other.outages.begin(), other.outages.end());
  std::sort(outages.begin(), outages.end(), [](const Outage& a, const Outage& b) { return a.lost_s < b.lost_s; });
  for (const std::string& line : other.errors) {
    if (errors.size() >= 10) break;
    if (std::find(errors.begin(), errors.end(), line) == errors.end()) errors.push_back(line);
  }
  return *this;
}

MqttPool::MqttPool(const ClientOptions& options, std::uint32_t connections) {
  const std::string prefix = options.client_id.empty() ? options.broker.client_id_prefix : options.client_id;
  const std::uint32_t count = std::max<std::uint32_t>(1, connections);
  clients_.reserve(count);
  for (std::uint32_t n = 1; n <= count; ++n) {
    ClientOptions client = options;
    client.client_id = prefix;
    client.client_id += '-';
    client.client_id += std::to_string(n);
    clients_.push_back(std::make_unique<MqttClient>(std::move(client)));
  }
}

void MqttPool::connect() {
  for (auto& client : clients_) client->connect();
}

void MqttPool::publish(std::uint32_t key, const std::string& topic, const std::string& payload, std::uint32_t readings) {
  clients_[key % clients_.size()]->publish(topic, payload, readings);
}

void MqttPool::publish_retained(const std::string& topic, const std::string& payload) {
  clients_.front()->publish_retained(topic, payload);
}

void MqttPool::close(std::chrono::milliseconds timeout) {
  // The clients drain in parallel on their own network threads; waiting on them in turn against
  // one deadline bounds the whole.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto& client : clients_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    client->close(std::max(left, std::chrono::milliseconds(0)));
  }
}

bool MqttPool::connected() const {
  return std::all_of(clients_.begin(), clients_.end(), [](const auto& client) { return client->connected(); });
}

double MqttPool::away_s() const {
  double longest = 0.0;
  for (const auto& client : clients_) longest = std::max(longest, client->away_s());
  return longest;
}

PublishAccount MqttPool::account() const {
  PublishAccount sum;
  for (const auto& client : clients_) sum += client->account();
  return sum;
}

ConnectionStats MqttPool::stats() const {
  ConnectionStats sum;
  for (const auto& client : clients_) sum += client->stats();
  return sum;
}

}  // namespace twinbed::harness
