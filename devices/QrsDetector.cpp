#include "devices/QrsDetector.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>

namespace twinbed::devices {
namespace {
// Butterworth section: Q = 1/sqrt(2).
constexpr double BUTTERWORTH_Q = std::numbers::sqrt2 / 2.0;
// PT 1985: SPK = 0.125 PEAK + 0.875 SPK (same for NPK); after search-back 0.25 / 0.75.
constexpr double PEAK_WEIGHT = 0.125;
constexpr double SEARCH_BACK_PEAK_WEIGHT = 0.25;
// PT 1985: THRESHOLD1 = NPK + 0.25 (SPK - NPK); THRESHOLD2 = 0.5 THRESHOLD1.
constexpr double THRESHOLD_FRACTION = 0.25;
constexpr double SECOND_THRESHOLD = 0.5;
constexpr double IRREGULAR_THRESHOLD = 0.5;  // PT 1985: halved for irregular rhythms
// Learning (PT do not give the formula; the common one, e.g. Sedghamiz's reference
// implementation): signal level a third of the largest value, noise level half the mean.
constexpr double LEARN_SIGNAL_FRACTION = 1.0 / 3.0;
constexpr double LEARN_NOISE_FRACTION = 0.5;
// A QRS spans ~ +/-60 ms around its R peak (QRS duration 80-120 ms): where its amplitude is taken.
constexpr double QRS_HALF_WIDTH_S = 0.060;
// How far from the band-pass estimate the R peak is looked for on the input (the estimate's error
// is the spread of QRS group delays, tens of milliseconds).
constexpr double R_REFINE_S = 0.040;
constexpr double DEFAULT_RR_S = 1.0;  // before the first RR interval: 60 bpm

// RBJ audio-EQ cookbook biquads (R. Bristow-Johnson), normalised by a0.
struct Coefficients {
  double b0, b1, b2, a1, a2;
};
Coefficients butterworth(double cut_hz, double rate_hz, bool high_pass) {
  const double w0 = 2.0 * std::numbers::pi * cut_hz / rate_hz;
  const double cosw = std::cos(w0);
  const double alpha = std::sin(w0) / (2.0 * BUTTERWORTH_Q);
  const double a0 = 1.0 + alpha;
  const double b0 = high_pass ? (1.0 + cosw) / 2.0 : (1.0 - cosw) / 2.0;
  const double b1 = high_pass ? -(1.0 + cosw) : 1.0 - cosw;
  return {b0 / a0, b1 / a0, b0 / a0, -2.0 * cosw / a0, (1.0 - alpha) / a0};
}

// Group delay (samples) of p0 + p1 z^-1 + p2 z^-2 at angular frequency w: Re(sum k p_k e^-jwk / P).
double polynomial_delay(double p0, double p1, double p2, double w) {
  const std::complex<double> e1 = std::polar(1.0, -w), e2 = std::polar(1.0, -2.0 * w);
  return ((p1 * e1 + 2.0 * p2 * e2) / (p0 + p1 * e1 + p2 * e2)).real();
}
double biquad_delay(const Coefficients& c, double w) {
  return polynomial_delay(c.b0, c.b1, c.b2, w) - polynomial_delay(1.0, c.a1, c.a2, w);
}
}  // namespace

double QrsDetector::Biquad::step(double x) {
  // Direct form II transposed.
  const double y = b0 * x + z1;
  z1 = b1 * x - a1 * y + z2;
  z2 = b2 * x - a2 * y;
  return y;
}

QrsDetector::QrsDetector(double sample_rate_hz, const QrsParams& params) : params_(params), rate_(sample_rate_hz) {
  if (!(rate_ > 2.0 * params_.high_cut_hz) || !(params_.low_cut_hz > 0.0) || params_.low_cut_hz >= params_.high_cut_hz) {
    throw std::invalid_argument("QrsDetector: the sample rate must exceed twice the band-pass's upper edge");
  }
  auto samples = [this](double seconds) { return std::max<std::int64_t>(1, std::llround(seconds * rate_)); };
  window_ = samples(params_.integration_window_s);
  neighbourhood_ = samples(params_.peak_neighbourhood_s);
  refractory_ = samples(params_.refractory_s);
  learning_samples_ = samples(params_.learning_s);
  relearn_ = samples(params_.relearn_s);
  t_wave_rr_ = samples(params_.t_wave_rr_s);
  amplitude_half_width_ = samples(QRS_HALF_WIDTH_S);
  refine_ = samples(R_REFINE_S);

  const Coefficients hp = butterworth(params_.low_cut_hz, rate_, true);
  const Coefficients lp = butterworth(params_.high_cut_hz, rate_, false);
  high_pass_ = Biquad{hp.b0, hp.b1, hp.b2, hp.a1, hp.a2};
  low_pass_ = Biquad{lp.b0, lp.b1, lp.b2, lp.a1, lp.a2};
  // The R peak's band-pass response is centred one group delay later, taken at the band's
  // geometric centre where QRS energy concentrates.
  const double w = 2.0 * std::numbers::pi * std::sqrt(params_.low_cut_hz * params_.high_cut_hz) / rate_;
  bp_delay_ = biquad_delay(hp, w) + biquad_delay(lp, w);
  bp_delay_samples_ = std::llround(bp_delay_);

  // The rings hold the learning window, or what a candidate looks back on, whichever is longer.
  const std::int64_t look_back = 2 * neighbourhood_ + window_ + bp_delay_samples_ + 2 * amplitude_half_width_ + 8;
  ring_ = static_cast<std::size_t>(std::max(learning_samples_, look_back) + 8);
  raw_.assign(ring_, 0.0F);
  band_.assign(ring_, 0.0F);
  slope_.assign(ring_, 0.0F);
  mwi_.assign(ring_, 0.0F);
  squared_.assign(static_cast<std::size_t>(window_), 0.0);
  reset(0);
}

void QrsDetector::reset(std::int64_t next_sample) {
  if (next_sample < 0) throw std::invalid_argument("QrsDetector: negative sample index");
  high_pass_.z1 = high_pass_.z2 = low_pass_.z1 = low_pass_.z2 = 0.0;
  std::fill(squared_.begin(), squared_.end(), 0.0);
  window_sum_ = 0.0;
  start_ = next_ = next_sample;
  learning_ = true;
  spki_ = npki_ = spkf_ = npkf_ = 0.0;
  pending_count_ = 0;
  search_due_ = false;
  have_qrs_ = false;
  last_event_ = next_sample;
  rr_recent_count_ = rr_selected_count_ = 0;
  rr_average2_ = 0.0;
  irregular_ = false;
}

void QrsDetector::feed(std::span<const float> samples_mv, std::vector<std::int64_t>& r_peaks) {
  for (const float x : samples_mv) {
    step(x);
    const std::int64_t n = next_ - 1;
    const std::int64_t m = n - neighbourhood_;  // peaks are decided this far behind
    if (m - neighbourhood_ >= start_ && is_peak(m)) {
      const Candidate c = make_candidate(m);
      if (learning_) {
        if (pending_count_ < MAX_CANDIDATES) pending_[pending_count_++] = c;
      } else {
        classify(c, r_peaks);
      }
    }
    if (learning_ && n - start_ + 1 >= learning_samples_) {
      learn_thresholds();
      learning_ = false;
      last_event_ = m;
      const std::array<Candidate, MAX_CANDIDATES> learned = pending_;
      const std::size_t count = pending_count_;
      pending_count_ = 0;
      for (std::size_t i = 0; i < count; ++i) classify(learned[i], r_peaks);
    }
    if (learning_) continue;
    if (m - last_event_ > relearn_) {
      learn_thresholds();
      last_event_ = m;
      pending_count_ = 0;
      search_due_ = false;
      have_qrs_ = false;
      continue;
    }
    const double average_rr = rr_average2_ > 0.0 ? rr_average2_ : DEFAULT_RR_S * rate_;
    if (search_due_ && static_cast<double>(m - last_event_) > params_.missed_rr_factor * average_rr) {
      search_back(r_peaks);
    }
  }
}

void QrsDetector::step(float x) {
  const std::int64_t n = next_++;
  if (n == start_) {
    // Prime the high-pass at the first sample's level, so a DC offset does not ring through.
    high_pass_.z2 = high_pass_.b2 * x;
    high_pass_.z1 = high_pass_.b1 * x + high_pass_.z2;
  }
  const double band = low_pass_.step(high_pass_.step(x));
  raw_[at(n)] = x;
  band_[at(n)] = static_cast<float>(band);
  auto band_at = [this](std::int64_t k) { return k >= start_ ? static_cast<double>(band_[at(k)]) : 0.0; };
  // PT's five-point derivative, made causal: y(n) = (2x(n) + x(n-1) - x(n-3) - 2x(n-4)) / 8T.
  const double slope = (2.0 * band + band_at(n - 1) - band_at(n - 3) - 2.0 * band_at(n - 4)) * rate_ / 8.0;
  slope_[at(n)] = static_cast<float>(slope);
  const auto slot = static_cast<std::size_t>(n % window_);
  const double squared = slope * slope;
  window_sum_ += squared - squared_[slot];
  squared_[slot] = squared;
  if (slot + 1 == squared_.size()) {  // re-add exactly once per window: no drift over days
    window_sum_ = 0.0;
    for (const double v : squared_) window_sum_ += v;
  }
  mwi_[at(n)] = static_cast<float>(window_sum_ / static_cast<double>(window_));
}

bool QrsDetector::is_peak(std::int64_t m) const {
  const float v = mwi_[at(m)];
  if (!(v > 0.0F)) return false;
  // Most samples sit on a slope: the nearest neighbours settle them before the full scan.
  if (neighbourhood_ >= 1 && (mwi_[at(m - 1)] >= v || mwi_[at(m + 1)] > v)) return false;
  for (std::int64_t k = m - neighbourhood_; k < m; ++k) {
    if (mwi_[at(k)] >= v) return false;
  }
  for (std::int64_t k = m + 1; k <= m + neighbourhood_; ++k) {
    if (mwi_[at(k)] > v) return false;
  }
  return true;
}

QrsDetector::Candidate QrsDetector::make_candidate(std::int64_t m) const {
  Candidate c;
  c.mwi_index = m;
  c.peak_i = mwi_[at(m)];
  // The integration window ending at m covers derivative samples m-W+1..m, which are centred on
  // band-pass samples m-W-1..m-2: the QRS's filtered peak lies there.
  const std::int64_t first = std::max(start_, m - window_ - 1);
  std::int64_t best = first;
  for (std::int64_t k = first; k <= m - 2 && k >= start_; ++k) {
    if (std::abs(band_[at(k)]) > std::abs(band_[at(best)])) best = k;
  }
  for (std::int64_t k = std::max(start_, m - window_ + 1); k <= m; ++k) {
    c.slope = std::max(c.slope, static_cast<double>(std::abs(slope_[at(k)])));
  }
  c.peak_f = std::abs(band_[at(best)]);
  // The band-pass puts the R peak about one group delay back; the input's largest deflection from
  // the baseline around it (the QRS's ends) places it on the sample.
  const std::int64_t estimate = std::max(start_, best - bp_delay_samples_);
  const std::int64_t first_qrs = std::max(start_, estimate - amplitude_half_width_);
  const std::int64_t last_qrs = std::min(next_ - 1, estimate + amplitude_half_width_);
  const double baseline = 0.5 * (static_cast<double>(raw_[at(first_qrs)]) + static_cast<double>(raw_[at(last_qrs)]));
  c.r_index = estimate;
  float low = raw_[at(estimate)], high = low;
  double deflection = -1.0;
  for (std::int64_t k = first_qrs; k <= last_qrs; ++k) {
    const float x = raw_[at(k)];
    low = std::min(low, x);
    high = std::max(high, x);
    if (std::abs(k - estimate) <= refine_ && std::abs(x - baseline) > deflection) {
      deflection = std::abs(x - baseline);
      c.r_index = k;
    }
  }
  c.amplitude_mv = static_cast<double>(high) - static_cast<double>(low);
  return c;
}

double QrsDetector::threshold_i1() const {
  const double t = npki_ + THRESHOLD_FRACTION * (spki_ - npki_);
  return irregular_ ? IRREGULAR_THRESHOLD * t : t;
}

double QrsDetector::threshold_f1() const {
  const double t = npkf_ + THRESHOLD_FRACTION * (spkf_ - npkf_);
  return irregular_ ? IRREGULAR_THRESHOLD * t : t;
}

void QrsDetector::classify(const Candidate& c, std::vector<std::int64_t>& r_peaks) {
  if (have_qrs_ && c.r_index - last_qrs_.r_index < refractory_) return;  // physiologically impossible
  if (c.amplitude_mv < params_.min_qrs_mv || c.peak_i <= threshold_i1() || c.peak_f <= threshold_f1()) {
    as_noise(c);
    return;
  }
  const bool t_wave = have_qrs_ && c.r_index - last_qrs_.r_index < t_wave_rr_ &&
                      c.slope < params_.t_wave_slope_ratio * last_qrs_.slope;
  if (t_wave) {
    as_noise(c);
    return;
  }
  accept(c, false, r_peaks);
}

void QrsDetector::as_noise(const Candidate& c) {
  npki_ = PEAK_WEIGHT * c.peak_i + (1.0 - PEAK_WEIGHT) * npki_;
  npkf_ = PEAK_WEIGHT * c.peak_f + (1.0 - PEAK_WEIGHT) * npkf_;
  if (pending_count_ == MAX_CANDIDATES) {  // keep the newest
    std::move(pending_.begin() + 1, pending_.end(), pending_.begin());
    --pending_count_;
  }
  pending_[pending_count_++] = c;
  search_due_ = true;
}

void QrsDetector::accept(const Candidate& c, bool search_back, std::vector<std::int64_t>& r_peaks) {
  const double w = search_back ? SEARCH_BACK_PEAK_WEIGHT : PEAK_WEIGHT;
  spki_ = w * c.peak_i + (1.0 - w) * spki_;
  spkf_ = w * c.peak_f + (1.0 - w) * spkf_;
  if (have_qrs_) {
    const auto rr = static_cast<double>(c.r_index - last_qrs_.r_index);
    auto push = [rr](std::array<double, 8>& ring, std::size_t& count) {
      if (count == ring.size()) std::move(ring.begin() + 1, ring.end(), ring.begin());
      else ++count;
      ring[count - 1] = rr;
      double sum = 0.0;
      for (std::size_t i = 0; i < count; ++i) sum += ring[i];
      return sum / static_cast<double>(count);
    };
    const double average1 = push(rr_recent_, rr_recent_count_);
    const bool regular = rr_selected_count_ == 0 ||
                         (rr >= params_.rr_low_factor * rr_average2_ && rr <= params_.rr_high_factor * rr_average2_);
    if (regular) {
      rr_average2_ = push(rr_selected_, rr_selected_count_);
    } else {
      // PT 1985: an RR outside the limits marks the rhythm irregular; the regular average starts
      // again from the recent one so it follows a change of rate.
      rr_average2_ = average1;
      rr_selected_count_ = 0;
    }
    irregular_ = !regular;
  }
  r_peaks.push_back(c.r_index);
  last_qrs_ = c;
  have_qrs_ = true;
  last_event_ = c.mwi_index;
  // Noise peaks up to this QRS (and within its refractory period) are no longer search-back material.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < pending_count_; ++i) {
    if (pending_[i].mwi_index > c.mwi_index && pending_[i].r_index - c.r_index >= refractory_) pending_[kept++] = pending_[i];
  }
  pending_count_ = kept;
  search_due_ = kept > 0;
}

void QrsDetector::search_back(std::vector<std::int64_t>& r_peaks) {
  const double i2 = SECOND_THRESHOLD * (npki_ + THRESHOLD_FRACTION * (spki_ - npki_));
  const double f2 = SECOND_THRESHOLD * (npkf_ + THRESHOLD_FRACTION * (spkf_ - npkf_));
  const Candidate* best = nullptr;
  for (std::size_t i = 0; i < pending_count_; ++i) {
    const Candidate& c = pending_[i];
    if (c.peak_i <= i2 || c.peak_f <= f2 || c.amplitude_mv < params_.min_qrs_mv) continue;
    if (have_qrs_ && c.r_index - last_qrs_.r_index < refractory_) continue;
    if (best == nullptr || c.peak_i > best->peak_i) best = &c;
  }
  if (best == nullptr) {
    search_due_ = false;  // nothing qualifies until a new noise peak arrives
    return;
  }
  const Candidate found = *best;
  accept(found, true, r_peaks);
}

void QrsDetector::learn_thresholds() {
  const std::int64_t last = next_ - 1;
  const std::int64_t first = std::max(start_, last - learning_samples_ + 1);
  double max_i = 0.0, sum_i = 0.0, max_f = 0.0, sum_f = 0.0;
  for (std::int64_t k = first; k <= last; ++k) {
    const double i = mwi_[at(k)];
    const double f = std::abs(band_[at(k)]);
    max_i = std::max(max_i, i);
    max_f = std::max(max_f, f);
    sum_i += i;
    sum_f += f;
  }
  const auto count = static_cast<double>(last - first + 1);
  spki_ = LEARN_SIGNAL_FRACTION * max_i;
  npki_ = LEARN_NOISE_FRACTION * sum_i / count;
  spkf_ = LEARN_SIGNAL_FRACTION * max_f;
  npkf_ = LEARN_NOISE_FRACTION * sum_f / count;
}

}  // namespace twinbed::devices
