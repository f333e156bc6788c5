#include "harness/EcgWatch.hpp"

#include <cmath>

#include <fmt/format.h>

namespace twinbed::harness {

EcgWatch::EcgWatch(std::uint32_t device, std::uint32_t patient, const ArrhythmiaRule& rule, MonitorMode mode,
                   AlarmBoard& board)
    : device_(device), patient_(patient), rule_(rule), mode_(mode), board_(board), analyzer_(rule.params) {}

std::optional<double> EcgWatch::signal_quality() const {
  if (!fed_) return std::nullopt;
  return analyzer_.signal_quality();
}

void EcgWatch::feed(const network::Waveform& block, sim::Time delivered, std::optional<double> pulse_bpm) {
  fed_ = true;
  calls_.clear();
  analyzer_.feed(block, calls_);
  for (const ArrhythmiaCall& c : calls_) call(c, delivered, pulse_bpm);
}

std::optional<std::string> EcgWatch::suppression(const ArrhythmiaCall& c, std::optional<double> pulse_bpm) const {
  if (mode_ != MonitorMode::smart) return std::nullopt;
  if (c.lead_off) return std::string("ECG lead off");
  if (c.motion) return std::string("ECG flagged motion");
  const bool missed_qrs_call = c.kind == Arrhythmia::asystole || c.kind == Arrhythmia::ventricular_fibrillation ||
                               c.kind == Arrhythmia::extreme_bradycardia;
  if (!missed_qrs_call) return std::nullopt;
  if (c.signal_quality < rule_.min_signal_quality) {
    return fmt::format("ECG signal quality {:.2f} < {:g}", c.signal_quality, rule_.min_signal_quality);
  }
  if (pulse_bpm && *pulse_bpm > PULSE_RULES_OUT_BPM) return fmt::format("pulse {:g} bpm on the oximeter", *pulse_bpm);
  return std::nullopt;
}

void EcgWatch::call(const ArrhythmiaCall& c, sim::Time delivered, std::optional<double> pulse_bpm) {
  if (c.kind == Arrhythmia::atrial_fibrillation && !rule_.atrial_fibrillation) return;
  const std::string type(arrhythmia_name(c.kind));
  const AlarmKey key{patient_, type, NO_DEVICE};
  board_.set_condition(key, device_, c.start, delivered);
  if (!c.start) return;
  Alarm alarm;
  alarm.time = delivered;
  alarm.patient = patient_;
  alarm.device = device_;
  alarm.type = type;
  // CinC 2015's five are life-threatening (red); AF is not immediately so (yellow, medium).
  alarm.priority = c.kind == Arrhythmia::atrial_fibrillation ? Priority::medium : Priority::high;
  alarm.value = c.kind == Arrhythmia::asystole ? std::nan("") : c.rate_bpm;
  if (const std::optional<std::string> why = suppression(c, pulse_bpm)) {
    alarm.suppressed = true;
    alarm.detail = *why;
  } else if (c.kind == Arrhythmia::asystole) {
    alarm.detail = fmt::format("no QRS for {:.1f} s, SQI {:.2f}", (c.confirmed - c.onset).seconds(), c.signal_quality);
  } else {
    alarm.detail = fmt::format("{:.0f} bpm, SQI {:.2f}", c.rate_bpm, c.signal_quality);
  }
  board_.offer(key, alarm);
}

}  // namespace twinbed::harness
