#pragma once
// harness::ArrhythmiaAnalyzer: the reference monitor's ECG analysis. It runs on the *measured* ECG
// a device delivered (noise, motion, lead-off and all), with the real Pan-Tompkins detector
// (devices::QrsDetector), and calls the PhysioNet/CinC Challenge 2015 alarm conditions (spec
// physiology.md section 2) plus atrial fibrillation. Because it sees what a bedside monitor sees,
// artifacts produce the false alarms real monitors produce (Drew et al., PLoS One 2014).
//
// One analyzer per ECG device. Pure streaming state: no simulator, testable with a vector of
// samples. Times are sample times on the device's clock, as stamped on the blocks.
#include <cstdint>
#include <string_view>
#include <vector>

#include "network/Packet.hpp"
#include "sim/Time.hpp"

namespace twinbed::harness {

enum class Arrhythmia : std::uint8_t {
  asystole = 0,                  // no QRS for asystole_s
  extreme_bradycardia = 1,       // brady_beats consecutive beats at HR < brady_bpm
  extreme_tachycardia = 2,       // tachy_beats consecutive beats at HR > tachy_bpm
  ventricular_tachycardia = 3,   // vt_beats consecutive ventricular (wide) beats at HR > vt_bpm
  ventricular_fibrillation = 4,  // fibrillatory waveform for vf_s
  atrial_fibrillation = 5,       // irregularly irregular RR over af_window
};
inline constexpr std::size_t ARRHYTHMIA_COUNT = 6;
std::string_view arrhythmia_name(Arrhythmia kind);  // "asystole", ..., the reference alarm types

struct ArrhythmiaParams {
  // PhysioNet/CinC Challenge 2015 definitions (Clifford et al., Physiol Meas 37:1227, 2016).
  double asystole_s = 4.0;
  double brady_bpm = 40.0;
  int brady_beats = 5;
  double tachy_bpm = 140.0;
  int tachy_beats = 17;
  double vt_bpm = 100.0;
  int vt_beats = 5;
  double vf_s = 4.0;
  // Atrial fibrillation: irregularity of the RR intervals over this window (see the .cpp).
  double af_window_s = 60.0;
};

// A change of one arrhythmia condition, as the analyzer sees it on the measured ECG.
struct ArrhythmiaCall {
  Arrhythmia kind = Arrhythmia::asystole;
  bool start = true;          // true: the condition is now met; false: it ended
  sim::Time onset;            // sample time at which the condition began (start) or ended (end)
  sim::Time confirmed;        // sample time at which the definition was met (start) / the end seen
  double rate_bpm = 0.0;      // the rate over the qualifying beats (0 for asystole)
  // Signal quality over the analysed stretch, 0 (unusable) .. 1 (clean); see signal_quality().
  double signal_quality = 1.0;
  bool lead_off = false;      // some block in the stretch was flagged sensor_off by the device
};

class ArrhythmiaAnalyzer {
public:
  explicit ArrhythmiaAnalyzer(const ArrhythmiaParams& params = {});

  // Feeds one delivered ECG block. Blocks of one device must come in sample order: a block that
  // starts before the end of the previous one is ignored (late, e.g. a retransmission); a gap
  // restarts the analysis (the QRS detector learns again). Appends the condition changes it
  // confirms to `calls`.
  void feed(const network::Waveform& block, std::vector<ArrhythmiaCall>& calls);

  // Signal quality index of the last few seconds, 0..1 (flat line, rail, out-of-band noise).
  double signal_quality() const;
  // Heart rate from the last detected beats, bpm (0 before any).
  double heart_rate_bpm() const;
  bool active(Arrhythmia kind) const;
  // Detected R peaks so far (sample times on the device clock), for tests.
  const std::vector<sim::Time>& beats() const;
};

}  // namespace twinbed::harness
