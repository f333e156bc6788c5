// Tests of network::ServerQueue (exact departure times, drops when full, busy time) and of md1k()
// against hand-computed cases, Pollaczek-Khinchine, and a 1e6-packet Poisson simulation of the
// server at 0.5, 0.9 and 1.2 times its capacity.
#include "network/ServerQueue.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "sim/RandomStream.hpp"

namespace twinbed::network {
namespace {

using namespace sim::literals;

TEST(ServerQueue, ExactDeparturesAndDropsWhenFull) {
  // 1 Mb/s: 125 bytes take exactly 1 ms. Room for 3 packets, the one in service included.
  ServerQueue server(1e6, 3);
  EXPECT_EQ(server.admit(0_ms, 125), 1_ms);
  EXPECT_EQ(server.admit(500_us, 125), 2_ms);
  EXPECT_EQ(server.admit(500_us, 125), 3_ms);
  EXPECT_EQ(server.length(600_us), 3u);
  EXPECT_FALSE(server.admit(600_us, 125).has_value());  // full: dropped
  // At 1 ms the first has left (a departure at `now` frees its place).
  EXPECT_EQ(server.admit(1_ms, 125), 4_ms);
  EXPECT_EQ(server.length(2500_us), 2u);
  EXPECT_EQ(server.busy_time(2500_us), 2500_us);
  // Idle again: served at once; a 250-byte packet takes 2 ms.
  EXPECT_EQ(server.admit(10_ms, 125), 11_ms);
  EXPECT_EQ(server.admit(20_ms, 250), 22_ms);
  EXPECT_EQ(server.admit(20_ms, 125), 23_ms);
  EXPECT_EQ(server.length(21_ms), 2u);
  EXPECT_EQ(server.busy_time(21_ms), 6_ms);  // 4 ms earlier, then 1 ms of the 250-byte packet
  EXPECT_EQ(server.busy_time(30_ms), 8_ms);
  EXPECT_EQ(server.length(30_ms), 0u);
  // The ring wraps: fill it again.
  EXPECT_EQ(server.admit(40_ms, 125), 41_ms);
  EXPECT_EQ(server.admit(40_ms, 125), 42_ms);
  EXPECT_EQ(server.admit(40_ms, 125), 43_ms);
  EXPECT_FALSE(server.admit(40_ms, 125).has_value());
  EXPECT_EQ(server.admit(42_ms, 125), 44_ms);
}

TEST(Md1k, OnePlaceIsErlangLoss) {
  // M/G/1/1: blocking rho / (1 + rho) whatever the service law; an admitted packet never waits.
  for (const double rho : {0.1, 0.9, 1.2, 5.0}) {
    const QueueFigures f = md1k(rho / 0.002, 0.002, 1);
    EXPECT_NEAR(f.blocking, rho / (1 + rho), 1e-12);
    EXPECT_NEAR(f.mean_sojourn_s, 0.002, 1e-15);
    EXPECT_NEAR(f.mean_wait_s, 0.0, 1e-15);
    EXPECT_NEAR(f.mean_in_system, rho / (1 + rho), 1e-12);
    EXPECT_NEAR(f.utilisation, rho / (1 + rho), 1e-12);
  }
}

TEST(Md1k, TwoPlacesByHand) {
  // K = 2: the departure chain on {0, 1} leaves 0 behind iff no arrival came during the service
  // (a_0 = e^-rho) from either state, so pi_0 = e^-rho and pi_1 = 1 - e^-rho. Then
  // p_1 = pi_1 / (pi_0 + rho), p_2 = 1 - 1 / (pi_0 + rho), L = p_1 + 2 p_2, W = L / (lambda (1 - p_2)).
  const double rho = 0.8, d = 0.001;
  const double pi0 = std::exp(-rho), pi1 = 1.0 - pi0;
  const double p1 = pi1 / (pi0 + rho), p2 = 1.0 - 1.0 / (pi0 + rho);
  const QueueFigures f = md1k(rho / d, d, 2);
  EXPECT_NEAR(f.blocking, p2, 1e-12);
  EXPECT_NEAR(f.mean_in_system, p1 + 2 * p2, 1e-12);
  EXPECT_NEAR(f.mean_sojourn_s, (p1 + 2 * p2) / (rho / d * (1 - p2)), 1e-15);
}

TEST(Md1k, LargeBufferIsPollaczekKhinchine) {
  // K = 500 at rho = 0.5 and 0.9: the M/D/1 waiting time rho D / (2 (1 - rho)) (Pollaczek-
  // Khinchine); the forward recursion would have lost every digit here.
  for (const double rho : {0.5, 0.9}) {
    const QueueFigures f = md1k(rho / 0.001, 0.001, 500);
    EXPECT_LT(f.blocking, 1e-12);
    EXPECT_NEAR(f.mean_wait_s / (rho * 0.001 / (2 * (1 - rho))), 1.0, 1e-9);
  }
  // Overload: the admitted rate is the capacity.
  const QueueFigures f = md1k(2.0 / 0.001, 0.001, 500);
  EXPECT_NEAR(f.blocking, 0.5, 1e-9);
  EXPECT_NEAR(f.utilisation, 1.0, 1e-9);
}

struct Measured {
  double blocking = 0.0;
  double mean_wait_s = 0.0;
  double utilisation = 0.0;
};

// Poisson arrivals of equal packets (1 ms of service each) at `load` times the capacity.
Measured simulate(double load, std::uint32_t capacity, std::uint64_t arrivals) {
  ServerQueue server(1e6, capacity);
  sim::RandomStream random(7, 0, "cell", "arrivals");
  const double mean_gap_ns = 1e6 / load;
  std::int64_t now = 0;
  std::uint64_t dropped = 0;
  double wait_ns = 0.0;
  for (std::uint64_t i = 0; i < arrivals; ++i) {
    now += std::llround(random.exponential(mean_gap_ns));
    const auto departure = server.admit(sim::Time::from_ns(now), 125);
    if (!departure) {
      ++dropped;
      continue;
    }
    wait_ns += static_cast<double>(departure->ns() - now - 1'000'000);
  }
  Measured m;
  m.blocking = static_cast<double>(dropped) / static_cast<double>(arrivals);
  m.mean_wait_s = wait_ns / static_cast<double>(arrivals - dropped) * 1e-9;
  m.utilisation = server.busy_time(sim::Time::from_ns(now)).seconds() / (static_cast<double>(now) * 1e-9);
  return m;
}

TEST(ServerQueue, PoissonLoadAgreesWithMd1k) {
  // K = 20; 1e6 arrivals per load. Tolerances: waits and utilisation 3 % relative; blocking 3 %
  // relative, or 2e-4 absolute where the figure is tiny (0.5 x capacity: ~1e-9).
  constexpr std::uint32_t K = 20;
  for (const double load : {0.5, 0.9, 1.2}) {
    const Measured m = simulate(load, K, 1'000'000);
    const QueueFigures f = md1k(load * 1000.0, 0.001, K);
    std::printf("M/D/1/%u at %.1f x capacity: blocking %.6f (M/D/1/K %.6f), mean wait %.4f ms (%.4f), "
                "utilisation %.4f (%.4f)\n",
                K, load, m.blocking, f.blocking, m.mean_wait_s * 1e3, f.mean_wait_s * 1e3, m.utilisation,
                f.utilisation);
    if (f.blocking < 1e-3) {
      EXPECT_NEAR(m.blocking, f.blocking, 2e-4) << load;
    } else {
      EXPECT_NEAR(m.blocking / f.blocking, 1.0, 0.03) << load;
    }
    EXPECT_NEAR(m.mean_wait_s / f.mean_wait_s, 1.0, 0.03) << load;
    EXPECT_NEAR(m.utilisation / f.utilisation, 1.0, 0.03) << load;
  }
}

}  // namespace
}  // namespace twinbed::network
