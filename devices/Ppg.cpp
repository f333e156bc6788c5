#include "devices/Ppg.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::devices::ppg {

std::vector<sim::ParamInfo> ppg_params() {
  using K = sim::ParamKind;
  return {
      {"ppg_transit_time", K::duration, "", 0.22, 0.05, 0.6, "pulse transit time from the R peak to the sensor",
       "pulse arrival time to the finger ~200-250 ms (Mukkamala et al., IEEE TBME 2015)"},
      {"ppg_transit_jitter_sd", K::duration, "", 0.01, 0.0, 0.2, "beat-to-beat jitter of the detected pulse (1 SD)",
       "model choice: pulse arrival time varies by ~10 ms beat to beat (Mukkamala et al. 2015)"},
      {"ppg_detection_threshold_pi", K::number, "%", 0.02, 0.0, 5.0,
       "pulses with a smaller perfusion index are missed", "Masimo SET: accuracy specified down to PI 0.02 %"},
      {"ppg_refractory", K::duration, "", 0.25, 0.05, 1.0, "the peak detector ignores peaks this close to the last",
       "240 /min, the top of the pulse-rate display range"},
      {"motion_miss_probability", K::probability, "", 0.6, 0.0, 1.0,
       "during full motion, probability a true pulse is buried in the artifact",
       "model choice: motion makes the rate follow the cadence (Barker, Anesth Analg 2002)"},
      {"motion_peak_probability", K::probability, "", 0.9, 0.0, 1.0,
       "during full motion, probability each cadence cycle makes a spurious peak", "model choice (as above)"},
      {"motion_cadence_low_hz", K::number, "Hz", 1.6, 0.1, 5.0, "slowest motion cadence (drawn per motion episode)",
       "walking 96-132 steps/min (Tudor-Locke et al., Br J Sports Med 2018)"},
      {"motion_cadence_high_hz", K::number, "Hz", 2.2, 0.1, 5.0, "fastest motion cadence",
       "walking 96-132 steps/min (Tudor-Locke et al., Br J Sports Med 2018)"},
      {"motion_cadence_jitter_sd", K::duration, "", 0.04, 0.0, 0.5, "step-to-step jitter of the spurious peaks (1 SD)",
       "model choice: stride time varies by a few percent"},
  };
}

PpgConfig ppg_config(const sim::ParamSet& params) {
  PpgConfig c;
  c.transit_time = params.duration("ppg_transit_time");
  c.transit_jitter_sd = params.duration("ppg_transit_jitter_sd");
  c.detection_threshold_pi_percent = params.number("ppg_detection_threshold_pi");
  c.refractory = params.duration("ppg_refractory");
  c.motion_miss_probability = params.number("motion_miss_probability");
  c.motion_peak_probability = params.number("motion_peak_probability");
  c.cadence_low_hz = params.number("motion_cadence_low_hz");
  c.cadence_high_hz = std::max(c.cadence_low_hz, params.number("motion_cadence_high_hz"));
  c.cadence_jitter_sd = params.duration("motion_cadence_jitter_sd");
  return c;
}

void synthetic_beats(sim::Time& next_beat, sim::Time from, sim::Time to, double heart_rate_bpm, double rr_cv,
                     sim::RandomStream& rng, std::vector<physiology::PulseMark>& out) {
  if (heart_rate_bpm <= 0.0) return;
  const double rr_s = 60.0 / heart_rate_bpm;
  if (next_beat < from) next_beat = from + sim::Time::from_seconds(rr_s * rng.uniform01());
  while (next_beat < to) {
    out.push_back(physiology::PulseMark{next_beat, 1.0F, false});
    next_beat += sim::Time::from_seconds(std::max(0.25 * rr_s, rr_s * (1.0 + rr_cv * rng.normal(0.0, 1.0))));
  }
}

void collect_beats(PpgState& state, physiology::SignalSource& patient, sim::Time now, sim::Time first_window,
                   sim::RandomStream& rng, std::vector<physiology::PulseMark>& out) {
  out.clear();
  if (!state.started) {
    state.started = true;
    state.fetched = now > first_window ? now - first_window : sim::Time::zero();
    state.beats_from = state.fetched;
  }
  const sim::Time oldest = now > physiology::SENSOR_HISTORY ? now - physiology::SENSOR_HISTORY : sim::Time::zero();
  const sim::Time from = std::max(state.beats_from, oldest);
  if (from >= now) return;
  patient.beats(from, now, out);
  if (!out.empty()) state.patient_has_beats = true;
  if (!state.patient_has_beats) {
    synthetic_beats(state.next_synthetic_beat, from, now, patient.value(physiology::Signal::heart_rate), SYNTHETIC_RR_CV,
                    rng, out);
  }
  if (!out.empty()) state.beats_from = out.back().r_time + sim::Time::from_ns(1);
}

void advance(PpgState& state, const PpgConfig& config, std::span<const physiology::PulseMark> beats, sim::Time now,
             const PpgConditions& conditions, sim::RandomStream& rng, sim::Time keep) {
  if (!state.started) {
    state.started = true;
    state.fetched = now;
  }
  const double severity = std::clamp(conditions.motion_severity, 0.0, 1.0);
  for (const physiology::PulseMark& beat : beats) {
    const sim::Time arrival =
        beat.r_time + config.transit_time + sim::Time::from_seconds(rng.normal(0.0, config.transit_jitter_sd.seconds()));
    const double pi = static_cast<double>(beat.pulse_amplitude) * conditions.perfusion_index_percent;
    state.amplitudes.emplace_back(arrival, pi);
    // Draw the motion miss for every beat, so the draws do not depend on the threshold.
    const bool buried = severity > 0.0 && rng.bernoulli(severity * config.motion_miss_probability);
    if (pi < config.detection_threshold_pi_percent || pi <= 0.0 || buried) continue;
    state.pending.push_back(arrival);
  }

  std::vector<sim::Time> candidates;
  if (severity > 0.0) {
    if (!state.in_motion) {
      state.in_motion = true;
      state.cadence_hz = rng.uniform(config.cadence_low_hz, config.cadence_high_hz);
      state.next_motion_peak = state.fetched + sim::Time::from_seconds(rng.uniform01() / state.cadence_hz);
    }
    const sim::Time step = sim::Time::from_seconds(1.0 / state.cadence_hz);
    while (state.next_motion_peak < now) {
      const double jitter_s = rng.normal(0.0, config.cadence_jitter_sd.seconds());
      if (rng.bernoulli(severity * config.motion_peak_probability)) {
        candidates.push_back(state.next_motion_peak + sim::Time::from_seconds(jitter_s));
      }
      state.next_motion_peak += step;
    }
  } else {
    state.in_motion = false;
  }

  // True pulses that have arrived by now join the motion peaks; later ones wait for the next call.
  std::sort(state.pending.begin(), state.pending.end());
  const auto arrived = std::upper_bound(state.pending.begin(), state.pending.end(), now);
  candidates.insert(candidates.end(), state.pending.begin(), arrived);
  state.pending.erase(state.pending.begin(), arrived);
  std::sort(candidates.begin(), candidates.end());
  for (const sim::Time t : candidates) {
    if (state.last_peak && t - *state.last_peak < config.refractory) continue;
    state.pulses.push_back(t);
    state.last_peak = t;
  }

  state.fetched = now;
  const sim::Time oldest = now - keep;
  while (!state.pulses.empty() && state.pulses.front() < oldest) state.pulses.pop_front();
  while (!state.amplitudes.empty() && state.amplitudes.front().first < oldest) state.amplitudes.pop_front();
}

std::vector<double> inter_pulse_intervals_s(const std::deque<sim::Time>& pulses, sim::Time from, sim::Time to) {
  std::vector<double> intervals;
  std::optional<sim::Time> previous;
  for (const sim::Time t : pulses) {
    if (t < from || t > to) continue;
    if (previous) intervals.push_back((t - *previous).seconds());
    previous = t;
  }
  return intervals;
}

std::optional<double> pulse_rate_bpm(const std::deque<sim::Time>& pulses, sim::Time from, sim::Time to) {
  const std::vector<double> intervals = inter_pulse_intervals_s(pulses, from, to);
  if (intervals.empty()) return std::nullopt;
  double sum = 0.0;
  for (const double i : intervals) sum += i;
  return sum > 0.0 ? std::optional<double>(60.0 * static_cast<double>(intervals.size()) / sum) : std::nullopt;
}

double mean_perfusion_index(const PpgState& state, sim::Time from, sim::Time to) {
  double sum = 0.0;
  std::size_t n = 0;
  for (const auto& [t, pi] : state.amplitudes) {
    if (t < from || t > to) continue;
    sum += pi;
    ++n;
  }
  return n > 0 ? sum / static_cast<double>(n) : 0.0;
}

double coefficient_of_variation(std::span<const double> values) {
  if (values.size() < 2) return 0.0;
  double sum = 0.0;
  for (const double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  double squares = 0.0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  const double sd = std::sqrt(squares / static_cast<double>(values.size() - 1));
  return mean > 0.0 ? sd / mean : 0.0;
}

double irregular_share(std::span<const double> intervals_s, double relative_delta) {
  if (intervals_s.size() < 3) return 0.0;
  double sum = 0.0;
  for (const double v : intervals_s) sum += v;
  const double limit = relative_delta * sum / static_cast<double>(intervals_s.size());
  std::size_t large = 0;
  for (std::size_t i = 1; i < intervals_s.size(); ++i) {
    if (std::abs(intervals_s[i] - intervals_s[i - 1]) > limit) ++large;
  }
  return static_cast<double>(large) / static_cast<double>(intervals_s.size() - 1);
}

}  // namespace twinbed::devices::ppg
