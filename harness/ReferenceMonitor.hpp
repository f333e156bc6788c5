#pragma once
// harness::ReferenceMonitor: twinbed's embedded system under test, a central-station alarm system
// built like a typical bedside/central monitor (IEC 60601-1-8 priorities, alarm-condition delay,
// latching) with NEWS2 escalation, CinC-2015 arrhythmia alarms from the measured ECG, CGM glucose
// alarms and technical alarms. Two modes:
//   naive  raw thresholds on every delivered value: what a monitor with no artifact handling does;
//   smart  quality flags, longer persistence and cross-checks against a second signal (a SpO2 drop
//          without a good pulse signal, an asystole with a pulse on the oximeter are suppressed).
// The monitor sees only delivered packets and the clinical context, never the ground truth.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/Alarm.hpp"
#include "harness/ArrhythmiaAnalyzer.hpp"
#include "harness/Monitor.hpp"
#include "physiology/Signal.hpp"
#include "sim/Time.hpp"

namespace twinbed::harness {

enum class MonitorMode : std::uint8_t { naive = 0, smart = 1 };

// One threshold alarm: `signal` below (or above) `limit` for `delay` of sample time.
struct ThresholdRule {
  std::string type;  // alarm type, e.g. "spo2_low"
  physiology::Signal signal = physiology::Signal::spo2;
  bool above = false;  // false: value < limit alarms; true: value > limit alarms
  double limit = 0.0;  // in the signal's unit
  Priority priority = Priority::medium;
  sim::Time delay;     // alarm-condition delay (IEC 60601-1-8): the condition must persist this long
  bool enabled = true;
  // true: the limit itself alarms (value <= limit, or >= when above), as the ground-truth
  // definitions that use "at or below" (bradypnoea <= 8 /min, hypotension <= 90 mmHg, ...).
  bool inclusive = false;

  bool met(double value) const {
    if (above) return inclusive ? value >= limit : value > limit;
    return inclusive ? value <= limit : value < limit;
  }
};

struct LatchingPolicy {
  // IEC 60601-1-8 6.2: a latching alarm keeps annunciating after its condition ends until it is
  // acknowledged. Typical central stations latch high-priority (red) alarms only.
  bool latch_high = true;
  bool latch_medium = false;
  bool latch_low = false;
  // The simulated clinician acknowledges an annunciating alarm this long after it started. While
  // an alarm of a type is annunciating for a patient, the same type is not raised again.
  sim::Time acknowledge_after = sim::Time::from_s(120);
  // An acknowledged alarm whose condition persists is announced again this long after the
  // acknowledgement (IEC 60601-1-8 alarm reminder; Philips IntelliVue "ReAlarm" offers 1-3 min).
  // Zero: never.
  sim::Time reminder_interval = sim::Time::from_s(180);
};

struct News2Rule {
  bool enabled = true;
  // Vital signs older than this (sample time) do not count; NEWS2 needs all five measured ones.
  sim::Time max_age = sim::Time::from_s(3600);
  sim::Time delay = sim::Time::from_s(60);  // the score must stay at the level this long
  // ... and a dip below it shorter than this does not end the episode (the ground truth's NEWS2
  // events use the same 60 s end hold): single noisy vitals make the score flicker at a band edge.
  sim::Time hold = sim::Time::from_s(60);
  Priority medium_priority = Priority::medium;  // aggregate 5-6 or a single 3 ("news2_medium")
  Priority high_priority = Priority::high;      // aggregate >= 7 ("news2_high")
};

struct ArrhythmiaRule {
  bool enabled = true;
  ArrhythmiaParams params;
  bool atrial_fibrillation = true;  // "afib" (medium); the others are high priority
  // smart: calls on ECG whose signal quality is below this are suppressed.
  double min_signal_quality = 0.5;
};

struct GlucoseRule {
  bool enabled = true;
  double urgent_low_mg_dl = 54.0;   // high priority; International Consensus level 2
  double low_mg_dl = 70.0;          // medium; level 1
  double high_mg_dl = 180.0;        // low priority; level 1 (time-in-range upper bound)
  // "urgent low soon": the CGM trend predicts urgent_low within this horizon (Dexcom G6/G7).
  sim::Time predict_horizon = sim::Time::from_s(20 * 60);
  sim::Time trend_window = sim::Time::from_s(15 * 60);  // readings fitted for the trend
  sim::Time delay;  // zero: CGM readings are already 5-min values
};

struct TechnicalRule {
  bool enabled = true;
  // "no_data": nothing delivered from a device for max(no_data_factor x its sample interval,
  // no_data_min); devices without a regular interval are not watched.
  double no_data_factor = 3.0;
  sim::Time no_data_min = sim::Time::from_s(60);
  sim::Time lead_off_delay = sim::Time::from_s(10);  // "lead_off" / "probe_off" after this long
  Priority priority = Priority::low;
};

struct ReferenceMonitorConfig {
  MonitorMode mode = MonitorMode::smart;
  std::vector<ThresholdRule> thresholds = default_thresholds();
  LatchingPolicy latching;
  News2Rule news2;
  ArrhythmiaRule arrhythmia;
  GlucoseRule glucose;
  TechnicalRule technical;
  // smart mode only: extra persistence added to every threshold delay, and the largest
  // disagreement between the ECG heart rate and the oximeter's pulse rate that still counts as
  // one rhythm (beyond it a rate or SpO2 alarm is taken for an artifact).
  sim::Time smart_extra_delay = sim::Time::from_s(5);
  double cross_check_bpm = 20.0;

  // The defaults of a typical adult bedside monitor, aligned with the ground-truth definitions
  // (docs/models/ground-truth.md); docs/alarms.md gives each value's source.
  static std::vector<ThresholdRule> default_thresholds();
};

class ReferenceMonitor final : public Monitor {
public:
  ReferenceMonitor(const MonitorContext& context, const ReferenceMonitorConfig& config, AlarmSink& alarms);
  ~ReferenceMonitor() override;

  void consume(const network::Packet& packet, sim::Time delivered) override;
  sim::Time tick_interval() const override { return sim::Time::from_s(1); }
  void tick(sim::Time now) override;
  void finish(sim::Time end) override;

private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace twinbed::harness
