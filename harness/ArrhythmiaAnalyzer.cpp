#include "harness/ArrhythmiaAnalyzer.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace twinbed::harness {
namespace {

// --- blocks ----------------------------------------------------------------------------------
// Sample times follow the blocks' stamps (the device clock, drift and all); a block whose stamp
// differs from the predicted one by more than this re-anchors the time base. Exact stamps (as the
// devices give for a clock without error) differ by rounding only and change nothing, so the
// times do not depend on the cut.
constexpr std::int64_t REANCHOR_NS = 1'000;

// --- beats -----------------------------------------------------------------------------------
// A beat's morphology is measured on R +/- 100 ms (a wide QRS lasts up to ~200 ms), its steepest
// slope within R +/- 60 ms (a normal QRS's half width: QRS 80-120 ms).
constexpr double QRS_HALF_WINDOW_S = 0.100;
constexpr double QRS_SLOPE_HALF_WINDOW_S = 0.060;
// Wide (ventricular) beats: qrs_width_s above this. Twinbed's ECGSYN normal QRS measures 17-37 ms
// at 35-160 bpm, its ventricular beats (R' with a 30 ms sigma and S' at +75 ms: a QRS of ~160 ms,
// the > 120 ms of Surawicz & Knilans, Chou's Electrocardiography ch. 12) 43-55 ms, with the
// patch's noise (measured on the true beats of 35-160 bpm sinus, bigeminy and VT). The limit sits
// between the two, as a bedside classifier's QRS-width criterion does (Hamilton, "Open source ECG
// analysis", Computers in Cardiology 29:101, 2002, classifies beats by width and template match).
constexpr double WIDE_QRS_S = 0.040;
// Raw samples kept: enough for a beat the detector reports late by search-back (at most 1.66 RR
// after the previous one; Pan & Tompkins 1985) plus its window.
constexpr double RAW_RING_S = 8.0;
// The QRS detector confirms a peak a little after it (its 75 ms peak neighbourhood plus the
// filters' delay, ~0.2 s): asystole waits this much longer than asystole_s so that a QRS just
// before the limit is not missed.
constexpr double REPORT_MARGIN_S = 0.3;
// The PT detector's refractory period (200 ms) bounds the beat rate: 5 per second.
constexpr double MAX_BEATS_PER_S = 5.0;

// --- ventricular fibrillation ---------------------------------------------------------------
// The signal is band-passed 0.5-15 Hz (VF's energy lies in 3-10 Hz; the band removes respiratory
// wander and EMG) and decimated to ~62.5 Hz; every VF_EVAL_S its last VF_WINDOW_S are analysed.
constexpr double VF_HIGH_PASS_HZ = 0.5;
constexpr double VF_LOW_PASS_HZ = 15.0;
constexpr double VF_TARGET_RATE_HZ = 62.5;
constexpr double VF_WINDOW_S = 2.0;
constexpr double VF_EVAL_S = 0.5;
// Fibrillatory window (our rule, after the spectral VF detectors of Barro et al., J Biomed Eng
// 11:320, 1989, reviewed by Amann et al., BioMed Eng OnLine 4:60, 2005): the dominant frequency
// in the VF / flutter range (VF 3-10 Hz; 4-6 Hz in the model, spec/physiology.md section 2), at
// least 90 % of the 1-20 Hz power within +/- 2 Hz of it (a fibrillation wave is nearly sinusoidal;
// a QRS train spreads its power over the harmonics of its rate, of which a 4 Hz band holds a
// share), and an amplitude above the flat line (0.03 mV rms, ~0.1 mV p-p, the lower end of fine
// VF). Measured on twinbed's ECG with the patch's noise: VF windows 0.95-1.00 (30 patients), VT at
// 150-260 bpm at most 0.85, sinus, AF and motion artifact at most 0.7.
constexpr double VF_MIN_HZ = 3.5;
constexpr double VF_MAX_HZ = 10.0;
constexpr double VF_BAND_HZ = 2.0;
constexpr double VF_MIN_CONCENTRATION = 0.9;
constexpr double VF_MIN_RMS_MV = 0.03;
// A window turns fibrillatory once 1.1-2.1 s of its 2 s are VF (measured over 40 onsets): the
// fibrillation is taken to have begun this long before the end of the first fibrillatory window,
// never before the truth, so that VF is not called before 4 s of it (CinC 2015).
constexpr double VF_ONSET_LAG_S = 1.0;
// A run of fibrillatory windows ends after this many non-fibrillatory ones in a row (1 s): the
// amplitude of VF waxes and wanes.
constexpr int VF_MISSES = 2;

// --- atrial fibrillation ---------------------------------------------------------------------
// The onset of AF is placed at the first irregular RR after the last run of this many regular
// successive differences (|dRR| <= 0.1 mean RR, Dash's nRMSSD limit). In AF (RR CV ~0.2) a
// difference is regular with probability ~0.25, so 8 in a row (p ~ 1.5e-5) mark sinus rhythm.
constexpr int AF_ONSET_REGULAR_RUN = 8;
// Dash et al. analyse 128 beats; we call AF on as few as 32 irregular intervals (~25 s at 75 bpm),
// so that AF is announced within the minute the scorer allows (harness/ScoringDefaults.cpp).
constexpr std::size_t AF_MIN_INTERVALS = 32;
// AF, once called, ends when nRMSSD falls to Dash's 0.1 or the entropy below this (our
// hysteresis: 0.2 under Dash's 0.7, still far above bigeminy's 0.25 or a sinus rhythm's spread).
constexpr double AF_ENTROPY_KEEP = 0.5;

// --- signal quality --------------------------------------------------------------------------
// Per second of signal, the product of two parts (after Li, Mark & Clifford, Physiol Meas 29:15,
// 2008: basSQI, the power below 1 Hz; and Behar et al., IEEE TBME 60:1660, 2013: fSQI, the
// flat-line index):
// - flat / stuck: 0 for a range under 10 uV (an electrode on skin always shows more EMG and
//   respiration than that), else the share of samples outside runs of one exact value lasting
//   100 ms or more (a rail, a zero lead-off output, a clipped excursion; a live front end's noise
//   moves even a quantised signal by a code within a few samples);
// - noise: the power outside the ECG's diagnostic band, below 1 Hz (electrode motion, wander) and
//   above 40 Hz (EMG, mains), against the running QRS amplitude as an NSTDB SNR (noise_quality).
// A call's quality is the worst second of its stretch: one second of artifact is enough to doubt
// what was built on it. Measured (tests/harness/arrhythmia_test.cpp): clean ECG with the patch's
// noise above 0.8 every second (a noise-free one quantised to 5 uV: 0.84), the calls a motion fault
// causes at most 0.33, lead-off 0.
constexpr double FLAT_RANGE_MV = 0.01;
constexpr double STUCK_RUN_S = 0.1;
constexpr double SQI_LOW_PASS_HZ = 1.0;
constexpr double SQI_HIGH_PASS_HZ = 40.0;
constexpr double SQI_SEGMENT_S = 1.0;
constexpr double SQI_RECENT_S = 3.0;       // signal_quality(): the last three seconds
constexpr double SQI_CALL_SPAN_S = 10.0;   // a call's quality: at most its last ten seconds
constexpr double NOMINAL_QRS_MV = 1.0;     // before any beat: a typical lead II R wave
constexpr double QRS_AMPLITUDE_WEIGHT = 0.125;  // running average, as PT's signal peak (1985)

std::int64_t samples(double seconds, double rate_hz) {
  return std::max<std::int64_t>(1, std::llround(seconds * rate_hz));
}

bool af_still_variable(const AfFeatures& f) {
  return f.normalised_rmssd > AF_RMSSD_MIN && f.shannon_entropy > AF_ENTROPY_KEEP;
}

}  // namespace

std::string_view arrhythmia_name(Arrhythmia kind) {
  switch (kind) {
    case Arrhythmia::asystole: return "asystole";
    case Arrhythmia::extreme_bradycardia: return "extreme_bradycardia";
    case Arrhythmia::extreme_tachycardia: return "extreme_tachycardia";
    case Arrhythmia::ventricular_tachycardia: return "ventricular_tachycardia";
    case Arrhythmia::ventricular_fibrillation: return "ventricular_fibrillation";
    case Arrhythmia::atrial_fibrillation: return "atrial_fibrillation";
  }
  return "unknown";
}

ArrhythmiaAnalyzer::ArrhythmiaAnalyzer(const ArrhythmiaParams& params) : params_(params) {
  auto positive = [](double v) { return v > 0.0 && std::isfinite(v); };
  if (!positive(params_.asystole_s) || !positive(params_.vf_s) || !positive(params_.af_window_s) ||
      !positive(params_.brady_bpm) || !positive(params_.tachy_bpm) || !positive(params_.vt_bpm)) {
    throw std::invalid_argument("ArrhythmiaParams: durations and rates must be positive");
  }
  for (const int beats : {params_.brady_beats, params_.tachy_beats, params_.vt_beats}) {
    if (beats < 2 || beats > 64) {
      std::string message = "ArrhythmiaParams: a beat count is ";
      message += std::to_string(beats);
      message += "; allowed 2..64";
      throw std::invalid_argument(message);
    }
  }
}

void ArrhythmiaAnalyzer::configure(double rate_hz) {
  rate_ = rate_hz;
  detector_.emplace(rate_hz);
  qrs_half_ = samples(QRS_HALF_WINDOW_S + 2.0 * SLOPE_SPACING_S, rate_hz);  // + the derivative's reach
  slope_half_ = samples(QRS_SLOPE_HALF_WINDOW_S, rate_hz);
  ring_ = samples(RAW_RING_S, rate_hz);
  asystole_samples_ = samples(params_.asystole_s, rate_hz);
  silence_limit_ = samples(params_.asystole_s + REPORT_MARGIN_S, rate_hz);
  vf_samples_ = samples(params_.vf_s, rate_hz);
  vf_lag_ = samples(VF_ONSET_LAG_S, rate_hz);
  af_window_samples_ = samples(params_.af_window_s, rate_hz);
  segment_samples_ = samples(SQI_SEGMENT_S, rate_hz);
  stuck_run_min_ = samples(STUCK_RUN_S, rate_hz);
  raw_.assign(static_cast<std::size_t>(ring_), 0.0F);
  peaks_.clear();
  peaks_.reserve(16);
  pending_.clear();
  pending_.reserve(16);
  scratch_.assign(static_cast<std::size_t>(2 * qrs_half_ + 1), 0.0F);

  const int most_beats = std::max({params_.brady_beats, params_.tachy_beats, params_.vt_beats});
  recent_.assign(static_cast<std::size_t>(most_beats), 0);
  const auto rr_capacity =
      static_cast<std::size_t>(std::ceil(params_.af_window_s * MAX_BEATS_PER_S)) + AF_MIN_INTERVALS;
  rr_s_.assign(rr_capacity, 0.0);
  rr_end_.assign(rr_capacity, 0);
  af_window_.clear();
  af_window_.reserve(rr_capacity);
  af_scratch_.assign(rr_capacity, 0.0);

  decimation_ = std::max<std::int64_t>(1, std::llround(rate_hz / VF_TARGET_RATE_HZ));
  vf_rate_ = rate_hz / static_cast<double>(decimation_);
  const std::int64_t window = samples(VF_WINDOW_S, vf_rate_);
  vf_ring_.assign(static_cast<std::size_t>(window), 0.0F);
  vf_window_.assign(static_cast<std::size_t>(window), 0.0F);
  fft_.assign(std::bit_ceil(static_cast<std::size_t>(window)), {});
  hann_ = hann_window(static_cast<std::size_t>(window));
  vf_eval_ = samples(VF_EVAL_S, rate_hz);
  vf_high_ = Biquad::butterworth(VF_HIGH_PASS_HZ, rate_hz, true);
  vf_low_ = Biquad::butterworth(std::min(VF_LOW_PASS_HZ, 0.4 * rate_hz), rate_hz, false);
  sqi_low_ = Biquad::butterworth(SQI_LOW_PASS_HZ, rate_hz, false);
  sqi_high_ = Biquad::butterworth(std::min(SQI_HIGH_PASS_HZ, 0.4 * rate_hz), rate_hz, true);
}

sim::Time ArrhythmiaAnalyzer::time_of(Sample sample) const {
  return anchor_time_ +
         sim::Time::from_ns(std::llround(static_cast<double>(sample - anchor_sample_) * 1e9 / rate_));
}

void ArrhythmiaAnalyzer::restart(sim::Time start) {
  started_ = true;
  ++restarts_;
  anchor_time_ = start;
  anchor_sample_ = 0;
  next_ = 0;
  detector_->reset(0);
  pending_.clear();
  clear_rhythm_history();
  set_silence(0);
  raw_pos_ = 0;
  decimation_phase_ = 0;
  vf_eval_countdown_ = vf_eval_;
  qrs_amplitude_mv_ = NOMINAL_QRS_MV;
  for (Condition& c : conditions_) c = Condition{};
  vf_count_ = 0;
  fibrillation_since_.reset();
  non_fibrillatory_ = 0;
  segment_ = QualityAccumulator{};
  segment_start_ = 0;
  segment_count_ = 0;
  off_ = motion_ = Flagged{};
}

void ArrhythmiaAnalyzer::feed(const network::Waveform& block, std::vector<ArrhythmiaCall>& calls) {
  if (block.samples.empty() || !(block.sample_rate_hz > 0.0) || !std::isfinite(block.sample_rate_hz)) return;
  const auto n = static_cast<Sample>(block.samples.size());
  if (!started_ || block.sample_rate_hz != rate_) {
    if (started_) end_all(calls);
    if (block.sample_rate_hz != rate_) configure(block.sample_rate_hz);
    restart(block.start);
  } else {
    const double period_ns = 1e9 / rate_;
    const sim::Time predicted = time_of(next_);
    const auto early_ns = static_cast<double>((predicted - block.start).ns());
    // Late or repeated: the whole block lies within what was analysed. (A block that only starts
    // inside it is the device clock stepping back at a resynchronisation: it is taken, below.)
    if (early_ns - static_cast<double>(n) * period_ns >= -0.5 * period_ns) return;
    if (-early_ns > 1.5 * period_ns) {  // more than one sample missing: start again
      end_all(calls);
      restart(block.start);
    } else if (std::abs(early_ns) > static_cast<double>(REANCHOR_NS)) {  // clock drift or step
      anchor_time_ = block.start;
      anchor_sample_ = next_;
    }
  }
  // The device's flags hold for the block's stretch; consecutive flagged blocks merge.
  for (auto [flag, stretch] : {std::pair{network::READING_SENSOR_OFF, &off_}, std::pair{network::READING_MOTION, &motion_}}) {
    if (!(block.flags & flag)) continue;
    if (!stretch->any || stretch->last < next_ - 1) stretch->first = next_;
    stretch->last = next_ + n - 1;
    stretch->any = true;
  }
  for (const float x : block.samples) step(x, calls);
}

void ArrhythmiaAnalyzer::end_all(std::vector<ArrhythmiaCall>& calls) {
  for (std::size_t k = 0; k < ARRHYTHMIA_COUNT; ++k) {
    if (conditions_[k].active) end_call(static_cast<Arrhythmia>(k), next_ - 1, calls);
  }
}

void ArrhythmiaAnalyzer::step(float x, std::vector<ArrhythmiaCall>& calls) {
  const Sample n = next_++;
  raw_[raw_pos_] = x;
  if (++raw_pos_ == raw_.size()) raw_pos_ = 0;
  if (n == 0) {  // filters start at the first sample's level: no step response from a DC offset
    vf_high_.prime(x);
    vf_low_.prime(0.0);
    sqi_low_.prime(x);
    sqi_high_.prime(x);
  }
  step_quality(x);
  step_fibrillation(x, calls);
  peaks_.clear();
  detector_->feed(std::span<const float>(&x, 1), peaks_);
  pending_.insert(pending_.end(), peaks_.begin(), peaks_.end());
  while (!pending_.empty() && pending_.front() + qrs_half_ <= n) {
    const Sample r = pending_.front();
    pending_.erase(pending_.begin());
    analyse_beat(r, calls);
  }
  check_asystole(calls);
}

// --- beats -----------------------------------------------------------------------------------

void ArrhythmiaAnalyzer::analyse_beat(Sample r, std::vector<ArrhythmiaCall>& calls) {
  bool ventricular = false;
  const Sample first = r - qrs_half_;
  if (first >= 0 && next_ - first <= ring_) {
    const std::span<float> window(scratch_.data(), static_cast<std::size_t>(2 * qrs_half_ + 1));
    for (std::size_t k = 0; k < window.size(); ++k) {
      window[k] = raw_[static_cast<std::size_t>((first + static_cast<Sample>(k)) % ring_)];
    }
    ventricular = qrs_width_s(window, static_cast<std::size_t>(qrs_half_), static_cast<std::size_t>(slope_half_), rate_) >
                  WIDE_QRS_S;
    const auto [lo, hi] = std::minmax_element(window.begin(), window.end());
    const double amplitude = static_cast<double>(*hi) - static_cast<double>(*lo);
    if (!condition(Arrhythmia::ventricular_fibrillation).active) {
      qrs_amplitude_mv_ += QRS_AMPLITUDE_WEIGHT * (amplitude - qrs_amplitude_mv_);
    }
  }
  if (params_.record_beats) {
    beat_log_.push_back(time_of(r));
    ventricular_log_.push_back(ventricular);
  }
  on_beat(r, ventricular, calls);
}

void ArrhythmiaAnalyzer::on_beat(Sample r, bool ventricular, std::vector<ArrhythmiaCall>& calls) {
  // In VF the detector's "beats" are fibrillation waves: no rhythm to analyse.
  if (condition(Arrhythmia::ventricular_fibrillation).active) return;
  if (condition(Arrhythmia::asystole).active) end_call(Arrhythmia::asystole, r, calls);
  // A pause (no QRS for asystole_s, or VF) ends the stretch: rate windows do not span it.
  if (r - silence_since_ >= asystole_samples_) clear_rhythm_history();
  const std::size_t cap = recent_.size();
  if (beat_count_ > 0) {
    const Sample previous = recent_[(beat_count_ - 1) % cap];
    const std::size_t slot = rr_count_ % rr_s_.size();
    rr_s_[slot] = static_cast<double>(r - previous) / rate_;
    rr_end_[slot] = r;
    ++rr_count_;
  }
  recent_[beat_count_ % cap] = r;
  ++beat_count_;
  consecutive_v_ = ventricular ? consecutive_v_ + 1 : 0;
  set_silence(r);
  update_rate_conditions(r, calls);
  update_atrial_fibrillation(calls);
}

void ArrhythmiaAnalyzer::update_rate_conditions(Sample r, std::vector<ArrhythmiaCall>& calls) {
  const std::size_t cap = recent_.size();
  // CinC 2015 (as physiology::ArrhythmiaDetector): the rate over n beats is 60 (n - 1) / span.
  auto first_of = [&](int beats) { return recent_[(beat_count_ - static_cast<std::size_t>(beats)) % cap]; };
  auto rate_over = [&](int beats) {
    const auto span = static_cast<double>(r - first_of(beats));
    return span > 0.0 ? 60.0 * (beats - 1) * rate_ / span : 0.0;
  };
  // While the waveform looks fibrillatory, what the detector finds are fibrillation waves more
  // often than beats: no rate condition starts (VF takes precedence, as on bedside monitors).
  auto update = [&](Arrhythmia kind, int beats, bool enough, auto qualifies) {
    const double rate = enough ? rate_over(beats) : 0.0;
    Condition& c = condition(kind);
    if (enough && qualifies(rate) && (c.active || !fibrillation_since_)) {
      if (!c.active) start_call(kind, first_of(beats), rate, calls);
      c.last = r;
      c.rate_bpm = rate;
    } else if (c.active) {
      end_call(kind, c.last, calls);
    }
  };
  const std::size_t count = beat_count_;
  update(Arrhythmia::extreme_bradycardia, params_.brady_beats, count >= static_cast<std::size_t>(params_.brady_beats),
         [&](double hr) { return hr < params_.brady_bpm; });
  update(Arrhythmia::extreme_tachycardia, params_.tachy_beats, count >= static_cast<std::size_t>(params_.tachy_beats),
         [&](double hr) { return hr > params_.tachy_bpm; });
  update(Arrhythmia::ventricular_tachycardia, params_.vt_beats,
         consecutive_v_ >= static_cast<std::size_t>(params_.vt_beats), [&](double hr) { return hr > params_.vt_bpm; });
}

void ArrhythmiaAnalyzer::update_atrial_fibrillation(std::vector<ArrhythmiaCall>& calls) {
  if (rr_count_ == 0) return;
  const std::size_t cap = rr_s_.size();
  const Sample newest = rr_end_[(rr_count_ - 1) % cap];
  // The RR intervals that lie within the window, oldest first.
  const std::size_t available = std::min(rr_count_, cap);
  std::size_t take = 0;
  while (take < available) {
    const std::size_t slot = (rr_count_ - 1 - take) % cap;
    if (rr_end_[slot] - std::llround(rr_s_[slot] * rate_) < newest - af_window_samples_) break;
    ++take;
  }
  if (take < AF_MIN_INTERVALS) return;
  af_window_.clear();
  for (std::size_t i = take; i > 0; --i) af_window_.push_back(rr_s_[(rr_count_ - i) % cap]);
  double sum = 0.0;
  for (const double rr : af_window_) sum += rr;
  const double mean = sum / static_cast<double>(take);
  auto irregular_at = [&](std::size_t i) { return std::abs(af_window_[i] - af_window_[i - 1]) > AF_RMSSD_MIN * mean; };
  auto end_of = [&](std::size_t i) { return rr_end_[(rr_count_ - take + i) % cap]; };

  // The current irregular stretch: from the first irregular interval after the last run of regular
  // ones (0 = none). Dash's features are taken over it, so that a minute of sinus rhythm before
  // the onset does not dilute them, but over no fewer than AF_MIN_INTERVALS intervals.
  std::size_t stretch = 0;
  int regular = 0;
  for (std::size_t i = take - 1; i >= 1; --i) {
    if (irregular_at(i)) {
      stretch = i;
      regular = 0;
    } else if (++regular >= AF_ONSET_REGULAR_RUN) {
      break;
    }
  }
  // Onset: Dash's three criteria on the stretch. Once AF is called it lasts while the last
  // AF_MIN_INTERVALS intervals stay variable, judged only once that many have come since the
  // onset, with hysteresis: the turning-point test (which tells AF from regular patterns such as
  // bigeminy) would end it on every chance stretch of smooth RR (3 SD below the random count
  // happens about once in 700 windows), and in fast AF the detector's refractory period clips
  // the short intervals enough to take ShE just under 0.7.
  Condition& c = condition(Arrhythmia::atrial_fibrillation);
  const std::span<const double> intervals(af_window_);
  std::size_t since_onset = 0;
  while (c.active && since_onset < take && end_of(take - 1 - since_onset) > c.onset) ++since_onset;
  if (!c.active && stretch > 0 && !fibrillation_since_) {
    const std::size_t begin = take - stretch >= AF_MIN_INTERVALS ? stretch : take - AF_MIN_INTERVALS;
    if (af_irregular(af_features(intervals.subspan(begin), af_scratch_))) {
      // The start of the stretch's first irregular interval (the end of the one before).
      start_call(Arrhythmia::atrial_fibrillation, end_of(stretch - 1), 60.0 / mean, calls);
    }
  } else if (c.active && since_onset >= AF_MIN_INTERVALS &&
             !af_still_variable(af_features(intervals.last(AF_MIN_INTERVALS), af_scratch_))) {
    Sample last = c.onset;  // the end of the last irregular interval
    for (std::size_t i = take - 1; i >= 1; --i) {
      if (irregular_at(i)) {
        last = end_of(i);
        break;
      }
    }
    end_call(Arrhythmia::atrial_fibrillation, std::max(last, c.onset), calls);
  }
  if (c.active) {
    c.last = newest;
    c.rate_bpm = 60.0 / mean;
  }
}

void ArrhythmiaAnalyzer::set_silence(Sample sample) {
  silence_since_ = sample;
  silence_deadline_ = sample + silence_limit_;
}

void ArrhythmiaAnalyzer::clear_rhythm_history() {
  beat_count_ = 0;
  consecutive_v_ = 0;
  rr_count_ = 0;
}

void ArrhythmiaAnalyzer::end_rate_conditions(std::vector<ArrhythmiaCall>& calls) {
  for (const Arrhythmia kind : {Arrhythmia::extreme_bradycardia, Arrhythmia::extreme_tachycardia,
                                Arrhythmia::ventricular_tachycardia, Arrhythmia::atrial_fibrillation}) {
    if (condition(kind).active) end_call(kind, condition(kind).last, calls);
  }
}

void ArrhythmiaAnalyzer::check_asystole(std::vector<ArrhythmiaCall>& calls) {
  if (condition(Arrhythmia::asystole).active || condition(Arrhythmia::ventricular_fibrillation).active) return;
  // A fibrillatory waveform is not asystole (CinC 2015 counts a VF stretch as VF); a QRS waiting for
  // its window is still to come.
  if (fibrillation_since_ || !pending_.empty()) return;
  if (next_ - 1 < silence_deadline_) return;
  end_rate_conditions(calls);
  start_call(Arrhythmia::asystole, silence_since_, 0.0, calls);
  clear_rhythm_history();
}

// --- ventricular fibrillation ----------------------------------------------------------------

void ArrhythmiaAnalyzer::step_fibrillation(float x, std::vector<ArrhythmiaCall>& calls) {
  const Sample n = next_ - 1;
  const double y = vf_low_.step(vf_high_.step(x));
  const std::size_t window = vf_ring_.size();
  if (decimation_phase_ == 0) vf_ring_[static_cast<std::size_t>(vf_count_++) % window] = static_cast<float>(y);
  if (++decimation_phase_ == decimation_) decimation_phase_ = 0;
  if (--vf_eval_countdown_ > 0) return;
  vf_eval_countdown_ = vf_eval_;
  if (vf_count_ < static_cast<std::int64_t>(window)) return;
  for (std::size_t i = 0; i < window; ++i) {
    vf_window_[i] = vf_ring_[(static_cast<std::size_t>(vf_count_) + i) % window];
  }
  const SpectrumFeatures f = spectrum_features(vf_window_, vf_rate_, VF_BAND_HZ, hann_, fft_);
  const bool fibrillatory = f.peak_hz >= VF_MIN_HZ && f.peak_hz <= VF_MAX_HZ &&
                            f.concentration >= VF_MIN_CONCENTRATION && f.rms_mv >= VF_MIN_RMS_MV;
  Condition& vf = condition(Arrhythmia::ventricular_fibrillation);
  if (fibrillatory) {
    non_fibrillatory_ = 0;
    last_fibrillatory_ = n;
    if (!fibrillation_since_) fibrillation_since_ = std::max<Sample>(0, n - vf_lag_);
    if (!vf.active && n - *fibrillation_since_ >= vf_samples_) {
      if (condition(Arrhythmia::asystole).active) end_call(Arrhythmia::asystole, *fibrillation_since_, calls);
      end_rate_conditions(calls);
      start_call(Arrhythmia::ventricular_fibrillation, *fibrillation_since_, 0.0, calls);
      clear_rhythm_history();
    }
    if (vf.active) vf.last = n;
  } else if (fibrillation_since_ && ++non_fibrillatory_ >= VF_MISSES) {
    if (vf.active) {
      end_call(Arrhythmia::ventricular_fibrillation, std::max(last_fibrillatory_ - vf_lag_, vf.onset), calls);
      set_silence(n);  // asystole after VF is timed from its end
    }
    fibrillation_since_.reset();
    non_fibrillatory_ = 0;
  }
}

// --- signal quality --------------------------------------------------------------------------

void ArrhythmiaAnalyzer::step_quality(float x) {
  const double low = sqi_low_.step(x);
  const double high = sqi_high_.step(x);
  QualityAccumulator& a = segment_;
  if (a.count == 0) {
    a.min = a.max = x;
  } else {
    a.min = std::min(a.min, x);
    a.max = std::max(a.max, x);
  }
  stuck_run_ = next_ > 1 && x == last_sample_ ? stuck_run_ + 1 : 1;
  last_sample_ = x;
  ++a.count;
  if (stuck_run_ == stuck_run_min_) {
    a.stuck += std::min(stuck_run_min_, a.count);  // the run's samples in this segment
  } else if (stuck_run_ > stuck_run_min_) {
    ++a.stuck;
  }
  a.low_sum += low;
  a.low_sum_sq += low * low;
  a.high_sum_sq += high * high;
  if (a.count >= segment_samples_) {
    segments_[segment_count_ % segments_.size()] = {segment_start_, next_ - 1, segment_quality(a)};
    ++segment_count_;
    segment_start_ = next_;
    segment_ = QualityAccumulator{};
  }
}

double ArrhythmiaAnalyzer::segment_quality(const QualityAccumulator& a) const {
  if (a.count == 0) return 1.0;
  if (static_cast<double>(a.max) - static_cast<double>(a.min) < FLAT_RANGE_MV) return 0.0;
  const auto n = static_cast<double>(a.count);
  const double unstuck = 1.0 - static_cast<double>(a.stuck) / n;
  // The run's first second is the filters' settling time (they start at the first sample, which
  // may lie on a QRS): its noise is not measured.
  if (segment_count_ == 0) return unstuck;
  const double low_mean = a.low_sum / n;
  const double low_var = std::max(0.0, a.low_sum_sq / n - low_mean * low_mean);
  const double noise = std::sqrt(low_var + a.high_sum_sq / n);
  return unstuck * noise_quality(qrs_amplitude_mv_, noise);
}

double ArrhythmiaAnalyzer::quality_over(Sample from, Sample to) const {
  // The worst second: one second of artifact is enough to doubt a call built on the stretch.
  from = std::max(from, to - samples(SQI_CALL_SPAN_S, rate_));
  double worst = 1.0;
  bool any = false;
  const std::size_t kept = std::min(segment_count_, segments_.size());
  for (std::size_t i = 0; i < kept; ++i) {
    const QualitySegment& s = segments_[(segment_count_ - 1 - i) % segments_.size()];
    if (s.last < from) break;
    if (s.first > to) continue;
    worst = std::min(worst, s.quality);
    any = true;
  }
  // The second under way counts once it holds a quarter of its samples (or if nothing else does).
  if (segment_.count > 0 && (!any || segment_.count * 4 >= segment_samples_)) {
    worst = std::min(worst, segment_quality(segment_));
  }
  return worst;
}

double ArrhythmiaAnalyzer::signal_quality() const {
  if (!started_) return 1.0;
  return quality_over(next_ - 1 - samples(SQI_RECENT_S, rate_), next_ - 1);
}

// --- calls -----------------------------------------------------------------------------------

void ArrhythmiaAnalyzer::start_call(Arrhythmia kind, Sample onset, double rate_bpm, std::vector<ArrhythmiaCall>& calls) {
  Condition& c = condition(kind);
  c.active = true;
  c.onset = onset;
  c.last = next_ - 1;
  c.rate_bpm = rate_bpm;
  calls.push_back(make_call(kind, true, onset, rate_bpm));
}

void ArrhythmiaAnalyzer::end_call(Arrhythmia kind, Sample at, std::vector<ArrhythmiaCall>& calls) {
  Condition& c = condition(kind);
  c.active = false;
  calls.push_back(make_call(kind, false, at, c.rate_bpm));
}

ArrhythmiaCall ArrhythmiaAnalyzer::make_call(Arrhythmia kind, bool start, Sample onset, double rate_bpm) const {
  const Sample now = next_ - 1;
  auto flagged = [&](const Flagged& f) { return f.any && f.last >= onset && f.first <= now; };
  ArrhythmiaCall call;
  call.kind = kind;
  call.start = start;
  call.onset = time_of(onset);
  call.confirmed = time_of(now);
  call.rate_bpm = rate_bpm;
  call.signal_quality = quality_over(onset, now);
  call.lead_off = flagged(off_);
  call.motion = flagged(motion_);
  return call;
}

// --- queries ---------------------------------------------------------------------------------

double ArrhythmiaAnalyzer::heart_rate_bpm() const {
  if (active(Arrhythmia::asystole) || active(Arrhythmia::ventricular_fibrillation) || beat_count_ < 2) return 0.0;
  const std::size_t cap = recent_.size();
  const std::size_t k = std::min<std::size_t>({beat_count_ - 1, cap - 1, 8});
  const auto span = static_cast<double>(recent_[(beat_count_ - 1) % cap] - recent_[(beat_count_ - 1 - k) % cap]);
  return span > 0.0 ? 60.0 * static_cast<double>(k) * rate_ / span : 0.0;
}

bool ArrhythmiaAnalyzer::active(Arrhythmia kind) const { return conditions_[static_cast<std::size_t>(kind)].active; }

}  // namespace twinbed::harness
