// Tests of physiology::BeatGenerator, EcgSynthesizer and ArrhythmiaDetector (docs/models/ecg.md).
// Unit tests, golden checks against the ECGSYN/CinC-2015 definitions, and fixed-seed statistical
// bounds. Measured figures are printed with "[measured]" so reports can quote them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "physiology/CinC2015.hpp"
#include "physiology/Ecg.hpp"
#include "physiology/GroundTruth.hpp"
#include "physiology/Rhythm.hpp"

namespace twinbed::physiology {
namespace {

using namespace sim::literals;

constexpr std::uint64_t SEED = 20150915;
constexpr double FS = 250.0;

// Tees the generator's beats into a vector, as the patient will for its other consumers.
class RecordingSource final : public BeatSource {
public:
  explicit RecordingSource(BeatGenerator& generator) : generator_(generator) {}
  Beat next_beat() override {
    beats.push_back(generator_.next_beat());
    return beats.back();
  }
  std::vector<Beat> beats;

private:
  BeatGenerator& generator_;
};

BeatGenerator make_generator(const RhythmSchedule& schedule, double hr_bpm,
                             std::string_view id = "p0001", sim::Time horizon = 2_h) {
  BeatGenerator g(schedule, BeatModelParams{}, horizon, SEED, 0, id);
  g.set_mean_heart_rate(hr_bpm);
  return g;
}

std::vector<Beat> beats_until(BeatGenerator& g, sim::Time end) {
  std::vector<Beat> beats;
  for (Beat b = g.next_beat(); b.r_time < end; b = g.next_beat()) beats.push_back(b);
  return beats;
}

double mean_hr_bpm(const std::vector<Beat>& beats) {
  return 60.0 * static_cast<double>(beats.size() - 1) /
         (beats.back().r_time - beats.front().r_time).seconds();
}

double rr_cv(const std::vector<Beat>& beats) {
  std::vector<double> rr;
  for (std::size_t i = 1; i < beats.size(); ++i) rr.push_back(beats[i].rr.seconds());
  const double mean = std::accumulate(rr.begin(), rr.end(), 0.0) / static_cast<double>(rr.size());
  double ss = 0.0;
  for (double x : rr) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(rr.size() - 1)) / mean;
}

std::size_t count_class(const EventLog& log, EventClass c) {
  return static_cast<std::size_t>(std::count_if(log.events.begin(), log.events.end(),
                                                [c](const GroundTruthEvent& e) { return e.event_class == c; }));
}

const GroundTruthEvent* find_class(const EventLog& log, EventClass c) {
  for (const GroundTruthEvent& e : log.events) {
    if (e.event_class == c) return &e;
  }
  return nullptr;
}

TEST(BeatGenerator, SinusMeanHeartRateMatchesConfiguredRate) {
  for (double hr : {60.0, 90.0}) {
    BeatGenerator g = make_generator({}, hr);
    const std::vector<Beat> beats = beats_until(g, 5_min);
    ASSERT_GT(beats.size(), 200U);
    const double measured = mean_hr_bpm(beats);
    std::printf("[measured] sinus %.0f bpm: mean HR over 5 min %.3f bpm, RR CV %.4f\n", hr, measured,
                rr_cv(beats));
    EXPECT_NEAR(measured, hr, 1.0);
    for (const Beat& b : beats) {
      EXPECT_EQ(b.beat_class, BeatClass::normal);
      EXPECT_EQ(b.rhythm, Rhythm::sinus);
      EXPECT_TRUE(b.has_pulse());
    }
  }
}

TEST(BeatGenerator, SinusIsRegularAndAfIsIrregular) {
  BeatGenerator sinus = make_generator({}, 75.0);
  const double sinus_cv = rr_cv(beats_until(sinus, 5_min));
  RhythmSchedule af;
  af.episodes.push_back({Rhythm::atrial_fibrillation, 0_s, 1_h, 0.0});
  BeatGenerator fib = make_generator(af, 75.0);
  const std::vector<Beat> af_beats = beats_until(fib, 5_min);
  const double af_cv = rr_cv(af_beats);
  std::printf("[measured] RR CV: sinus %.4f, AF %.4f; AF mean HR %.2f bpm\n", sinus_cv, af_cv,
              mean_hr_bpm(af_beats));
  EXPECT_LT(sinus_cv, 0.08);
  EXPECT_GT(af_cv, 0.12);
  EXPECT_NEAR(mean_hr_bpm(af_beats), 75.0, 3.0);
}

TEST(BeatGenerator, HrvStandardDeviationIsAboutOneBpm) {
  // ECGSYN default hrstd = 1 bpm: the instantaneous rate 60/RR has sd ~ 1 bpm around the mean.
  BeatGenerator g = make_generator({}, 60.0);
  const std::vector<Beat> beats = beats_until(g, 1_h);
  double sum = 0.0;
  double ss = 0.0;
  for (const Beat& b : beats) sum += 60.0 / b.rr.seconds();
  const double mean = sum / static_cast<double>(beats.size());
  for (const Beat& b : beats) ss += std::pow(60.0 / b.rr.seconds() - mean, 2);
  const double sd = std::sqrt(ss / static_cast<double>(beats.size() - 1));
  std::printf("[measured] instantaneous HR sd over 1 h: %.3f bpm\n", sd);
  EXPECT_GT(sd, 0.6);
  EXPECT_LT(sd, 1.4);
}

TEST(BeatGenerator, BigeminyAlternatesWithCompensatoryPauses) {
  RhythmSchedule s;
  s.bigeminy.push_back({60_s, 120_s});
  BeatGenerator g = make_generator(s, 70.0);
  const std::vector<Beat> beats = beats_until(g, 3_min);
  std::size_t v_count = 0;
  for (std::size_t i = 1; i + 1 < beats.size(); ++i) {
    if (beats[i].beat_class != BeatClass::ventricular) continue;
    ++v_count;
    ASSERT_GE(beats[i].r_time, 60_s);
    ASSERT_LT(beats[i - 1].r_time, 120_s);
    EXPECT_EQ(beats[i - 1].beat_class, BeatClass::normal);
    EXPECT_EQ(beats[i + 1].beat_class, BeatClass::normal);
    // Coupling 0.65 RR and full compensation: N-V + V-N = 2 RR (RR = coupling / 0.65).
    const double coupling = beats[i].rr.seconds();
    const double nominal_rr = coupling / 0.65;
    EXPECT_NEAR(coupling + beats[i + 1].rr.seconds(), 2.0 * nominal_rr, 0.002);
    EXPECT_NEAR(nominal_rr, 60.0 / 70.0, 0.1);
    EXPECT_FLOAT_EQ(beats[i].pulse_amplitude, 0.3F);
  }
  // During bigeminy every second beat is a PVC: 60 s at 70 bpm is ~35 cycles of 2 RR... ~35 PVCs.
  std::printf("[measured] bigeminy: %zu PVCs in 60 s at 70 bpm\n", v_count);
  EXPECT_GE(v_count, 30U);
  EXPECT_LE(v_count, 40U);
}

TEST(BeatGenerator, IsolatedPvcRateIsAsConfigured) {
  RhythmSchedule s;
  s.pvc_per_hour = 120.0;
  BeatGenerator g = make_generator(s, 75.0);
  const std::vector<Beat> beats = beats_until(g, 2_h);
  const auto pvcs = std::count_if(beats.begin(), beats.end(),
                                  [](const Beat& b) { return b.beat_class == BeatClass::ventricular; });
  std::printf("[measured] PVCs in 2 h at 120/h: %ld\n", static_cast<long>(pvcs));
  // Poisson(240): +-4 sd = +-62. Each PVC also removes ~1 RR of sinus time, so slightly fewer.
  EXPECT_GT(pvcs, 170);
  EXPECT_LT(pvcs, 300);
}

TEST(BeatGenerator, PulseDeficitInAf) {
  RhythmSchedule af;
  af.episodes.push_back({Rhythm::atrial_fibrillation, 0_s, 1_h, 0.0});
  BeatGenerator g = make_generator(af, 100.0);
  const std::vector<Beat> beats = beats_until(g, 10_min);
  const auto no_pulse = std::count_if(beats.begin(), beats.end(), [](const Beat& b) { return !b.has_pulse(); });
  const double fraction = static_cast<double>(no_pulse) / static_cast<double>(beats.size());
  std::printf("[measured] AF at 100 bpm: %.1f %% of beats without pulse (ECG %.1f bpm, pulse %.1f /min)\n",
              100.0 * fraction, mean_hr_bpm(beats),
              mean_hr_bpm(beats) * (1.0 - fraction));
  EXPECT_GT(fraction, 0.02);
  EXPECT_LT(fraction, 0.5);
}

TEST(BeatGenerator, ParoxysmalAfHasRequestedBurden) {
  RhythmSchedule s;
  s.paroxysmal_af = {0.2, 10_min, 1.0};
  const sim::Time horizon = 30_d;
  BeatGenerator g(s, BeatModelParams{}, horizon, SEED, 0, "p0001");
  sim::Time in_af = 0_s;
  std::vector<double> lengths_min;
  for (const RhythmEpisode& e : g.episodes()) {
    ASSERT_EQ(e.rhythm, Rhythm::atrial_fibrillation);
    in_af += e.end - e.start;
    lengths_min.push_back((e.end - e.start).seconds() / 60.0);
  }
  std::sort(lengths_min.begin(), lengths_min.end());
  const double burden = in_af.seconds() / horizon.seconds();
  const double median = lengths_min[lengths_min.size() / 2];
  std::printf("[measured] paroxysmal AF over 30 d: burden %.3f (target 0.2), %zu episodes, median %.1f min\n",
              burden, lengths_min.size(), median);
  EXPECT_NEAR(burden, 0.2, 0.04);
  EXPECT_GT(median, 7.0);
  EXPECT_LT(median, 14.0);
  EXPECT_EQ(g.rhythm_at(g.episodes()[0].start), Rhythm::atrial_fibrillation);
}

TEST(BeatGenerator, RejectsInvalidSchedules) {
  RhythmSchedule overlap;
  overlap.episodes.push_back({Rhythm::asystole, 10_s, 20_s, 0.0});
  overlap.episodes.push_back({Rhythm::ventricular_fibrillation, 15_s, 30_s, 0.0});
  EXPECT_THROW(make_generator(overlap, 60.0), std::invalid_argument);
  RhythmSchedule slow_vt;
  slow_vt.episodes.push_back({Rhythm::ventricular_tachycardia, 10_s, 20_s, 90.0});
  EXPECT_THROW(make_generator(slow_vt, 60.0), std::invalid_argument);
}

TEST(BeatGenerator, DeterministicPerPatientId) {
  RhythmSchedule s;
  s.pvc_per_hour = 300.0;
  s.paroxysmal_af = {0.3, 2_min, 1.0};
  BeatGenerator a = make_generator(s, 70.0, "p0007");
  BeatGenerator b = make_generator(s, 70.0, "p0007");
  BeatGenerator c = make_generator(s, 70.0, "p0008");
  const auto ba = beats_until(a, 30_min);
  const auto bb = beats_until(b, 30_min);
  const auto bc = beats_until(c, 30_min);
  ASSERT_EQ(ba.size(), bb.size());
  for (std::size_t i = 0; i < ba.size(); ++i) {
    EXPECT_EQ(ba[i].r_time, bb[i].r_time);
    EXPECT_EQ(ba[i].beat_class, bb[i].beat_class);
  }
  bool differs = ba.size() != bc.size();
  for (std::size_t i = 0; !differs && i < ba.size(); ++i) differs = ba[i].r_time != bc[i].r_time;
  EXPECT_TRUE(differs);
}

// A schedule with every beat type and rhythm the ECG draws.
RhythmSchedule mixed_schedule() {
  RhythmSchedule s;
  s.pvc_per_hour = 240.0;
  s.bigeminy.push_back({20_s, 40_s});
  s.episodes.push_back({Rhythm::ventricular_tachycardia, 60_s, 66_s, 170.0});
  s.episodes.push_back({Rhythm::atrial_fibrillation, 90_s, 150_s, 0.0});
  s.episodes.push_back({Rhythm::ventricular_fibrillation, 180_s, 190_s, 0.0});
  s.episodes.push_back({Rhythm::asystole, 220_s, 226_s, 0.0});
  return s;
}

std::vector<float> render_all(EcgSynthesizer& ecg, std::int64_t samples, std::int64_t chunk) {
  std::vector<float> out(static_cast<std::size_t>(samples));
  for (std::int64_t k = 0; k < samples; k += chunk) {
    const std::int64_t n = std::min(chunk, samples - k);
    ecg.render(k, std::span<float>(out).subspan(static_cast<std::size_t>(k), static_cast<std::size_t>(n)));
  }
  return out;
}

TEST(EcgSynthesizer, RPeaksCoincideWithRenderedMaxima) {
  const RhythmSchedule s = mixed_schedule();
  BeatGenerator g = make_generator(s, 75.0);
  RecordingSource source(g);
  EcgSynthesizer ecg(EcgParams{}, source, g.episodes(), sim::RandomStream(SEED, 0, "p0001", "ecg"));
  const std::int64_t samples = static_cast<std::int64_t>(300 * FS);
  const std::vector<float> x = render_all(ecg, samples, 1000);
  const auto window = static_cast<std::int64_t>(0.050 * FS);
  double worst_ms[2] = {0.0, 0.0};  // N, V
  std::size_t checked[2] = {0, 0};
  for (const Beat& b : source.beats) {
    const double r = b.r_time.seconds() * FS;
    const auto centre = static_cast<std::int64_t>(std::llround(r));
    if (centre - window < 0 || centre + window >= samples) continue;
    std::int64_t best = centre - window;
    for (std::int64_t k = centre - window; k <= centre + window; ++k) {
      if (x[static_cast<std::size_t>(k)] > x[static_cast<std::size_t>(best)]) best = k;
    }
    const double error_ms = std::abs(static_cast<double>(best) - r) / FS * 1000.0;
    const int v = b.beat_class == BeatClass::ventricular ? 1 : 0;
    worst_ms[v] = std::max(worst_ms[v], error_ms);
    ++checked[v];
    EXPECT_LE(error_ms, 8.0) << "beat at " << b.r_time.seconds() << " s, class "
                             << static_cast<char>(b.beat_class);
  }
  std::printf("[measured] R-peak vs signal maximum: worst %.2f ms over %zu N beats, %.2f ms over %zu V beats\n",
              worst_ms[0], checked[0], worst_ms[1], checked[1]);
  EXPECT_GT(checked[0], 200U);
  EXPECT_GT(checked[1], 20U);
}

TEST(EcgSynthesizer, NormalBeatSpansEcgsynRange) {
  BeatGenerator g = make_generator({}, 60.0);
  EcgSynthesizer ecg(EcgParams{}, g, g.episodes(), sim::RandomStream(SEED, 0, "p0001", "ecg"));
  const std::vector<float> x = render_all(ecg, static_cast<std::int64_t>(60 * FS), 250);
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  std::printf("[measured] sinus 60 bpm trace range %.3f .. %.3f mV\n", *lo, *hi);
  EXPECT_NEAR(*hi, 1.2, 0.2);
  EXPECT_LT(*lo, -0.15);
  EXPECT_GT(*lo, -0.6);
}

TEST(EcgSynthesizer, VfOscillatesAt4To6HzAndAsystoleIsFlat) {
  const RhythmSchedule s = mixed_schedule();
  BeatGenerator g = make_generator(s, 75.0);
  EcgSynthesizer ecg(EcgParams{}, g, g.episodes(), sim::RandomStream(SEED, 0, "p0001", "ecg"));
  const std::vector<float> x = render_all(ecg, static_cast<std::int64_t>(240 * FS), 4096);
  // VF 180..190 s: count upward zero crossings of the trace minus its mean in the middle 8 s.
  const auto a = static_cast<std::size_t>(181 * FS);
  const auto b = static_cast<std::size_t>(189 * FS);
  const double mean = std::accumulate(x.begin() + a, x.begin() + b, 0.0) / static_cast<double>(b - a);
  std::size_t crossings = 0;
  for (std::size_t k = a + 1; k < b; ++k) crossings += (x[k - 1] < mean && x[k] >= mean) ? 1 : 0;
  const double hz = static_cast<double>(crossings) / 8.0;
  const auto [vlo, vhi] = std::minmax_element(x.begin() + a, x.begin() + b);
  std::printf("[measured] VF: %.2f Hz by zero crossings, %.2f mV peak-to-peak\n", hz, *vhi - *vlo);
  EXPECT_GT(hz, 3.5);
  EXPECT_LT(hz, 7.0);
  EXPECT_GT(*vhi - *vlo, 0.3);
  // Asystole 220..226 s: the last beat before 220 s has its T wave over by 221 s.
  const auto [alo, ahi] = std::minmax_element(x.begin() + static_cast<std::ptrdiff_t>(221 * FS),
                                              x.begin() + static_cast<std::ptrdiff_t>(225.5 * FS));
  std::printf("[measured] asystole: %.3f mV peak-to-peak (baseline wander only)\n", *ahi - *alo);
  EXPECT_LT(*ahi - *alo, 0.2);
}

TEST(EcgSynthesizer, SamplesDoNotDependOnChunkingAndAreDeterministic) {
  const RhythmSchedule s = mixed_schedule();
  auto render = [&](std::string_view id, std::int64_t chunk) {
    BeatGenerator g = make_generator(s, 75.0, id);
    EcgSynthesizer ecg(EcgParams{}, g, g.episodes(), sim::RandomStream(SEED, 0, id, "ecg"));
    return render_all(ecg, static_cast<std::int64_t>(240 * FS), chunk);
  };
  const std::vector<float> whole = render("p0001", 60'000);
  const std::vector<float> again = render("p0001", 60'000);
  const std::vector<float> small = render("p0001", 7);
  const std::vector<float> other = render("p0002", 60'000);
  EXPECT_EQ(whole, again);
  EXPECT_EQ(whole, small);
  EXPECT_NE(whole, other);
}

TEST(EcgSynthesizer, RewindWithinOneSecondRepeatsSamples) {
  BeatGenerator g = make_generator({}, 80.0);
  EcgSynthesizer ecg(EcgParams{}, g, g.episodes(), sim::RandomStream(SEED, 0, "p0001", "ecg"));
  std::vector<float> first(1000);
  std::vector<float> second(300);
  ecg.render(0, first);
  ecg.render(800, second);  // 200 samples = 0.8 s back
  for (std::size_t i = 0; i < 200; ++i) EXPECT_EQ(first[800 + i], second[i]);
  EXPECT_EQ(ecg.sample_at_or_after(4_ms), 1);
  EXPECT_EQ(ecg.sample_at_or_after(5_ms), 2);
  EXPECT_EQ(ecg.sample_time(250), 1_s);
}

TEST(ArrhythmiaDetector, HeartRateOverBeatsUsesIntervalsBetweenThem) {
  const std::vector<sim::Time> r{0_s, 1_s, 2_s, 3_s, 5_s};
  EXPECT_DOUBLE_EQ(ArrhythmiaDetector::heart_rate_bpm(r), 60.0 * 4 / 5);
}

// Drives generator and detector together, with the mean heart rate set from a schedule.
template <typename RateAt>
EventLog detect(BeatGenerator& g, sim::Time run_end, RateAt rate_at) {
  EventLog log;
  ArrhythmiaDetector detector(g.episodes(), log);
  sim::Time last = 0_s;
  for (;;) {
    g.set_mean_heart_rate(rate_at(last));
    const Beat b = g.next_beat();
    if (b.r_time >= run_end) break;
    detector.on_beat(b);
    last = b.r_time;
  }
  detector.finish(run_end);
  return log;
}

TEST(ArrhythmiaDetector, ReportsEachInjectedEpisodeWithItsClassAndOnset) {
  RhythmSchedule s;
  // VT at 150 bpm: fast enough for CinC VT (> 100 bpm) but, with the sinus beats around it, no
  // 17-beat window exceeds 140 bpm, so it is not also an extreme tachycardia (see the next test).
  s.episodes.push_back({Rhythm::ventricular_tachycardia, 300_s, 305_s, 150.0});
  s.episodes.push_back({Rhythm::asystole, 600_s, 606_s, 0.0});
  s.episodes.push_back({Rhythm::ventricular_fibrillation, 900_s, 920_s, 0.0});
  s.episodes.push_back({Rhythm::atrial_fibrillation, 1800_s, 2100_s, 0.0});
  BeatGenerator g = make_generator(s, 75.0);
  const EventLog log = detect(g, 2400_s, [](sim::Time t) {
    if (t >= 1200_s && t < 1300_s) return 35.0;   // extreme bradycardia
    if (t >= 1500_s && t < 1600_s) return 160.0;  // extreme tachycardia
    return 75.0;
  });
  for (const GroundTruthEvent& e : log.events) {
    std::printf("[measured] event %s onset %.3f s offset %.3f s peak %.2f detail %u\n",
                std::string(event_class_name(e.event_class)).c_str(), e.onset.seconds(), e.offset.seconds(),
                e.peak, e.detail);
  }
  ASSERT_EQ(log.events.size(), 6U);
  for (EventClass c : {EventClass::ventricular_tachycardia, EventClass::asystole,
                       EventClass::ventricular_fibrillation, EventClass::extreme_bradycardia,
                       EventClass::extreme_tachycardia, EventClass::atrial_fibrillation}) {
    EXPECT_EQ(count_class(log, c), 1U) << event_class_name(c);
  }
  // VT: the first V beat is at 300 s; the definition is met at the 5th, 4 RR (4 x 60/150 s) later.
  const GroundTruthEvent* vt = find_class(log, EventClass::ventricular_tachycardia);
  ASSERT_NE(vt, nullptr);
  EXPECT_NEAR(vt->onset.seconds(), 300.0 + 4.0 * 0.4, 0.1);
  EXPECT_NEAR(vt->offset.seconds(), 305.0, 0.45);
  EXPECT_GE(vt->detail, 12);
  // Asystole: 4 s after the last QRS before 600 s (RR ~0.8 s): in (603.0, 604.0].
  const GroundTruthEvent* asys = find_class(log, EventClass::asystole);
  ASSERT_NE(asys, nullptr);
  EXPECT_GT(asys->onset.seconds(), 603.0);
  EXPECT_LE(asys->onset.seconds(), 604.0);
  EXPECT_EQ(asys->offset, 606_s);
  // VF: fibrillatory waveform for 4 s.
  const GroundTruthEvent* vf = find_class(log, EventClass::ventricular_fibrillation);
  ASSERT_NE(vf, nullptr);
  EXPECT_EQ(vf->onset, 904_s);
  EXPECT_EQ(vf->offset, 920_s);
  // Brady/tachy: met at the 5th / 17th beat at the new rate: within 10 s of the change.
  const GroundTruthEvent* brady = find_class(log, EventClass::extreme_bradycardia);
  ASSERT_NE(brady, nullptr);
  EXPECT_GT(brady->onset.seconds(), 1200.0);
  EXPECT_LT(brady->onset.seconds(), 1210.0);
  EXPECT_NEAR(brady->offset.seconds(), 1300.0, 5.0);
  const GroundTruthEvent* tachy = find_class(log, EventClass::extreme_tachycardia);
  ASSERT_NE(tachy, nullptr);
  EXPECT_GT(tachy->onset.seconds(), 1500.0);
  EXPECT_LT(tachy->onset.seconds(), 1510.0);
  EXPECT_NEAR(tachy->offset.seconds(), 1600.0, 5.0);
  const GroundTruthEvent* af = find_class(log, EventClass::atrial_fibrillation);
  ASSERT_NE(af, nullptr);
  EXPECT_EQ(af->onset, 1800_s);
  EXPECT_EQ(af->offset, 2100_s);
}

TEST(ArrhythmiaDetector, FastVtIsAlsoAnExtremeTachycardia) {
  // The CinC definitions are independent: a run of >= 17 beats above 140 bpm is an extreme
  // tachycardia whatever the beat class, so VT at 180 bpm for 10 s raises both.
  RhythmSchedule s;
  s.episodes.push_back({Rhythm::ventricular_tachycardia, 100_s, 110_s, 180.0});
  BeatGenerator g = make_generator(s, 75.0);
  const EventLog log = detect(g, 200_s, [](sim::Time) { return 75.0; });
  ASSERT_EQ(log.events.size(), 2U);
  EXPECT_EQ(count_class(log, EventClass::ventricular_tachycardia), 1U);
  EXPECT_EQ(count_class(log, EventClass::extreme_tachycardia), 1U);
  const GroundTruthEvent* vt = find_class(log, EventClass::ventricular_tachycardia);
  ASSERT_NE(vt, nullptr);
  EXPECT_NEAR(vt->onset.seconds(), 100.0 + 4.0 / 3.0, 0.1);
  EXPECT_NEAR(vt->peak, 180.0, 10.0);
}

TEST(ArrhythmiaDetector, NoEventsInAnHourOfSinusBetween60And100Bpm) {
  RhythmSchedule s;
  s.pvc_per_hour = 60.0;  // isolated PVCs are not VT
  BeatGenerator g = make_generator(s, 80.0);
  const EventLog log = detect(g, 1_h, [](sim::Time t) {
    return 80.0 + 20.0 * std::sin(2.0 * 3.141592653589793 * t.seconds() / 1200.0);
  });
  for (const GroundTruthEvent& e : log.events) {
    ADD_FAILURE() << "unexpected " << event_class_name(e.event_class) << " at " << e.onset.seconds() << " s";
  }
  EXPECT_TRUE(log.events.empty());
}

TEST(ArrhythmiaDetector, OngoingEventsCloseAtRunEnd) {
  RhythmSchedule s;
  s.episodes.push_back({Rhythm::ventricular_fibrillation, 50_s, 200_s, 0.0});
  BeatGenerator g = make_generator(s, 70.0);
  const EventLog log = detect(g, 100_s, [](sim::Time) { return 70.0; });
  ASSERT_EQ(log.events.size(), 1U);
  EXPECT_EQ(log.events[0].event_class, EventClass::ventricular_fibrillation);
  EXPECT_EQ(log.events[0].onset, 54_s);
  EXPECT_EQ(log.events[0].offset, 100_s);
}

}  // namespace
}  // namespace twinbed::physiology
