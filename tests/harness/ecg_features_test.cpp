// harness EcgFeatures: the pure measurements behind ArrhythmiaAnalyzer on hand-built inputs with
// exact or analytically known answers (Dash's RR features, the QRS width of a Gaussian, the FFT
// against the DFT, the spectrum of a sine and of a beat train, the NSTDB SNR mapping).
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>
#include <vector>

#include "harness/EcgFeatures.hpp"
#include "sim/RandomStream.hpp"

using namespace twinbed;

namespace {
constexpr double RATE_HZ = 250.0;
}  // namespace

TEST(EcgFeatures, DashFeaturesOfHandBuiltSeries) {
  std::vector<double> scratch(64);
  // Alternating 1 s / 2 s (bigeminy-like), n = 8 (no trimming): successive differences all 1 s,
  // mean 1.5 s; two occupied bins of 16; every interior point turns.
  const std::vector<double> alternating{1, 2, 1, 2, 1, 2, 1, 2};
  const harness::AfFeatures f = harness::af_features(alternating, scratch);
  EXPECT_DOUBLE_EQ(f.normalised_rmssd, 1.0 / 1.5);
  EXPECT_DOUBLE_EQ(f.shannon_entropy, std::log(2.0) / std::log(16.0));
  EXPECT_EQ(f.turning_points, 6.0);
  EXPECT_DOUBLE_EQ(f.expected_turning_points, 4.0);               // (2 8 - 4) / 3
  EXPECT_DOUBLE_EQ(f.turning_points_sd, std::sqrt(99.0 / 90.0));  // (16 8 - 29) / 90
  EXPECT_FALSE(harness::af_irregular(f));                         // ShE 0.25 < 0.7
  // n = 16 trims one interval at each end: the 5 s outlier goes, the rest is perfectly regular.
  std::vector<double> one_pause(16, 0.8);
  one_pause[9] = 5.0;
  const harness::AfFeatures p = harness::af_features(one_pause, scratch);
  EXPECT_EQ(p.normalised_rmssd, 0.0);
  EXPECT_EQ(p.shannon_entropy, 0.0);
  EXPECT_EQ(p.turning_points, 1.0);  // the outlier still counts for the turning points (Dash)
  EXPECT_FALSE(harness::af_irregular(p));
  EXPECT_EQ(harness::af_features(std::vector<double>(7, 1.0), scratch).intervals, 0U);  // too short

  // Independent lognormal RR (CV 0.22, the rhythm model's AF) is AF; a smooth sinus HRV is not.
  sim::RandomStream rng(3, 0, "dash", "rr");
  std::vector<double> af, sinus;
  for (int i = 0; i < 64; ++i) {
    af.push_back(0.8 * std::exp(rng.normal(0.0, 0.22)));
    sinus.push_back(0.8 + 0.02 * std::sin(0.6 * i));
  }
  const harness::AfFeatures a = harness::af_features(af, scratch);
  std::printf("Dash features, lognormal RR: nRMSSD %.3f ShE %.3f TP %.0f (expected %.1f +/- %.1f)\n",
              a.normalised_rmssd, a.shannon_entropy, a.turning_points, a.expected_turning_points, a.turning_points_sd);
  EXPECT_TRUE(harness::af_irregular(a));
  EXPECT_FALSE(harness::af_irregular(harness::af_features(sinus, scratch)));
}

TEST(EcgFeatures, QrsWidthOfAGaussianIsSigmaRootE) {
  // Peak-to-peak over steepest slope: a Gaussian of s.d. sigma gives sigma sqrt(e), whatever its
  // amplitude and whatever constant it sits on; the five-point derivative smooths the slope of a
  // Gaussian sampled at 4 ms by 7 % at sigma = 16 ms and 2 % at 30 ms.
  for (const double sigma_s : {0.016, 0.030}) {
    std::vector<float> beat(55);
    for (std::size_t k = 0; k < beat.size(); ++k) {
      const double t = (static_cast<double>(k) - 27.0) / RATE_HZ;
      beat[k] = static_cast<float>(0.7 + 1.5 * std::exp(-t * t / (2.0 * sigma_s * sigma_s)));
    }
    const double exact = sigma_s * std::sqrt(std::exp(1.0));
    EXPECT_GE(harness::qrs_width_s(beat, 27, 15, RATE_HZ), exact);
    EXPECT_LE(harness::qrs_width_s(beat, 27, 15, RATE_HZ), 1.08 * exact);
  }
  EXPECT_EQ(harness::qrs_width_s(std::vector<float>(55, 1.0F), 27, 15, RATE_HZ), 0.0);  // flat: no slope
}

TEST(EcgFeatures, FftMatchesTheDefinition) {
  std::vector<std::complex<double>> x(16);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = {std::sin(1.3 * static_cast<double>(i * i)), std::cos(0.7 * i)};
  std::vector<std::complex<double>> y = x;
  harness::fft_in_place(y);
  for (std::size_t k = 0; k < x.size(); ++k) {
    std::complex<double> sum;
    for (std::size_t n = 0; n < x.size(); ++n) {
      sum += x[n] * std::polar(1.0, -2.0 * std::numbers::pi * static_cast<double>(k * n) / 16.0);
    }
    EXPECT_NEAR(std::abs(y[k] - sum), 0.0, 1e-12) << k;
  }
}

TEST(EcgFeatures, SpectrumOfFibrillationAndOfBeats) {
  constexpr double rate = 62.5;
  std::vector<std::complex<double>> work(128);
  const std::vector<double> hann = harness::hann_window(125);
  std::vector<float> sine(125), beats(125);
  for (std::size_t i = 0; i < sine.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    sine[i] = static_cast<float>(0.3 * std::sin(2.0 * std::numbers::pi * 5.0 * t));
    // Narrow beats at 2.5 Hz (150 bpm): their power spreads over the harmonics 2.5, 5, 7.5 ... Hz.
    const double phase = std::fmod(t, 0.4) - 0.2;
    beats[i] = static_cast<float>(std::exp(-phase * phase / (2.0 * 0.016 * 0.016)));
  }
  const harness::SpectrumFeatures vf = harness::spectrum_features(sine, rate, 2.0, hann, work);
  EXPECT_NEAR(vf.peak_hz, 5.0, rate / 128.0);  // within a bin
  EXPECT_GT(vf.concentration, 0.99);
  EXPECT_NEAR(vf.rms_mv, 0.3 / std::sqrt(2.0), 0.005);
  const harness::SpectrumFeatures qrs = harness::spectrum_features(beats, rate, 2.0, hann, work);
  EXPECT_LT(qrs.concentration, 0.5);
}

TEST(EcgFeatures, NoiseQualityFollowsTheNstdbSnr) {
  // (QRS p-p)^2 / 8 over the noise's mean square: 0 dB -> 0, 6 dB -> 0.5, 12 dB -> 1.
  const double qrs = 1.6, signal_rms = qrs / std::sqrt(8.0);
  EXPECT_NEAR(harness::noise_quality(qrs, signal_rms), 0.0, 1e-12);
  EXPECT_NEAR(harness::noise_quality(qrs, signal_rms / std::pow(10.0, 0.3)), 0.5, 1e-12);
  EXPECT_NEAR(harness::noise_quality(qrs, signal_rms / std::pow(10.0, 0.6)), 1.0, 1e-12);
  EXPECT_EQ(harness::noise_quality(qrs, 0.0), 1.0);
}
