#include "physiology/Rhythm.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace twinbed::physiology {

std::string_view rhythm_name(Rhythm rhythm) {
  switch (rhythm) {
    case Rhythm::sinus: return "sinus";
    case Rhythm::atrial_fibrillation: return "atrial_fibrillation";
    case Rhythm::ventricular_tachycardia: return "ventricular_tachycardia";
    case Rhythm::ventricular_fibrillation: return "ventricular_fibrillation";
    case Rhythm::asystole: return "asystole";
  }
  return "unknown";
}

namespace {

// cos(x) from a reduction to [-pi, pi] and the Taylor series to x^20 (error < 1e-10 there). The
// HRV sum evaluates 16 cosines per beat; libm's cos made it 40 % of a whole patient's cost
// (callgrind), and an explicit polynomial is also the same on every C library.
double hrv_cos(double x) {
  constexpr double TWO_PI = 2.0 * std::numbers::pi;
  x -= TWO_PI * std::nearbyint(x / TWO_PI);
  const double x2 = x * x;
  // Horner over 1 - x^2/2! + x^4/4! - ... + x^20/20!: c_k = (-1)^k / (2k)!.
  double sum = 1.0 / 2432902008176640000.0;  // 1/20!
  constexpr double COEFFICIENTS[] = {-1.0 / 6402373705728000.0, 1.0 / 20922789888000.0, -1.0 / 87178291200.0,
                                     1.0 / 479001600.0,          -1.0 / 3628800.0,       1.0 / 40320.0,
                                     -1.0 / 720.0,               1.0 / 24.0,             -1.0 / 2.0,
                                     1.0};
  for (const double c : COEFFICIENTS) sum = sum * x2 + c;
  return sum;
}


// CinC 2015 / AHA: ventricular tachycardia is a ventricular rhythm faster than 100 bpm.
constexpr double VT_MIN_RATE_BPM = 100.0;
constexpr double VT_MAX_RATE_BPM = 60.0 / 0.2;  // MIN_RR

bool is_silent(Rhythm rhythm) {
  return rhythm == Rhythm::ventricular_fibrillation || rhythm == Rhythm::asystole;
}

// Parts of `intervals` not covered by any of `cut` (both lists may be unsorted).
std::vector<RhythmEpisode> subtract(const std::vector<RhythmEpisode>& intervals,
                                    const std::vector<RhythmEpisode>& cut) {
  std::vector<RhythmEpisode> pieces = intervals;
  for (const RhythmEpisode& c : cut) {
    std::vector<RhythmEpisode> next;
    for (const RhythmEpisode& p : pieces) {
      if (c.end <= p.start || c.start >= p.end) {
        next.push_back(p);
        continue;
      }
      if (p.start < c.start) next.push_back({p.rhythm, p.start, c.start, p.rate_bpm});
      if (c.end < p.end) next.push_back({p.rhythm, c.end, p.end, p.rate_bpm});
    }
    pieces = std::move(next);
  }
  return pieces;
}

std::vector<RhythmEpisode> paroxysmal_af_episodes(const ParoxysmalAf& af, sim::Time horizon,
                                                  sim::RandomStream& stream) {
  std::vector<RhythmEpisode> out;
  if (af.burden <= 0.0 || horizon <= sim::Time::zero()) return out;
  if (af.burden >= 1.0) {
    out.push_back({Rhythm::atrial_fibrillation, sim::Time::zero(), horizon, 0.0});
    return out;
  }
  const double median_s = af.median_episode.seconds();
  const double sigma = af.episode_log_sd;
  // Mean of a lognormal with median m: m exp(sigma^2 / 2). Renewal-reward: burden =
  // mean_af / (mean_af + mean_gap).
  const double mean_af_s = median_s * std::exp(0.5 * sigma * sigma);
  const double mean_gap_s = mean_af_s * (1.0 - af.burden) / af.burden;
  sim::Time t = sim::Time::from_seconds(stream.exponential(mean_gap_s));
  while (t < horizon) {
    const sim::Time length = sim::Time::from_seconds(stream.lognormal(std::log(median_s), sigma));
    const sim::Time end = std::min(t + length, horizon);
    if (end > t) out.push_back({Rhythm::atrial_fibrillation, t, end, 0.0});
    t = end + sim::Time::from_seconds(stream.exponential(mean_gap_s));
  }
  return out;
}

}  // namespace

BeatGenerator::BeatGenerator(const RhythmSchedule& schedule, const BeatModelParams& params,
                             sim::Time horizon, std::uint64_t master_seed, std::uint32_t replication,
                             std::string_view patient_id)
    : params_(params),
      bigeminy_(schedule.bigeminy),
      pvc_per_hour_(schedule.pvc_per_hour),
      rr_stream_(master_seed, replication, patient_id, "rr"),
      af_stream_(master_seed, replication, patient_id, "af"),
      pvc_stream_(master_seed, replication, patient_id, "pvc") {
  std::vector<RhythmEpisode> explicit_episodes;
  for (const RhythmEpisode& e : schedule.episodes) {
    if (e.end <= e.start) {
      throw std::invalid_argument("rhythm episode " + std::string(rhythm_name(e.rhythm)) +
                                  " at " + sim::to_string(e.start) + ": end must be after start");
    }
    if (e.rhythm == Rhythm::ventricular_tachycardia &&
        (e.rate_bpm <= VT_MIN_RATE_BPM || e.rate_bpm > VT_MAX_RATE_BPM)) {
      throw std::invalid_argument("ventricular_tachycardia rate_bpm " + std::to_string(e.rate_bpm) +
                                  ": must be in (100, 300] bpm");
    }
    if (e.rhythm != Rhythm::sinus) explicit_episodes.push_back(e);
  }
  std::sort(explicit_episodes.begin(), explicit_episodes.end(),
            [](const RhythmEpisode& a, const RhythmEpisode& b) { return a.start < b.start; });
  for (std::size_t i = 1; i < explicit_episodes.size(); ++i) {
    if (explicit_episodes[i].start < explicit_episodes[i - 1].end) {
      throw std::invalid_argument("rhythm episodes overlap at " +
                                  sim::to_string(explicit_episodes[i].start) +
                                  ": episodes must be disjoint");
    }
  }
  if (schedule.paroxysmal_af.burden < 0.0 || schedule.paroxysmal_af.burden > 1.0) {
    throw std::invalid_argument("paroxysmal_af burden " +
                                std::to_string(schedule.paroxysmal_af.burden) +
                                ": must be in [0, 1]");
  }
  sim::RandomStream episode_stream(master_seed, replication, patient_id, "af_episodes");
  episodes_ = subtract(paroxysmal_af_episodes(schedule.paroxysmal_af, horizon, episode_stream),
                       explicit_episodes);
  episodes_.insert(episodes_.end(), explicit_episodes.begin(), explicit_episodes.end());
  std::sort(episodes_.begin(), episodes_.end(),
            [](const RhythmEpisode& a, const RhythmEpisode& b) { return a.start < b.start; });

  // HRV sinusoids: variance split LF : HF = ratio : 1, each component carrying an equal share of
  // its band; a cosine of amplitude A has variance A^2 / 2.
  const HrvParams& hrv = params_.hrv;
  const double lf_power = hrv.lf_hf_ratio / (1.0 + hrv.lf_hf_ratio);
  const double band_power[2] = {lf_power, 1.0 - lf_power};
  const double band_hz[2] = {hrv.lf_hz, hrv.hf_hz};
  for (std::size_t band = 0; band < 2; ++band) {
    for (std::size_t k = 0; k < HRV_COMPONENTS_PER_BAND; ++k) {
      Sinusoid& s = hrv_[band * HRV_COMPONENTS_PER_BAND + k];
      s.amplitude = std::sqrt(2.0 * band_power[band] / HRV_COMPONENTS_PER_BAND);
      s.angular_hz = 2.0 * std::numbers::pi * rr_stream_.normal(band_hz[band], hrv.band_sd_hz);
      s.phase = 2.0 * std::numbers::pi * rr_stream_.uniform01();
    }
  }
}

void BeatGenerator::set_mean_heart_rate(double bpm) {
  assert(bpm > 0.0);
  mean_hr_bpm_ = bpm;
}

sim::Time BeatGenerator::sinus_rr(sim::Time t) const {
  const double ts = t.seconds();
  double s = 0.0;
  for (const Sinusoid& c : hrv_) s += c.amplitude * hrv_cos(c.angular_hz * ts + c.phase);
  // ECGSYN draws the RR series as 60 / hr(t) with hr(t) = mean + sd * (unit-variance process).
  const double hr = std::max(mean_hr_bpm_ + params_.hrv.hr_sd_bpm * s, 60.0 / 3.0);  // >= 20 bpm
  return std::max(sim::Time::from_seconds(60.0 / hr), MIN_RR);
}

const RhythmEpisode* BeatGenerator::episode_at(sim::Time t) const {
  auto it = std::upper_bound(episodes_.begin(), episodes_.end(), t,
                             [](sim::Time v, const RhythmEpisode& e) { return v < e.start; });
  if (it == episodes_.begin()) return nullptr;
  --it;
  return t < it->end ? &*it : nullptr;
}

const RhythmEpisode* BeatGenerator::next_episode_after(sim::Time t) const {
  auto it = std::upper_bound(episodes_.begin(), episodes_.end(), t,
                             [](sim::Time v, const RhythmEpisode& e) { return v < e.start; });
  return it == episodes_.end() ? nullptr : &*it;
}

Rhythm BeatGenerator::rhythm_at(sim::Time t) const {
  const RhythmEpisode* e = episode_at(t);
  return e != nullptr ? e->rhythm : Rhythm::sinus;
}

bool BeatGenerator::in_bigeminy(sim::Time t) const {
  return std::any_of(bigeminy_.begin(), bigeminy_.end(),
                     [t](const TimeInterval& i) { return i.start <= t && t < i.end; });
}

float BeatGenerator::pulse_for(BeatClass beat_class, Rhythm rhythm, sim::Time rr) const {
  if (beat_class == BeatClass::ventricular) return params_.ventricular_pulse_amplitude;
  if (rhythm == Rhythm::atrial_fibrillation &&
      (rr < params_.af_no_pulse_rr ||
       rr.seconds() < params_.af_short_rr_fraction * last_rr_.seconds())) {
    return 0.0F;
  }
  return 1.0F;
}

Beat BeatGenerator::next_beat() {
  const sim::Time t0 = last_r_;
  const RhythmEpisode* current = episode_at(t0);
  const Rhythm rhythm0 = current != nullptr ? current->rhythm : Rhythm::sinus;
  sim::Time t1 = t0;
  BeatClass beat_class = BeatClass::normal;

  if (compensatory_pending_) {
    t1 = compensatory_r_;
    compensatory_pending_ = false;
  } else {
    switch (rhythm0) {
      case Rhythm::sinus: {
        const sim::Time rr = sinus_rr(t0);
        const double p_pvc = std::min(1.0, pvc_per_hour_ * rr.seconds() / 3600.0);
        const bool bigeminal = last_class_ != BeatClass::ventricular && in_bigeminy(t0);
        if (bigeminal || (p_pvc > 0.0 && pvc_stream_.bernoulli(p_pvc))) {
          beat_class = BeatClass::ventricular;
          t1 = t0 + std::max(sim::Time::from_seconds(params_.pvc_coupling * rr.seconds()), MIN_RR);
          compensatory_pending_ = true;
          compensatory_r_ = t0 + rr * 2;
        } else {
          t1 = t0 + rr;
        }
        break;
      }
      case Rhythm::atrial_fibrillation: {
        const double mean_rr = 60.0 / mean_hr_bpm_;
        const double sigma = std::sqrt(std::log(1.0 + params_.af_rr_cv * params_.af_rr_cv));
        const double rr = af_stream_.lognormal(std::log(mean_rr) - 0.5 * sigma * sigma, sigma);
        t1 = t0 + std::max(sim::Time::from_seconds(rr), MIN_RR);
        break;
      }
      case Rhythm::ventricular_tachycardia: {
        const double rr = 60.0 / current->rate_bpm * (1.0 + rr_stream_.normal(0.0, params_.vt_rr_cv));
        t1 = t0 + std::max(sim::Time::from_seconds(rr), MIN_RR);
        beat_class = BeatClass::ventricular;
        break;
      }
      case Rhythm::ventricular_fibrillation:
      case Rhythm::asystole:
        t1 = t0;  // only when the run starts inside such an episode: handled below
        break;
    }
  }

  // The first rhythm change after t0 decides whether the drawn beat still happens.
  const RhythmEpisode* next = current != nullptr ? nullptr : next_episode_after(t0);
  const sim::Time boundary = current != nullptr ? current->end
                             : next != nullptr  ? next->start
                                                : sim::Time::max();
  if (t1 >= boundary || is_silent(rhythm0)) {
    compensatory_pending_ = false;
    sim::Time b = is_silent(rhythm0) ? t0 : boundary;
    const Rhythm rb = rhythm_at(b);
    if (is_silent(rb)) {
      // No beats during VF or asystole: the next QRS is the first one after the episode(s).
      while (const RhythmEpisode* e = episode_at(b)) {
        if (!is_silent(e->rhythm)) break;
        b = e->end;
      }
      t1 = b;
    } else if (rb == Rhythm::ventricular_tachycardia) {
      t1 = b;  // VT starts with its first ventricular beat
    } else if (rhythm0 == Rhythm::ventricular_tachycardia) {
      // VT ends: the next supraventricular beat comes about one mean cycle after the last V beat.
      t1 = std::max(b, t0 + sim::Time::from_seconds(60.0 / mean_hr_bpm_));
    }
    beat_class = rhythm_at(t1) == Rhythm::ventricular_tachycardia ? BeatClass::ventricular
                                                                  : BeatClass::normal;
  }
  if (t1 - t0 < MIN_RR && t0 > sim::Time::zero()) t1 = t0 + MIN_RR;

  Beat beat;
  beat.r_time = t1;
  beat.rr = t1 - t0;
  beat.beat_class = beat_class;
  beat.rhythm = rhythm_at(t1);
  beat.pulse_amplitude = pulse_for(beat_class, beat.rhythm, beat.rr);
  last_r_ = t1;
  last_rr_ = beat.rr;
  last_class_ = beat_class;
  return beat;
}

}  // namespace twinbed::physiology
