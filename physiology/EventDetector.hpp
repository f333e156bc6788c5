#pragma once
// physiology::EventDetector: turns a sampled true signal into ground-truth events with a threshold
// condition, a minimum duration for onset and an end hysteresis. Pure: no simulator, no clock;
// feed it (time, value) samples in time order at any (even irregular) rate.
//
// Sample-and-hold: each sample's value holds until the next sample, so a condition that is true
// at samples t0..tk and false at t(k+1) held over [t0, t(k+1)). With that convention:
//   onset   the first sample at which the condition held; the event exists once the condition
//           has held for min_duration (a shorter dip yields nothing);
//   end     the value must have recovered past release_threshold (default: the threshold itself,
//           i.e. the condition is false) for at least end_hold; the event's offset is the first
//           sample of that recovery. Returns that end sooner, or dips between threshold and
//           release threshold, belong to the event;
//   peak    the most extreme value (nadir for below, maximum for above) over the event;
//   severity fixed_severity when set (e.g. a glycaemic level), otherwise |peak - threshold|.
// Events are reported to the sink when they end, or by finish(end_time) at the end of a run.
#include <cstdint>
#include <optional>

#include "physiology/GroundTruth.hpp"
#include "sim/Time.hpp"

namespace twinbed::physiology {

enum class Comparison : std::uint8_t { below, at_or_below, above, at_or_above };

// Whether `value` satisfies `comparison` against `threshold` (below: value < threshold, ...).
bool satisfies(Comparison comparison, double value, double threshold);

struct EventDefinition {
  EventClass event_class = EventClass::condition;
  Comparison comparison = Comparison::below;
  double threshold = 0.0;
  sim::Time min_duration{};                  // the condition must hold this long for an event
  sim::Time end_hold{};                      // recovery must last this long to end the event
  std::optional<double> release_threshold{}; // recovery = condition false against this level;
                                             // unset: against `threshold`
  std::optional<double> fixed_severity{};    // unset: severity = |peak - threshold|
  std::uint16_t detail = 0;                // copied into GroundTruthEvent::detail
};

class EventDetector {
public:
  // `sink` must outlive the detector.
  EventDetector(const EventDefinition& definition, EventSink& sink);

  // Feeds one sample; t must not decrease between calls.
  void observe(sim::Time t, double value);

  // Closes the run at end_time (>= the last sample): an event that has held for min_duration and
  // has not ended by the end-hold rule is reported with offset end_time. Resets the detector.
  void finish(sim::Time end_time);

  // True while an event is established (held for min_duration) and not yet ended.
  bool in_event() const;

  const EventDefinition& definition() const { return definition_; }

private:
  enum class State : std::uint8_t { idle, pending, active, recovering };

  bool holds(double value) const;
  bool recovered(double value) const;
  void start(sim::Time t, double value);
  void track_peak(double value);
  void begin_recovery(sim::Time t);
  void close(sim::Time offset);

  EventDefinition definition_;
  EventSink& sink_;
  State state_ = State::idle;
  sim::Time onset_;
  sim::Time recovery_start_;
  sim::Time last_sample_;
  double peak_ = 0.0;
};

}  // namespace twinbed::physiology
