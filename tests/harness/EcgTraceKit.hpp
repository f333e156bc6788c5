#pragma once
// Test kit for the ECG analysis tests: twinbed's own ECG with rhythm episodes (BeatGenerator +
// EcgSynthesizer, the mean heart rate scripted as the vitals model would set it), the ECG patch's
// front-end noise and lead-off, the CinC 2015 ground truth (physiology::ArrhythmiaDetector), cut
// into blocks as devices send them, and EC57 beat matching.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "devices/EcgNoise.hpp"
#include "harness/ArrhythmiaAnalyzer.hpp"
#include "physiology/CinC2015.hpp"
#include "physiology/Ecg.hpp"
#include "physiology/Rhythm.hpp"

namespace twinbed::ecgkit {

using harness::Arrhythmia;
using harness::ArrhythmiaCall;

inline constexpr double RATE_HZ = 250.0;
inline constexpr std::int64_t PER_S = 250;
inline constexpr float RAIL_MV = 5.0F;  // the patch's ADC limit: lead-off output (devices::lead_off_value)

struct Interval {
  double from_s = 0.0, to_s = 0.0;
  bool contains(double t) const { return t >= from_s && t < to_s; }
};

struct TraceSpec {
  std::string id = "a0001";
  std::uint64_t seed = 1;
  int seconds = 120;
  physiology::RhythmSchedule rhythm;
  std::function<double(double)> mean_hr_bpm = [](double) { return 70.0; };
  bool noise = true;              // the ECG patch's front-end noise (EcgNoiseParams defaults)
  std::vector<Interval> motion;   // electrode motion at `motion_scale`
  double motion_scale = 1.0;
  std::vector<Interval> lead_off; // output at the rail, blocks flagged sensor-off
};

struct Trace {
  std::vector<float> ecg_mv;
  std::vector<std::uint16_t> flags;                 // per sample
  std::vector<physiology::Beat> beats;              // true beats inside the trace
  std::vector<physiology::GroundTruthEvent> truth;  // CinC 2015 ground truth
};

// The vitals model's role: the mean heart rate as a function of time, applied from the next beat.
class ScriptedRate final : public physiology::BeatSource {
public:
  ScriptedRate(physiology::BeatGenerator& generator, std::function<double(double)> hr)
      : generator_(generator), hr_(std::move(hr)) {}
  physiology::Beat next_beat() override {
    generator_.set_mean_heart_rate(hr_(last_s_));
    const physiology::Beat b = generator_.next_beat();
    last_s_ = b.r_time.seconds();
    beats.push_back(b);
    return b;
  }
  std::vector<physiology::Beat> beats;

private:
  physiology::BeatGenerator& generator_;
  std::function<double(double)> hr_;
  double last_s_ = 0.0;
};

inline Trace make_trace(const TraceSpec& spec) {
  const sim::Time end = sim::Time::from_s(spec.seconds);
  physiology::BeatGenerator generator(spec.rhythm, {}, end, spec.seed, 0, spec.id);
  ScriptedRate source(generator, spec.mean_hr_bpm);
  physiology::EcgSynthesizer synth({}, source, generator.episodes(), sim::RandomStream(spec.seed, 0, spec.id, "ecg"));
  Trace trace;
  const auto n = static_cast<std::size_t>(spec.seconds * PER_S);
  trace.ecg_mv.resize(n);
  trace.flags.assign(n, network::READING_OK);
  devices::EcgNoise noise({}, RATE_HZ);
  sim::RandomStream rng(spec.seed, 0, spec.id, "noise");
  for (int s = 0; s < spec.seconds; ++s) {
    const auto first = static_cast<std::size_t>(s * PER_S);
    const std::span<float> second(trace.ecg_mv.data() + first, PER_S);
    synth.render(static_cast<std::int64_t>(first), second);
    const bool moving = std::any_of(spec.motion.begin(), spec.motion.end(), [&](const Interval& i) { return i.contains(s); });
    if (spec.noise || moving) noise.add(static_cast<std::int64_t>(first), second, moving ? spec.motion_scale : 0.0, rng);
    for (std::size_t i = 0; i < second.size(); ++i) {
      second[i] = std::clamp(second[i], -RAIL_MV, RAIL_MV);
      if (moving) trace.flags[first + i] |= network::READING_MOTION;
      const double t = static_cast<double>(first + i) / RATE_HZ;
      if (std::any_of(spec.lead_off.begin(), spec.lead_off.end(), [&](const Interval& o) { return o.contains(t); })) {
        second[i] = RAIL_MV;
        trace.flags[first + i] |= network::READING_SENSOR_OFF;
      }
    }
  }
  physiology::EventLog log;
  physiology::ArrhythmiaDetector truth(generator.episodes(), log);
  for (const physiology::Beat& b : source.beats) {
    if (b.r_time >= end) break;
    trace.beats.push_back(b);
    truth.on_beat(b);
  }
  truth.finish(end);
  trace.truth = log.events;
  return trace;
}

// Blocks of `block` samples (the last one shorter), each flagged with what any of its samples had.
inline std::vector<network::Waveform> cut(const Trace& trace, std::size_t block, std::size_t from = 0,
                                   std::size_t to = SIZE_MAX) {
  std::vector<network::Waveform> blocks;
  to = std::min(to, trace.ecg_mv.size());
  for (std::size_t i = from; i < to; i += block) {
    network::Waveform w;
    w.start = sim::Time::from_ns(static_cast<std::int64_t>(i) * 4'000'000);  // 4 ms per sample at 250 Hz
    w.sample_rate_hz = RATE_HZ;
    const std::size_t n = std::min(block, to - i);
    w.samples.assign(trace.ecg_mv.begin() + static_cast<std::ptrdiff_t>(i),
                     trace.ecg_mv.begin() + static_cast<std::ptrdiff_t>(i + n));
    for (std::size_t k = i; k < i + n; ++k) w.flags |= trace.flags[k];
    blocks.push_back(std::move(w));
  }
  return blocks;
}

inline std::vector<ArrhythmiaCall> analyse(harness::ArrhythmiaAnalyzer& analyzer, const std::vector<network::Waveform>& blocks) {
  std::vector<ArrhythmiaCall> calls;
  for (const network::Waveform& w : blocks) analyzer.feed(w, calls);
  return calls;
}

inline std::vector<ArrhythmiaCall> of_kind(const std::vector<ArrhythmiaCall>& calls, Arrhythmia kind, bool start = true) {
  std::vector<ArrhythmiaCall> out;
  for (const ArrhythmiaCall& c : calls) {
    if (c.kind == kind && c.start == start) out.push_back(c);
  }
  return out;
}

inline std::vector<physiology::GroundTruthEvent> truth_of(const Trace& trace, physiology::EventClass c) {
  std::vector<physiology::GroundTruthEvent> out;
  for (const auto& e : trace.truth) {
    if (e.event_class == c) out.push_back(e);
  }
  return out;
}

inline void print_calls(const char* label, const std::vector<ArrhythmiaCall>& calls) {
  for (const ArrhythmiaCall& c : calls) {
    std::printf("%s: %s %s onset %.3f confirmed %.3f rate %.1f sqi %.2f%s%s\n", label,
                std::string(harness::arrhythmia_name(c.kind)).c_str(), c.start ? "start" : "end", c.onset.seconds(),
                c.confirmed.seconds(), c.rate_bpm, c.signal_quality, c.lead_off ? " lead-off" : "",
                c.motion ? " motion" : "");
  }
}



struct Analysis {
  std::vector<ArrhythmiaCall> calls;
  std::vector<sim::Time> beats;
  std::vector<bool> ventricular;
};

inline Analysis analyse_trace(const Trace& trace, std::size_t block = PER_S) {
  harness::ArrhythmiaParams params;
  params.record_beats = true;
  harness::ArrhythmiaAnalyzer analyzer(params);
  Analysis a;
  a.calls = analyse(analyzer, cut(trace, block));
  a.beats = analyzer.beats();
  a.ventricular = analyzer.ventricular();
  return a;
}

inline std::size_t count_of(const std::vector<ArrhythmiaCall>& calls, Arrhythmia kind) { return of_kind(calls, kind).size(); }

// The true beat at time t (an R peak of the rhythm model), by index.
inline std::size_t beat_index(const Trace& trace, sim::Time t) {
  const auto it = std::find_if(trace.beats.begin(), trace.beats.end(), [&](const physiology::Beat& b) { return b.r_time == t; });
  EXPECT_NE(it, trace.beats.end());
  return static_cast<std::size_t>(it - trace.beats.begin());
}

// The last true R peak before t.
inline sim::Time last_beat_before(const Trace& trace, sim::Time t) {
  sim::Time last;
  for (const auto& b : trace.beats) {
    if (b.r_time < t) last = b.r_time;
  }
  return last;
}

// ANSI/AAMI EC57 beat-by-beat matching (150 ms window, one to one) over [from, to).
struct Ec57 {
  int tp = 0, fn = 0, fp = 0;
  int v_tp = 0, v_fn = 0, v_fp = 0;  // ventricular classification among matched beats
  double se() const { return tp / static_cast<double>(tp + fn); }
  double ppv() const { return tp / static_cast<double>(tp + fp); }
};
inline Ec57 ec57(const Trace& trace, const Analysis& a, double from_s, double to_s) {
  constexpr double WINDOW_S = 0.150;
  Ec57 s;
  std::size_t j = 0;
  auto in = [&](double t) { return t >= from_s && t < to_s; };
  for (const physiology::Beat& b : trace.beats) {
    const double t = b.r_time.seconds();
    while (j < a.beats.size() && a.beats[j].seconds() < t - WINDOW_S) {
      if (in(a.beats[j].seconds())) ++s.fp;
      ++j;
    }
    if (!in(t)) continue;
    const bool v = b.beat_class == physiology::BeatClass::ventricular;
    if (j < a.beats.size() && a.beats[j].seconds() <= t + WINDOW_S) {
      ++s.tp;
      if (v && a.ventricular[j]) ++s.v_tp;
      if (v && !a.ventricular[j]) ++s.v_fn;
      if (!v && a.ventricular[j]) ++s.v_fp;
      ++j;
    } else {
      ++s.fn;
    }
  }
  for (; j < a.beats.size(); ++j) {
    if (in(a.beats[j].seconds()) && a.beats[j].seconds() < to_s - WINDOW_S) ++s.fp;
  }
  return s;
}

}  // namespace twinbed::ecgkit
