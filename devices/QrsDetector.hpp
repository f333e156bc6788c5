#pragma once
// devices::QrsDetector: a streaming QRS detector after Pan & Tompkins (IEEE TBME 32:230, 1985),
// adapted from their 200 Hz integer filters to any rate (250 Hz here): band-pass 5-15 Hz (a
// 2nd-order Butterworth high-pass then low-pass, as PT cascade a low-pass and a high-pass), the
// five-point derivative, squaring, a 150 ms moving-window integration, and PT's dual adaptive
// thresholds (integrated and filtered signal) with search-back at 166 % of the regular RR
// average, T-wave discrimination and a 200 ms refractory period.
//
// Standalone: it knows nothing of devices or patients. Feed consecutive blocks of samples (mV),
// get back the sample indices of the R peaks it has confirmed so far (increasing; a peak is
// reported a few hundred milliseconds after it, or later when search-back finds it). No
// allocation after construction except to grow the caller's output vector.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace twinbed::devices {

struct QrsParams {
  double low_cut_hz = 5.0;              // PT 1985: pass band 5-15 Hz maximises QRS energy
  double high_cut_hz = 15.0;
  double integration_window_s = 0.150;  // PT 1985: 150 ms (30 samples at 200 Hz)
  double refractory_s = 0.200;          // PT 1985: no QRS within 200 ms of the previous one
  double learning_s = 2.0;              // PT 1985: 2 s learning phase initialises the thresholds
  double t_wave_rr_s = 0.360;           // PT 1985: a peak < 360 ms after a QRS may be its T wave
  double t_wave_slope_ratio = 0.5;      // PT 1985: ... if its max slope is < half the QRS's
  double missed_rr_factor = 1.66;       // PT 1985: RR MISSED LIMIT = 166 % of RR AVERAGE2
  double rr_low_factor = 0.92;          // PT 1985: RR LOW LIMIT (regular-rhythm band)
  double rr_high_factor = 1.16;         // PT 1985: RR HIGH LIMIT
  // A local maximum of the integrated signal counts as a peak only if no larger value lies within
  // this distance on either side (PT: "the signal changes direction within a predefined interval").
  double peak_neighbourhood_s = 0.075;
  // Ours, as in most PT implementations: with no QRS for this long the thresholds are learned
  // again from the last `learning_s` (after an artifact pumped them up, or a lead was re-attached).
  double relearn_s = 5.0;
  // Peak-to-peak amplitude below which a candidate is not a QRS: AAMI EC13 (cardiac monitors)
  // requires no response to QRS complexes of 0.15 mV or less.
  double min_qrs_mv = 0.15;
};

class QrsDetector {
public:
  explicit QrsDetector(double sample_rate_hz, const QrsParams& params = {});

  // Starts afresh (filters, thresholds, learning); the next sample fed has index `next_sample`.
  void reset(std::int64_t next_sample = 0);
  // Feeds the samples next_sample(), next_sample() + 1, ... and appends the R peaks they confirm.
  void feed(std::span<const float> samples_mv, std::vector<std::int64_t>& r_peaks);

  std::int64_t next_sample() const { return next_; }
  bool learning() const { return learning_; }
  double sample_rate_hz() const { return rate_; }
  // Samples from an R peak to the centre of its band-pass response (the filters' group delay).
  double band_pass_delay_samples() const { return bp_delay_; }

private:
  struct Biquad {
    double b0 = 0.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;
    double z1 = 0.0, z2 = 0.0;
    double step(double x);
  };
  struct Candidate {
    std::int64_t mwi_index = 0;  // the integrated signal's peak
    std::int64_t r_index = 0;    // the R peak it stands for
    double peak_i = 0.0;         // integrated-signal peak (PEAKI)
    double peak_f = 0.0;         // filtered-signal peak (PEAKF)
    double slope = 0.0;          // largest |derivative| under the window
    double amplitude_mv = 0.0;   // peak-to-peak of the input around r_index
  };
  static constexpr std::size_t MAX_CANDIDATES = 64;  // > 6 peaks/s over the longest wait

  void step(float x);
  bool is_peak(std::int64_t m) const;
  Candidate make_candidate(std::int64_t m) const;
  void classify(const Candidate& c, std::vector<std::int64_t>& r_peaks);
  void accept(const Candidate& c, bool search_back, std::vector<std::int64_t>& r_peaks);
  void as_noise(const Candidate& c);
  void learn_thresholds();
  void search_back(std::vector<std::int64_t>& r_peaks);
  double threshold_i1() const;
  double threshold_f1() const;
  std::size_t at(std::int64_t n) const { return static_cast<std::size_t>(n % static_cast<std::int64_t>(ring_)); }

  QrsParams params_;
  double rate_;
  std::int64_t window_ = 0, neighbourhood_ = 0, refractory_ = 0, learning_samples_ = 0, relearn_ = 0,
               t_wave_rr_ = 0, amplitude_half_width_ = 0, refine_ = 0;
  double bp_delay_ = 0.0;
  std::int64_t bp_delay_samples_ = 0;
  Biquad high_pass_, low_pass_;
  std::size_t ring_ = 0;
  std::vector<float> raw_, band_, slope_, mwi_;  // rings of the last ring_ samples
  std::vector<double> squared_;                  // the integration window
  double window_sum_ = 0.0;

  std::int64_t start_ = 0;  // first sample of this run
  std::int64_t next_ = 0;
  bool learning_ = true;
  double spki_ = 0.0, npki_ = 0.0, spkf_ = 0.0, npkf_ = 0.0;
  std::array<Candidate, MAX_CANDIDATES> pending_{};  // since the last QRS (or during learning)
  std::size_t pending_count_ = 0;
  bool search_due_ = false;
  bool have_qrs_ = false;
  Candidate last_qrs_{};
  std::int64_t last_event_ = 0;  // last QRS (or relearning), on the integrated signal's clock
  std::array<double, 8> rr_recent_{}, rr_selected_{};  // PT: the 8 most recent RR (all / in limits)
  std::size_t rr_recent_count_ = 0, rr_selected_count_ = 0;
  double rr_average2_ = 0.0;
  bool irregular_ = false;
};

}  // namespace twinbed::devices
