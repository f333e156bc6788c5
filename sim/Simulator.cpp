#include "sim/Simulator.hpp"

#include <cassert>
#include <stdexcept>
#include <string>

namespace twinbed::sim {
namespace {
constexpr std::uint64_t SEQUENCE_BITS = 48;
constexpr std::uint64_t SEQUENCE_MASK = (std::uint64_t{1} << SEQUENCE_BITS) - 1;
constexpr std::size_t ARITY = 4;  // a 4-ary heap halves the depth of a binary one; cache-friendlier
// Heap positions below this index (16k entries of 24 bytes, 384 KiB: within a typical L2) choose
// the smallest child without branches; see heap_pop().
constexpr std::size_t BRANCHLESS_LIMIT = std::size_t{1} << 14;
}  // namespace

std::uint32_t Simulator::allocate_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t index = free_slots_.back();
    free_slots_.pop_back();
    return index;
  }
  if ((slots_used_ >> CHUNK_BITS) == chunks_.size()) {
    chunks_.push_back(std::make_unique<Slot[]>(CHUNK_SIZE));
    // Room for every slot, so release_slot() never allocates and can run during unwinding.
    free_slots_.reserve(chunks_.size() * CHUNK_SIZE);
  }
  return slots_used_++;
}

void Simulator::release_slot(std::uint32_t index) {
  Slot& s = slot(index);
  s.handler.reset();
  s.state = SlotState::free;
  ++s.generation;
  free_slots_.push_back(index);
}

EventId Simulator::schedule_at(Time at, Handler handler, Priority priority) {
  if (at < now_) {
    throw std::logic_error("schedule_at: time " + to_string(at) + " lies before now " + to_string(now_));
  }
  assert(sequence_ <= SEQUENCE_MASK);
  const std::uint32_t index = allocate_slot();
  Slot& s = slot(index);
  s.handler = std::move(handler);
  s.state = SlotState::pending;
  const auto biased_priority = static_cast<std::uint64_t>(static_cast<std::int32_t>(priority) + 32768);
  heap_push(Entry{at.ns(), (biased_priority << SEQUENCE_BITS) | sequence_++, index});
  return EventId{index, s.generation};
}

bool Simulator::cancel(EventId id) {
  if (id.slot >= slots_used_) return false;
  Slot& s = slot(id.slot);
  if (s.generation != id.generation || s.state != SlotState::pending) return false;
  s.state = SlotState::cancelled;
  s.handler.reset();  // release captured resources now; the heap entry is dropped lazily
  ++cancelled_in_heap_;
  return true;
}

void Simulator::drop_cancelled_top() {
  while (!heap_.empty() && slot(heap_.front().slot).state == SlotState::cancelled) {
    const std::uint32_t index = heap_.front().slot;
    heap_pop();
    --cancelled_in_heap_;
    release_slot(index);
  }
}

Time Simulator::next_event_time() {
  drop_cancelled_top();
  return heap_.empty() ? Time::max() : Time::from_ns(heap_.front().time_ns);
}

bool Simulator::step() {
  drop_cancelled_top();
  if (heap_.empty()) return false;
  const Entry top = heap_.front();
  heap_pop();
  now_ = Time::from_ns(top.time_ns);
  Slot& s = slot(top.slot);
  s.state = SlotState::running;
  ++executed_;
  // Releases the slot even when the handler throws: otherwise it stays "running" forever, its
  // captures are never destroyed and the slot is never reused.
  struct Release {
    Simulator* sim;
    std::uint32_t index;
    ~Release() { sim->release_slot(index); }
  } release{this, top.slot};
  s.handler();  // may schedule or cancel; the slot's address is stable
  return true;
}

void Simulator::run_until(Time end) {
  if (end < now_) {
    throw std::logic_error("run_until: end " + to_string(end) + " lies before now " + to_string(now_));
  }
  while (true) {
    drop_cancelled_top();
    if (heap_.empty() || heap_.front().time_ns > end.ns()) break;
    step();
  }
  now_ = end;
}

void Simulator::heap_push(Entry e) {
  std::size_t hole = heap_.size();
  heap_.push_back(e);
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / ARITY;
    if (!before(e, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = e;
}

void Simulator::heap_pop() {
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t size = heap_.size();
  if (size == 0) return;
  Entry* const h = heap_.data();
  // Floyd's bottom-up deletion (Floyd 1964; Wegener 1993): walk the hole from the root to a leaf
  // along the smallest children without comparing against `last`, then sift `last` up from there.
  // `last` came from the bottom, so it rarely climbs: this saves one comparison per level.
  std::size_t hole = 0;
  while (true) {
    const std::size_t first = hole * ARITY + 1;
    std::size_t best = first;
    if (first + ARITY <= size && first < BRANCHLESS_LIMIT) {
      // Cache-resident levels: pick the smallest of four children without branches (a two-round
      // tournament, indices computed from the comparison bits). Event times are random, so a
      // compare-and-branch per child is mispredicted about half the time; that was most of the
      // kernel's cost. Deeper levels miss the cache, and there a predicted branch is better: it lets
      // the CPU issue the next level's loads speculatively instead of waiting for this one.
      const std::size_t left = first + static_cast<std::size_t>(before(h[first + 1], h[first]));
      const std::size_t right = first + 2 + static_cast<std::size_t>(before(h[first + 3], h[first + 2]));
      const std::size_t mask = std::size_t{0} - static_cast<std::size_t>(before(h[right], h[left]));
      best = left ^ ((left ^ right) & mask);
    } else if (first < size) {
      const std::size_t end = first + ARITY < size ? first + ARITY : size;
      for (std::size_t c = first + 1; c < end; ++c) {
        if (before(h[c], h[best])) best = c;
      }
    } else {
      break;
    }
    h[hole] = h[best];
    hole = best;
  }
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / ARITY;
    if (!before(last, h[parent])) break;
    h[hole] = h[parent];
    hole = parent;
  }
  h[hole] = last;
}

}  // namespace twinbed::sim
