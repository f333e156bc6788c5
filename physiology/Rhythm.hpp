#pragma once
// physiology::BeatGenerator: the cardiac rhythm of one patient as a sequence of true beats (R-peak
// time, beat class, pulse). The rhythm is a schedule of episodes (AF, VT, VF, asystole) over a sinus
// background with heart-rate variability, PVCs and bigeminy. The ECG (Ecg.hpp), the CinC-2015
// ground truth (CinC2015.hpp) and a PPG device all follow the same beats. See docs/models/ecg.md.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sim/RandomStream.hpp"
#include "sim/Time.hpp"

namespace twinbed::physiology {

enum class Rhythm : std::uint8_t {
  sinus,
  atrial_fibrillation,
  ventricular_tachycardia,
  ventricular_fibrillation,
  asystole,
};

std::string_view rhythm_name(Rhythm rhythm);

// WFDB/MIT-BIH annotation codes (spec/physiology.md section 2; ANSI/AAMI EC57 beat classes).
enum class BeatClass : char {
  normal = 'N',
  ventricular = 'V',
  atrial_premature = 'A',
  fusion = 'F',
  unclassified = 'Q',
};

// A rhythm that replaces the background over [start, end).
struct RhythmEpisode {
  Rhythm rhythm = Rhythm::sinus;
  sim::Time start;
  sim::Time end;
  double rate_bpm = 0.0;  // ventricular_tachycardia only: the VT rate (> 100 bpm)
};

struct TimeInterval {
  sim::Time start;
  sim::Time end;
};

// Paroxysmal AF as in Petrenas et al., Physiol Meas 38:2058 (2017): a burden (fraction of time in
// AF) and a median episode length. Episode lengths are lognormal with `episode_log_sd` (our
// assumption: a right-skewed length distribution, many brief and a few long episodes); the gaps
// between episodes are exponential with the mean that gives the requested burden.
struct ParoxysmalAf {
  double burden = 0.0;                                  // 0..1
  sim::Time median_episode = sim::Time::from_min(10);
  double episode_log_sd = 1.0;
};

struct RhythmSchedule {
  std::vector<RhythmEpisode> episodes;        // disjoint; sinus episodes are ignored
  std::vector<TimeInterval> bigeminy;         // every other sinus beat is a PVC
  double pvc_per_hour = 0.0;                  // isolated PVCs during sinus rhythm
  ParoxysmalAf paroxysmal_af;                 // generated episodes yield to explicit ones
};

// Sinus heart-rate variability as in ECGSYN (McSharry et al., IEEE TBME 50:289, 2003): the heart
// rate is the mean plus a zero-mean process whose spectrum is two Gaussians, LF at 0.1 Hz and HF
// at 0.25 Hz, each with sd 0.01 Hz, power ratio LF/HF = 0.5, total sd 1 bpm. We realise it as a sum
// of `components_per_band` sinusoids per band with frequencies drawn from the band's Gaussian and
// uniform random phases (the random-phase spectral method that ECGSYN itself uses via an IFFT).
struct HrvParams {
  double hr_sd_bpm = 1.0;    // ECGSYN default hrstd
  double lf_hz = 0.1;        // ECGSYN flo
  double hf_hz = 0.25;       // ECGSYN fhi
  double band_sd_hz = 0.01;  // ECGSYN flostd, fhistd
  double lf_hf_ratio = 0.5;  // ECGSYN lfhfratio
};

struct BeatModelParams {
  HrvParams hrv;
  // AF: irregularly irregular RR, independent lognormal draws around the mean RR. The RR
  // coefficient of variation separates AF from sinus rhythm (Tateno & Glass, Med Biol Eng Comput
  // 39:664, 2001); 0.22 is our default, in the typical AF range 0.15-0.3 (brief; exposed).
  double af_rr_cv = 0.22;
  // PVC coupling interval as a fraction of the sinus RR: premature beats come at 60-70 % of RR;
  // the following sinus beat keeps the sinus timing (full compensatory pause, N-V + V-N = 2 RR).
  double pvc_coupling = 0.65;
  double vt_rr_cv = 0.02;  // VT is nearly regular (monomorphic VT RR variation of a few percent)
  // Pulse deficit in AF: a beat after an RR shorter than this, or shorter than
  // `af_short_rr_fraction` of the previous RR, has too little filling time to give a palpable or
  // PPG pulse (the mechanism of the AF pulse deficit; spec/physiology.md section 2).
  sim::Time af_no_pulse_rr = sim::Time::from_ms(500);
  double af_short_rr_fraction = 0.6;
  float ventricular_pulse_amplitude = 0.3F;  // V beats: reduced stroke volume, weak pulse
};

struct Beat {
  sim::Time r_time;
  sim::Time rr;  // from the previous R peak (the first beat: from time zero)
  BeatClass beat_class = BeatClass::normal;
  Rhythm rhythm = Rhythm::sinus;
  float pulse_amplitude = 1.0F;  // relative pulse (PPG/palpable) this beat produces; 0 = none
  bool has_pulse() const { return pulse_amplitude > 0.0F; }
};

// Where the ECG synthesizer pulls its beats from (the patient may tee a BeatGenerator).
class BeatSource {
public:
  virtual ~BeatSource() = default;
  virtual Beat next_beat() = 0;
};

// The fastest the generator lets the ventricles beat (300 bpm): bounds the beat density the ECG
// synthesizer must buffer.
inline constexpr sim::Time MIN_RR = sim::Time::from_ms(200);

class BeatGenerator final : public BeatSource {
public:
  // Streams are keyed by the patient id with purposes "rr", "af", "pvc" and "af_episodes".
  // Paroxysmal AF episodes are drawn up to `horizon` (the run's end). Throws std::invalid_argument
  // for overlapping or inverted episodes, a VT rate <= 100 bpm or > 300 bpm, or a burden outside
  // [0, 1].
  BeatGenerator(const RhythmSchedule& schedule, const BeatModelParams& params, sim::Time horizon,
                std::uint64_t master_seed, std::uint32_t replication, std::string_view patient_id);

  // The mean heart rate in bpm, owned by the vitals model; applies from the next beat on.
  void set_mean_heart_rate(double bpm);
  double mean_heart_rate() const { return mean_hr_bpm_; }

  Beat next_beat() override;

  // The effective non-sinus episodes (explicit plus generated paroxysmal AF), sorted and disjoint.
  std::span<const RhythmEpisode> episodes() const { return episodes_; }
  Rhythm rhythm_at(sim::Time t) const;

  // The sinus RR the HRV process gives for a beat starting at t (pure; exposed for tests).
  sim::Time sinus_rr(sim::Time t) const;

private:
  struct Sinusoid {
    double amplitude = 0.0;  // in units of the HRV standard deviation
    double angular_hz = 0.0;  // 2 pi f
    double phase = 0.0;
  };
  static constexpr std::size_t HRV_COMPONENTS_PER_BAND = 8;

  const RhythmEpisode* episode_at(sim::Time t) const;
  const RhythmEpisode* next_episode_after(sim::Time t) const;
  bool in_bigeminy(sim::Time t) const;
  float pulse_for(BeatClass beat_class, Rhythm rhythm, sim::Time rr) const;

  BeatModelParams params_;
  std::vector<RhythmEpisode> episodes_;
  std::vector<TimeInterval> bigeminy_;
  double pvc_per_hour_ = 0.0;
  std::array<Sinusoid, 2 * HRV_COMPONENTS_PER_BAND> hrv_{};
  sim::RandomStream rr_stream_;
  sim::RandomStream af_stream_;
  sim::RandomStream pvc_stream_;
  double mean_hr_bpm_ = 60.0;
  sim::Time last_r_ = sim::Time::zero();
  sim::Time last_rr_ = sim::Time::from_s(1);
  BeatClass last_class_ = BeatClass::normal;
  bool compensatory_pending_ = false;
  sim::Time compensatory_r_;  // the sinus beat that ends a PVC's compensatory pause
};

}  // namespace twinbed::physiology
