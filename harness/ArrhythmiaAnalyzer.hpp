#pragma once
// harness::ArrhythmiaAnalyzer: the reference monitor's ECG analysis. It runs on the *measured* ECG
// a device delivered (noise, motion, lead-off and all), with the real Pan-Tompkins detector
// (devices::QrsDetector), and calls the PhysioNet/CinC Challenge 2015 alarm conditions (spec
// physiology.md section 2) plus atrial fibrillation. Because it sees what a bedside monitor sees,
// artifacts produce the false alarms real monitors produce (Drew et al., PLoS One 2014).
//
// One analyzer per ECG device. Pure streaming state: no simulator, testable with a vector of
// samples. Times are sample times on the device's clock, as stamped on the blocks. Every sample
// goes through the same steps whatever the blocks, so the calls do not depend on how the stream
// was cut (only the device flags, which hold per block, do). Memory is allocated when the first
// block (or a new sample rate) arrives, not per sample.
//
// What each call's onset is (the call itself comes at `confirmed`, when the analyzer has seen the
// definition met, a few hundred ms after the ground truth's onset for beat-based conditions):
//   asystole           the last QRS (or the end of a VF, or the start of the data); confirmed
//                      asystole_s + 0.3 s later (the QRS detector's reporting delay)
//   brady / tachy / VT the first of the n beats whose rate first met the definition; confirmed at
//                      the n-th. Ventricular beats are those with a wide QRS (EcgFeatures.hpp).
//   VF                 about when the fibrillatory waveform began (never earlier); confirmed vf_s
//                      later. While VF lasts, the detector's "beats" are not analysed.
//   AF                 the first irregular RR interval of the stretch; confirmed when Dash's
//                      criteria hold over it (32 intervals or more).
// An end call's onset is the last moment the condition was seen to hold.
#include <array>
#include <complex>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "devices/QrsDetector.hpp"
#include "harness/EcgFeatures.hpp"
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
  // Keep every detected beat for beats() / ventricular() (tests); the monitor leaves it off so
  // that memory does not grow with the run.
  bool record_beats = false;
};

// A change of one arrhythmia condition, as the analyzer sees it on the measured ECG.
struct ArrhythmiaCall {
  Arrhythmia kind = Arrhythmia::asystole;
  bool start = true;          // true: the condition is now met; false: it ended
  sim::Time onset;            // sample time at which the condition began (start) or ended (end)
  sim::Time confirmed;        // sample time at which the definition was met (start) / the end seen
  double rate_bpm = 0.0;      // the rate over the qualifying beats (AF: mean; asystole, VF: 0)
  // Signal quality over the analysed stretch, 0 (unusable) .. 1 (clean); see signal_quality().
  double signal_quality = 1.0;
  bool lead_off = false;      // some block in the stretch was flagged sensor_off by the device
  bool motion = false;        // some block in the stretch was flagged motion by the device
};

class ArrhythmiaAnalyzer {
public:
  explicit ArrhythmiaAnalyzer(const ArrhythmiaParams& params = {});

  // Feeds one delivered ECG block. Blocks of one device must come in sample order: a block that
  // starts before the end of the previous one is ignored (late, e.g. a retransmission); a gap
  // (more than one sample missing) or a new sample rate restarts the analysis: the conditions
  // under way end at the last sample before it, and the QRS detector learns again. Sample times
  // follow the stamps through clock drift and a clock set back (a block that starts inside the
  // last one but ends after it); a clock set forward by more than a sample looks like a gap.
  // Appends the condition changes it confirms to `calls`.
  void feed(const network::Waveform& block, std::vector<ArrhythmiaCall>& calls);

  // Signal quality index of the last three seconds (their worst second), 0..1: flat line, stuck
  // samples (rail, clipping), noise outside the ECG band against the QRS amplitude.
  double signal_quality() const;
  // Heart rate from the last detected beats, bpm (0 before any).
  double heart_rate_bpm() const;
  bool active(Arrhythmia kind) const;
  // Detected R peaks so far (sample times on the device clock), for tests; with record_beats only.
  const std::vector<sim::Time>& beats() const { return beat_log_; }
  // Whether each of beats() was classified ventricular (wide), for tests.
  const std::vector<bool>& ventricular() const { return ventricular_log_; }
  // Times the analysis (re)started: the first block and every gap.
  int restarts() const { return restarts_; }

private:
  using Sample = std::int64_t;  // index of a sample since the analysis (re)started
  struct Condition {
    bool active = false;
    Sample onset = 0;
    Sample last = 0;  // the last sample at which the condition was seen to hold
    double rate_bpm = 0.0;
  };
  struct QualitySegment {
    Sample first = 0, last = 0;
    double quality = 1.0;
  };
  // Accumulators of one quality segment (one second).
  struct QualityAccumulator {
    std::int64_t count = 0, stuck = 0;
    float min = 0.0F, max = 0.0F;
    double low_sum = 0.0, low_sum_sq = 0.0, high_sum_sq = 0.0;
  };
  // The latest stretch of blocks a device flagged (merged over consecutive blocks).
  struct Flagged {
    bool any = false;
    Sample first = 0, last = 0;
  };

  void configure(double rate_hz);
  void restart(sim::Time start);
  void end_all(std::vector<ArrhythmiaCall>& calls);
  void step(float x, std::vector<ArrhythmiaCall>& calls);
  void step_quality(float x);
  void step_fibrillation(float x, std::vector<ArrhythmiaCall>& calls);
  void analyse_beat(Sample r, std::vector<ArrhythmiaCall>& calls);
  void on_beat(Sample r, bool ventricular, std::vector<ArrhythmiaCall>& calls);
  void set_silence(Sample sample);
  void update_rate_conditions(Sample r, std::vector<ArrhythmiaCall>& calls);
  void update_atrial_fibrillation(std::vector<ArrhythmiaCall>& calls);
  void check_asystole(std::vector<ArrhythmiaCall>& calls);
  void clear_rhythm_history();
  void end_rate_conditions(std::vector<ArrhythmiaCall>& calls);

  void start_call(Arrhythmia kind, Sample onset, double rate_bpm, std::vector<ArrhythmiaCall>& calls);
  void end_call(Arrhythmia kind, Sample at, std::vector<ArrhythmiaCall>& calls);
  ArrhythmiaCall make_call(Arrhythmia kind, bool start, Sample onset, double rate_bpm) const;
  double quality_over(Sample from, Sample to) const;
  double segment_quality(const QualityAccumulator& a) const;
  sim::Time time_of(Sample sample) const;
  Condition& condition(Arrhythmia kind) { return conditions_[static_cast<std::size_t>(kind)]; }

  ArrhythmiaParams params_;
  double rate_ = 0.0;
  std::optional<devices::QrsDetector> detector_;
  // Durations in samples at rate_.
  Sample qrs_half_ = 0, slope_half_ = 0, ring_ = 0, asystole_samples_ = 0, vf_samples_ = 0, vf_lag_ = 0,
         af_window_samples_ = 0, segment_samples_ = 1;
  Sample silence_limit_ = 0;  // asystole_s plus the detector's reporting delay

  // The run: samples since the last (re)start. Sample k is at anchor_time_ + (k - anchor_sample_)
  // / rate_, the anchor following the blocks' stamps.
  bool started_ = false;
  sim::Time anchor_time_;
  Sample anchor_sample_ = 0;
  Sample next_ = 0;
  int restarts_ = 0;
  std::vector<float> raw_;             // ring of the last ring_ samples
  std::size_t raw_pos_ = 0;            // where the next sample goes in raw_
  std::vector<Sample> peaks_;          // the detector's output for one sample
  std::vector<Sample> pending_;        // R peaks waiting for their post-QRS samples
  std::vector<float> scratch_;         // one beat's window

  // Beats of the current rhythm stretch (cleared by a pause, VF or a restart).
  std::vector<Sample> recent_;         // ring of R peaks
  std::size_t beat_count_ = 0;         // beats in the stretch
  std::size_t consecutive_v_ = 0;
  Sample silence_since_ = 0;           // asystole is timed from here (last QRS, VF end, run start)
  Sample silence_deadline_ = 0;        // the sample from which the silence is an asystole
  std::vector<double> rr_s_;           // RR intervals of the stretch, ring
  std::vector<Sample> rr_end_;         // the R peak ending each of them
  std::size_t rr_count_ = 0;
  std::vector<double> af_window_, af_scratch_;
  double qrs_amplitude_mv_ = 1.0;      // running QRS peak-to-peak, for the SNR

  std::array<Condition, ARRHYTHMIA_COUNT> conditions_{};

  // VF: the band-passed, decimated signal and its spectrum every half second.
  Biquad vf_high_, vf_low_;
  std::int64_t decimation_ = 1, vf_eval_ = 0, decimation_phase_ = 0, vf_eval_countdown_ = 0;
  double vf_rate_ = 0.0;
  std::vector<float> vf_ring_, vf_window_;
  std::int64_t vf_count_ = 0;
  std::vector<std::complex<double>> fft_;
  std::vector<double> hann_;
  std::optional<Sample> fibrillation_since_;  // a run of fibrillatory windows began here
  Sample last_fibrillatory_ = 0;
  int non_fibrillatory_ = 0;

  // Signal quality: one value per second of signal.
  Biquad sqi_low_, sqi_high_;
  QualityAccumulator segment_;
  Sample segment_start_ = 0;
  Sample stuck_run_min_ = 1, stuck_run_ = 0;  // runs of one exact value (rail, clipping)
  float last_sample_ = 0.0F;
  std::array<QualitySegment, 16> segments_{};
  std::size_t segment_count_ = 0;
  Flagged off_, motion_;  // device flags: sensor off, motion

  std::vector<sim::Time> beat_log_;
  std::vector<bool> ventricular_log_;
};

}  // namespace twinbed::harness
