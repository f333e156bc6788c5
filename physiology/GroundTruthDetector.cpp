#include "physiology/GroundTruthDetector.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>

#include "physiology/News2.hpp"

namespace twinbed::physiology {
namespace {

constexpr std::size_t VITAL_CLASSES = static_cast<std::size_t>(EventClass::news2_high) + 1;

// The detector of hypertensive crisis watches the larger excess (mmHg) of systolic over its limit
// or diastolic over its limit, so "SBP > 180 or DBP > 120" is one threshold at 0.
EventDefinition hypertensive_excess_definition(const GroundTruthDefinitions& d) {
  EventDefinition excess = d.hypertensive_crisis;
  excess.threshold = 0.0;
  if (excess.release_threshold) *excess.release_threshold -= d.hypertensive_crisis.threshold;
  return excess;
}

// The value each class's detector watches, in EventClass order.
std::array<double, VITAL_CLASSES> watched_values(const VitalSigns& v, const GroundTruthDefinitions& d) {
  const News2Score news2 = news2_score(news2_inputs(v));
  const double hypertensive_excess =
      std::max(v.systolic_mmhg - d.hypertensive_crisis.threshold,
               v.diastolic_mmhg - d.hypertensive_crisis_diastolic_mmhg);
  return {
      v.spo2_percent,                       // desaturation
      v.heart_rate_bpm,                     // bradycardia
      v.heart_rate_bpm,                     // tachycardia
      v.respiration_rate_per_min,           // bradypnoea
      v.respiration_rate_per_min,           // tachypnoea
      v.systolic_mmhg,                      // hypotension
      hypertensive_excess,                  // hypertensive_crisis
      v.core_temperature_c,                 // fever
      v.core_temperature_c,                 // hypothermia
      v.glucose_mg_dl,                      // hypoglycaemia_level1
      v.glucose_mg_dl,                      // hypoglycaemia_level2
      v.glucose_mg_dl,                      // hyperglycaemia_level1
      v.glucose_mg_dl,                      // hyperglycaemia_level2
      static_cast<double>(news2.risk),      // news2_medium
      static_cast<double>(news2.total),     // news2_high
  };
}

}  // namespace

GroundTruthDetector::GroundTruthDetector(EventSink& sink, const GroundTruthDefinitions& definitions)
    : definitions_(definitions) {
  const GroundTruthDefinitions& d = definitions_;
  const std::array<EventDefinition, VITAL_CLASSES> in_class_order{
      d.desaturation,         d.bradycardia,          d.tachycardia,
      d.bradypnoea,           d.tachypnoea,           d.hypotension,
      hypertensive_excess_definition(d),              d.fever,
      d.hypothermia,          d.hypoglycaemia_level1, d.hypoglycaemia_level2,
      d.hyperglycaemia_level1, d.hyperglycaemia_level2, d.news2_medium,
      d.news2_high};
  detectors_.reserve(VITAL_CLASSES);
  for (std::size_t i = 0; i < VITAL_CLASSES; ++i) {
    // A definition filed under the wrong class would silently mislabel events.
    assert(in_class_order[i].event_class == static_cast<EventClass>(i));
    detectors_.emplace_back(in_class_order[i], sink);
  }
}

void GroundTruthDetector::observe(sim::Time t, const VitalSigns& vitals) {
  const auto values = watched_values(vitals, definitions_);
  for (std::size_t i = 0; i < VITAL_CLASSES; ++i) detectors_[i].observe(t, values[i]);
}

void GroundTruthDetector::finish(sim::Time end_time) {
  for (auto& detector : detectors_) detector.finish(end_time);
}

bool GroundTruthDetector::in_event(EventClass event_class) const {
  const auto index = static_cast<std::size_t>(event_class);
  return index < VITAL_CLASSES && detectors_[index].in_event();
}

}  // namespace twinbed::physiology
