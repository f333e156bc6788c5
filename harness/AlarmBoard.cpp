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
    if (entry.active_sources.empty() && entry.annunciating) entry.cleared_since_raise = true;
    settle(entry, now);
  }
}

Offer AlarmBoard::submit(const AlarmKey& key, const Alarm& alarm, bool one_shot) {
  Entry& entry = entries_[key];
  settle(entry, alarm.time);
  if (entry.annunciating && (one_shot || entry.one_shot || !entry.cleared_since_raise)) return Offer::merged;
  sink_.raise(alarm);
  if (alarm.suppressed) return Offer::suppressed;
  entry.annunciating = true;
  entry.latching = one_shot || latches(alarm.priority);
  entry.one_shot = one_shot;
  entry.cleared_since_raise = false;
  entry.started = alarm.time;
  entry.alarm = alarm;
  ++raised_;
  return Offer::raised;
}

Offer AlarmBoard::offer(const AlarmKey& key, const Alarm& alarm) { return submit(key, alarm, false); }

Offer AlarmBoard::offer_event(const AlarmKey& key, const Alarm& alarm) { return submit(key, alarm, true); }

void AlarmBoard::update(sim::Time now) {
  for (auto& [key, entry] : entries_) {
    settle(entry, now);
    const sim::Time reminder = policy_.reminder_interval;
    if (!entry.annunciating || entry.one_shot || entry.active_sources.empty() || reminder <= sim::Time::zero()) continue;
    if (now < entry.started + policy_.acknowledge_after + reminder) continue;
    Alarm again = entry.alarm;
    again.time = now;
    again.detail = "reminder: " + entry.alarm.detail;
    sink_.raise(again);
    entry.started = now;
    ++raised_;
  }
}

bool AlarmBoard::annunciating(const AlarmKey& key, sim::Time now) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  settle(it->second, now);
  return it->second.annunciating;
}

}  // namespace twinbed::harness
