#pragma once
// harness::EcgWatch: the reference monitor's arrhythmia alarms for one ECG device. It feeds the
// delivered ECG blocks to an ArrhythmiaAnalyzer and turns the analyzer's calls into alarms:
// asystole, extreme_bradycardia, extreme_tachycardia, ventricular_tachycardia,
// ventricular_fibrillation (high priority) and atrial_fibrillation (medium), annunciated at the
// delivery of the block that confirmed them.
//
// naive: every call is raised as it comes (a lead-off flat line is an asystole, as on real
//        monitors without artifact handling).
// smart: a call is suppressed (recorded with suppressed = true and the reason) when
//        (a) the device flagged the analysed stretch lead-off or motion: flagged data does not
//            count, as for readings;
//        (c) for asystole, ventricular fibrillation and extreme bradycardia, the calls a missed
//            QRS produces: the signal quality is below min_signal_quality, or the patient's pulse
//            oximeter shows a pulse above 40 bpm (unflagged, delivered within the last 10 s).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/AlarmBoard.hpp"
#include "harness/ArrhythmiaAnalyzer.hpp"
#include "harness/ReferenceMonitor.hpp"
#include "network/Packet.hpp"

namespace twinbed::harness {

// A pulse above this rules out asystole, VF and extreme bradycardia: 40 bpm is the CinC 2015
// extreme-bradycardia limit (Clifford et al., 2016).
inline constexpr double PULSE_RULES_OUT_BPM = 40.0;

class EcgWatch {
public:
  EcgWatch(std::uint32_t device, std::uint32_t patient, const ArrhythmiaRule& rule, MonitorMode mode, AlarmBoard& board);

  // One delivered ECG block. `pulse_bpm`: the patient's oximeter pulse as the monitor knows it now
  // (unflagged, recent), nullopt when there is none.
  void feed(const network::Waveform& block, sim::Time delivered, std::optional<double> pulse_bpm);

  // The analyzer's signal quality of the last seconds (0..1), nullopt before any ECG arrived.
  std::optional<double> signal_quality() const;

private:
  void call(const ArrhythmiaCall& c, sim::Time delivered, std::optional<double> pulse_bpm);
  std::optional<std::string> suppression(const ArrhythmiaCall& c, std::optional<double> pulse_bpm) const;

  std::uint32_t device_;
  std::uint32_t patient_;
  ArrhythmiaRule rule_;
  MonitorMode mode_;
  AlarmBoard& board_;
  ArrhythmiaAnalyzer analyzer_;
  std::vector<ArrhythmiaCall> calls_;
  bool fed_ = false;
};

}  // namespace twinbed::harness
