#include "harness/AlarmBoard.hpp"

namespace twinbed::harness {

bool AlarmBoard::latches(Priority priority) const {
  switch (priority) {
    case Priority::high: return policy_.latch_high;
    case Priority::medium: return policy_.latch_medium;
    case Priority::low: return policy_.latch_low;
  }
  return false;
}

void AlarmBoard::settle(Entry& entry, sim::Time now) const {
  if (!entry.annunciating || !entry.active_sources.empty()) return;
  if (!entry.latching || now >= entry.started + policy_.acknowledge_after) entry.annunciating = false;
}

void AlarmBoard::set_condition(const AlarmKey& key, std::uint32_t source, bool active, sim::Time now) {
  Entry& entry = entries_[key];
  settle(entry, now);  // a latched alarm acknowledged before this change has ended by now
  if (active) {
    entry.active_sources.insert(source);
  } else {
    entry.active_sources.erase(source);
    settle(entry, now);
  }
}

Offer AlarmBoard::submit(const AlarmKey& key, const Alarm& alarm, bool one_shot) {
  Entry& entry = entries_[key];
  settle(entry, alarm.time);
  if (entry.annunciating) return Offer::merged;
  sink_.raise(alarm);
  if (alarm.suppressed) return Offer::suppressed;
  entry.annunciating = true;
  entry.latching = one_shot || latches(alarm.priority);
  entry.started = alarm.time;
  ++raised_;
  return Offer::raised;
}

Offer AlarmBoard::offer(const AlarmKey& key, const Alarm& alarm) { return submit(key, alarm, false); }

Offer AlarmBoard::offer_event(const AlarmKey& key, const Alarm& alarm) { return submit(key, alarm, true); }

void AlarmBoard::update(sim::Time now) {
  for (auto& entry : entries_) settle(entry.second, now);
}

bool AlarmBoard::annunciating(const AlarmKey& key, sim::Time now) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  settle(it->second, now);
  return it->second.annunciating;
}

}  // namespace twinbed::harness
