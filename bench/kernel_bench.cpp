// Hold-model benchmark of the event kernel (Jones, "An empirical comparison of priority-queue and
// event-set implementations", CACM 29(4), 1986): keep N events pending; each step removes the
// earliest and inserts a successor at now + an exponential delay. items/s is events per second, so
// 1e9 / (items/s) is the cost per event in nanoseconds.
//
//   BM_KernelHold          twinbed::sim::Simulator: handlers schedule their successor, loop calls step().
//   BM_PriorityQueueHold   a bare std::priority_queue of (time, sequence): the practical lower bound.
//
// Delays are drawn once into a ring buffer so random number generation is not measured.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "sim/RandomStream.hpp"
#include "sim/Simulator.hpp"

namespace twinbed::sim {
namespace {

constexpr std::size_t RING_SIZE = std::size_t{1} << 16;
constexpr double MEAN_DELAY_NS = 1e9;  // 1 s

const std::vector<std::int64_t>& delays() {
  static const std::vector<std::int64_t> ring = [] {
    RandomStream rng(2024, 0, "kernel_bench", "delay");
    std::vector<std::int64_t> values(RING_SIZE);
    for (std::int64_t& v : values) v = std::llround(rng.exponential(MEAN_DELAY_NS));
    return values;
  }();
  return ring;
}

struct DelayRing {
  const std::int64_t* values = delays().data();
  std::size_t next = 0;
  std::int64_t draw() { return values[next++ & (RING_SIZE - 1)]; }
};

struct HoldContext {
  Simulator* sim;
  DelayRing ring;
};

// Captures one pointer: the typical size of a model's event handler.
struct Hold {
  HoldContext* context;
  void operator()() const { context->sim->schedule_in(Time::from_ns(context->ring.draw()), Hold{context}); }
};

void BM_KernelHold(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  Simulator sim;
  HoldContext context{&sim, DelayRing{}};
  for (std::size_t i = 0; i < pending; ++i) sim.schedule_at(Time::from_ns(context.ring.draw()), Hold{&context});
  for (auto _ : state) {
    sim.step();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(sim.pending());
}

void BM_PriorityQueueHold(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  using Entry = std::pair<std::int64_t, std::uint64_t>;  // (time ns, insertion sequence)
  std::vector<Entry> storage;
  storage.reserve(pending + 1);
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue(std::greater<>{}, std::move(storage));
  DelayRing ring;
  std::uint64_t sequence = 0;
  for (std::size_t i = 0; i < pending; ++i) queue.emplace(ring.draw(), sequence++);
  std::int64_t now = 0;
  for (auto _ : state) {
    now = queue.top().first;
    queue.pop();
    queue.emplace(now + ring.draw(), sequence++);
  }
  benchmark::DoNotOptimize(now);
  state.SetItemsProcessed(state.iterations());
  state.counters["pending"] = static_cast<double>(queue.size());
}

BENCHMARK(BM_KernelHold)->Arg(100)->Arg(10'000)->Arg(1'000'000);
BENCHMARK(BM_PriorityQueueHold)->Arg(100)->Arg(10'000)->Arg(1'000'000);

}  // namespace
}  // namespace twinbed::sim

BENCHMARK_MAIN();
