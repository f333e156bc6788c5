#include "harness/TruthEvents.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace twinbed::harness {

namespace {

using physiology::Signal;

// A CGM's 5-minute readings are the slowest that still count as continuous monitoring.
constexpr sim::Time CONTINUOUS_REPORT_INTERVAL = sim::Time::from_s(300);

// The signals that let a monitor observe a physiological class on a patient. An event no device
// could see (a fever on a patient without a thermometer) is not a target: it is recorded, but not
// counted as missed.
bool observable(const std::string& event_class, const std::set<Signal>& signals, bool implant, bool watch) {
  const auto has = [&](Signal s) { return signals.count(s) > 0; };
  if (event_class == "desaturation") return has(Signal::spo2);
  if (event_class == "bradycardia" || event_class == "tachycardia") return has(Signal::heart_rate) || has(Signal::ecg);
  if (event_class == "bradypnoea" || event_class == "tachypnoea") return has(Signal::respiration_rate);
  if (event_class == "hypotension") return has(Signal::systolic_bp);
  if (event_class == "hypertensive_crisis") return has(Signal::systolic_bp) || has(Signal::diastolic_bp);
  if (event_class == "fever" || event_class == "hypothermia") return has(Signal::core_temperature);
  if (event_class.rfind("hypoglycaemia", 0) == 0 || event_class.rfind("hyperglycaemia", 0) == 0) {
    return has(Signal::interstitial_glucose) || has(Signal::glucose);
  }
  if (event_class == "news2_medium" || event_class == "news2_high") {
    // NEWS2 needs all five measured parameters (consciousness is taken as alert).
    return has(Signal::heart_rate) && has(Signal::spo2) && has(Signal::respiration_rate) && has(Signal::systolic_bp) &&
           has(Signal::core_temperature);
  }
  if (event_class == "ventricular_tachycardia" || event_class == "ventricular_fibrillation") {
    return has(Signal::ecg) || implant;  // an ICD detects and reports its VT/VF episodes
  }
  // An implant reports AF only as a burden in its daily summary, not as an alert.
  if (event_class == "atrial_fibrillation") return has(Signal::ecg) || watch;
  if (event_class == "asystole" || event_class == "extreme_bradycardia" || event_class == "extreme_tachycardia") {
    return has(Signal::ecg);
  }
  return false;
}

bool is_ecg_device(devices::DeviceType type) {
  return type == devices::DeviceType::ecg_patch || type == devices::DeviceType::bedside_monitor;
}

// The technical class of a device fault, or "" for artifacts that are not events of their own.
std::string technical_class(devices::FaultKind kind, devices::DeviceType type) {
  using devices::FaultKind;
  switch (kind) {
    case FaultKind::detachment: return is_ecg_device(type) ? "lead_off" : "sensor_detached";
    case FaultKind::crash:
    case FaultKind::signal_loss:
    case FaultKind::warm_up: return "device_offline";
    case FaultKind::battery_low: return "battery_low";
    case FaultKind::battery_depleted: return "battery_depleted";
    case FaultKind::occlusion: return "occlusion";
    case FaultKind::reservoir_empty: return "reservoir_empty";
    case FaultKind::lead_impedance: return "lead_impedance";
    case FaultKind::sensor_expired: return "sensor_expired";
    default: return "";
  }
}

// Faults that corrupt measurements: a false alarm during (or just after) one is an artifact.
bool is_artifact(devices::FaultKind kind) {
  using devices::FaultKind;
  switch (kind) {
    case FaultKind::motion:
    case FaultKind::detachment:
    case FaultKind::low_perfusion:
    case FaultKind::compression:
    case FaultKind::signal_loss:
    case FaultKind::stuck_sensor:
    case FaultKind::calibration_drift:
    case FaultKind::measurement_failed: return true;
    default: return false;
  }
}

}  // namespace

std::vector<ScoredEvent> merge_episodes(std::vector<ScoredEvent> events, const ScoringConfig& config) {
  std::vector<ScoredEvent> merged;
  merged.reserve(events.size());
  // The last kept event of each (patient, class, device), to extend while the next one is close.
  std::map<std::tuple<std::uint32_t, std::string, std::uint32_t>, std::size_t> open;
  for (ScoredEvent& e : events) {
    const ClassRule* rule = config.rule(e.event_class);
    const auto key = std::make_tuple(e.patient, e.event_class, e.device);
    const auto it = open.find(key);
    if (rule != nullptr && rule->merge_gap > sim::Time::zero() && it != open.end() &&
        e.onset - merged[it->second].offset < rule->merge_gap) {
      ScoredEvent& kept = merged[it->second];
      kept.offset = std::max(kept.offset, e.offset);
      kept.scored = kept.scored || e.scored;
      continue;
    }
    open[key] = merged.size();
    merged.push_back(std::move(e));
  }
  return merged;
}

Truth build_truth(const World& world, const ScoringConfig& config) {
  Truth truth;
  const auto patients = static_cast<std::uint32_t>(world.patients().size());
  std::vector<std::set<Signal>> signals(patients);
  std::vector<bool> implant(patients, false), watch(patients, false);
  for (const DeviceInfo& d : world.device_info()) {
    const devices::DeviceTypeInfo& type = devices::device_type_info(*devices::device_type_from_name(d.type));
    // Only continuous monitoring observes an episode: a device reporting at least every
    // CONTINUOUS_REPORT_INTERVAL. Spot checks (times of day, on demand, a thermometer every 4 h,
    // an implant's daily summary) may happen to catch one, but an episode between two of them
    // is invisible to any platform, so it cannot be held against one.
    if (d.report_interval > sim::Time::zero() && d.report_interval <= CONTINUOUS_REPORT_INTERVAL) {
      signals[d.patient].insert(type.signals.begin(), type.signals.end());
    }

    if (type.type == devices::DeviceType::cardiac_implant) implant[d.patient] = true;
    if (type.type == devices::DeviceType::smartwatch) watch[d.patient] = true;
  }
  const auto add = [&](std::uint32_t patient, std::string event_class, sim::Time onset, sim::Time offset,
                       std::uint32_t device, bool target) {
    const ClassRule* rule = config.rule(event_class);
    const bool scored = target && rule != nullptr && offset - onset >= rule->min_duration;
    truth.events.push_back(ScoredEvent{patient, std::move(event_class), onset, offset, device, scored});
  };

  for (std::uint32_t p = 0; p < patients; ++p) {
    for (const physiology::GroundTruthEvent& e : world.patients()[p]->events()) {
      std::string name(physiology::event_class_name(e.event_class));
      const bool target = observable(name, signals[p], implant[p], watch[p]);
      add(p, std::move(name), e.onset, e.offset, NO_DEVICE, target);
    }
  }
  for (const devices::FaultRecord& f : world.faults().records()) {
    const DeviceInfo& d = world.device_info()[f.device];
    const devices::DeviceType type = *devices::device_type_from_name(d.type);
    if (is_artifact(f.kind)) truth.artifacts.push_back(ArtifactInterval{f.patient, f.device, f.start, f.end});
    std::string name = technical_class(f.kind, type);
    if (name.empty()) continue;
    // A sensor warming up is expected, not a fault: alarms during it are neither true nor false.
    bool target = f.kind != devices::FaultKind::warm_up;
    // Silence shorter than three report intervals cannot justify a no-data alarm.
    if (name == "device_offline" && d.report_interval > sim::Time::zero()) {
      target = target && f.end - f.start >= sim::Time::from_ns(3 * d.report_interval.ns());
    }
    add(f.patient, std::move(name), f.start, f.end, f.device, target);
  }
  for (const network::OutageRecord& o : world.faults().outages()) {
    if (o.kind == network::OutageKind::handover) continue;  // milliseconds: nothing to announce
    if (o.device != network::NONE) {
      // A device's own link (its BLE connection): as for device_offline, silence shorter than
      // three report intervals cannot justify a no-data alarm.
      const sim::Time report = world.device_info()[o.device].report_interval;
      const bool target = report > sim::Time::zero() && o.end - o.start >= sim::Time::from_ns(3 * report.ns());
      add(o.patient, "network_outage", o.start, o.end, o.device, target);
    } else {
      // A patient's or a shared element (the phone's Wi-Fi, an access point, a cell) may or may not
      // cut the patient off, depending on alternative routes (a phone falls back to LTE-M):
      // recorded for the patients concerned, but not a target.
      for (std::uint32_t p = 0; p < patients; ++p) {
        if (o.patient == network::NONE || o.patient == p) add(p, "network_outage", o.start, o.end, NO_DEVICE, false);
      }
    }
  }
  std::stable_sort(truth.events.begin(), truth.events.end(), [](const ScoredEvent& a, const ScoredEvent& b) {
    return a.patient != b.patient ? a.patient < b.patient : a.onset < b.onset;
  });
  return Truth{merge_episodes(std::move(truth.events), config), std::move(truth.artifacts)};
}

}  // namespace twinbed::harness
