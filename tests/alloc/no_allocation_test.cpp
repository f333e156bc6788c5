// The kernel's steady state allocates nothing per event: after a warm-up that sizes the heap and
// the slot pool, a hold loop (pop the earliest event, schedule its successor) and a
// schedule/cancel loop run with zero calls to operator new. This binary replaces the global
// operator new to count calls, so it is kept apart from the other tests.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "sim/RandomStream.hpp"
#include "sim/Simulator.hpp"

namespace {
std::atomic<std::size_t> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace twinbed;

namespace {

struct Hold {
  sim::Simulator* simulator;
  sim::RandomStream* delays;
  std::uint64_t fired = 0;
  void schedule() {
    const auto delay = sim::Time::from_ns(static_cast<std::int64_t>(delays->exponential(1e9)));
    simulator->schedule_in(delay, [this]() {
      ++fired;
      schedule();
    });
  }
};

}  // namespace

TEST(SteadyState, HoldLoopAllocatesNothingPerEvent) {
  sim::Simulator simulator;
  sim::RandomStream delays(1, 0, "alloc-test", "delay");
  Hold hold{&simulator, &delays};
  for (int i = 0; i < 10000; ++i) hold.schedule();
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(simulator.step());  // warm-up
  const std::size_t before = allocations.load();
  for (int i = 0; i < 1000000; ++i) simulator.step();
  EXPECT_EQ(allocations.load() - before, 0u);
  EXPECT_EQ(simulator.pending(), 10000u);
  EXPECT_EQ(hold.fired, 1100000u);
}

TEST(SteadyState, ScheduleAndCancelAllocatesNothing) {
  sim::Simulator simulator;
  std::uint64_t ran = 0;
  for (int i = 0; i < 1000; ++i) simulator.schedule_in(sim::Time::from_s(i + 1), [&ran]() { ++ran; });
  for (int round = 0; round < 10; ++round) {  // warm-up
    const sim::EventId id = simulator.schedule_in(sim::Time::from_ms(1), [&ran]() { ++ran; });
    simulator.cancel(id);
    simulator.step();
  }
  const std::size_t before = allocations.load();
  for (int round = 0; round < 500; ++round) {
    const sim::EventId id = simulator.schedule_in(sim::Time::from_ms(1), [&ran]() { ran += 1000; });
    ASSERT_TRUE(simulator.cancel(id));
    simulator.step();
    simulator.schedule_in(sim::Time::from_s(2000), [&ran]() { ++ran; });
  }
  EXPECT_EQ(allocations.load() - before, 0u);
  EXPECT_EQ(ran, 510u);  // cancelled events never ran
}
