#include "harness/EcgFeatures.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <numbers>

namespace twinbed::harness {

Biquad Biquad::butterworth(double cut_hz, double rate_hz, bool high_pass) {
  const double w0 = 2.0 * std::numbers::pi * cut_hz / rate_hz;
  const double cosw = std::cos(w0);
  const double alpha = std::sin(w0) / std::numbers::sqrt2;  // sin w0 / (2 Q), Q = 1 / sqrt 2
  const double a0 = 1.0 + alpha;
  const double b0 = high_pass ? (1.0 + cosw) / 2.0 : (1.0 - cosw) / 2.0;
  const double b1 = high_pass ? -(1.0 + cosw) : 1.0 - cosw;
  Biquad q;
  q.b0 = b0 / a0;
  q.b1 = b1 / a0;
  q.b2 = b0 / a0;
  q.a1 = -2.0 * cosw / a0;
  q.a2 = (1.0 - alpha) / a0;
  return q;
}

void Biquad::prime(double x) {
  const double dc_gain = (b0 + b1 + b2) / (1.0 + a1 + a2);
  const double y = dc_gain * x;
  z2 = b2 * x - a2 * y;
  z1 = b1 * x - a1 * y + z2;
}

AfFeatures af_features(std::span<const double> rr_s, std::span<double> scratch) {
  AfFeatures f;
  const std::size_t n = rr_s.size();
  if (n < 8) return f;
  assert(scratch.size() >= n);
  f.intervals = n;

  // Outliers (Dash 2009): the n/16 longest and shortest intervals are left out of nRMSSD and ShE.
  std::copy(rr_s.begin(), rr_s.end(), scratch.begin());
  const std::span<double> sorted = scratch.first(n);
  std::sort(sorted.begin(), sorted.end());
  const std::size_t trim = n / AF_TRIM_DIVISOR;
  const double lo = sorted[trim], hi = sorted[n - 1 - trim];

  double sum = 0.0, diff_sq = 0.0;
  std::size_t kept = 0, diffs = 0;
  double previous = 0.0;
  for (const double rr : rr_s) {
    if (rr < lo || rr > hi) continue;
    if (kept > 0) {
      diff_sq += (rr - previous) * (rr - previous);
      ++diffs;
    }
    previous = rr;
    sum += rr;
    ++kept;
  }
  const double mean = sum / static_cast<double>(kept);
  f.normalised_rmssd = diffs > 0 && mean > 0.0 ? std::sqrt(diff_sq / static_cast<double>(diffs)) / mean : 0.0;

  if (hi > lo) {
    std::size_t counts[AF_ENTROPY_BINS] = {};
    const double width = (hi - lo) / static_cast<double>(AF_ENTROPY_BINS);
    for (const double rr : rr_s) {
      if (rr < lo || rr > hi) continue;
      const auto bin = std::min(AF_ENTROPY_BINS - 1, static_cast<std::size_t>((rr - lo) / width));
      ++counts[bin];
    }
    double entropy = 0.0;
    for (const std::size_t c : counts) {
      if (c == 0) continue;
      const double p = static_cast<double>(c) / static_cast<double>(kept);
      entropy -= p * std::log(p);
    }
    f.shannon_entropy = entropy / std::log(static_cast<double>(AF_ENTROPY_BINS));
  }

  // Turning points over the whole segment (Dash 2009 count them before outlier removal).
  std::size_t turning = 0;
  for (std::size_t i = 1; i + 1 < n; ++i) {
    if ((rr_s[i] - rr_s[i - 1]) * (rr_s[i + 1] - rr_s[i]) < 0.0) ++turning;
  }
  const auto nd = static_cast<double>(n);
  f.turning_points = static_cast<double>(turning);
  f.expected_turning_points = (2.0 * nd - 4.0) / 3.0;
  f.turning_points_sd = std::sqrt((16.0 * nd - 29.0) / 90.0);
  return f;
}

bool af_irregular(const AfFeatures& f) {
  return f.intervals >= 8 && f.normalised_rmssd > AF_RMSSD_MIN && f.shannon_entropy > AF_ENTROPY_MIN &&
         std::abs(f.turning_points - f.expected_turning_points) <= AF_TURNING_POINT_SDS * f.turning_points_sd;
}

double qrs_width_s(std::span<const float> beat_mv, std::size_t r, std::size_t slope_half_width, double rate_hz) {
  assert(r < beat_mv.size());
  const auto [lo, hi] = std::minmax_element(beat_mv.begin(), beat_mv.end());
  const double amplitude = static_cast<double>(*hi) - static_cast<double>(*lo);
  // Least-squares slope over five points h apart: (2 (x[k+2h] - x[k-2h]) + x[k+h] - x[k-h]) / 10h.
  const auto h = static_cast<std::size_t>(std::max<long long>(1, std::llround(SLOPE_SPACING_S * rate_hz)));
  if (beat_mv.size() < 4 * h + 1) return 0.0;
  const std::size_t first = std::max(2 * h, r >= slope_half_width ? r - slope_half_width : 0);
  const std::size_t last = std::min(beat_mv.size() - 1 - 2 * h, r + slope_half_width);
  double steepest = 0.0;
  auto x = [&](std::size_t k) { return static_cast<double>(beat_mv[k]); };
  for (std::size_t k = first; k <= last; ++k) {
    const double slope = (2.0 * (x(k + 2 * h) - x(k - 2 * h)) + (x(k + h) - x(k - h))) / (10.0 * static_cast<double>(h));
    steepest = std::max(steepest, std::abs(slope));
  }
  return steepest > 0.0 ? amplitude / (steepest * rate_hz) : 0.0;
}

void fft_in_place(std::span<std::complex<double>> data) {
  const std::size_t n = data.size();
  assert(std::has_single_bit(n));
  for (std::size_t i = 1, j = 0; i < n; ++i) {  // bit-reversal permutation
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(data[i], data[j]);
  }
  // Products written out: std::complex's operator* checks for infinities and NaNs (C99 Annex G),
  // which costs more than the butterflies themselves.
  auto mul = [](std::complex<double> a, std::complex<double> b) {
    return std::complex<double>(a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real());
  };
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const double angle = -2.0 * std::numbers::pi / static_cast<double>(len);
    const std::complex<double> step(std::cos(angle), std::sin(angle));
    for (std::size_t i = 0; i < n; i += len) {
      std::complex<double> w(1.0, 0.0);
      for (std::size_t k = 0; k < len / 2; ++k) {
        const std::complex<double> u = data[i + k], v = mul(data[i + k + len / 2], w);
        data[i + k] = u + v;
        data[i + k + len / 2] = u - v;
        w = mul(w, step);
      }
    }
  }
}

std::vector<double> hann_window(std::size_t n) {
  std::vector<double> w(n, 1.0);
  for (std::size_t i = 0; n > 1 && i < n; ++i) {
    w[i] = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n - 1));
  }
  return w;
}

SpectrumFeatures spectrum_features(std::span<const float> samples_mv, double rate_hz, double band_hz,
                                   std::span<const double> window, std::span<std::complex<double>> work) {
  SpectrumFeatures f;
  const std::size_t n = samples_mv.size();
  if (n < 4) return f;
  assert(window.size() == n && work.size() >= n && std::has_single_bit(work.size()));
  double mean = 0.0;
  for (const float x : samples_mv) mean += x;
  mean /= static_cast<double>(n);
  double sum_sq = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(samples_mv[i]) - mean;
    sum_sq += x * x;
    work[i] = {x * window[i], 0.0};
  }
  std::fill(work.begin() + static_cast<std::ptrdiff_t>(n), work.end(), std::complex<double>{});
  f.rms_mv = std::sqrt(sum_sq / static_cast<double>(n));
  fft_in_place(work);

  const double bin_hz = rate_hz / static_cast<double>(work.size());
  auto power = [&](std::size_t j) { return std::norm(work[j]); };
  std::size_t peak = 0;
  for (std::size_t j = 1; j <= work.size() / 2; ++j) {
    const double hz = static_cast<double>(j) * bin_hz;
    if (hz < 1.0 || hz > 10.0) continue;
    if (peak == 0 || power(j) > power(peak)) peak = j;
  }
  if (peak == 0) return f;
  f.peak_hz = static_cast<double>(peak) * bin_hz;
  double near = 0.0, total = 0.0;
  for (std::size_t j = 1; j <= work.size() / 2; ++j) {
    const double hz = static_cast<double>(j) * bin_hz;
    if (hz < 1.0 || hz > 20.0) continue;
    total += power(j);
    if (std::abs(hz - f.peak_hz) <= band_hz) near += power(j);
  }
  f.concentration = total > 0.0 ? near / total : 0.0;
  return f;
}

double noise_quality(double qrs_amplitude_mv, double noise_rms_mv) {
  if (!(noise_rms_mv > 0.0)) return 1.0;
  const double signal_power = qrs_amplitude_mv * qrs_amplitude_mv / 8.0;
  const double snr_db = 10.0 * std::log10(signal_power / (noise_rms_mv * noise_rms_mv));
  return std::clamp((snr_db - SQI_UNUSABLE_SNR_DB) / (SQI_CLEAN_SNR_DB - SQI_UNUSABLE_SNR_DB), 0.0, 1.0);
}

}  // namespace twinbed::harness
