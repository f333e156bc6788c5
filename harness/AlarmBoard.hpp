#pragma once
// harness::AlarmBoard: the annunciation side of the reference monitor (IEC 60601-1-8 6.2
// latching and acknowledgement), in virtual time. Rules tell it when their conditions start and
// end, and offer alarms that are due; the board decides whether each is a new alarm and hands it
// to the AlarmSink.
//
// One annunciation per key (patient, alarm type, and the device for device-scoped technical
// alarms). While a key is annunciating an offered alarm of that key is merged into it (not raised
// again). An annunciation ends at the first instant the board looks at it (a condition change, an
// offer, a tick) at which
//   - no source's condition is active, and
//   - the alarm is non-latching, or it has been acknowledged: the simulated clinician acknowledges
//     every alarm `acknowledge_after` after it started.
// After that, a new episode of the condition, once due, is a new alarm. A latched alarm whose
// condition has cleared only keeps sounding until acknowledged: a new episode that becomes due
// meanwhile is a new alarm (the clinician is told the condition is back, not left with the old
// sound). An acknowledged alarm whose condition persists is announced again every
// reminder_interval (IEC 60601-1-8 alarm reminder signals; IntelliVue "ReAlarm"). One-shot
// alarms (device alerts, which have no condition that could clear) annunciate until acknowledged.
// Suppressed candidates (smart mode) are recorded with suppressed = true but do not annunciate.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "harness/Alarm.hpp"
#include "harness/ReferenceMonitor.hpp"
#include "sim/Time.hpp"

namespace twinbed::harness {

struct AlarmKey {
  std::uint32_t patient = 0;
  std::string type;
  std::uint32_t device = NO_DEVICE;  // NO_DEVICE: one annunciation per patient and type
  auto operator<=>(const AlarmKey&) const = default;
};

enum class Offer : std::uint8_t {
  raised = 0,      // a new alarm, annunciating from now
  merged = 1,      // the key was already annunciating: nothing recorded
  suppressed = 2,  // recorded with suppressed = true; nothing annunciates
};

class AlarmBoard {
public:
  AlarmBoard(const LatchingPolicy& policy, AlarmSink& sink) : policy_(policy), sink_(sink) {}

  // The condition of `source` (a device index, or NO_DEVICE) for `key` started or ended at `now`.
  void set_condition(const AlarmKey& key, std::uint32_t source, bool active, sim::Time now);
  // An alarm that is due at alarm.time. alarm.suppressed marks a candidate the monitor suppresses.
  Offer offer(const AlarmKey& key, const Alarm& alarm);
  // A one-shot alarm: annunciates until acknowledged, whatever its priority.
  Offer offer_event(const AlarmKey& key, const Alarm& alarm);
  // Ends the annunciations whose end condition holds at `now` (the monitor's tick).
  void update(sim::Time now);

  bool annunciating(const AlarmKey& key, sim::Time now);
  std::size_t alarms_raised() const { return raised_; }

private:
  struct Entry {
    std::set<std::uint32_t> active_sources;
    bool annunciating = false;
    bool latching = false;
    bool one_shot = false;
    bool cleared_since_raise = false;  // the condition ended while it annunciated (latched)
    sim::Time started;
    Alarm alarm;  // the last one raised, for reminders
  };
  void settle(Entry& entry, sim::Time now) const;
  bool latches(Priority priority) const;
  Offer submit(const AlarmKey& key, const Alarm& alarm, bool one_shot);

  LatchingPolicy policy_;
  AlarmSink& sink_;
  std::map<AlarmKey, Entry> entries_;
  std::size_t raised_ = 0;
};

}  // namespace twinbed::harness
