// The reference monitor: threshold, NEWS2 and glucose alarms on the delivered readings, arrhythmia
// alarms on the delivered ECG (EcgWatch), technical alarms (TechnicalWatch), all annunciated
// through one AlarmBoard. docs/alarms.md describes the rules; the state machines live in
// AlarmCondition, AlarmBoard, News2Vitals, GlucoseTrend and ArrhythmiaAnalyzer.
#include "harness/ReferenceMonitor.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "harness/AlarmBoard.hpp"
#include "harness/AlarmCondition.hpp"
#include "harness/EcgWatch.hpp"
#include "harness/GlucoseTrend.hpp"
#include "harness/News2Vitals.hpp"
#include "harness/TechnicalWatch.hpp"

namespace twinbed::harness {

using physiology::Signal;

namespace {

// Smart mode: readings the device itself marks as unreliable do not count. Clamped readings (at
// the display limit) and retried NIBP measurements are still measurements.
constexpr std::uint16_t UNTRUSTED_FLAGS = network::READING_SENSOR_OFF | network::READING_MOTION |
                                          network::READING_LOW_QUALITY | network::READING_LOW_PERFUSION;

// How recent a pulse or heart rate must be to cross-check another signal: pulse oximeters average
// over 4-16 s (physiology spec section 5), so a rate older than ~10 s describes another moment.
constexpr sim::Time RECENT = sim::Time::from_s(10);

bool trusted(std::uint16_t flags) { return (flags & UNTRUSTED_FLAGS) == 0; }

bool reports(const DeviceContext& device, Signal signal) {
  return std::find(device.signals.begin(), device.signals.end(), signal) != device.signals.end();
}

// The newest heart-rate reading of a device.
struct Rate {
  bool present = false;
  sim::Time sample_time;
  sim::Time delivered;
  double bpm = 0.0;
  std::uint16_t flags = network::READING_OK;
  bool usable() const { return present && trusted(flags) && bpm > 0.0; }
};

struct DeviceState {
  std::uint32_t patient = 0;
  bool ecg = false;        // reports an ECG: its heart rate is the ECG heart rate
  bool oximeter = false;   // reports SpO2 and a pulse rate without an ECG: its rate is the pulse
  bool reports_rate = false;
  sim::Time sample_interval;
  Rate rate;
};

struct PatientState {
  News2Vitals vitals;
  AlarmCondition news2_medium;
  AlarmCondition news2_high;
};

struct GlucoseState {
  explicit GlucoseState(const GlucoseRule& rule)
      : trend(rule.trend_window), urgent_low(rule.delay), low(rule.delay), high(rule.delay) {}
  GlucoseTrend trend;
  AlarmCondition urgent_low;
  AlarmCondition low;
  AlarmCondition high;
  AlarmCondition urgent_low_soon;
};

Alarm make_alarm(sim::Time time, std::uint32_t patient, std::uint32_t device, std::string type, Priority priority,
                 double value, std::string detail) {
  Alarm alarm;
  alarm.time = time;
  alarm.patient = patient;
  alarm.device = device;
  alarm.type = std::move(type);
  alarm.priority = priority;
  alarm.value = value;
  alarm.detail = std::move(detail);
  return alarm;
}

}  // namespace

struct ReferenceMonitor::State {
  State(const MonitorContext& context, const ReferenceMonitorConfig& config, AlarmSink& sink)
      : context(context), config(config), board(config.latching, sink), technical(config.technical, context, board) {
    for (const ThresholdRule& rule : config.thresholds) {
      if (rule.enabled) rules.push_back(rule);
    }
    for (const DeviceContext& d : context.devices) {
      DeviceState state;
      state.patient = d.patient;
      state.ecg = reports(d, Signal::ecg);
      state.oximeter = !state.ecg && reports(d, Signal::spo2) && reports(d, Signal::heart_rate);
      state.reports_rate = reports(d, Signal::heart_rate);
      state.sample_interval = d.sample_interval;
      devices.push_back(state);
    }
  }

  bool smart() const { return config.mode == MonitorMode::smart; }

  DeviceState& device(std::uint32_t index, std::uint32_t patient) {
    while (devices.size() <= index) {
      // Not in the context (live mode: an unregistered device): no interval, no known signals.
      DeviceState state;
      state.patient = patient;
      devices.push_back(state);
    }
    return devices[index];
  }

  PatientState& patient(std::uint32_t index) {
    auto it = patients.find(index);
    if (it == patients.end()) {
      PatientState state;
      state.news2_medium = AlarmCondition(config.news2.delay, config.news2.hold);
      state.news2_high = AlarmCondition(config.news2.delay, config.news2.hold);
      it = patients.emplace(index, std::move(state)).first;
    }
    return it->second;
  }

  const PatientContext& patient_context(std::uint32_t index) const {
    static const PatientContext unknown;
    return index < context.patients.size() ? context.patients[index] : unknown;
  }

  // The alarm-condition delay of `rule` on a device. Smart mode adds its extra persistence to
  // every rule that has a delay. A device measuring no more often than the delay (spot checks:
  // a thermometer every 4 h, an on-demand cuff) reports whole measurements, each standing for the
  // interval until the next: its readings alarm at once, as a monitor alarms on one NIBP reading.
  sim::Time threshold_delay(const ThresholdRule& rule, const DeviceState& device) const {
    sim::Time delay = rule.delay;
    if (smart() && delay > sim::Time::zero()) delay += config.smart_extra_delay;
    if (device.sample_interval <= sim::Time::zero() || device.sample_interval >= delay) return sim::Time::zero();
    return delay;
  }

  void consume(const network::Packet& packet, sim::Time delivered);
  void tick(sim::Time now);

  void threshold_reading(std::size_t rule_index, const network::Reading& reading, DeviceState& device,
                         sim::Time delivered);
  std::optional<std::string> spo2_cross_check(const network::Reading& reading, const DeviceState& device,
                                              sim::Time delivered) const;
  std::optional<std::string> rate_cross_check(const network::Reading& reading, const DeviceState& device,
                                              sim::Time delivered) const;
  std::optional<Rate> latest_rate(std::uint32_t patient, bool ecg, sim::Time now, std::uint32_t except) const;
  void glucose_reading(const network::Reading& reading, sim::Time delivered);
  void glucose_level(AlarmCondition& condition, const char* type, Priority priority, bool met,
                     const network::Reading& reading, sim::Time delivered, std::string detail);
  void news2(std::uint32_t patient, PatientState& state, sim::Time now);

  MonitorContext context;
  ReferenceMonitorConfig config;
  AlarmBoard board;
  TechnicalWatch technical;
  std::vector<ThresholdRule> rules;  // the enabled ones
  std::vector<DeviceState> devices;
  std::map<std::pair<std::size_t, std::uint32_t>, AlarmCondition> thresholds;  // (rule, device)
  std::map<std::uint32_t, PatientState> patients;
  std::map<std::uint32_t, GlucoseState> glucose;  // by device
  std::map<std::uint32_t, EcgWatch> ecg;          // by device, from its first ECG block
};

void ReferenceMonitor::State::consume(const network::Packet& packet, sim::Time delivered) {
  technical.delivered(packet, delivered);
  // The rates first: an oximeter sends SpO2 and its pulse rate in one packet, and the SpO2
  // cross-check needs the pulse measured with it.
  for (const network::Reading& reading : packet.readings) {
    if (static_cast<Signal>(reading.signal) != Signal::heart_rate) continue;
    DeviceState& state = device(packet.device, reading.patient);
    state.reports_rate = true;
    if (state.rate.present && reading.sample_time < state.rate.sample_time) continue;
    state.rate = Rate{true, reading.sample_time, delivered, reading.value, reading.flags};
  }
  // The ECG before the readings: an ECG device's heart-rate alarm is judged with the signal
  // quality of the ECG it came with.
  if (config.arrhythmia.enabled) {
    for (const network::Waveform& block : packet.waveforms) {
      if (static_cast<Signal>(block.signal) != Signal::ecg) continue;
      const std::uint32_t patient = device(packet.device, 0).patient;
      auto it = ecg.find(packet.device);
      if (it == ecg.end()) {
        it = ecg.try_emplace(packet.device, packet.device, patient, config.arrhythmia, config.mode, board).first;
      }
      const std::optional<Rate> pulse = latest_rate(patient, false, delivered, packet.device);
      it->second.feed(block, delivered, pulse ? std::optional<double>(pulse->bpm) : std::nullopt);
    }
  }
  for (const network::Reading& reading : packet.readings) {
    const auto signal = static_cast<Signal>(reading.signal);
    if (signal == Signal::device_alert || signal == Signal::battery_level) continue;  // technical
    DeviceState& state = device(packet.device, reading.patient);
    const bool credible = !smart() || trusted(reading.flags);
    if (credible && config.news2.enabled) patient(reading.patient).vitals.record(signal, reading.sample_time, reading.value);
    for (std::size_t i = 0; i < rules.size(); ++i) {
      if (rules[i].signal == signal) threshold_reading(i, reading, state, delivered);
    }
    if (config.glucose.enabled && (signal == Signal::interstitial_glucose || signal == Signal::glucose)) {
      glucose_reading(reading, delivered);
    }
  }
}

void ReferenceMonitor::State::threshold_reading(std::size_t rule_index, const network::Reading& reading,
                                                DeviceState& device, sim::Time delivered) {
  const ThresholdRule& rule = rules[rule_index];
  auto it = thresholds.find({rule_index, reading.device});
  if (it == thresholds.end()) {
    it = thresholds.emplace(std::pair{rule_index, reading.device}, AlarmCondition(threshold_delay(rule, device))).first;
  }
  AlarmCondition& condition = it->second;
  const ConditionStep step = smart() && !trusted(reading.flags) ? condition.interrupt(reading.sample_time)
                                                                 : condition.observe(reading.sample_time, rule.met(reading.value));
  const AlarmKey key{reading.patient, rule.type, NO_DEVICE};
  if (step.started) board.set_condition(key, reading.device, true, delivered);
  if (step.cleared) board.set_condition(key, reading.device, false, delivered);
  if (!step.due) return;

  Alarm alarm = make_alarm(delivered, reading.patient, reading.device, rule.type, rule.priority, reading.value,
                           fmt::format("{} {:g} {} {:g} for {:g} s", physiology::signal_name(rule.signal),
                                       reading.value, rule.above ? (rule.inclusive ? ">=" : ">") : (rule.inclusive ? "<=" : "<"),
                                       rule.limit, (reading.sample_time - condition.onset()).seconds()));
  if (smart()) {
    std::optional<std::string> why;
    if (rule.signal == Signal::spo2) why = spo2_cross_check(reading, device, delivered);
    if (rule.signal == Signal::heart_rate) why = rate_cross_check(reading, device, delivered);
    if (why) {
      if (condition.suppressed_noted()) return;  // recorded once per episode; retried silently
      alarm.suppressed = true;
      alarm.detail = *why;
    }
  }
  if (board.offer(key, alarm) == Offer::suppressed) {
    condition.note_suppressed();
  } else {
    condition.settle();
  }
}

std::optional<Rate> ReferenceMonitor::State::latest_rate(std::uint32_t patient, bool ecg, sim::Time now,
                                                         std::uint32_t except) const {
  // The freshest usable rate among the patient's ECG devices (ecg) or pulse oximeters (!ecg),
  // delivered within RECENT of now. Different devices have different clocks: delivery time is
  // the one clock they share.
  std::optional<Rate> best;
  for (std::uint32_t i = 0; i < devices.size(); ++i) {
    const DeviceState& d = devices[i];
    if (i == except || d.patient != patient || !(ecg ? d.ecg : d.oximeter) || !d.rate.usable()) continue;
    if (now - d.rate.delivered > RECENT) continue;
    if (!best || d.rate.delivered > best->delivered) best = d.rate;
  }
  return best;
}

std::optional<std::string> ReferenceMonitor::State::spo2_cross_check(const network::Reading& reading,
                                                                     const DeviceState& device,
                                                                     sim::Time delivered) const {
  // A SpO2 value is only as good as the pulse signal it was computed from: the device's own pulse
  // rate, measured with it and unflagged, must be there.
  if (!device.reports_rate) return std::nullopt;  // nothing to cross-check it with
  const Rate& pulse = device.rate;
  const bool measured_with_it = pulse.present && pulse.sample_time <= reading.sample_time + RECENT &&
                                reading.sample_time <= pulse.sample_time + RECENT;
  if (!measured_with_it || !pulse.usable()) return std::string("no credible pulse on the oximeter");
  // And it must be the patient's heart beating: where an ECG counts the beats, the two rates agree.
  const std::optional<Rate> ecg = latest_rate(reading.patient, true, delivered, reading.device);
  if (ecg && std::abs(pulse.bpm - ecg->bpm) > config.cross_check_bpm) {
    return fmt::format("pulse {:g} bpm disagrees with ECG HR {:g} bpm", pulse.bpm, ecg->bpm);
  }
  return std::nullopt;
}

std::optional<std::string> ReferenceMonitor::State::rate_cross_check(const network::Reading& reading,
                                                                     const DeviceState& device,
                                                                     sim::Time delivered) const {
  if (device.ecg) {
    // An ECG heart rate is doubtful when the ECG it was counted on is poor; the oximeter's pulse
    // then decides: if it disagrees, the rate is taken for noise counted as beats (or beats lost).
    const auto watch = ecg.find(reading.device);
    const std::optional<double> quality =
        watch == ecg.end() ? std::nullopt : watch->second.signal_quality();
    if (!quality || *quality >= config.arrhythmia.min_signal_quality) return std::nullopt;
    const std::optional<Rate> pulse = latest_rate(reading.patient, false, delivered, reading.device);
    if (pulse && std::abs(pulse->bpm - reading.value) > config.cross_check_bpm) {
      return fmt::format("ECG quality {:.2f}, pulse {:g} bpm disagrees", *quality, pulse->bpm);
    }
    return std::nullopt;
  }
  // A pulse rate (oximeter, watch) that the patient's ECG contradicts is a pulse-signal artifact.
  const std::optional<Rate> ecg = latest_rate(reading.patient, true, delivered, reading.device);
  if (ecg && std::abs(reading.value - ecg->bpm) > config.cross_check_bpm) {
    return fmt::format("pulse {:g} bpm disagrees with ECG HR {:g} bpm", reading.value, ecg->bpm);
  }
  return std::nullopt;
}

void ReferenceMonitor::State::glucose_level(AlarmCondition& condition, const char* type, Priority priority, bool met,
                                            const network::Reading& reading, sim::Time delivered, std::string detail) {
  const AlarmKey key{reading.patient, type, NO_DEVICE};
  const ConditionStep step = smart() && !trusted(reading.flags) ? condition.interrupt(reading.sample_time)
                                                                 : condition.observe(reading.sample_time, met);
  if (step.started) board.set_condition(key, reading.device, true, delivered);
  if (step.cleared) board.set_condition(key, reading.device, false, delivered);
  if (!step.due) return;
  board.offer(key, make_alarm(delivered, reading.patient, reading.device, type, priority, reading.value, std::move(detail)));
  condition.settle();
}

void ReferenceMonitor::State::glucose_reading(const network::Reading& reading, sim::Time delivered) {
  const GlucoseRule& rule = config.glucose;
  GlucoseState& state = glucose.try_emplace(reading.device, rule).first->second;
  const double v = reading.value;
  const bool credible = !smart() || trusted(reading.flags);
  if (credible) state.trend.add(reading.sample_time, v);
  // International Consensus on Time in Range (Battelino et al., Diabetes Care 42:1593, 2019):
  // level 2 < 54 (high priority), level 1 < 70 (medium), above range > 180 (low).
  glucose_level(state.urgent_low, "glucose_urgent_low", Priority::high, v < rule.urgent_low_mg_dl, reading, delivered,
                fmt::format("glucose {:g} < {:g} mg/dL", v, rule.urgent_low_mg_dl));
  glucose_level(state.low, "glucose_low", Priority::medium, v < rule.low_mg_dl, reading, delivered,
                fmt::format("glucose {:g} < {:g} mg/dL", v, rule.low_mg_dl));
  glucose_level(state.high, "glucose_high", Priority::low, v > rule.high_mg_dl, reading, delivered,
                fmt::format("glucose {:g} > {:g} mg/dL", v, rule.high_mg_dl));
  // Urgent low soon (Dexcom G6/G7): not yet urgently low, but the trend gets there within the
  // horizon. Already below, the urgent-low alarm speaks instead.
  const std::optional<double> minutes = state.trend.minutes_until_below(rule.urgent_low_mg_dl);
  const double horizon_min = rule.predict_horizon.seconds() / 60.0;
  const bool soon = v >= rule.urgent_low_mg_dl && minutes && *minutes <= horizon_min;
  glucose_level(state.urgent_low_soon, "glucose_urgent_low_soon", Priority::high, soon, reading, delivered,
                fmt::format("predicted < {:g} mg/dL in {:.1f} min", rule.urgent_low_mg_dl, minutes.value_or(0.0)));
}

void ReferenceMonitor::State::news2(std::uint32_t patient, PatientState& state, sim::Time now) {
  const std::optional<physiology::News2Score> score =
      state.vitals.score(now, config.news2.max_age, patient_context(patient));
  // RCP 2017 chart 4: a single red score or an aggregate of 5-6 calls for an urgent response
  // ("medium" here, as the ground-truth news2_medium class), 7 or more for an emergency one.
  // The levels nest, as the ground-truth events do: a high score keeps the medium condition on.
  const bool medium = score && score->risk >= physiology::News2Risk::low_medium;
  const bool high = score && score->risk == physiology::News2Risk::high;
  const double total = score ? static_cast<double>(score->total) : std::nan("");
  const std::string detail =
      score ? fmt::format("NEWS2 {}: RR {} SpO2 {} O2 {} SBP {} HR {} T {}", score->total, score->respiration,
                          score->spo2, score->air_or_oxygen, score->systolic, score->pulse, score->temperature)
            : std::string();
  const std::pair<AlarmCondition*, std::pair<const char*, Priority>> levels[] = {
      {&state.news2_medium, {"news2_medium", config.news2.medium_priority}},
      {&state.news2_high, {"news2_high", config.news2.high_priority}},
  };
  for (const auto& [condition, what] : levels) {
    const bool met = condition == &state.news2_medium ? medium : high;
    const AlarmKey key{patient, what.first, NO_DEVICE};
    const ConditionStep step = condition->observe(now, met);
    if (step.started) board.set_condition(key, NO_DEVICE, true, now);
    if (step.cleared) board.set_condition(key, NO_DEVICE, false, now);
    if (!step.due) continue;
    board.offer(key, make_alarm(now, patient, NO_DEVICE, what.first, what.second, total, detail));
    condition->settle();
  }
}

void ReferenceMonitor::State::tick(sim::Time now) {
  technical.tick(now);
  // NEWS2 is judged on the clock, after the deliveries of the instant: its inputs come from
  // several devices, and staleness is a matter of time passing, not of data arriving.
  if (config.news2.enabled) {
    for (auto& [index, state] : patients) news2(index, state, now);
  }
  board.update(now);
}

ReferenceMonitor::ReferenceMonitor(const MonitorContext& context, const ReferenceMonitorConfig& config,
                                   AlarmSink& alarms)
    : state_(std::make_unique<State>(context, config, alarms)) {}

ReferenceMonitor::~ReferenceMonitor() = default;

void ReferenceMonitor::consume(const network::Packet& packet, sim::Time delivered) { state_->consume(packet, delivered); }

void ReferenceMonitor::tick(sim::Time now) { state_->tick(now); }

void ReferenceMonitor::finish(sim::Time end) { state_->board.update(end); }

}  // namespace twinbed::harness
