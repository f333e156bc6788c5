#include "physiology/EventDetector.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace twinbed::physiology {

bool satisfies(Comparison comparison, double value, double threshold) {
  switch (comparison) {
    case Comparison::below: return value < threshold;
    case Comparison::at_or_below: return value <= threshold;
    case Comparison::above: return value > threshold;
    case Comparison::at_or_above: return value >= threshold;
  }
  return false;
}

EventDetector::EventDetector(const EventDefinition& definition, EventSink& sink)
    : definition_(definition),
      sink_(sink),
      last_sample_(sim::Time::from_ns(std::numeric_limits<std::int64_t>::min())) {
  assert(definition_.min_duration >= sim::Time::zero() && definition_.end_hold >= sim::Time::zero());
}

bool EventDetector::holds(double value) const {
  return satisfies(definition_.comparison, value, definition_.threshold);
}

bool EventDetector::recovered(double value) const {
  return !satisfies(definition_.comparison, value,
                    definition_.release_threshold.value_or(definition_.threshold));
}

bool EventDetector::in_event() const {
  return state_ == State::active || state_ == State::recovering;
}

void EventDetector::observe(sim::Time t, double value) {
  assert(t >= last_sample_ && "EventDetector samples must be in time order");
  last_sample_ = t;
  switch (state_) {
    case State::idle:
      if (holds(value)) start(t, value);
      break;
    case State::pending:
      if (holds(value)) {
        track_peak(value);
        if (t - onset_ >= definition_.min_duration) state_ = State::active;
      } else if (t - onset_ >= definition_.min_duration) {
        // The condition held over [onset, t): long enough. The event is established now.
        state_ = State::active;
        if (recovered(value)) begin_recovery(t);
      } else {
        state_ = State::idle;  // a dip shorter than the minimum duration is no event
      }
      break;
    case State::active:
      if (recovered(value)) {
        begin_recovery(t);
      } else {
        track_peak(value);
      }
      break;
    case State::recovering:
      if (t - recovery_start_ >= definition_.end_hold) {
        // The recovery held over [recovery_start, t): the event ended at recovery_start.
        close(recovery_start_);
        if (holds(value)) start(t, value);
      } else if (!recovered(value)) {
        state_ = State::active;  // relapse within the end hold: the same event goes on
        track_peak(value);
      }
      break;
  }
}

void EventDetector::finish(sim::Time end_time) {
  assert(end_time >= last_sample_);
  switch (state_) {
    case State::idle: break;
    case State::pending:
      if (end_time - onset_ >= definition_.min_duration) {
        close(end_time);
      } else {
        state_ = State::idle;
      }
      break;
    case State::active: close(end_time); break;
    case State::recovering:
      close(end_time - recovery_start_ >= definition_.end_hold ? recovery_start_ : end_time);
      break;
  }
  last_sample_ = sim::Time::from_ns(std::numeric_limits<std::int64_t>::min());
}

void EventDetector::start(sim::Time t, double value) {
  onset_ = t;
  peak_ = value;
  state_ = definition_.min_duration == sim::Time::zero() ? State::active : State::pending;
}

void EventDetector::track_peak(double value) {
  const bool low = definition_.comparison == Comparison::below ||
                   definition_.comparison == Comparison::at_or_below;
  peak_ = low ? std::min(peak_, value) : std::max(peak_, value);
}

void EventDetector::begin_recovery(sim::Time t) {
  recovery_start_ = t;
  state_ = State::recovering;
  if (definition_.end_hold == sim::Time::zero()) close(t);
}

void EventDetector::close(sim::Time offset) {
  GroundTruthEvent event;
  event.event_class = definition_.event_class;
  event.onset = onset_;
  event.offset = offset;
  event.peak = peak_;
  event.severity = definition_.fixed_severity.value_or(std::abs(peak_ - definition_.threshold));
  event.detail = definition_.detail;
  state_ = State::idle;
  sink_.report(event);
}

}  // namespace twinbed::physiology
