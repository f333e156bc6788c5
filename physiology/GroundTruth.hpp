#pragma once
// physiology::GroundTruthEvent: what really happened to a patient, derived from the true signals
// with documented definitions (docs/models/ground-truth.md). Alarms are scored against these.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sim/Time.hpp"

namespace twinbed::physiology {

// Stored as an HDF5 enum in /ground_truth/events: append new classes at the end.
enum class EventClass : std::uint8_t {
  desaturation = 0,
  bradycardia = 1,
  tachycardia = 2,
  bradypnoea = 3,
  tachypnoea = 4,
  hypotension = 5,
  hypertensive_crisis = 6,
  fever = 7,
  hypothermia = 8,
  hypoglycaemia_level1 = 9,
  hypoglycaemia_level2 = 10,
  hyperglycaemia_level1 = 11,
  hyperglycaemia_level2 = 12,
  news2_medium = 13,
  news2_high = 14,
  asystole = 15,                // CinC 2015: no QRS for >= 4 s
  extreme_bradycardia = 16,     // CinC 2015: HR < 40 bpm for 5 consecutive beats
  extreme_tachycardia = 17,     // CinC 2015: HR > 140 bpm for 17 consecutive beats
  ventricular_tachycardia = 18, // CinC 2015: >= 5 consecutive ventricular beats, HR > 100 bpm
  ventricular_fibrillation = 19,// CinC 2015: fibrillatory waveform for >= 4 s
  atrial_fibrillation = 20,     // an AF episode of the rhythm model
  condition = 21,               // a scripted condition's course (sepsis, COPD exacerbation, ...)
};

std::string_view event_class_name(EventClass event_class);
std::optional<EventClass> event_class_from_name(std::string_view name);
std::vector<EventClass> all_event_classes();

struct GroundTruthEvent {
  EventClass event_class = EventClass::condition;
  sim::Time onset;
  sim::Time offset;         // equal to the run's end when still ongoing then
  double severity = 0.0;    // class-specific, documented: e.g. 1 or 2 for glycaemic levels
  double peak = 0.0;        // the most extreme true value during the event, in the signal's unit
  std::uint16_t detail = 0; // class-specific code (e.g. the condition type for `condition`)
};

// Where models and detectors report events (the patient collects them; the recorder stores them).
class EventSink {
public:
  virtual ~EventSink() = default;
  virtual void report(const GroundTruthEvent& event) = 0;
};

// Collects events in a vector, for tests and for the patient.
class EventLog final : public EventSink {
public:
  void report(const GroundTruthEvent& event) override { events.push_back(event); }
  std::vector<GroundTruthEvent> events;
};

}  // namespace twinbed::physiology
