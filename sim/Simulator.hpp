#pragma once
// sim::Simulator: the discrete-event kernel. Events run in (time, priority, insertion sequence)
// order, so a run is fully determined by its inputs (SimPy orders by (time, priority, id) the same
// way). Handlers live in pooled slots and the pending set is a 4-ary heap of 16-byte (time, order)
// keys with a parallel array of slot indices, so the steady state allocates nothing. Cancellation is
// lazy: a cancelled event's heap entry is dropped when it reaches the top. No global state:
// simulators in one process are independent. Design and measurements: docs/performance.md.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
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
  std::size_t pending() const { return heap_size() - cancelled_in_heap_; }
  std::uint64_t events_executed() const { return executed_; }

private:
  enum class SlotState : std::uint8_t { free, pending, running, cancelled };
  // An event's bookkeeping is kept apart from its handler: the states are checked for every event
  // popped (lazy cancellation) and pack eight to a cache line, while the 80-byte handler is only
  // touched to run it, and run_top() prefetches it while the heap is being reordered.
  struct SlotMeta {
    std::uint32_t generation = 0;
    SlotState state = SlotState::free;
  };
  // The heap is kept as two parallel arrays: 16-byte keys, compared on every level, and the 4-byte
  // slot indices, only moved. The four siblings of a family then share one 64-byte cache line
  // (see KEY_PAD), so walking down a large heap costs one cache miss per level, not two or three.
  struct Key {
    std::uint64_t time_ns;  // a non-negative int64: now() starts at 0 and never moves backwards
    std::uint64_t order;    // priority (biased, high 16 bits) then insertion sequence (low 48 bits)
  };
  // Lexicographic (time, order) as one 128-bit comparison, which compiles to flag arithmetic rather
  // than two dependent branches (see heap_pop()).
  static bool before(const Key& a, const Key& b) {
#if defined(__SIZEOF_INT128__)
    __extension__ using Wide = unsigned __int128;
    return ((static_cast<Wide>(a.time_ns) << 64) | a.order) < ((static_cast<Wide>(b.time_ns) << 64) | b.order);
#else
    return (a.time_ns < b.time_ns) | ((a.time_ns == b.time_ns) & (a.order < b.order));
#endif
  }
  template <class T>
  struct CacheLineAllocator {
    using value_type = T;
    CacheLineAllocator() = default;
    template <class U>
    CacheLineAllocator(const CacheLineAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{64}); }
    friend bool operator==(CacheLineAllocator, CacheLineAllocator) { return true; }
  };
  // Heap position i lives at array index i + KEY_PAD: the children of i, 4i+1 .. 4i+4, then start on
  // a 64-byte boundary of the cache-line-aligned key array.
  static constexpr std::size_t KEY_PAD = 3;

  // Handlers live in fixed-size chunks so a running handler never moves when the pool grows.
  static constexpr std::uint32_t CHUNK_BITS = 10;
  static constexpr std::uint32_t CHUNK_SIZE = 1u << CHUNK_BITS;
  Handler& handler_at(std::uint32_t index) { return chunks_[index >> CHUNK_BITS][index & (CHUNK_SIZE - 1)]; }
  std::uint32_t allocate_slot();
  void release_slot(std::uint32_t index);

  std::size_t heap_size() const { return heap_slots_.size() - KEY_PAD; }
  const Key& top_key() const { return heap_keys_[KEY_PAD]; }
  std::uint32_t top_slot() const { return heap_slots_[KEY_PAD]; }
  void heap_push(Key key, std::uint32_t slot_index);
  void heap_pop();
  // Moves `key` up from position `hole` (whose old content is free) to where it belongs.
  void sift_up(std::size_t hole, Key key, std::uint32_t slot_index);
  void drop_cancelled_top();
  // Pops the earliest entry and runs its handler, or drops it when cancelled. Returns true if it ran.
  bool run_top();

  Time now_ = Time::zero();
  std::uint64_t sequence_ = 0;
  std::uint64_t executed_ = 0;
  std::size_t cancelled_in_heap_ = 0;
  std::vector<Key, CacheLineAllocator<Key>> heap_keys_ = std::vector<Key, CacheLineAllocator<Key>>(KEY_PAD);
  std::vector<std::uint32_t> heap_slots_ = std::vector<std::uint32_t>(KEY_PAD);
  std::vector<std::unique_ptr<Handler[]>> chunks_;
  std::vector<SlotMeta> meta_;  // indexed by slot, like the handlers
  std::vector<std::uint32_t> free_slots_;
  std::uint32_t slots_used_ = 0;
};

}  // namespace twinbed::sim
