#pragma once
// physiology::EcgSynthesizer: a single-lead ECG in mV, sampled on demand from the true beats.
// The closed-form equivalent of ECGSYN (McSharry et al., IEEE TBME 50:289, 2003) that the spec
// allows: each beat is a sum of five Gaussians (P Q R S T) placed around its R peak, with ECGSYN's
// angles, amplitudes and widths converted to time through the beat's RR and ECGSYN's heart-rate
// scaling rules. Ventricular beats are wide and have no P wave, AF has f-waves instead of P waves,
// VF is a chaotic 4-6 Hz oscillation, asystole is a flat line. See docs/models/ecg.md.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "physiology/Rhythm.hpp"
#include "sim/RandomStream.hpp"
#include "sim/Time.hpp"

namespace twinbed::physiology {

struct EcgParams {
  double sample_rate_hz = 250.0;  // ECGSYN output 250-256 Hz (spec section 2)
  double r_amplitude_mv = 1.2;    // ECGSYN rescales the trace to -0.4..1.2 mV: R peak 1.2 mV
  double respiration_hz = 0.25;   // baseline wander z0 = 0.005 sin(2 pi 0.25 t) (ECGSYN)
  // AF f-waves: 4-9 Hz (spec section 2); "fine" AF has f-wave amplitude below 0.1 mV in lead II.
  double af_f_wave_mv = 0.05;
  // VF: "coarse" VF is above ~0.2 mV peak; a chaotic 4-6 Hz oscillation (spec section 2).
  double vf_amplitude_mv = 0.3;
};

class EcgSynthesizer {
public:
  // Pulls beats from `beats` as rendering advances; `episodes` are the non-sinus rhythm episodes
  // (BeatGenerator::episodes()) for the AF f-waves and the VF waveform. `stream` (purpose "ecg"
  // of the patient) draws the f-wave and VF frequencies and phases once, here.
  EcgSynthesizer(const EcgParams& params, BeatSource& beats, std::span<const RhythmEpisode> episodes,
                 sim::RandomStream stream);

  // Fills `out` with samples first_sample, first_sample + 1, ... (sample k is at k / rate). Calls
  // must move forward: first_sample may go back at most REWIND before the end of any earlier call.
  // A sample's value does not depend on how the requests are cut into calls. No allocation.
  void render(std::int64_t first_sample, std::span<float> out);

  double sample_rate_hz() const { return params_.sample_rate_hz; }
  // The sample at or after t.
  std::int64_t sample_at_or_after(sim::Time t) const;
  sim::Time sample_time(std::int64_t sample) const;

  static constexpr sim::Time REWIND = sim::Time::from_s(1);

private:
  struct Wave {
    double offset_s = 0.0;  // centre relative to the R peak
    double sigma_s = 0.0;
    double amplitude_mv = 0.0;
  };
  struct Oscillator {
    std::uint64_t phase0 = 0;     // phase at sample 0, in 2^-64 turns
    std::uint64_t increment = 0;  // per sample, in 2^-64 turns
    float amplitude_mv = 0.0F;
    float value(std::int64_t sample) const;
  };
  struct BeatSlot {
    std::int64_t first_sample = 0;
    std::int32_t length = 0;
  };
  static constexpr std::size_t SLOTS = 64;          // beats buffered (>= 4.4 s at 300 bpm)
  static constexpr double MAX_PRE_S = 0.6;          // no wave starts earlier before its R peak
  static constexpr double MAX_POST_S = 0.8;         // nor ends later after it
  static constexpr sim::Time BLOCK = sim::Time::from_s(2);

  std::size_t waves_for(const Beat& beat, std::array<Wave, 5>& waves) const;
  Oscillator make_oscillator(double hz, float amplitude_mv, sim::RandomStream& stream) const;
  void render_block(std::int64_t first_sample, std::span<float> out);
  void pull_beat();
  float* slot_data(std::size_t slot) { return slot_samples_.data() + slot * slot_capacity_; }

  EcgParams params_;
  BeatSource& beats_;
  std::vector<RhythmEpisode> episodes_;
  double normal_gain_mv_ = 0.0;  // mV per ECGSYN z unit
  Oscillator wander_;
  std::array<Oscillator, 2> f_waves_{};
  std::array<Oscillator, 3> vf_waves_{};
  Oscillator vf_modulation_;
  std::int64_t block_samples_ = 0;
  std::int64_t rewind_samples_ = 0;
  std::int64_t max_pre_samples_ = 0;
  std::size_t slot_capacity_ = 0;
  std::vector<float> slot_samples_;  // SLOTS x slot_capacity_, allocated once
  std::array<BeatSlot, SLOTS> slots_{};
  std::size_t slot_head_ = 0;
  std::size_t slot_count_ = 0;
  double last_r_sample_ = -1e300;  // fractional sample of the last pulled R peak
  std::int64_t render_floor_ = 0;
};

}  // namespace twinbed::physiology
