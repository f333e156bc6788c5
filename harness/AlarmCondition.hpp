#pragma once
// harness::AlarmCondition: the alarm-condition delay of IEC 60601-1-8 (the condition must persist
// this long before the alarm system annunciates it) for one rule on one device's data, measured in
// the device's sample time. Pure state: no clock, no sink; the reference monitor feeds it the
// readings it receives, in delivery order, and acts on the returned step.
//
//   observe(t, met)   a credible observation at sample time t; `met` = the condition holds.
//   interrupt(t)      an observation that cannot be trusted (smart mode: a reading flagged
//                     sensor-off, motion, low quality or low perfusion).
//
// Persistence: an episode starts at the first observation that meets the condition (its onset);
// the alarm is due at the first later (or the same) observation that still meets it with
// t - onset >= delay. An observation that does not meet it ends the episode ("cleared").
// Persistence is sample-and-hold across gaps in the data: readings lost in the network do not
// break an episode, as the ground truth's EventDetector holds each sample until the next.
// Observations older than the newest one seen (late retransmissions) are ignored.
//
// Interruptions (smart mode): an untrusted observation ends an episode that has not yet become
// due, so persistence restarts at the next credible observation that meets the condition: an
// artifact neither starts, nor extends, nor completes a condition. Once the alarm is due the
// interruption changes nothing: an artifact does not clear an alarm either; the next credible
// observation decides.
#include "sim/Time.hpp"

namespace twinbed::harness {

struct ConditionStep {
  bool started = false;  // an episode began (onset = this observation)
  bool due = false;      // the episode has persisted `delay` and is not settled: evaluate the alarm
  bool cleared = false;  // the episode ended (the condition no longer holds, or was interrupted)
};

class AlarmCondition {
public:
  // `release_hold` > 0 adds hysteresis: an episode ends only once the condition has been unmet
  // for that long (as the ground truth's end hold); a shorter dip continues the episode.
  explicit AlarmCondition(sim::Time delay = sim::Time::zero(), sim::Time release_hold = sim::Time::zero())
      : delay_(delay), release_hold_(release_hold) {}

  ConditionStep observe(sim::Time t, bool met);
  ConditionStep interrupt(sim::Time t);

  // The alarm of this episode was raised, or merged into one already annunciating: the episode
  // owes nothing more until it ends.
  void settle() { settled_ = true; }
  // The alarm was due but suppressed (smart cross-check); later observations of the same episode
  // stay `due` so the alarm is raised once the cross-check passes, but the suppressed candidate is
  // recorded only once per episode.
  void note_suppressed() { suppressed_noted_ = true; }
  bool suppressed_noted() const { return suppressed_noted_; }

  bool active() const { return active_; }
  bool settled() const { return settled_; }
  sim::Time onset() const { return onset_; }
  sim::Time delay() const { return delay_; }

private:
  bool accept(sim::Time t);
  ConditionStep end();

  sim::Time delay_;
  sim::Time release_hold_;
  bool unmet_ = false;      // within a dip of an active episode (hysteresis)
  sim::Time unmet_since_;
  bool seen_ = false;
  sim::Time last_;  // newest observation's sample time
  bool active_ = false;
  sim::Time onset_;
  bool due_ = false;  // has persisted `delay` in this episode
  bool settled_ = false;
  bool suppressed_noted_ = false;
};

}  // namespace twinbed::harness
