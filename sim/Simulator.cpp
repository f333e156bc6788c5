#include "sim/Simulator.hpp"

#include <cassert>
#include <stdexcept>
#include <string>

namespace twinbed::sim {
namespace {
constexpr std::uint64_t SEQUENCE_BITS = 48;
constexpr std::uint64_t SEQUENCE_MASK = (std::uint64_t{1} << SEQUENCE_BITS) - 1;
constexpr std::size_t ARITY = 4;  // a 4-ary heap halves the depth of a binary one; cache-friendlier
// Heap positions below this index (16k keys of 16 bytes, 256 KiB: within a typical L2) choose the
// smallest child without branches; see heap_pop().
constexpr std::size_t BRANCHLESS_LIMIT = std::size_t{1} << 14;
}  // namespace

std::uint32_t Simulator::allocate_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t index = free_slots_.back();
    free_slots_.pop_back();
    return index;
  }
  if ((slots_used_ >> CHUNK_BITS) == chunks_.size()) {
    // Everything that can throw comes before the chunk is published, so a failed allocation
    // leaves at most some unused capacity behind.
    auto chunk = std::make_unique<Handler[]>(CHUNK_SIZE);
    const std::size_t slots = (chunks_.size() + 1) * CHUNK_SIZE;
    meta_.resize(slots);
    // Room for every slot, so release_slot() never allocates and can run during unwinding.
    free_slots_.reserve(slots);
    chunks_.push_back(std::move(chunk));
  }
  return slots_used_++;
}

void Simulator::release_slot(std::uint32_t index) {
  handler_at(index).reset();
  SlotMeta& m = meta_[index];
  m.state = SlotState::free;
  ++m.generation;
  free_slots_.push_back(index);
}

EventId Simulator::schedule_at(Time at, Handler handler, Priority priority) {
  if (at < now_) {
    throw std::logic_error("schedule_at: time " + to_string(at) + " lies before now " + to_string(now_));
  }
  assert(sequence_ <= SEQUENCE_MASK);
  // The heap is two parallel arrays: grow both before touching anything, so that a failed
  // allocation cannot leave them with different lengths or a slot that no entry refers to.
  if (heap_keys_.size() == heap_keys_.capacity() || heap_slots_.size() == heap_slots_.capacity()) {
    heap_keys_.reserve(2 * heap_keys_.size());
    heap_slots_.reserve(2 * heap_slots_.size());
  }
  const std::uint32_t index = allocate_slot();
  handler_at(index) = std::move(handler);
  SlotMeta& m = meta_[index];
  m.state = SlotState::pending;
  const auto biased_priority = static_cast<std::uint64_t>(static_cast<std::int32_t>(priority) + 32768);
  heap_push(Key{static_cast<std::uint64_t>(at.ns()), (biased_priority << SEQUENCE_BITS) | sequence_++}, index);
  return EventId{index, m.generation};
}

bool Simulator::cancel(EventId id) {
  if (id.slot >= slots_used_) return false;
  SlotMeta& m = meta_[id.slot];
  if (m.generation != id.generation || m.state != SlotState::pending) return false;
  m.state = SlotState::cancelled;
  handler_at(id.slot).reset();  // release captured resources now; the heap entry is dropped lazily
  ++cancelled_in_heap_;
  return true;
}

void Simulator::drop_cancelled_top() {
  while (heap_size() > 0 && meta_[top_slot()].state == SlotState::cancelled) {
    const std::uint32_t index = top_slot();
    heap_pop();
    --cancelled_in_heap_;
    release_slot(index);
  }
}

Time Simulator::next_event_time() {
  drop_cancelled_top();
  return heap_size() == 0 ? Time::max() : Time::from_ns(static_cast<std::int64_t>(top_key().time_ns));
}

bool Simulator::run_top() {
  const auto time_ns = static_cast<std::int64_t>(top_key().time_ns);
  const std::uint32_t index = top_slot();
  Handler& h = handler_at(index);
  SlotMeta& m = meta_[index];
#if defined(__GNUC__)
  // The event's state and handler sit at random pool locations, cache misses in large runs: start
  // loading them (both lines of the 80-byte handler) so that they arrive while heap_pop() works.
  __builtin_prefetch(&m);
  __builtin_prefetch(&h);
  __builtin_prefetch(reinterpret_cast<const char*>(&h) + sizeof(Handler) - 1);
#endif
  heap_pop();
  if (m.state == SlotState::cancelled) {  // lazy cancellation: the entry is dropped only now
    --cancelled_in_heap_;
    release_slot(index);
    return false;
  }
  now_ = Time::from_ns(time_ns);
  m.state = SlotState::running;
  ++executed_;
  // Releases the slot even when the handler throws: otherwise it stays "running" forever, its
  // captures are never destroyed and the slot is never reused.
  struct Release {
    Simulator* sim;
    std::uint32_t index;
    ~Release() { sim->release_slot(index); }
  } release{this, index};
  h();  // may schedule or cancel; the handler's address is stable
  return true;
}

bool Simulator::step() {
  while (heap_size() > 0) {
    if (run_top()) return true;
  }
  return false;
}

void Simulator::run_until(Time end) {
  if (end < now_) {
    throw std::logic_error("run_until: end " + to_string(end) + " lies before now " + to_string(now_));
  }
  // No need to skip cancelled entries before the time test: if the top is later than `end`, so is
  // every other entry, cancelled or not.
  const auto end_ns = static_cast<std::uint64_t>(end.ns());
  while (heap_size() > 0 && top_key().time_ns <= end_ns) run_top();
  now_ = end;
}

void Simulator::heap_push(Key key, std::uint32_t slot_index) {
  heap_keys_.push_back(key);
  heap_slots_.push_back(slot_index);
  sift_up(heap_size() - 1, key, slot_index);
}

void Simulator::sift_up(std::size_t hole, Key key, std::uint32_t slot_index) {
  Key* const k = heap_keys_.data() + KEY_PAD;
  std::uint32_t* const v = heap_slots_.data() + KEY_PAD;
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / ARITY;
    if (!before(key, k[parent])) break;
    k[hole] = k[parent];
    v[hole] = v[parent];
    hole = parent;
  }
  k[hole] = key;
  v[hole] = slot_index;
}

void Simulator::heap_pop() {
  const Key last_key = heap_keys_.back();
  const std::uint32_t last_slot = heap_slots_.back();
  heap_keys_.pop_back();
  heap_slots_.pop_back();
  const std::size_t size = heap_size();
  if (size == 0) return;
  Key* const k = heap_keys_.data() + KEY_PAD;
  std::uint32_t* const v = heap_slots_.data() + KEY_PAD;
  // Floyd's bottom-up deletion (Floyd 1964; Wegener 1993): walk the hole from the root to a leaf
  // along the smallest children without comparing against the last entry, then sift that entry up
  // from there. It came from the bottom, so it rarely climbs: one comparison per level saved.
  std::size_t hole = 0;
  while (true) {
    const std::size_t first = hole * ARITY + 1;
    std::size_t best = first;
    if (first + ARITY <= size && first < BRANCHLESS_LIMIT) {
      // Cache-resident levels: pick the smallest of four children without branches (a two-round
      // tournament, indices computed from the comparison bits). Event times are random, so a
      // compare-and-branch per child is mispredicted about half the time, which was most of the
      // kernel's cost. Deeper levels miss the cache, and there a predicted branch is better: it lets
      // the CPU issue the next level's loads speculatively instead of waiting for this one.
      const std::size_t left = first + static_cast<std::size_t>(before(k[first + 1], k[first]));
      const std::size_t right = first + 2 + static_cast<std::size_t>(before(k[first + 3], k[first + 2]));
      const std::size_t mask = std::size_t{0} - static_cast<std::size_t>(before(k[right], k[left]));
      best = left ^ ((left ^ right) & mask);
    } else if (first < size) {
#if defined(__GNUC__)
      // Out of cache: fetch all sixteen grandchildren (four aligned lines of keys and their slot
      // indices) while this family is compared, so the next level's loads are already under way
      // whichever child wins.
      const std::size_t grandchildren = first * ARITY + 1;
      if (grandchildren < size) {
        for (std::size_t line = 0; line < ARITY; ++line) __builtin_prefetch(k + grandchildren + line * ARITY);
        __builtin_prefetch(v + grandchildren);
        __builtin_prefetch(v + grandchildren + ARITY * ARITY - 1);
      }
#endif
      const std::size_t end = first + ARITY < size ? first + ARITY : size;
      for (std::size_t c = first + 1; c < end; ++c) {
        if (before(k[c], k[best])) best = c;
      }
    } else {
      break;
    }
    k[hole] = k[best];
    v[hole] = v[best];
    hole = best;
  }
  sift_up(hole, last_key, last_slot);
}

}  // namespace twinbed::sim
