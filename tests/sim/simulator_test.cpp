// Tests of sim::Simulator: event order, cancellation, run_until boundaries, handler lifetime and a
// large randomized comparison against a straightforward reference model.
#include "sim/Simulator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/RandomStream.hpp"

namespace twinbed::sim {
namespace {

// Counts live instances, so tests can tell exactly when a handler's captures are destroyed.
struct Tracked {
  explicit Tracked(int* live) : live_(live) { ++*live_; }
  ~Tracked() { --*live_; }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
  int* live_;
};

TEST(Simulator, StartsEmpty) {
  Simulator sim;
  EXPECT_EQ(sim.now(), Time::zero());
  EXPECT_EQ(sim.pending(), 0u);
  EXPECT_EQ(sim.events_executed(), 0u);
  EXPECT_EQ(sim.next_event_time(), Time::max());
  EXPECT_FALSE(sim.step());
  EXPECT_FALSE(sim.cancel(EventId{}));  // the default id never names an event
  EXPECT_FALSE(sim.cancel(EventId{0, 0}));
}

TEST(Simulator, RunsEventsInTimeOrder) {
  Simulator sim;
  std::vector<int> order;
  std::vector<Time> times;
  const std::array<std::int64_t, 8> at_ms = {50, 10, 40, 20, 70, 30, 60, 0};
  for (const std::int64_t ms : at_ms) {
    sim.schedule_at(Time::from_ms(ms), [&order, &times, &sim, ms] {
      order.push_back(static_cast<int>(ms));
      times.push_back(sim.now());
    });
  }
  EXPECT_EQ(sim.pending(), at_ms.size());
  EXPECT_EQ(sim.next_event_time(), 0_ms);
  sim.run_until(1_s);
  EXPECT_EQ(order, (std::vector<int>{0, 10, 20, 30, 40, 50, 60, 70}));
  ASSERT_EQ(times.size(), 8u);
  for (std::size_t i = 0; i < times.size(); ++i) EXPECT_EQ(times[i], Time::from_ms(order[i]));
  EXPECT_EQ(sim.events_executed(), 8u);
  EXPECT_EQ(sim.pending(), 0u);
  EXPECT_EQ(sim.now(), 1_s);
}

TEST(Simulator, TiesBrokenByPriorityThenInsertionOrder) {
  Simulator sim;
  struct Scheduled {
    int id;
    Priority priority;
  };
  // 300 events at one instant with priorities cycling through a few values, including extremes.
  const std::array<Priority, 6> priorities = {0, 5, -3, std::numeric_limits<Priority>::max(),
                                              std::numeric_limits<Priority>::min(), 5};
  std::vector<Scheduled> scheduled;
  std::vector<int> order;
  for (int i = 0; i < 300; ++i) {
    const Priority p = priorities[static_cast<std::size_t>(i * 7 % 6)];
    scheduled.push_back({i, p});
    sim.schedule_at(3_s, [&order, i] { order.push_back(i); }, p);
  }
  // An earlier event with the worst priority still runs first: time dominates priority.
  bool early_ran_first = false;
  sim.schedule_at(2_s, [&] { early_ran_first = order.empty(); }, std::numeric_limits<Priority>::max());
  sim.run_until(3_s);

  std::stable_sort(scheduled.begin(), scheduled.end(),
                   [](const Scheduled& a, const Scheduled& b) { return a.priority < b.priority; });
  std::vector<int> expected;
  for (const Scheduled& s : scheduled) expected.push_back(s.id);
  EXPECT_TRUE(early_ran_first);
  EXPECT_EQ(order, expected);
}

TEST(Simulator, DefaultPriorityIsZero) {
  Simulator sim;
  std::vector<char> order;
  sim.schedule_at(1_s, [&] { order.push_back('p'); }, 1);
  sim.schedule_at(1_s, [&] { order.push_back('d'); });
  sim.schedule_at(1_s, [&] { order.push_back('n'); }, -1);
  sim.run_until(1_s);
  EXPECT_EQ(order, (std::vector<char>{'n', 'd', 'p'}));
}

TEST(Simulator, EventScheduledDuringRunAtSameInstantRespectsPriority) {
  Simulator sim;
  std::vector<char> order;
  sim.schedule_at(1_s, [&] {
    order.push_back('A');
    // Same instant, higher priority (lower value) than B, which is already pending: runs before B.
    sim.schedule_in(Time::zero(), [&] { order.push_back('C'); }, -1);
    // Same instant and priority as B but inserted later: runs after B.
    sim.schedule_in(Time::zero(), [&] { order.push_back('D'); });
  });
  sim.schedule_at(1_s, [&] { order.push_back('B'); });
  sim.run_until(1_s);
  EXPECT_EQ(order, (std::vector<char>{'A', 'C', 'B', 'D'}));
}

TEST(Simulator, ScheduleInIsRelativeToNow) {
  Simulator sim;
  Time fired = Time::zero();
  sim.run_until(10_s);
  sim.schedule_in(5_s, [&] { fired = sim.now(); });
  EXPECT_EQ(sim.next_event_time(), 15_s);
  sim.run_until(1_min);
  EXPECT_EQ(fired, 15_s);
}

TEST(Simulator, StepRunsOneEventAtATime) {
  Simulator sim;
  int count = 0;
  sim.schedule_at(2_s, [&] { ++count; });
  sim.schedule_at(1_s, [&] { ++count; });
  ASSERT_TRUE(sim.step());
  EXPECT_EQ(sim.now(), 1_s);
  EXPECT_EQ(count, 1);
  ASSERT_TRUE(sim.step());
  EXPECT_EQ(sim.now(), 2_s);
  EXPECT_EQ(count, 2);
  EXPECT_FALSE(sim.step());
  EXPECT_EQ(sim.now(), 2_s);
  EXPECT_EQ(sim.events_executed(), 2u);
}

TEST(SimulatorCancel, PendingEventOnceOnly) {
  Simulator sim;
  bool ran = false;
  const EventId id = sim.schedule_at(1_s, [&] { ran = true; });
  EXPECT_TRUE(sim.cancel(id));
  EXPECT_FALSE(sim.cancel(id));  // twice
  sim.run_until(2_s);
  EXPECT_FALSE(ran);
  EXPECT_EQ(sim.events_executed(), 0u);
}

TEST(SimulatorCancel, AfterItRanIsFalse) {
  Simulator sim;
  int runs = 0;
  const EventId id = sim.schedule_at(1_s, [&] { ++runs; });
  sim.run_until(1_s);
  ASSERT_EQ(runs, 1);
  EXPECT_FALSE(sim.cancel(id));
}

TEST(SimulatorCancel, StaleIdWhoseSlotWasReusedIsFalse) {
  Simulator sim;
  const EventId old_id = sim.schedule_at(1_s, [] {});
  sim.run_until(1_s);
  bool ran = false;
  const EventId new_id = sim.schedule_at(2_s, [&] { ran = true; });
  // The pool hands the freed slot out again; only the generation tells the two apart.
  ASSERT_EQ(new_id.slot, old_id.slot);
  ASSERT_NE(new_id.generation, old_id.generation);
  EXPECT_FALSE(sim.cancel(old_id));
  EXPECT_EQ(sim.pending(), 1u);
  sim.run_until(2_s);
  EXPECT_TRUE(ran);

  // Same for an id whose event was cancelled (the slot is recycled once the entry leaves the heap).
  const EventId cancelled = sim.schedule_at(3_s, [] {});
  ASSERT_TRUE(sim.cancel(cancelled));
  sim.run_until(3_s);
  bool ran_again = false;
  const EventId reused = sim.schedule_at(4_s, [&] { ran_again = true; });
  ASSERT_EQ(reused.slot, cancelled.slot);
  EXPECT_FALSE(sim.cancel(cancelled));
  sim.run_until(4_s);
  EXPECT_TRUE(ran_again);
}

TEST(SimulatorCancel, IdFromOutsideThePoolIsFalse) {
  Simulator sim;
  sim.schedule_at(1_s, [] {});
  EXPECT_FALSE(sim.cancel(EventId{12345, 0}));
  EXPECT_FALSE(sim.cancel(EventId{std::numeric_limits<std::uint32_t>::max(), 0}));
  EXPECT_EQ(sim.pending(), 1u);
}

TEST(SimulatorCancel, FromWithinAnotherHandler) {
  Simulator sim;
  std::vector<char> order;
  EventId later{};
  EventId same_instant{};
  bool cancel_later = false;
  bool cancel_same = false;
  sim.schedule_at(1_s, [&] {
    order.push_back('A');
    cancel_same = sim.cancel(same_instant);
    cancel_later = sim.cancel(later);
  });
  same_instant = sim.schedule_at(1_s, [&] { order.push_back('B'); });
  later = sim.schedule_at(5_s, [&] { order.push_back('C'); });
  sim.schedule_at(6_s, [&] { order.push_back('D'); });
  sim.run_until(10_s);
  EXPECT_TRUE(cancel_same);
  EXPECT_TRUE(cancel_later);
  EXPECT_EQ(order, (std::vector<char>{'A', 'D'}));
  EXPECT_EQ(sim.events_executed(), 2u);
}

TEST(SimulatorCancel, SelfCancelWhileRunningIsFalse) {
  Simulator sim;
  EventId self{};
  int runs = 0;
  bool result = true;
  self = sim.schedule_at(1_s, [&] {
    ++runs;
    result = sim.cancel(self);
  });
  sim.run_until(2_s);
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(result);
  EXPECT_EQ(sim.pending(), 0u);
  EXPECT_EQ(sim.events_executed(), 1u);
}

TEST(SimulatorCancel, PendingBookkeeping) {
  Simulator sim;
  std::vector<EventId> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(sim.schedule_at(Time::from_s(i + 1), [] {}));
  EXPECT_EQ(sim.pending(), 10u);
  EXPECT_TRUE(sim.cancel(ids[0]));  // the earliest: next_event_time must skip it
  EXPECT_TRUE(sim.cancel(ids[5]));
  EXPECT_TRUE(sim.cancel(ids[9]));
  EXPECT_FALSE(sim.cancel(ids[5]));
  EXPECT_EQ(sim.pending(), 7u);
  EXPECT_EQ(sim.next_event_time(), 2_s);
  EXPECT_EQ(sim.pending(), 7u);  // dropping cancelled entries does not change the count
  sim.run_until(5_s);            // runs 2..5 s
  EXPECT_EQ(sim.events_executed(), 4u);
  EXPECT_EQ(sim.pending(), 3u);  // 7, 8, 9 s
  EXPECT_FALSE(sim.cancel(ids[3]));
  EXPECT_TRUE(sim.cancel(ids[8]));
  EXPECT_EQ(sim.pending(), 2u);
  EXPECT_EQ(sim.next_event_time(), 7_s);
  sim.run_until(1_min);
  EXPECT_EQ(sim.pending(), 0u);
  EXPECT_EQ(sim.events_executed(), 6u);
  EXPECT_EQ(sim.next_event_time(), Time::max());
  // Cancelling everything leaves nothing pending, and step() reports so.
  const EventId a = sim.schedule_in(1_s, [] {});
  const EventId b = sim.schedule_in(1_s, [] {});
  EXPECT_TRUE(sim.cancel(b));
  EXPECT_TRUE(sim.cancel(a));
  EXPECT_EQ(sim.pending(), 0u);
  EXPECT_FALSE(sim.step());
  EXPECT_EQ(sim.events_executed(), 6u);
}

TEST(SimulatorRunUntil, EndIsInclusive) {
  Simulator sim;
  std::vector<std::string> ran;
  sim.schedule_at(10_s, [&] { ran.push_back("at end"); });
  sim.schedule_at(10_s + 1_ns, [&] { ran.push_back("after end"); });
  sim.run_until(10_s);
  EXPECT_EQ(ran, (std::vector<std::string>{"at end"}));
  EXPECT_EQ(sim.now(), 10_s);
  EXPECT_EQ(sim.pending(), 1u);
  EXPECT_EQ(sim.next_event_time(), 10_s + 1_ns);
  sim.run_until(10_s + 1_ns);
  EXPECT_EQ(ran.size(), 2u);
}

TEST(SimulatorRunUntil, NowIsEndAfterwardsEvenWithoutEvents) {
  Simulator sim;
  sim.run_until(3_h);
  EXPECT_EQ(sim.now(), 3_h);
  sim.schedule_at(3_h + 1_s, [] {});
  sim.run_until(4_h);
  EXPECT_EQ(sim.now(), 4_h);
  sim.run_until(4_h);  // end == now is allowed
  EXPECT_EQ(sim.now(), 4_h);
}

TEST(SimulatorRunUntil, EventsScheduledDuringTheRunUpToEndRun) {
  Simulator sim;
  std::vector<Time> fired;
  // A chain: each event schedules the next 1 s later; the one landing exactly on `end` runs too.
  struct Chain {
    Simulator* sim;
    std::vector<Time>* fired;
    void operator()() const {
      fired->push_back(sim->now());
      sim->schedule_in(1_s, Chain{sim, fired});
    }
  };
  sim.schedule_at(1_s, Chain{&sim, &fired});
  sim.run_until(5_s);
  EXPECT_EQ(fired, (std::vector<Time>{1_s, 2_s, 3_s, 4_s, 5_s}));
  EXPECT_EQ(sim.pending(), 1u);  // the 6 s successor waits
  EXPECT_EQ(sim.next_event_time(), 6_s);
  // A zero-delay event created at the end instant runs in the same call.
  sim.schedule_at(7_s, [&] { sim.schedule_in(Time::zero(), [&] { fired.push_back(sim.now() + 1_h); }); });
  sim.run_until(7_s);
  EXPECT_EQ(fired.back(), 7_s + 1_h);
}

TEST(SimulatorRunUntil, EndBeforeNowThrows) {
  Simulator sim;
  sim.run_until(10_s);
  EXPECT_THROW(sim.run_until(10_s - 1_ns), std::logic_error);
  EXPECT_EQ(sim.now(), 10_s);
}

TEST(SimulatorRunUntil, SchedulingInThePastThrows) {
  Simulator sim;
  sim.run_until(10_s);
  EXPECT_THROW(sim.schedule_at(9_s, [] {}), std::logic_error);
  EXPECT_THROW(sim.schedule_in(Time::zero() - 1_ns, [] {}), std::logic_error);
  EXPECT_EQ(sim.pending(), 0u);
  // Scheduling at now() is allowed, and run_until(now()) runs it.
  bool ran = false;
  sim.schedule_at(10_s, [&] { ran = true; });
  sim.run_until(10_s);
  EXPECT_TRUE(ran);
  // From inside a handler too.
  bool threw = false;
  sim.schedule_at(11_s, [&] {
    try {
      sim.schedule_at(10_s, [] {});
    } catch (const std::logic_error&) {
      threw = true;
    }
  });
  sim.run_until(12_s);
  EXPECT_TRUE(threw);
}

TEST(SimulatorFarFuture, MaxTimeEventsDoNotDisturbEarlierOnes) {
  Simulator sim;
  std::vector<int> order;
  sim.schedule_at(Time::max(), [&] { order.push_back(3); });
  sim.schedule_at(Time::max() - 1_ns, [&] { order.push_back(2); });
  sim.schedule_at(Time::max(), [&] { order.push_back(4); });
  sim.schedule_at(1_s, [&] { order.push_back(0); });
  sim.schedule_at(7_d, [&] { order.push_back(1); });
  sim.run_until(1_h);
  EXPECT_EQ(order, (std::vector<int>{0}));
  sim.run_until(365_d);
  EXPECT_EQ(order, (std::vector<int>{0, 1}));
  EXPECT_EQ(sim.next_event_time(), Time::max() - 1_ns);
  EXPECT_EQ(sim.pending(), 3u);
  sim.run_until(Time::max());
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(sim.now(), Time::max());
  EXPECT_EQ(sim.pending(), 0u);
}

TEST(SimulatorHandlers, CapturedMoveOnlyStateIsDestroyedOnCancel) {
  int live = 0;
  Simulator sim;
  int ran = 0;
  const EventId a = sim.schedule_at(1_s, [p = std::make_unique<Tracked>(&live), &ran] { ran += p ? 1 : 0; });
  const EventId b = sim.schedule_at(2_s, [p = std::make_unique<Tracked>(&live), &ran] { ran += p ? 1 : 0; });
  ASSERT_EQ(live, 2);
  EXPECT_TRUE(sim.cancel(b));
  EXPECT_EQ(live, 1);  // released at cancel time, not when the lazy heap entry is dropped
  sim.run_until(1_s);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(live, 0);  // released right after running
  EXPECT_FALSE(sim.cancel(a));
  sim.run_until(3_s);
  EXPECT_EQ(ran, 1);
}

TEST(SimulatorHandlers, PendingHandlersAreDestroyedWithTheSimulator) {
  int live = 0;
  {
    Simulator sim;
    for (int i = 0; i < 2000; ++i) {  // more than one chunk of slots
      sim.schedule_at(Time::from_s(i), [p = std::make_unique<Tracked>(&live)] { (void)p; });
    }
    ASSERT_EQ(live, 2000);
    sim.run_until(999_s);
    EXPECT_EQ(live, 1000);
  }
  EXPECT_EQ(live, 0);
}

TEST(SimulatorHandlers, LargestAllowedCaptureIsStoredIntact) {
  Simulator sim;
  std::array<std::uint8_t, 56> payload{};
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 3 + 1);
  std::array<std::uint8_t, 56> received{};
  auto* out = &received;
  static_assert(sizeof(payload) + sizeof(out) <= Handler::CAPACITY);
  sim.schedule_at(1_s, [payload, out] { *out = payload; });
  // Force the pool and the heap to grow while the handler is stored.
  for (int i = 0; i < 5000; ++i) sim.schedule_at(2_s, [] {});
  sim.run_until(1_s);
  EXPECT_EQ(received, payload);
}

// Regression: a handler that threw left its slot marked "running" forever, so its captures were
// never destroyed and the slot was never reused.
TEST(SimulatorHandlers, ThrowingHandlerReleasesItsSlot) {
  int live = 0;
  Simulator sim;
  bool later_ran = false;
  const EventId thrower = sim.schedule_at(1_s, [p = std::make_unique<Tracked>(&live)] {
    (void)p;
    throw std::runtime_error("model error");
  });
  sim.schedule_at(2_s, [&] { later_ran = true; });
  EXPECT_THROW(sim.run_until(5_s), std::runtime_error);
  EXPECT_EQ(live, 0);
  EXPECT_EQ(sim.now(), 1_s);
  EXPECT_EQ(sim.pending(), 1u);
  EXPECT_FALSE(sim.cancel(thrower));
  // The simulation can continue, and the freed slot is handed out again.
  const EventId next = sim.schedule_at(3_s, [] {});
  EXPECT_EQ(next.slot, thrower.slot);
  sim.run_until(5_s);
  EXPECT_TRUE(later_ran);
  EXPECT_EQ(sim.now(), 5_s);
}

TEST(Simulator, TwoSimulatorsDoNotInterfere) {
  Simulator a;
  Simulator b;
  std::vector<std::string> log;
  for (int i = 0; i < 5; ++i) {
    a.schedule_at(Time::from_s(i), [&log, &a] { log.push_back("a" + to_string(a.now())); });
    b.schedule_at(Time::from_s(10 - i), [&log, &b] { log.push_back("b" + to_string(b.now())); });
  }
  const EventId cancelled_in_b = b.schedule_at(1_s, [&log] { log.push_back("never"); });
  EXPECT_TRUE(b.cancel(cancelled_in_b));
  a.run_until(1_min);
  EXPECT_EQ(log, (std::vector<std::string>{"a0s", "a1s", "a2s", "a3s", "a4s"}));
  EXPECT_EQ(a.now(), 1_min);
  EXPECT_EQ(b.now(), Time::zero());
  EXPECT_EQ(b.pending(), 5u);
  EXPECT_EQ(b.events_executed(), 0u);
  log.clear();
  b.run_until(8_s);
  EXPECT_EQ(log, (std::vector<std::string>{"b6s", "b7s", "b8s"}));
  EXPECT_EQ(a.events_executed(), 5u);
  EXPECT_EQ(b.events_executed(), 3u);
}

// Bulk test: 200k events at random times in a narrow range (so ties are frequent) with random
// priorities; 20% are cancelled, some twice. The kernel's order must equal a stable sort by
// (time, priority) of the surviving events in scheduling order.
TEST(SimulatorRandomized, MatchesStableSortReference) {
  constexpr int N = 200'000;
  RandomStream rng(20240601, 0, "simulator_test", "bulk");
  Simulator sim;
  struct Record {
    std::int64_t time_ns;
    Priority priority;
    int id;
  };
  std::vector<Record> records;
  std::vector<EventId> ids;
  std::vector<int> order;
  records.reserve(N);
  ids.reserve(N);
  order.reserve(N);
  for (int i = 0; i < N; ++i) {
    const auto t = static_cast<std::int64_t>(rng.uniform_int(50'000));
    const auto p = static_cast<Priority>(static_cast<int>(rng.uniform_int(7)) - 3);
    records.push_back({t, p, i});
    ids.push_back(sim.schedule_at(Time::from_ns(t), [&order, i] { order.push_back(i); }, p));
  }
  std::vector<bool> cancelled(N, false);
  std::size_t cancel_count = 0;
  for (int k = 0; k < N / 5; ++k) {
    const auto victim = static_cast<std::size_t>(rng.uniform_int(N));
    const bool result = sim.cancel(ids[victim]);
    ASSERT_EQ(result, !cancelled[victim]) << "victim " << victim;
    if (result) ++cancel_count;
    cancelled[victim] = true;
  }
  ASSERT_EQ(sim.pending(), N - cancel_count);

  std::vector<Record> expected_records;
  for (const Record& r : records) {
    if (!cancelled[static_cast<std::size_t>(r.id)]) expected_records.push_back(r);
  }
  std::stable_sort(expected_records.begin(), expected_records.end(), [](const Record& a, const Record& b) {
    return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.priority < b.priority;
  });
  std::vector<int> expected;
  expected.reserve(expected_records.size());
  for (const Record& r : expected_records) expected.push_back(r.id);

  sim.run_until(Time::from_ns(50'000));
  EXPECT_EQ(sim.pending(), 0u);
  EXPECT_EQ(sim.events_executed(), expected.size());
  ASSERT_EQ(order.size(), expected.size());
  EXPECT_TRUE(order == expected) << "first mismatch at index "
                                 << (std::mismatch(order.begin(), order.end(), expected.begin()).first - order.begin());
}

// Dynamic version: handlers schedule successors (including zero delays) and cancel random pending
// events while the run is in progress; a std::multimap keyed (time, priority), which keeps equal keys
// in insertion order, replays the same decisions. Both consume one random stream in execution order,
// so any divergence in order shows up as a mismatch.
TEST(SimulatorRandomized, MatchesMultimapReferenceWithDynamicSchedulingAndCancellation) {
  constexpr int INITIAL = 20'000;
  constexpr int TOTAL = 150'000;  // events created in all
  constexpr std::int64_t END_NS = 400'000;

  struct Model {
    virtual ~Model() = default;
    virtual int schedule(std::int64_t at_ns, Priority p) = 0;  // returns the logical id
    virtual bool cancel(int id) = 0;
    virtual std::int64_t now_ns() const = 0;
  };

  // The behaviour of event `id` when it runs, shared by the kernel and the reference.
  struct Driver {
    RandomStream rng{77, 3, "simulator_test", "dynamic"};
    int created = 0;
    std::vector<int> order;
    void on_event(Model& m, int id) {
      order.push_back(id);
      const std::uint64_t action = rng.uniform_int(10);
      if (action < 7 && created < TOTAL) {  // one or two successors, delay 0..999 ns
        const int successors = action < 2 ? 2 : 1;
        for (int s = 0; s < successors && created < TOTAL; ++s) {
          const auto delay = static_cast<std::int64_t>(rng.uniform_int(4) == 0 ? 0 : rng.uniform_int(1000));
          const auto p = static_cast<Priority>(static_cast<int>(rng.uniform_int(5)) - 2);
          m.schedule(m.now_ns() + delay, p);
        }
      }
      if (action >= 6 && created > 0) {  // cancel a random earlier event, which may have run already
        m.cancel(static_cast<int>(rng.uniform_int(static_cast<std::uint64_t>(created))));
      }
    }
  };

  struct KernelModel final : Model {
    Simulator sim;
    Driver* driver = nullptr;
    std::vector<EventId> ids;
    std::vector<bool> cancel_results;
    int schedule(std::int64_t at_ns, Priority p) override {
      const int id = driver->created++;
      ids.push_back(sim.schedule_at(Time::from_ns(at_ns), [this, id] { driver->on_event(*this, id); }, p));
      return id;
    }
    bool cancel(int id) override {
      const bool r = sim.cancel(ids[static_cast<std::size_t>(id)]);
      cancel_results.push_back(r);
      return r;
    }
    std::int64_t now_ns() const override { return sim.now().ns(); }
  };

  struct ReferenceModel final : Model {
    using Queue = std::multimap<std::pair<std::int64_t, Priority>, int>;
    Queue queue;
    std::vector<Queue::iterator> where;
    std::vector<bool> live;  // pending and not cancelled
    Driver* driver = nullptr;
    std::int64_t now = 0;
    std::vector<bool> cancel_results;
    int schedule(std::int64_t at_ns, Priority p) override {
      const int id = driver->created++;
      where.push_back(queue.emplace(std::make_pair(at_ns, p), id));
      live.push_back(true);
      return id;
    }
    bool cancel(int id) override {
      const auto i = static_cast<std::size_t>(id);
      const bool r = live[i];
      if (r) {
        queue.erase(where[i]);
        live[i] = false;
      }
      cancel_results.push_back(r);
      return r;
    }
    std::int64_t now_ns() const override { return now; }
    void run_until(std::int64_t end) {
      while (!queue.empty() && queue.begin()->first.first <= end) {
        const auto it = queue.begin();
        const int id = it->second;
        now = it->first.first;
        live[static_cast<std::size_t>(id)] = false;
        queue.erase(it);
        driver->on_event(*this, id);
      }
      now = end;
    }
  };

  Driver kernel_driver;
  Driver reference_driver;
  KernelModel kernel;
  ReferenceModel reference;
  kernel.driver = &kernel_driver;
  reference.driver = &reference_driver;
  RandomStream setup_a(77, 3, "simulator_test", "setup");
  RandomStream setup_b(77, 3, "simulator_test", "setup");
  for (int i = 0; i < INITIAL; ++i) {
    kernel.schedule(static_cast<std::int64_t>(setup_a.uniform_int(200'000)), 0);
    reference.schedule(static_cast<std::int64_t>(setup_b.uniform_int(200'000)), 0);
  }
  // Run in several slices so run_until boundaries are crossed with pending events.
  for (std::int64_t end = END_NS / 16; end <= END_NS; end += END_NS / 16) {
    kernel.sim.run_until(Time::from_ns(end));
    reference.run_until(end);
    ASSERT_EQ(kernel.sim.pending(), reference.queue.size()) << "at " << end;
  }
  EXPECT_GT(kernel_driver.created, INITIAL * 3);  // the dynamic part really happened
  ASSERT_EQ(kernel_driver.order.size(), reference_driver.order.size());
  EXPECT_TRUE(kernel_driver.order == reference_driver.order);
  EXPECT_TRUE(kernel.cancel_results == reference.cancel_results);
  EXPECT_GT(std::count(kernel.cancel_results.begin(), kernel.cancel_results.end(), true), 1000);
  EXPECT_GT(std::count(kernel.cancel_results.begin(), kernel.cancel_results.end(), false), 1000);
  EXPECT_EQ(kernel.sim.events_executed(), kernel_driver.order.size());
}

}  // namespace
}  // namespace twinbed::sim
