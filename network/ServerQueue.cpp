// network::ServerQueue: a FIFO server of fixed rate with room for K packets, and the M/D/1/K
// figures it reproduces under Poisson arrivals of equal packets (docs/network.md).
#include "network/ServerQueue.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/RandomStream.hpp"

namespace twinbed::network {

ServerQueue::ServerQueue(double rate_bps, std::uint32_t capacity) : rate_bps_(rate_bps), capacity_(capacity) {
  if (!(rate_bps > 0.0) || capacity == 0) throw std::logic_error("ServerQueue needs a positive rate and capacity");
}

std::optional<sim::Time> ServerQueue::admit(sim::Time now, std::uint32_t size_bytes) {
  const std::int64_t t = now.ns();
  // Departures in FIFO order are non-decreasing: the departed ones are at the head.
  while (count_ > 0 && departures_[head_] <= t) {
    head_ = head_ + 1 == capacity_ ? 0 : head_ + 1;
    --count_;
  }
  if (count_ == capacity_) return std::nullopt;
  if (departures_.empty()) departures_.resize(capacity_);
  const std::int64_t service_ns = std::llround(8.0 * size_bytes / rate_bps_ * 1e9);
  const std::int64_t departure = std::max(t, last_departure_ns_) + service_ns;
  std::uint32_t tail = head_ + count_;
  if (tail >= capacity_) tail -= capacity_;
  departures_[tail] = departure;
  ++count_;
  busy_ns_ += service_ns;
  last_departure_ns_ = departure;
  return sim::Time::from_ns(departure);
}

std::uint32_t ServerQueue::length(sim::Time now) {
  while (count_ > 0 && departures_[head_] <= now.ns()) {
    head_ = head_ + 1 == capacity_ ? 0 : head_ + 1;
    --count_;
  }
  return count_;
}

sim::Time ServerQueue::busy_time(sim::Time now) const {
  // Work-conserving FIFO: the work still ahead at `now` ends at the last departure.
  return sim::Time::from_ns(busy_ns_ - std::max<std::int64_t>(0, last_departure_ns_ - now.ns()));
}

// M/G/1/K with deterministic service (Gross, Shortle, Thompson & Harris, Fundamentals of Queueing
// Theory, 4th ed., ch. 5, M/G/1/K). The number left behind by a departure is a Markov chain on
// 0..K-1; a_k = e^-rho rho^k / k! is the probability of k Poisson arrivals during one service. We
// solve it with the cut equations pi_n a_0 = sum_{i<n} pi_i P(i -> >= n), i.e. the GTH elimination
// (Grassmann, Taksar & Heyman 1985) on this upper-Hessenberg chain: no subtraction, so it stays
// accurate for any K where the textbook forward recursion loses all digits (errors grow as e^rho
// per state). Then p_j = pi_j / (pi_0 + rho) for j < K and p_K = 1 - 1 / (pi_0 + rho) (time
// averages; by PASTA p_K is the blocking), and W by Little's law on the admitted rate.
QueueFigures md1k(double arrival_rate_per_s, double service_time_s, std::uint32_t capacity) {
  if (capacity == 0 || !(service_time_s > 0.0) || arrival_rate_per_s < 0.0) {
    throw std::logic_error("md1k needs K >= 1, D > 0 and lambda >= 0");
  }
  QueueFigures figures;
  const double rho = arrival_rate_per_s * service_time_s;
  if (rho == 0.0) {
    figures.mean_sojourn_s = service_time_s;
    return figures;
  }
  // tail[m] = P(A >= m) = sum_{k >= m} a_k, summed from far beyond the mode down (no 1 - sum).
  const std::size_t k_max = capacity + 60 + static_cast<std::size_t>(rho + 40.0 * std::sqrt(rho));
  std::vector<double> tail(k_max + 2, 0.0);
  for (std::size_t k = k_max + 1; k-- > 0;) {
    const double log_a = -rho + static_cast<double>(k) * std::log(rho) - sim::log_factorial(k);
    tail[k] = tail[k + 1] + std::exp(log_a);
  }
  const double a0 = std::exp(-rho);
  // Unnormalised pi with pi_0 = 1. From state 0 the next departure leaves A_{next} (an arrival must
  // come first); from i >= 1 it leaves i - 1 + A. P(i -> >= n) = tail[n - i + 1] for i >= 1.
  std::vector<double> pi(capacity, 0.0);
  pi[0] = 1.0;
  for (std::uint32_t n = 1; n < capacity; ++n) {
    double flow_up = pi[0] * tail[n];
    for (std::uint32_t i = 1; i < n; ++i) flow_up += pi[i] * tail[n - i + 1];
    pi[n] = flow_up / a0;
  }
  double sum = 0.0;
  for (const double v : pi) sum += v;
  for (double& v : pi) v /= sum;

  const double denominator = pi[0] + rho;
  double mean_in_system = 0.0;
  for (std::uint32_t j = 1; j < capacity; ++j) mean_in_system += j * pi[j] / denominator;
  figures.blocking = 1.0 - 1.0 / denominator;
  mean_in_system += capacity * figures.blocking;
  figures.mean_in_system = mean_in_system;
  const double admitted_rate = arrival_rate_per_s * (1.0 - figures.blocking);
  figures.mean_sojourn_s = mean_in_system / admitted_rate;
  figures.mean_wait_s = std::max(0.0, figures.mean_sojourn_s - service_time_s);
  figures.utilisation = admitted_rate * service_time_s;
  return figures;
}

}  // namespace twinbed::network
