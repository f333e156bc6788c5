#pragma once
// network::ServerQueue: a cell's or access point's shared capacity. One FIFO server of `rate_bps`
// with room for `capacity` packets (the one in service included): a packet of s bytes takes
// 8 s / rate to serve; a packet arriving to a full system is dropped. With Poisson arrivals of
// equal packets this is the M/D/1/K queue whose analytic figures md1k() computes (docs/network.md).
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/Time.hpp"

namespace twinbed::network {

class ServerQueue {
public:
  ServerQueue(double rate_bps, std::uint32_t capacity);

  // A packet arriving at `now` (non-decreasing across calls): its departure time, or nullopt when
  // the system is full.
  std::optional<sim::Time> admit(sim::Time now, std::uint32_t size_bytes);
  // Packets in the system at `now` (queued + in service).
  std::uint32_t length(sim::Time now);
  // Total time the server has been busy up to `now`.
  sim::Time busy_time(sim::Time now) const;
  double rate_bps() const { return rate_bps_; }
  std::uint32_t capacity() const { return capacity_; }

private:
  double rate_bps_;
  std::uint32_t capacity_;
  // Departure times of the packets in the system, oldest first (a ring of `capacity` slots,
  // allocated at the first packet).
  std::vector<std::int64_t> departures_;
  std::uint32_t head_ = 0;
  std::uint32_t count_ = 0;
  std::int64_t busy_ns_ = 0;         // service time of all admitted packets
  std::int64_t last_departure_ns_ = 0;
};

// M/D/1/K figures (Gross & Harris, Fundamentals of Queueing Theory, M/G/1/K via the embedded
// Markov chain at departures): arrival rate lambda, deterministic service time D, K places.
struct QueueFigures {
  double blocking = 0.0;        // P(arrival finds K in system) = share dropped
  double mean_in_system = 0.0;  // L (time average)
  double mean_wait_s = 0.0;     // Wq of admitted packets (queueing delay before service)
  double mean_sojourn_s = 0.0;  // W = Wq + D
  double utilisation = 0.0;     // share of time the server is busy
};
QueueFigures md1k(double arrival_rate_per_s, double service_time_s, std::uint32_t capacity);

}  // namespace twinbed::network
