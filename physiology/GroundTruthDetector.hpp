#pragma once
// physiology::GroundTruthDetector: derives the vital-sign ground-truth events (desaturation ...
// NEWS2 high, EventClass 0-14) from a patient's true vitals, one EventDetector per class.
// Definitions, sources, severity and peak of every class: docs/models/ground-truth.md.
// Rhythm classes (asystole ... atrial_fibrillation) and `condition` are reported by the rhythm
// and condition models themselves, not here.
#include <vector>

#include "physiology/EventDetector.hpp"
#include "physiology/GroundTruth.hpp"
#include "physiology/VitalSigns.hpp"
#include "sim/Time.hpp"

namespace twinbed::physiology {

// The thresholds of every vital-sign class, defaults as documented; a scenario may override them.
// Onset needs the condition for min_duration; the event ends once the value has recovered
// (condition false, or past release_threshold when set) for end_hold; offset = start of recovery.
struct GroundTruthDefinitions {
  // SpO2 < 90 %: the conventional hypoxaemia threshold and the factory-default adult SpO2 low
  // alarm limit of bedside monitors (e.g. EDAN M3A and Contec CMS8000 manuals: 90 %); >= 10 s,
  // the minimum duration of scored respiratory events and oximetry desaturations (AASM Scoring
  // Manual; Vagedes et al., PLoS One 9:e87280, 2014, count desaturations < 90 % by duration).
  EventDefinition desaturation{.event_class = EventClass::desaturation,
                               .comparison = Comparison::below, .threshold = 90.0,
                               .min_duration = sim::Time::from_s(10), .end_hold = sim::Time::from_s(10)};
  // HR < 50 bpm: sinus bradycardia (Kusumoto et al., 2018 ACC/AHA/HRS bradycardia guideline) and
  // the factory-default adult low HR/PR alarm limit (EDAN M3A, Contec CMS8000: 50 bpm); sustained
  // for >= 60 s so transients are not events (design choice).
  EventDefinition bradycardia{.event_class = EventClass::bradycardia,
                              .comparison = Comparison::below, .threshold = 50.0,
                              .min_duration = sim::Time::from_s(60), .end_hold = sim::Time::from_s(60)};
  // HR > 120 bpm: the factory-default adult high HR/PR alarm limit (EDAN M3A, Contec CMS8000:
  // 120 bpm), inside the NEWS2 111-130 band scoring 2 (RCP 2017); >= 60 s (design choice).
  EventDefinition tachycardia{.event_class = EventClass::tachycardia,
                              .comparison = Comparison::above, .threshold = 120.0,
                              .min_duration = sim::Time::from_s(60), .end_hold = sim::Time::from_s(60)};
  // RR <= 8 /min: NEWS2 red band (RCP 2017); >= 60 s, the minute over which a respiration rate
  // is counted at the bedside (design choice).
  EventDefinition bradypnoea{.event_class = EventClass::bradypnoea,
                             .comparison = Comparison::at_or_below, .threshold = 8.0,
                             .min_duration = sim::Time::from_s(60), .end_hold = sim::Time::from_s(60)};
  // RR >= 25 /min: NEWS2 red band (RCP 2017); >= 60 s as above.
  EventDefinition tachypnoea{.event_class = EventClass::tachypnoea,
                             .comparison = Comparison::at_or_above, .threshold = 25.0,
                             .min_duration = sim::Time::from_s(60), .end_hold = sim::Time::from_s(60)};
  // SBP <= 90 mmHg: NEWS2 red band (RCP 2017); >= 60 s, the shortest exposure associated with
  // harm in intra-operative hypotension studies (Walsh et al., Anesthesiology 119:507, 2013).
  // MAP < 65 mmHg (Surviving Sepsis Campaign 2021) is the alternative; systolic is what NEWS2
  // and cuffs report.
  EventDefinition hypotension{.event_class = EventClass::hypotension,
                              .comparison = Comparison::at_or_below, .threshold = 90.0,
                              .min_duration = sim::Time::from_s(60), .end_hold = sim::Time::from_s(60)};
  // SBP > 180 or DBP > 120 mmHg (Whelton et al., 2017 ACC/AHA hypertension guideline, section
  // 11.2: hypertensive crises are severe elevations of BP above 180/120 mmHg); >= 60 s (design).
  // `threshold` is the systolic limit; the detector watches the larger excess over either limit.
  EventDefinition hypertensive_crisis{.event_class = EventClass::hypertensive_crisis,
                                      .comparison = Comparison::above, .threshold = 180.0,
                                      .min_duration = sim::Time::from_s(60),
                                      .end_hold = sim::Time::from_s(60)};
  double hypertensive_crisis_diastolic_mmhg = 120.0;  // ACC/AHA 2017, as above
  // Core >= 38.3 C: fever in the ICU (O'Grady et al., SCCM/IDSA guideline, Crit Care Med
  // 36:1330, 2008); >= 5 min, longer than short-term variability (design choice).
  EventDefinition fever{.event_class = EventClass::fever,
                        .comparison = Comparison::at_or_above, .threshold = 38.3,
                        .min_duration = sim::Time::from_min(5), .end_hold = sim::Time::from_min(5)};
  // Core <= 35.0 C: NEWS2 red band (RCP 2017) and the clinical definition of hypothermia (core
  // below 35 C, Brown et al., NEJM 367:1930, 2012); >= 5 min (design choice).
  EventDefinition hypothermia{.event_class = EventClass::hypothermia,
                              .comparison = Comparison::at_or_below, .threshold = 35.0,
                              .min_duration = sim::Time::from_min(5), .end_hold = sim::Time::from_min(5)};
  // Glycaemic events on plasma glucose (International Consensus on Time in Range, Battelino et
  // al., Diabetes Care 42:1593, 2019; event rules as in Battelino et al., Lancet Diabetes
  // Endocrinol 11:42, 2023): start after >= 15 consecutive minutes beyond the level, end after
  // >= 15 consecutive minutes back on the other side of the same level. Severity = the level.
  EventDefinition hypoglycaemia_level1{.event_class = EventClass::hypoglycaemia_level1,
                                       .comparison = Comparison::below, .threshold = 70.0,
                                       .min_duration = sim::Time::from_min(15),
                                       .end_hold = sim::Time::from_min(15), .fixed_severity = 1.0};
  EventDefinition hypoglycaemia_level2{.event_class = EventClass::hypoglycaemia_level2,
                                       .comparison = Comparison::below, .threshold = 54.0,
                                       .min_duration = sim::Time::from_min(15),
                                       .end_hold = sim::Time::from_min(15), .fixed_severity = 2.0};
  EventDefinition hyperglycaemia_level1{.event_class = EventClass::hyperglycaemia_level1,
                                        .comparison = Comparison::above, .threshold = 180.0,
                                        .min_duration = sim::Time::from_min(15),
                                        .end_hold = sim::Time::from_min(15), .fixed_severity = 1.0};
  EventDefinition hyperglycaemia_level2{.event_class = EventClass::hyperglycaemia_level2,
                                        .comparison = Comparison::above, .threshold = 250.0,
                                        .min_duration = sim::Time::from_min(15),
                                        .end_hold = sim::Time::from_min(15), .fixed_severity = 2.0};
  // NEWS2 medium trigger (RCP 2017 chart 4): aggregate 5-6 or a single red 3 ("low-medium"), and
  // everything above. The watched value is the News2Risk level (0 low, 1 low_medium, 2 medium,
  // 3 high), so threshold 2 would drop the single-red-score trigger. >= 60 s (design choice).
  EventDefinition news2_medium{.event_class = EventClass::news2_medium,
                               .comparison = Comparison::at_or_above, .threshold = 1.0,
                               .min_duration = sim::Time::from_s(60), .end_hold = sim::Time::from_s(60)};
  // NEWS2 high (RCP 2017 chart 4): aggregate >= 7. The watched value is the aggregate score.
  EventDefinition news2_high{.event_class = EventClass::news2_high,
                             .comparison = Comparison::at_or_above, .threshold = 7.0,
                             .min_duration = sim::Time::from_s(60), .end_hold = sim::Time::from_s(60)};
};

class GroundTruthDetector {
public:
  // `sink` must outlive the detector.
  explicit GroundTruthDetector(EventSink& sink, const GroundTruthDefinitions& definitions = {});

  // Feeds the true vitals at t (typically 1 Hz); t must not decrease between calls.
  void observe(sim::Time t, const VitalSigns& vitals);

  // Closes every ongoing event at end_time (the run's end) and resets the detectors.
  void finish(sim::Time end_time);

  // Whether an event of `event_class` is ongoing (always false for the classes not detected here).
  bool in_event(EventClass event_class) const;

  const GroundTruthDefinitions& definitions() const { return definitions_; }

private:
  GroundTruthDefinitions definitions_;
  std::vector<EventDetector> detectors_;  // indexed by EventClass, desaturation .. news2_high
};

}  // namespace twinbed::physiology
