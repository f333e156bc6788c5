#pragma once
// devices::ppg: what an optical (photoplethysmographic) sensor makes of the patient's heartbeats.
// Pure: the state is an explicit struct and every step is a function of it, the beats, the
// conditions and a random stream, so it is testable without a simulator. Shared by the pulse
// oximeter and the smartwatch.
//
// Model (per beat the patient reports, see physiology::PulseMark):
// - the pulse reaches the sensor a pulse transit time after the R peak, with beat-to-beat timing
//   jitter of the detected foot/peak;
// - a pulse whose perfusion index (relative amplitude x the site's perfusion index) is below the
//   detection threshold is missed (short AF beats with no pulse, weak PVCs at low perfusion);
// - during motion (severity 0..1) each true pulse is missed with a probability and the sensor sees
//   spurious peaks at the motion cadence (walking 1.6-2.2 Hz), so the rate locks onto the cadence
//   or becomes erratic;
// - the peak detector ignores peaks within a refractory period of the last accepted one.
// Pulse rate = 60 / mean inter-pulse interval of the detected pulses in an averaging window.
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "sim/Params.hpp"
#include "physiology/Signal.hpp"
#include "sim/RandomStream.hpp"
#include "sim/Time.hpp"

namespace twinbed::devices::ppg {

struct PpgConfig {
  sim::Time transit_time = sim::Time::from_ms(220);
  sim::Time transit_jitter_sd = sim::Time::from_ms(10);
  double detection_threshold_pi_percent = 0.02;
  sim::Time refractory = sim::Time::from_ms(250);
  double motion_miss_probability = 0.6;  // at severity 1
  double motion_peak_probability = 0.9;  // a spurious peak per cadence cycle, at severity 1
  double cadence_low_hz = 1.6;
  double cadence_high_hz = 2.2;
  sim::Time cadence_jitter_sd = sim::Time::from_ms(40);
};

// What the sensor sees now.
struct PpgConditions {
  double perfusion_index_percent = 1.4;  // of a normal beat at this site (0 = probe off)
  double motion_severity = 0.0;          // 0 = still, 1 = full motion artifact
};

struct PpgState {
  sim::Time fetched;                   // the time processed to
  sim::Time beats_from;                // the next beats to read start here (after the last one read)
  bool started = false;
  std::vector<sim::Time> pending;      // true pulses detected but arriving after `fetched`
  std::deque<sim::Time> pulses;        // accepted peaks, oldest first
  std::deque<std::pair<sim::Time, double>> amplitudes;  // (arrival, perfusion index %) of true pulses
  std::optional<sim::Time> last_peak;
  bool in_motion = false;
  double cadence_hz = 0.0;
  sim::Time next_motion_peak;
  bool patient_has_beats = false;      // sticky: the patient ever reported a beat
  sim::Time next_synthetic_beat;
};

// The PPG rows of a device's parameter table (one place for both optical devices).
std::vector<sim::ParamInfo> ppg_params();
PpgConfig ppg_config(const sim::ParamSet& params);

// Sinus RR variability of synthetic beats: short-term SDNN ~30-50 ms at RR ~0.85 s (Task Force
// of the ESC and NASPE, Circulation 1996).
inline constexpr double SYNTHETIC_RR_CV = 0.04;

// Regular beats at `heart_rate_bpm` with relative RR variability `rr_cv` in [from, to), continuing
// from `next_beat`: what an optical device assumes when its patient model has no beats.
void synthetic_beats(sim::Time& next_beat, sim::Time from, sim::Time to, double heart_rate_bpm, double rr_cv,
                     sim::RandomStream& rng, std::vector<physiology::PulseMark>& out);

// The beats with R peak in [state.beats_from, now) (at the first call [now - first_window, now)),
// never older than SENSOR_HISTORY: the patient's, or, for a patient model that has never reported
// a beat, synthetic ones at its heart_rate value. The next read starts after the last beat read,
// not at `now`: physiology::Patient generates beats on its 1-s vitals grid, so a beat just before
// `now` may appear only at the next read.
void collect_beats(PpgState& state, physiology::SignalSource& patient, sim::Time now, sim::Time first_window,
                   sim::RandomStream& rng, std::vector<physiology::PulseMark>& out);

// Processes `beats` (R peaks not processed before, up to now) and the motion up to `now`; drops peaks older
// than now - keep.
void advance(PpgState& state, const PpgConfig& config, std::span<const physiology::PulseMark> beats, sim::Time now,
             const PpgConditions& conditions, sim::RandomStream& rng, sim::Time keep);

// Intervals (s) between consecutive pulses inside [from, to].
std::vector<double> inter_pulse_intervals_s(const std::deque<sim::Time>& pulses, sim::Time from, sim::Time to);
// 60 / mean interval over the pulses in [from, to]; nullopt with fewer than two.
std::optional<double> pulse_rate_bpm(const std::deque<sim::Time>& pulses, sim::Time from, sim::Time to);
// Mean perfusion index (%) of the true pulses that arrived in [from, to], 0 if none.
double mean_perfusion_index(const PpgState& state, sim::Time from, sim::Time to);

// Standard deviation / mean; 0 with fewer than two values.
double coefficient_of_variation(std::span<const double> values);
// Share of successive interval differences larger than `relative_delta` x the mean interval: the
// RR-difference counting of simple AF detectors (Lian et al., Am J Cardiol 2011). 0 with fewer
// than three intervals.
double irregular_share(std::span<const double> intervals_s, double relative_delta);

}  // namespace twinbed::devices::ppg
