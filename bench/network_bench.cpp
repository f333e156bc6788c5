// Link-model and shared-server throughput. items/s is packets per second on one core, so
// 1e9 / (items/s) is the cost of one packet in nanoseconds.
//
//   BM_Transit/<technology>   transit() with the technology's defaults (its delay law, bursts,
//                             BLE connection events and PER with fading, 5G slots), packets 10 ms
//                             apart on one link instance.
//   BM_TransitNetem           the generic link with every netem block on: paretonormal jitter with
//                             correlation, loss, bursts, duplication, reordering, corruption, retries.
//   BM_ServerQueueAdmit       ServerQueue::admit() at 0.9 x capacity (Poisson arrivals drawn
//                             beforehand into a ring, so random numbers are not measured).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "network/LinkModel.hpp"
#include "network/ServerQueue.hpp"
#include "sim/RandomStream.hpp"

namespace twinbed::network {
namespace {

void run_transit(benchmark::State& bench, const LinkModel& model) {
  sim::RandomStream random(2024, 0, "network_bench", "link");
  LinkState state = initial_link_state(model, random);
  std::int64_t now = 0;
  std::uint64_t delivered = 0;
  for (auto _ : bench) {
    now += 10'000'000;
    const Transit t = transit(model, state, random, sim::Time::from_ns(now), 100);
    delivered += t.drop == DropReason::none;
    benchmark::DoNotOptimize(t);
  }
  bench.SetItemsProcessed(bench.iterations());
  bench.counters["delivered"] = benchmark::Counter(static_cast<double>(delivered) / static_cast<double>(bench.iterations()));
  bench.counters["state_bytes"] = sizeof(LinkState);
}

void BM_Transit(benchmark::State& bench) {
  const auto technology = static_cast<Technology>(bench.range(0));
  LinkSpec spec;
  spec.technology = technology;
  bench.SetLabel(std::string(technology_info(technology).name));
  run_transit(bench, LinkModel::compile(spec));
}
BENCHMARK(BM_Transit)->DenseRange(0, static_cast<int>(TECHNOLOGY_COUNT) - 1);

void BM_TransitNetem(benchmark::State& bench) {
  LinkSpec spec;
  spec.technology = Technology::generic;
  spec.params = sim::ParamSet(technology_info(Technology::generic).params);
  spec.params.set("jitter", 0.01);
  spec.params.set("distribution", static_cast<double>(DelayDistribution::paretonormal));
  spec.params.set("jitter_correlation", 0.25);
  spec.params.set("loss", 0.01);
  spec.params.set("burst_p", 0.01);
  spec.params.set("burst_r", 0.3);
  spec.params.set("duplicate", 0.01);
  spec.params.set("reorder", 0.01);
  spec.params.set("corrupt", 0.01);
  spec.params.set("retransmissions", 3);
  spec.params.set("retransmission_delay", 0.001);
  run_transit(bench, LinkModel::compile(spec));
}
BENCHMARK(BM_TransitNetem);

void BM_ServerQueueAdmit(benchmark::State& bench) {
  constexpr std::size_t RING = std::size_t{1} << 16;
  std::vector<std::int64_t> gaps(RING);
  sim::RandomStream random(2024, 0, "network_bench", "arrivals");
  for (std::int64_t& gap : gaps) gap = std::llround(random.exponential(1e6 / 0.9));  // 1 ms service
  ServerQueue server(1e6, 100);
  std::int64_t now = 0;
  std::size_t next = 0;
  for (auto _ : bench) {
    now += gaps[next++ & (RING - 1)];
    benchmark::DoNotOptimize(server.admit(sim::Time::from_ns(now), 125));
  }
  bench.SetItemsProcessed(bench.iterations());
}
BENCHMARK(BM_ServerQueueAdmit);

}  // namespace
}  // namespace twinbed::network

BENCHMARK_MAIN();
