#include "physiology/Ecg.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace twinbed::physiology {

namespace {

constexpr double PI = std::numbers::pi;

// ECGSYN wave table (McSharry et al. 2003, Table 1; spec/physiology.md section 2):
// angle theta_i (degrees, R at 0), amplitude a_i, width b_i (radians).
struct EcgsynWave {
  double theta_deg;
  double a;
  double b;
};
constexpr std::array<EcgsynWave, 5> ECGSYN_WAVES{{
    {-70.0, 1.2, 0.25},   // P
    {-15.0, -5.0, 0.1},   // Q
    {0.0, 30.0, 0.1},     // R
    {15.0, -7.5, 0.1},    // S
    {100.0, 0.75, 0.4},   // T
}};
constexpr std::size_t P_WAVE = 0;

// The RR used for a beat's morphology is clamped so that the waves of long pauses (after a PVC or
// asystole) and very short cycles stay physiological: 40-200 bpm.
constexpr double MORPH_RR_MIN_S = 0.3;
constexpr double MORPH_RR_MAX_S = 1.5;

// Ventricular beat, in fractions of the normal R amplitude and in seconds: a wide QRS (> 120 ms,
// here about 160 ms between the +-2 sigma points of R' and S'), no P wave, and a T wave opposite to
// the main QRS deflection (secondary repolarisation change). Standard ECG criteria for PVCs/VT
// (e.g. Surawicz & Knilans, Chou's Electrocardiography, 6th ed., ch. 12). T timing scales with
// sqrt(RR) like the QT interval (Bazett 1920) so that VT's T waves end before the next QRS.
constexpr double V_R_SIGMA_S = 0.030;
constexpr double V_R_FRACTION = 0.9;
constexpr double V_S_OFFSET_S = 0.075;
constexpr double V_S_SIGMA_S = 0.030;
constexpr double V_S_FRACTION = -0.45;
constexpr double V_T_OFFSET_S = 0.30;  // at RR = 1 s
constexpr double V_T_SIGMA_S = 0.06;   // at RR = 1 s
constexpr double V_T_FRACTION = -0.3;

constexpr double GAUSS_CUTOFF_SIGMAS = 4.0;  // exp(-8) = 3e-4 of the peak: invisible
constexpr int SINE_BITS = 12;

const std::array<float, std::size_t{1} << SINE_BITS>& sine_table() {
  static const auto table = [] {
    std::array<float, std::size_t{1} << SINE_BITS> t{};
    for (std::size_t i = 0; i < t.size(); ++i) {
      t[i] = static_cast<float>(std::sin(2.0 * PI * static_cast<double>(i) / static_cast<double>(t.size())));
    }
    return t;
  }();
  return table;
}

}  // namespace

float EcgSynthesizer::Oscillator::value(std::int64_t sample) const {
  const std::uint64_t phase = phase0 + static_cast<std::uint64_t>(sample) * increment;
  return amplitude_mv * sine_table()[phase >> (64 - SINE_BITS)];
}

EcgSynthesizer::EcgSynthesizer(const EcgParams& params, BeatSource& beats,
                               std::span<const RhythmEpisode> episodes, sim::RandomStream stream)
    : params_(params), beats_(beats), episodes_(episodes.begin(), episodes.end()) {
  if (!(params_.sample_rate_hz >= 50.0 && params_.sample_rate_hz <= 10'000.0)) {
    throw std::invalid_argument("ecg sample_rate_hz " + std::to_string(params_.sample_rate_hz) +
                                ": must be in [50, 10000] Hz");
  }
  std::sort(episodes_.begin(), episodes_.end(),
            [](const RhythmEpisode& a, const RhythmEpisode& b) { return a.start < b.start; });
  // z of a normal beat at 60 bpm at its R peak (sum of all five waves there), so that the R peak
  // is r_amplitude_mv. Each ECGSYN wave integrates to z_i = a_i b_i^2 / omega exp(-dtheta^2/2b_i^2).
  double z_r = 0.0;
  for (const EcgsynWave& w : ECGSYN_WAVES) {
    const double theta = w.theta_deg * PI / 180.0;
    z_r += w.a * w.b * w.b / (2.0 * PI) * std::exp(-theta * theta / (2.0 * w.b * w.b));
  }
  normal_gain_mv_ = params_.r_amplitude_mv / z_r;

  const double fs = params_.sample_rate_hz;
  // ECGSYN relaxes z towards z0 at unit rate (dz = ... - (z - z0)): a first-order low-pass with a
  // 1 s time constant, which passes the 0.25 Hz wander with gain 1 / |1 + i 2 pi f|.
  const double wander_z = 0.005 / std::hypot(1.0, 2.0 * PI * params_.respiration_hz);
  wander_.amplitude_mv = static_cast<float>(normal_gain_mv_ * wander_z);
  wander_.increment = make_oscillator(params_.respiration_hz, 0.0F, stream).increment;
  f_waves_[0] = make_oscillator(stream.uniform(5.0, 8.0), static_cast<float>(0.6 * params_.af_f_wave_mv), stream);
  f_waves_[1] = make_oscillator(stream.uniform(4.0, 9.0), static_cast<float>(0.4 * params_.af_f_wave_mv), stream);
  const double vf_weights[3] = {0.5, 0.3, 0.2};
  for (std::size_t i = 0; i < vf_waves_.size(); ++i) {
    vf_waves_[i] = make_oscillator(stream.uniform(4.0, 6.0),
                                   static_cast<float>(vf_weights[i] * params_.vf_amplitude_mv), stream);
  }
  vf_modulation_ = make_oscillator(stream.uniform(0.2, 0.5), 0.5F, stream);

  block_samples_ = static_cast<std::int64_t>(BLOCK.seconds() * fs);
  rewind_samples_ = static_cast<std::int64_t>(std::ceil(REWIND.seconds() * fs));
  max_pre_samples_ = static_cast<std::int64_t>(std::ceil(MAX_PRE_S * fs)) + 1;
  slot_capacity_ = static_cast<std::size_t>(std::ceil((MAX_PRE_S + MAX_POST_S) * fs)) + 4;
  slot_samples_.assign(SLOTS * slot_capacity_, 0.0F);
}

EcgSynthesizer::Oscillator EcgSynthesizer::make_oscillator(double hz, float amplitude_mv,
                                                           sim::RandomStream& stream) const {
  Oscillator o;
  const double turns_per_sample = hz / params_.sample_rate_hz;
  o.increment = static_cast<std::uint64_t>(std::ldexp(turns_per_sample - std::floor(turns_per_sample), 64));
  o.phase0 = stream.next_u64();
  o.amplitude_mv = amplitude_mv;
  return o;
}

std::int64_t EcgSynthesizer::sample_at_or_after(sim::Time t) const {
  return static_cast<std::int64_t>(
      std::ceil(static_cast<double>(t.ns()) * 1e-9 * params_.sample_rate_hz - 1e-9));
}

sim::Time EcgSynthesizer::sample_time(std::int64_t sample) const {
  return sim::Time::from_seconds(static_cast<double>(sample) / params_.sample_rate_hz);
}

std::size_t EcgSynthesizer::waves_for(const Beat& beat, std::array<Wave, 5>& waves) const {
  const double rr = std::clamp(beat.rr.seconds(), MORPH_RR_MIN_S, MORPH_RR_MAX_S);
  const double r_mv = params_.r_amplitude_mv;
  if (beat.beat_class == BeatClass::ventricular) {
    const double k = std::sqrt(rr);
    waves[0] = {0.0, V_R_SIGMA_S, V_R_FRACTION * r_mv};
    waves[1] = {V_S_OFFSET_S, V_S_SIGMA_S, V_S_FRACTION * r_mv};
    waves[2] = {V_T_OFFSET_S * k, V_T_SIGMA_S * k, V_T_FRACTION * r_mv};
    return 3;
  }
  // ECGSYN heart-rate scaling (spec section 2), with hr / 60 = 1 / RR:
  // b_i x sqrt(hr/60); theta_P x (hr/60)^(1/4); theta_Q, theta_S x sqrt(hr/60); R, T unscaled.
  // Angle -> time through omega = 2 pi / RR; amplitude a_i b_i'^2 / omega in z units.
  const double f = 1.0 / rr;
  const double omega = 2.0 * PI * f;
  const double sqrt_f = std::sqrt(f);
  std::size_t n = 0;
  for (std::size_t i = 0; i < ECGSYN_WAVES.size(); ++i) {
    // AF: no organised atrial activity, so no P wave (f-waves are added separately).
    if (i == P_WAVE && beat.rhythm == Rhythm::atrial_fibrillation) continue;
    const EcgsynWave& w = ECGSYN_WAVES[i];
    double theta = w.theta_deg * PI / 180.0;
    if (i == P_WAVE) theta *= std::sqrt(sqrt_f);
    if (i == 1 || i == 3) theta *= sqrt_f;
    const double b = w.b * sqrt_f;
    waves[n++] = {theta / omega, b / omega, normal_gain_mv_ * w.a * b * b / omega};
  }
  return n;
}

void EcgSynthesizer::pull_beat() {
  assert(slot_count_ < SLOTS && "ECG beat buffer overflow: RR below MIN_RR?");
  const Beat beat = beats_.next_beat();
  const double fs = params_.sample_rate_hz;
  const double r = static_cast<double>(beat.r_time.ns()) * 1e-9 * fs;
  assert(r >= last_r_sample_);
  last_r_sample_ = r;

  std::array<Wave, 5> waves{};
  const std::size_t n = waves_for(beat, waves);
  std::int64_t lo = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < n; ++i) {
    const double c = r + waves[i].offset_s * fs;
    const double half = GAUSS_CUTOFF_SIGMAS * waves[i].sigma_s * fs;
    lo = std::min(lo, static_cast<std::int64_t>(std::ceil(c - half)));
    hi = std::max(hi, static_cast<std::int64_t>(std::floor(c + half)));
  }
  assert(r - static_cast<double>(lo) <= static_cast<double>(max_pre_samples_));
  const std::int64_t length = hi - lo + 1;
  assert(length > 0 && static_cast<std::size_t>(length) <= slot_capacity_);

  const std::size_t slot = (slot_head_ + slot_count_) % SLOTS;
  ++slot_count_;
  slots_[slot] = {lo, static_cast<std::int32_t>(length)};
  float* data = slot_data(slot);
  std::fill(data, data + length, 0.0F);
  for (std::size_t i = 0; i < n; ++i) {
    // Gaussian by recurrence: g(x+1) = g(x) exp(-(2x+1)/2s^2), the ratio itself shrinking by
    // exp(-1/s^2) per sample: two multiplications per sample instead of an exp.
    const double c = r + waves[i].offset_s * fs;
    const double s = waves[i].sigma_s * fs;
    const double half = GAUSS_CUTOFF_SIGMAS * s;
    const auto k0 = static_cast<std::int64_t>(std::ceil(c - half));
    const auto k1 = static_cast<std::int64_t>(std::floor(c + half));
    const double inv = 1.0 / (2.0 * s * s);
    const double x = static_cast<double>(k0) - c;
    double g = waves[i].amplitude_mv * std::exp(-x * x * inv);
    double ratio = std::exp(-(2.0 * x + 1.0) * inv);
    const double q = std::exp(-2.0 * inv);
    for (std::int64_t k = k0; k <= k1; ++k) {
      data[k - lo] += static_cast<float>(g);
      g *= ratio;
      ratio *= q;
    }
  }
}

void EcgSynthesizer::render(std::int64_t first_sample, std::span<float> out) {
  assert(first_sample >= 0);
  assert(first_sample >= render_floor_ && "EcgSynthesizer::render went back more than REWIND");
  std::size_t done = 0;
  while (done < out.size()) {
    const std::size_t n = std::min(static_cast<std::size_t>(block_samples_), out.size() - done);
    render_block(first_sample + static_cast<std::int64_t>(done), out.subspan(done, n));
    done += n;
  }
  render_floor_ = std::max(render_floor_,
                           first_sample + static_cast<std::int64_t>(out.size()) - rewind_samples_);
}

void EcgSynthesizer::render_block(std::int64_t a, std::span<float> out) {
  const std::int64_t b = a + static_cast<std::int64_t>(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = wander_.value(a + static_cast<std::int64_t>(i));

  // Rhythm overlays: f-waves during AF, the VF oscillation during VF.
  auto it = std::partition_point(episodes_.begin(), episodes_.end(), [&](const RhythmEpisode& e) {
    return sample_at_or_after(e.end) <= a;
  });
  for (; it != episodes_.end(); ++it) {
    const std::int64_t start = sample_at_or_after(it->start);
    if (start >= b) break;
    const std::int64_t lo = std::max(a, start);
    const std::int64_t hi = std::min(b, sample_at_or_after(it->end));
    if (it->rhythm == Rhythm::atrial_fibrillation) {
      for (std::int64_t k = lo; k < hi; ++k) out[k - a] += f_waves_[0].value(k) + f_waves_[1].value(k);
    } else if (it->rhythm == Rhythm::ventricular_fibrillation) {
      for (std::int64_t k = lo; k < hi; ++k) {
        const float carrier = vf_waves_[0].value(k) + vf_waves_[1].value(k) + vf_waves_[2].value(k);
        out[k - a] += (1.0F + vf_modulation_.value(k)) * carrier;
      }
    }
  }

  // Beats: drop those that ended before any sample we may still be asked for, then pull until the
  // next beat cannot reach this block.
  while (slot_count_ > 0 &&
         slots_[slot_head_].first_sample + slots_[slot_head_].length <= a - rewind_samples_) {
    slot_head_ = (slot_head_ + 1) % SLOTS;
    --slot_count_;
  }
  while (last_r_sample_ - static_cast<double>(max_pre_samples_) < static_cast<double>(b)) pull_beat();
  for (std::size_t c = 0; c < slot_count_; ++c) {
    const std::size_t slot = (slot_head_ + c) % SLOTS;
    const BeatSlot& s = slots_[slot];
    const std::int64_t lo = std::max(a, s.first_sample);
    const std::int64_t hi = std::min(b, s.first_sample + s.length);
    const float* data = slot_data(slot);
    for (std::int64_t k = lo; k < hi; ++k) out[k - a] += data[k - s.first_sample];
  }
}

}  // namespace twinbed::physiology
