#include <gtest/gtest.h>

#include <cmath>
#include <vector>

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

}  // namespace

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
      if (with_other) {
        network::Packet other;
        other.device = 1;
        other.seq = i;
        b.send(other);
      }
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
