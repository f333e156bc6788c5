#pragma once
// sim::Simulator: the discrete-event kernel. Events run in (time, priority, insertion sequence)
// order, so a run is fully determined by its inputs (SimPy orders by (time, priority, id) the same
// way). Handlers live in pooled slots and the pending set is a 4-ary heap of 24-byte entries, so the
// steady state allocates nothing. No global state: simulators in one process are independent.
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "sim/Handler.hpp"
#include "sim/Time.hpp"

namespace twinbed::sim {

// Identifies a scheduled event for cancel(). Stale ids (fired, cancelled) are recognised safely.
struct EventId {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t generation = 0;
  friend bool operator==(EventId, EventId) = default;
};

// Lower values run first among events at the same instant. Default 0.
using Priority = std::int16_t;

class Simulator {
public:
  Simulator() = default;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Schedules `handler` at absolute time `at` (>= now()). Throws std::logic_error for the past.
  EventId schedule_at(Time at, Handler handler, Priority priority = 0);
  // Schedules `handler` at now() + delay (delay >= 0).
  EventId schedule_in(Time delay, Handler handler, Priority priority = 0) {
    return schedule_at(now_ + delay, std::move(handler), priority);
  }
  // Cancels a pending event. Returns false when the event already ran, is running or was cancelled.
  bool cancel(EventId id);

  // Runs every event with time <= end, including events scheduled meanwhile at or before `end`,
  // then sets now() to `end`. `end` must not lie before now().
  void run_until(Time end);
  // Runs the next event, if any. Returns false when nothing is pending.
  bool step();

  Time now() const { return now_; }
  // Time of the earliest pending event, or Time::max() when none.
  Time next_event_time();
  std::size_t pending() const { return heap_.size() - cancelled_in_heap_; }
  std::uint64_t events_executed() const { return executed_; }

private:
  enum class SlotState : std::uint8_t { free, pending, running, cancelled };
  struct Slot {
    Handler handler;
    std::uint32_t generation = 0;
    SlotState state = SlotState::free;
  };
  struct Entry {
    std::int64_t time_ns;  // never negative: now() starts at 0 and nothing is scheduled before it
    std::uint64_t order;   // priority (biased, high 16 bits) then insertion sequence (low 48 bits)
    std::uint32_t slot;
  };
  // Lexicographic (time, order). Written as one 128-bit comparison so that choosing the smallest
  // child compiles to flag arithmetic and conditional moves: event times are random, so a
  // compare-and-branch per child is a coin-flip misprediction (the bulk of the heap's cost).
  static bool before(const Entry& a, const Entry& b) {
#if defined(__SIZEOF_INT128__)
    __extension__ using Key = unsigned __int128;
    const Key ka = (static_cast<Key>(static_cast<std::uint64_t>(a.time_ns)) << 64) | a.order;
    const Key kb = (static_cast<Key>(static_cast<std::uint64_t>(b.time_ns)) << 64) | b.order;
    return ka < kb;
#else
    return (a.time_ns < b.time_ns) | ((a.time_ns == b.time_ns) & (a.order < b.order));
#endif
  }

  // Slots live in fixed-size chunks so a running handler never moves when the pool grows.
  static constexpr std::uint32_t CHUNK_BITS = 10;
  static constexpr std::uint32_t CHUNK_SIZE = 1u << CHUNK_BITS;
  Slot& slot(std::uint32_t index) { return chunks_[index >> CHUNK_BITS][index & (CHUNK_SIZE - 1)]; }
  std::uint32_t allocate_slot();
  void release_slot(std::uint32_t index);

  void heap_push(Entry e);
  void heap_pop();
  void drop_cancelled_top();

  Time now_ = Time::zero();
  std::uint64_t sequence_ = 0;
  std::uint64_t executed_ = 0;
  std::size_t cancelled_in_heap_ = 0;
  std::vector<Entry> heap_;
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::vector<std::uint32_t> free_slots_;
  std::uint32_t slots_used_ = 0;
};

}  // namespace twinbed::sim
