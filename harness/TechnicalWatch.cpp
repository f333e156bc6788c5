#include "harness/TechnicalWatch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

namespace twinbed::harness {

using devices::AlertCode;
using physiology::Signal;

std::optional<ForwardedAlert> forwarded_alert(AlertCode code, Priority technical_priority) {
  switch (code) {
    // Therapy stopped or a shock given: immediate response (IEC 60601-2-24 makes infusion pump
    // occlusion a high-priority alarm; an implant's VT/VF episode or shock is a cardiac emergency).
    case AlertCode::occlusion: return ForwardedAlert{"occlusion", Priority::high};
    case AlertCode::reservoir_empty: return ForwardedAlert{"reservoir_empty", Priority::high};
    case AlertCode::vt_episode: return ForwardedAlert{"vt_episode", Priority::high};
    case AlertCode::vf_episode: return ForwardedAlert{"vf_episode", Priority::high};
    case AlertCode::shock_delivered: return ForwardedAlert{"shock_delivered", Priority::high};
    // A watch's irregular-rhythm notification announces possible AF: the atrial_fibrillation
    // alarm's priority (medium), not a technical one.
    case AlertCode::irregular_rhythm: return ForwardedAlert{"irregular_rhythm", Priority::medium};
    case AlertCode::reservoir_low: return ForwardedAlert{"reservoir_low", technical_priority};
    case AlertCode::lead_impedance: return ForwardedAlert{"lead_impedance", technical_priority};
    case AlertCode::battery_eri: return ForwardedAlert{"battery_eri", technical_priority};
    case AlertCode::dose_limit: return ForwardedAlert{"dose_limit", technical_priority};
    case AlertCode::sensor_expired: return ForwardedAlert{"sensor_expired", technical_priority};
    case AlertCode::measurement_failed: return ForwardedAlert{"measurement_failed", technical_priority};
    // Raised as "low_battery" by the watch itself; the rest is information, not an alarm.
    case AlertCode::low_battery:
    case AlertCode::infusion_started:
    case AlertCode::infusion_stopped:
    case AlertCode::rate_changed: return std::nullopt;
  }
  return std::nullopt;
}

TechnicalWatch::TechnicalWatch(const TechnicalRule& rule, const MonitorContext& context, AlarmBoard& board)
    : rule_(rule), board_(board) {
  devices_.reserve(context.devices.size());
  for (const DeviceContext& d : context.devices) {
    DeviceState state;
    state.patient = d.patient;
    state.ecg = std::find(d.signals.begin(), d.signals.end(), Signal::ecg) != d.signals.end();
    // Watched only when it reports on a clock; a batching device or an implant is silent for a
    // whole report interval in normal operation.
    state.limit = no_data_limit(d.report_interval);
    state.sensor_off = AlarmCondition(rule_.lead_off_delay);
    devices_.push_back(std::move(state));
  }
}

sim::Time TechnicalWatch::no_data_limit(sim::Time sample_interval) const {
  if (sample_interval <= sim::Time::zero()) return sim::Time::zero();
  const double scaled = static_cast<double>(sample_interval.ns()) * rule_.no_data_factor;
  const sim::Time factor_limit = sim::Time::from_ns(static_cast<std::int64_t>(std::llround(scaled)));
  return std::max(factor_limit, rule_.no_data_min);
}

TechnicalWatch::DeviceState& TechnicalWatch::device(std::uint32_t index, std::uint32_t patient) {
  // A device missing from the context (live mode: not registered) gets a default state: its
  // sensor and battery are watched, its silence is not (its interval is unknown).
  while (devices_.size() <= index) {
    DeviceState state;
    state.patient = patient;
    state.sensor_off = AlarmCondition(rule_.lead_off_delay);
    devices_.push_back(std::move(state));
  }
  return devices_[index];
}

void TechnicalWatch::delivered(const network::Packet& packet, sim::Time delivered) {
  if (!start_) start_ = delivered;
  if (!rule_.enabled) return;
  const std::uint32_t patient = packet.readings.empty() ? 0 : packet.readings.front().patient;
  DeviceState& state = device(packet.device, patient);
  state.last_delivery = delivered;
  if (state.silent) {
    state.silent = false;
    board_.set_condition({state.patient, "no_data", packet.device}, packet.device, false, delivered);
  }
  for (const network::Waveform& block : packet.waveforms) {
    if (block.signal == static_cast<std::uint8_t>(Signal::ecg)) {
      sensor_flag(packet.device, state, block.start, (block.flags & network::READING_SENSOR_OFF) != 0, delivered);
    }
  }
  for (const network::Reading& reading : packet.readings) {
    const auto signal = static_cast<Signal>(reading.signal);
    if (signal == Signal::device_alert) {
      device_alert(packet.device, state, reading, delivered);
    } else if (signal == Signal::battery_level) {
      battery_level(packet.device, state, reading, delivered);
    } else if (!state.ecg || signal == Signal::heart_rate) {
      // An ECG device's leads show on its ECG and heart rate; its other readings (a bedside
      // monitor's cuff pressure, temperature) say nothing about them.
      sensor_flag(packet.device, state, reading.sample_time, (reading.flags & network::READING_SENSOR_OFF) != 0,
                  delivered);
    }
  }
}

bool TechnicalWatch::condition_due(const AlarmKey& key, AlarmCondition& condition, sim::Time sample_time, bool met,
                                   sim::Time delivered) {
  const ConditionStep step = condition.observe(sample_time, met);
  const std::uint32_t device = key.device;
  if (step.started) board_.set_condition(key, device, true, delivered);
  if (step.cleared) board_.set_condition(key, device, false, delivered);
  return step.due;
}

void TechnicalWatch::offer(const AlarmKey& key, AlarmCondition& condition, sim::Time delivered, double value,
                           std::string detail) {
  Alarm alarm;
  alarm.time = delivered;
  alarm.patient = key.patient;
  alarm.device = key.device;
  alarm.type = key.type;
  alarm.priority = rule_.priority;
  alarm.value = value;
  alarm.detail = std::move(detail);
  board_.offer(key, alarm);
  condition.settle();
}

void TechnicalWatch::sensor_flag(std::uint32_t index, DeviceState& state, sim::Time sample_time, bool off,
                                 sim::Time delivered) {
  const AlarmKey key{state.patient, state.ecg ? "lead_off" : "probe_off", index};
  if (!condition_due(key, state.sensor_off, sample_time, off, delivered)) return;
  offer(key, state.sensor_off, delivered, std::nan(""),
        fmt::format("{} for {:g} s", state.ecg ? "ECG lead off" : "sensor off",
                    (sample_time - state.sensor_off.onset()).seconds()));
}

void TechnicalWatch::battery_level(std::uint32_t index, DeviceState& state, const network::Reading& reading,
                                   sim::Time delivered) {
  const AlarmKey key{state.patient, "low_battery", index};
  if (!condition_due(key, state.battery, reading.sample_time, reading.value <= LOW_BATTERY_PERCENT, delivered)) return;
  offer(key, state.battery, delivered, reading.value, fmt::format("battery {:g} %", reading.value));
}

void TechnicalWatch::device_alert(std::uint32_t index, DeviceState& state, const network::Reading& reading,
                                  sim::Time delivered) {
  const double code_value = reading.value;
  if (!(code_value >= 0.0 && code_value <= 255.0)) return;  // not an AlertCode: nothing to forward
  const auto code = static_cast<AlertCode>(static_cast<std::uint8_t>(code_value));
  Alarm alarm;
  alarm.time = delivered;
  alarm.patient = state.patient;
  alarm.device = index;
  if (code == AlertCode::low_battery) {
    alarm.type = "low_battery";
    alarm.priority = rule_.priority;
    alarm.detail = "device low-battery alert";
  } else {
    const std::optional<ForwardedAlert> forwarded = forwarded_alert(code, rule_.priority);
    if (!forwarded) return;
    alarm.type = std::string(forwarded->type);
    alarm.priority = forwarded->priority;
    alarm.detail = "device alert";
  }
  board_.offer_event({state.patient, alarm.type, index}, alarm);
}

void TechnicalWatch::tick(sim::Time now) {
  if (!start_) start_ = now;
  if (!rule_.enabled) return;
  for (std::uint32_t index = 0; index < devices_.size(); ++index) {
    DeviceState& state = devices_[index];
    if (state.limit <= sim::Time::zero() || state.silent) continue;
    const sim::Time since = state.last_delivery.value_or(*start_);
    if (now - since < state.limit) continue;
    state.silent = true;
    const AlarmKey key{state.patient, "no_data", index};
    board_.set_condition(key, index, true, now);
    Alarm alarm;
    alarm.time = now;
    alarm.patient = state.patient;
    alarm.device = index;
    alarm.type = key.type;
    alarm.priority = rule_.priority;
    alarm.detail = fmt::format("no data for {:g} s", (now - since).seconds());
    board_.offer(key, alarm);
  }
}

}  // namespace twinbed::harness
