#include "devices/EcgNoise.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace twinbed::devices {
namespace {
// Electrode-motion artifact shapes (Friesen 1990: transient baseline changes lasting 100-500 ms;
// shorter "electrode pops" down to 40 ms are our addition, they are what mimics a QRS best).
constexpr double TRANSIENT_MIN_S = 0.04;
constexpr double TRANSIENT_MAX_S = 0.5;
// The slow excursion under the transients: its time constant (our choice: mostly below 1 Hz, like
// the NSTDB "em" record's low-frequency content).
constexpr double EXCURSION_TAU_S = 0.3;
}  // namespace

EcgNoise::EcgNoise(const EcgNoiseParams& params, double sample_rate_hz)
    : params_(params), rate_(sample_rate_hz), excursion_decay_(std::exp(-1.0 / (EXCURSION_TAU_S * sample_rate_hz))) {}

void EcgNoise::draw_phases(sim::RandomStream& rng) {
  wander_hz_ = rng.uniform(params_.baseline_wander_low_hz, params_.baseline_wander_high_hz);
  wander_phase_ = rng.uniform(0.0, 2.0 * std::numbers::pi);
  mains_phase_ = rng.uniform(0.0, 2.0 * std::numbers::pi);
  phases_drawn_ = true;
}

double EcgNoise::periodic_mv(std::int64_t k) const {
  const double t = static_cast<double>(k) / rate_;
  const double two_pi = 2.0 * std::numbers::pi;
  return params_.baseline_wander_mv * std::sin(two_pi * wander_hz_ * t + wander_phase_) +
         params_.mains_amplitude_mv * std::sin(two_pi * params_.mains_hz * t + mains_phase_);
}

double EcgNoise::motion_sample(std::int64_t k, double motion, sim::RandomStream& rng) {
  // Excursion: an OU process with SD motion_amplitude while moving, relaxing to 0 when still.
  excursion_mv_ *= excursion_decay_;
  if (motion > 0.0) {
    const double sd = motion * params_.motion_amplitude_mv * std::sqrt(1.0 - excursion_decay_ * excursion_decay_);
    excursion_mv_ += rng.normal(0.0, sd);
    if (next_transient_ < 0 && params_.motion_event_rate_hz > 0.0) {
      next_transient_ = k + std::llround(rng.exponential(rate_ / params_.motion_event_rate_hz));
    }
    if (k >= next_transient_ && next_transient_ >= 0) {
      next_transient_ = -1;
      const auto free = std::find_if(transients_.begin(), transients_.end(), [](const Transient& t) { return t.length == 0; });
      if (free != transients_.end()) {
        free->start = k;
        free->length = std::max<std::int64_t>(2, std::llround(rng.uniform(TRANSIENT_MIN_S, TRANSIENT_MAX_S) * rate_));
        free->amplitude_mv = rng.normal(0.0, motion * params_.motion_amplitude_mv);
      }
    }
  } else {
    next_transient_ = -1;
  }
  double value = excursion_mv_;
  for (Transient& t : transients_) {
    if (t.length == 0) continue;
    const std::int64_t i = k - t.start;
    if (i >= t.length) {
      t.length = 0;
      continue;
    }
    // A Hann-shaped bump: a smooth rise and return of the baseline.
    const double phase = static_cast<double>(i) / static_cast<double>(t.length);
    value += t.amplitude_mv * 0.5 * (1.0 - std::cos(2.0 * std::numbers::pi * phase));
  }
  return value;
}

void EcgNoise::add(std::int64_t first_sample, std::span<float> samples_mv, double motion, sim::RandomStream& rng) {
  if (!phases_drawn_) draw_phases(rng);
  const double emg_sd = params_.emg_rms_mv * (motion > 0.0 ? 1.0 + (params_.motion_emg_gain - 1.0) * std::min(1.0, motion) : 1.0);
  // The two sinusoids by phasor rotation from the block's first sample: two sin/cos per block
  // instead of two sin per sample (the sine was a fifth of a patch's cost). Over a block the
  // rotation's rounding error stays near 1e-15 relative, and each block restarts from periodic_mv.
  const double two_pi = 2.0 * std::numbers::pi;
  const double t0 = static_cast<double>(first_sample) / rate_;
  const double wander_step = two_pi * wander_hz_ / rate_;
  const double mains_step = two_pi * params_.mains_hz / rate_;
  const double wander_cos = std::cos(wander_step), wander_sin = std::sin(wander_step);
  const double mains_cos = std::cos(mains_step), mains_sin = std::sin(mains_step);
  double wander_s = std::sin(two_pi * wander_hz_ * t0 + wander_phase_);
  double wander_c = std::cos(two_pi * wander_hz_ * t0 + wander_phase_);
  double mains_s = std::sin(two_pi * params_.mains_hz * t0 + mains_phase_);
  double mains_c = std::cos(two_pi * params_.mains_hz * t0 + mains_phase_);
  for (std::size_t i = 0; i < samples_mv.size(); ++i) {
    const std::int64_t k = first_sample + static_cast<std::int64_t>(i);
    double noise = params_.baseline_wander_mv * wander_s + params_.mains_amplitude_mv * mains_s +
                   motion_sample(k, motion, rng);
    const double ws = wander_s * wander_cos + wander_c * wander_sin;
    wander_c = wander_c * wander_cos - wander_s * wander_sin;
    wander_s = ws;
    const double ms = mains_s * mains_cos + mains_c * mains_sin;
    mains_c = mains_c * mains_cos - mains_s * mains_sin;
    mains_s = ms;
    if (emg_sd > 0.0) noise += rng.normal(0.0, emg_sd);
    samples_mv[i] = static_cast<float>(static_cast<double>(samples_mv[i]) + noise);
  }
}

float lead_off_value(LeadOffLevel level, double adc_limit_mv) {
  return level == LeadOffLevel::rail ? static_cast<float>(adc_limit_mv) : 0.0F;
}

}  // namespace twinbed::devices
