#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "devices/PulseOximeter.hpp"
#include "network/Link.hpp"
#include "physiology/Patient.hpp"
#include "sim/Simulator.hpp"

using namespace twinbed;

namespace {

class Collector final : public network::Ingest {
public:
  void deliver(const network::Packet& packet, sim::Time delivered) override {
    packets.push_back(packet);
    times.push_back(delivered);
  }
  std::vector<network::Packet> packets;
  std::vector<sim::Time> times;
};

// A patient whose true values are fixed, to isolate the device's measurement model.
class FixedSource final : public physiology::SignalSource {
public:
  void advance_to(sim::Time) override {}
  double value(physiology::Signal s) const override { return s == physiology::Signal::spo2 ? 95.0 : 70.0; }
};

}  // namespace

TEST(Measure, QuantisesAndClampsExactly) {
  const devices::Display display{1.0, 0.0, 100.0};
  std::uint16_t flags = 0;
  EXPECT_EQ(devices::measure(96.4, 2.0, 0.0, display, flags), 96.0);
  EXPECT_EQ(devices::measure(96.4, 2.0, 0.1, display, flags), 97.0);  // 96.6 rounds up
  EXPECT_EQ(flags, 0);
  EXPECT_EQ(devices::measure(99.0, 2.0, 1.0, display, flags), 100.0);  // 101 clamps to 100
  EXPECT_EQ(flags, network::READING_CLAMPED);
}

TEST(PulseOximeter, SamplesAtItsIntervalWithGaussianError) {
  sim::Simulator simulator;
  Collector ingest;
  network::Link link("wired", {sim::Time::from_ms(5), 0.0}, simulator, ingest);
  network::Flow flow(link, "p0001-spo2", 1, 0);
  FixedSource patient;
  devices::PulseOximeterParams params;
  params.sample_interval = sim::Time::from_s(1);
  params.spo2_error_sd_percent = 2.0;
  params.heart_rate_error_sd_bpm = 3.0;
  devices::PulseOximeter oximeter("p0001-spo2", 0, 0, params, patient, flow, 1, 0);
  oximeter.start(simulator);
  const sim::Time end = sim::Time::from_s(20000);
  simulator.run_until(end);
  ASSERT_FALSE(ingest.packets.empty());
  // The first sample falls at a random phase in [0, 1 s); then one per second up to `end`.
  const sim::Time phase = ingest.packets.front().sent;
  ASSERT_LT(phase, sim::Time::from_s(1));
  EXPECT_EQ(oximeter.counters().samples, static_cast<std::uint64_t>((end - phase) / sim::Time::from_s(1) + 1));
  // Every packet sent at least 5 ms before the end has arrived; no packet is lost on this link.
  const auto arrived = static_cast<std::size_t>((end - sim::Time::from_ms(5) - phase) / sim::Time::from_s(1) + 1);
  ASSERT_EQ(ingest.packets.size(), arrived);
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 0; i < ingest.packets.size(); ++i) {
    const network::Packet& p = ingest.packets[i];
    ASSERT_EQ(p.readings.size(), 2u);
    EXPECT_EQ(p.seq, i);
    EXPECT_EQ(ingest.times[i] - p.sent, sim::Time::from_ms(5));
    if (i > 0) {
      EXPECT_EQ(p.sent - ingest.packets[i - 1].sent, sim::Time::from_s(1));
    }
    const double spo2 = p.readings[0].value;
    EXPECT_EQ(spo2, std::round(spo2));
    sum += spo2;
    sum_sq += spo2 * spo2;
  }
  const double n = static_cast<double>(ingest.packets.size());
  const double mean = sum / n;
  const double sd = std::sqrt(sum_sq / n - mean * mean);
  // Rounding to integers adds variance 1/12: sd = sqrt(4 + 1/12) = 2.02.
  EXPECT_NEAR(mean, 95.0, 5 * 2.02 / std::sqrt(n));
  EXPECT_NEAR(sd, std::sqrt(4.0 + 1.0 / 12.0), 0.05);
}

TEST(Link, BernoulliLossWithinBinomialBoundsAndConstantLatency) {
  sim::Simulator simulator;
  Collector ingest;
  network::Link link("lossy", {sim::Time::from_ms(80), 0.1}, simulator, ingest);
  network::Flow flow(link, "dev", 99, 0);
  constexpr int N = 100000;
  for (int i = 0; i < N; ++i) {
    network::Packet packet;
    packet.seq = static_cast<std::uint32_t>(i);
    packet.sent = simulator.now();
    flow.send(std::move(packet));
  }
  simulator.run_until(sim::Time::from_s(1));
  const double lost = static_cast<double>(link.counters().packets_lost);
  // Binomial(N, 0.1): sd = sqrt(N p (1-p)) = 94.9; 5 sd bounds.
  EXPECT_NEAR(lost, 0.1 * N, 5 * 94.9);
  EXPECT_EQ(link.counters().packets_delivered + link.counters().packets_lost, static_cast<std::uint64_t>(N));
  for (const sim::Time t : ingest.times) ASSERT_EQ(t, sim::Time::from_ms(80));
  // Runs of losses are geometric: the share of losses followed by another loss is p = 0.1.
  std::vector<bool> delivered(N, false);
  for (const network::Packet& p : ingest.packets) delivered[p.seq] = true;
  int loss_then_loss = 0, losses = 0;
  for (int i = 0; i + 1 < N; ++i) {
    if (!delivered[i]) {
      ++losses;
      loss_then_loss += delivered[i + 1] ? 0 : 1;
    }
  }
  EXPECT_NEAR(static_cast<double>(loss_then_loss) / losses, 0.1, 0.015);
}

TEST(Link, FlowsAreIndependentOfEachOther) {
  // Device A's loss pattern is the same whether or not device B sends on the same link.
  auto pattern = [](bool with_other) {
    sim::Simulator simulator;
    Collector ingest;
    network::Link link("wifi", {sim::Time::from_ms(1), 0.3}, simulator, ingest);
    network::Flow a(link, "p0001-spo2", 4, 0);
    network::Flow b(link, "p0002-spo2", 4, 0);
    for (std::uint32_t i = 0; i < 1000; ++i) {
      network::Packet packet;
      packet.seq = i;
      a.send(packet);
      if (with_other) b.send(network::Packet{1, i, {}, {}});
    }
    simulator.run_until(sim::Time::from_s(1));
    std::vector<std::uint32_t> seqs;
    for (const network::Packet& p : ingest.packets) {
      if (p.device == 0) seqs.push_back(p.seq);
    }
    return seqs;
  };
  EXPECT_EQ(pattern(false), pattern(true));
}
