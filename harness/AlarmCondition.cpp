#include "harness/AlarmCondition.hpp"

namespace twinbed::harness {

bool AlarmCondition::accept(sim::Time t) {
  // Same or older sample time: a duplicate or a late retransmission of data already judged.
  if (seen_ && t <= last_) return false;
  seen_ = true;
  last_ = t;
  return true;
}

ConditionStep AlarmCondition::end() {
  ConditionStep step;
  if (active_) step.cleared = true;
  active_ = false;
  unmet_ = false;
  due_ = false;
  settled_ = false;
  suppressed_noted_ = false;
  return step;
}

ConditionStep AlarmCondition::observe(sim::Time t, bool met) {
  if (!accept(t)) return {};
  if (!met) {
    if (!active_ || release_hold_ <= sim::Time::zero()) return end();
    if (!unmet_) {
      unmet_ = true;
      unmet_since_ = t;
    }
    return t - unmet_since_ >= release_hold_ ? end() : ConditionStep{};
  }
  unmet_ = false;
  ConditionStep step;
  if (!active_) {
    active_ = true;
    onset_ = t;
    step.started = true;
  }
  if (!due_ && t - onset_ >= delay_) due_ = true;
  step.due = due_ && !settled_;
  return step;
}

ConditionStep AlarmCondition::interrupt(sim::Time t) {
  if (!accept(t)) return {};
  if (active_ && !due_) return end();
  return {};
}

}  // namespace twinbed::harness
