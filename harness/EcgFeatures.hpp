#pragma once
// harness ECG features: the pure measurements behind ArrhythmiaAnalyzer, each testable with a
// handful of numbers. RR irregularity for atrial fibrillation (Dash et al. 2009), the width of a
// beat's QRS (wide = ventricular), the spectrum of a stretch of ECG for ventricular fibrillation
// (after Barro et al. 1989), and the noise part of the signal-quality index.
#include <complex>
#include <cstddef>
#include <span>
#include <vector>

namespace twinbed::harness {

// A second-order Butterworth section (RBJ audio-EQ cookbook, Q = 1/sqrt 2), direct form II
// transposed.
struct Biquad {
  double b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;
  double z1 = 0.0, z2 = 0.0;
  static Biquad butterworth(double cut_hz, double rate_hz, bool high_pass);
  double step(double x) {
    const double y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    return y;
  }
  // Sets the state as if `x` had been the input forever (no start-up transient on a DC offset).
  void prime(double x);
};

// Atrial fibrillation from RR intervals, after Dash, Chon, Lu & Raeder, "Automatic real time
// detection of atrial fibrillation", Ann Biomed Eng 37:1701 (2009): on a segment of RR intervals,
// (1) the RMSSD normalised by the mean RR, (2) the Shannon entropy of the RR histogram (16 equal
// bins between the extremes, normalised by log 16), both after removing the 1/16 longest and the
// 1/16 shortest intervals (Dash: 8 + 8 of 128), and (3) the turning point ratio, which for an
// independent random series is (2N - 4) / 3 +/- sqrt((16N - 29) / 90) turning points. AF when all
// three point to randomness: nRMSSD > 0.1, ShE > 0.7 and the turning points within 3 SD of the
// random expectation (Dash's 0.54 < TPR < 0.77 at N = 128).
struct AfFeatures {
  double normalised_rmssd = 0.0;
  double shannon_entropy = 0.0;      // 0 (all in one bin) .. 1 (uniform over 16 bins) and above
  double turning_points = 0.0;       // count over the whole segment
  double expected_turning_points = 0.0;
  double turning_points_sd = 0.0;
  std::size_t intervals = 0;
};
inline constexpr double AF_RMSSD_MIN = 0.1;            // Dash 2009
inline constexpr double AF_ENTROPY_MIN = 0.7;          // Dash 2009
inline constexpr double AF_TURNING_POINT_SDS = 3.0;    // Dash 2009 (0.54..0.77 at N = 128)
inline constexpr std::size_t AF_ENTROPY_BINS = 16;     // Dash 2009
inline constexpr std::size_t AF_TRIM_DIVISOR = 16;     // Dash 2009: 8 of 128 at each end

// `rr_s` in time order; `scratch` at least rr_s.size() long. Fewer than 8 intervals: all zero.
AfFeatures af_features(std::span<const double> rr_s, std::span<double> scratch);
bool af_irregular(const AfFeatures& features);

// Width of a beat's QRS, free of any baseline: its peak-to-peak amplitude over the window
// `beat_mv` divided by its steepest slope within `slope_half_width` samples of `r`. The slope is
// the five-point least-squares derivative over points SLOPE_SPACING_S apart (at least one sample)
// at any sample rate, so that it smooths the front end's noise alike at 250 or 1000 Hz. For a
// Gaussian wave of s.d. sigma this is sigma sqrt(e) times (peak-to-peak / peak): it grows with the
// width of the QRS whatever the wave sits on (a PVC on the T wave before it measures like any
// other). On twinbed's ECGSYN model a normal QRS measures 17-37 ms at 35-160 bpm, a ventricular
// one 43-55 ms (tests/harness/arrhythmia_test.cpp).
double qrs_width_s(std::span<const float> beat_mv, std::size_t r, std::size_t slope_half_width, double rate_hz);
inline constexpr double SLOPE_SPACING_S = 0.004;  // one sample at 250 Hz

// In-place radix-2 FFT; data.size() must be a power of two.
void fft_in_place(std::span<std::complex<double>> data);

// Spectrum of a stretch of ECG (mean removed, Hann window) for VF detection. Ventricular
// fibrillation is a sustained oscillation whose power sits in one band near its dominant frequency
// (VF 4-6 Hz, spec/physiology.md section 2); sinus rhythm and VT spread theirs over the harmonics of
// the heart rate (Barro et al., J Biomed Eng 11:320, 1989, as evaluated by Amann et al., BioMed Eng
// OnLine 4:60, 2005).
struct SpectrumFeatures {
  double peak_hz = 0.0;        // largest bin in [1, 10] Hz
  double concentration = 0.0;  // power within peak_hz +/- band_hz over the power in [1, 20] Hz
  double rms_mv = 0.0;         // of the stretch, mean removed
};
// `window` is hann_window(samples.size()); `work` a power of two at least samples.size() long
// (the stretch is zero-padded to it).
SpectrumFeatures spectrum_features(std::span<const float> samples_mv, double rate_hz, double band_hz,
                                   std::span<const double> window, std::span<std::complex<double>> work);
std::vector<double> hann_window(std::size_t n);

// The noise part of the signal-quality index, from the signal-to-noise ratio in the convention of
// the MIT-BIH Noise Stress Test Database (Moody, Muldrow & Mark, Computers in Cardiology 11:381,
// 1984): signal power = (QRS peak-to-peak amplitude)^2 / 8, noise power = the mean square of the
// noise. 1 at 12 dB and above, 0 at 0 dB and below, linear in dB between (QRS detectors hold up to
// the NSTDB's 12 dB records and fail on the 0 dB ones).
double noise_quality(double qrs_amplitude_mv, double noise_rms_mv);
inline constexpr double SQI_CLEAN_SNR_DB = 12.0;
inline constexpr double SQI_UNUSABLE_SNR_DB = 0.0;

}  // namespace twinbed::harness
