// harness::ArrhythmiaAnalyzer on twinbed's own ECG: the true beats and rhythm episodes of the
// physiology models (BeatGenerator + EcgSynthesizer, the CinC 2015 ground truth from
// physiology::ArrhythmiaDetector), the ECG patch's front-end noise (devices::EcgNoise), cut into
// 1 s blocks as the devices send them. Fixed seeds throughout.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "EcgTraceKit.hpp"
#include "devices/Device.hpp"

using namespace twinbed;
using namespace twinbed::ecgkit;
using harness::Arrhythmia;
using harness::ArrhythmiaCall;
using physiology::Rhythm;

TEST(ArrhythmiaAnalyzer, VentricularTachycardiaIsCalledFromItsFirstBeat) {
  TraceSpec spec;
  spec.id = "vt";
  spec.seed = 41;
  spec.seconds = 200;
  spec.rhythm.episodes.push_back({Rhythm::ventricular_tachycardia, sim::Time::from_s(120), sim::Time::from_s(140), 150.0});
  const Trace trace = make_trace(spec);
  const auto truth = truth_of(trace, physiology::EventClass::ventricular_tachycardia);
  ASSERT_EQ(truth.size(), 1U);
  const Analysis a = analyse_trace(trace);
  print_calls("VT", a.calls);
  const auto vt = of_kind(a.calls, Arrhythmia::ventricular_tachycardia);
  ASSERT_EQ(vt.size(), 1U);
  // The onset is the first V beat the detector sees. The rhythm model may put the first V beat
  // one MIN_RR (200 ms) after the last sinus one, inside Pan-Tompkins' refractory period, where no
  // detector can see it: the tolerance is one VT cycle (0.4 s at 150 bpm). The call comes once
  // the 5th V beat has been seen: after the ground truth's onset (its 5th V beat) by the
  // detector's and the beat window's delay, plus that cycle.
  const sim::Time first_v = std::find_if(trace.beats.begin(), trace.beats.end(), [](const physiology::Beat& b) {
                              return b.beat_class == physiology::BeatClass::ventricular;
                            })->r_time;
  const double delay = (vt[0].confirmed - truth[0].onset).seconds();
  std::printf("VT: onset %.3f s after the first V beat, confirmed %.3f s after the 5th\n",
              (vt[0].onset - first_v).seconds(), delay);
  EXPECT_GE(vt[0].onset, first_v - sim::Time::from_ms(20));
  EXPECT_LE(vt[0].onset, first_v + sim::Time::from_ms(450));
  EXPECT_GE(delay, 0.0);
  EXPECT_LE(delay, 1.0);
  EXPECT_NEAR(vt[0].rate_bpm, 150.0, 10.0);
  EXPECT_GT(vt[0].signal_quality, 0.8);
  const auto ends = of_kind(a.calls, Arrhythmia::ventricular_tachycardia, false);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_NEAR(ends[0].onset.seconds(), truth[0].offset.seconds(), 0.02);  // the last V beat
  EXPECT_EQ(count_of(a.calls, Arrhythmia::ventricular_fibrillation), 0U);
  EXPECT_EQ(count_of(a.calls, Arrhythmia::asystole), 0U);
  EXPECT_EQ(count_of(a.calls, Arrhythmia::atrial_fibrillation), 0U);
  // 150 bpm for 20 s is also an extreme tachycardia, in the ground truth as here.
  EXPECT_EQ(count_of(a.calls, Arrhythmia::extreme_tachycardia),
            truth_of(trace, physiology::EventClass::extreme_tachycardia).size());
}

TEST(ArrhythmiaAnalyzer, AsystoleIsTimedFromTheLastQrs) {
  TraceSpec spec;
  spec.id = "asystole";
  spec.seed = 42;
  spec.seconds = 180;
  spec.rhythm.episodes.push_back({Rhythm::asystole, sim::Time::from_s(120), sim::Time::from_s(126)});
  const Trace trace = make_trace(spec);
  const auto truth = truth_of(trace, physiology::EventClass::asystole);
  ASSERT_EQ(truth.size(), 1U);
  const Analysis a = analyse_trace(trace);
  print_calls("asystole", a.calls);
  const auto calls = of_kind(a.calls, Arrhythmia::asystole);
  ASSERT_EQ(calls.size(), 1U);
  const sim::Time last_qrs = truth[0].onset - sim::Time::from_s(4);
  const double delay = (calls[0].confirmed - truth[0].onset).seconds();
  std::printf("asystole: onset error %.3f s, confirmed %.3f s after 4 s without QRS\n",
              (calls[0].onset - last_qrs).seconds(), delay);
  EXPECT_NEAR(calls[0].onset.seconds(), last_qrs.seconds(), 0.02);
  EXPECT_GE(delay, 0.0);
  EXPECT_LE(delay, 0.5);
  // A true asystole on a patch that is on: good quality, no lead-off, so a smart monitor keeps it.
  EXPECT_FALSE(calls[0].lead_off);
  EXPECT_GT(calls[0].signal_quality, 0.8);
  const auto ends = of_kind(a.calls, Arrhythmia::asystole, false);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_NEAR(ends[0].onset.seconds(), truth[0].offset.seconds(), 0.02);  // the first QRS after
  EXPECT_EQ(a.calls.size(), 2U);  // nothing else: no bradycardia across the pause
}

TEST(ArrhythmiaAnalyzer, VentricularFibrillationIsOneCallAndNoAsystole) {
  TraceSpec spec;
  spec.id = "vf";
  spec.seed = 43;
  spec.seconds = 200;
  spec.rhythm.episodes.push_back({Rhythm::ventricular_fibrillation, sim::Time::from_s(120), sim::Time::from_s(140)});
  const Trace trace = make_trace(spec);
  const auto truth = truth_of(trace, physiology::EventClass::ventricular_fibrillation);
  ASSERT_EQ(truth.size(), 1U);  // onset = start + 4 s
  const Analysis a = analyse_trace(trace);
  print_calls("VF", a.calls);
  const auto vf = of_kind(a.calls, Arrhythmia::ventricular_fibrillation);
  ASSERT_EQ(vf.size(), 1U);
  const double delay = (vf[0].confirmed - truth[0].onset).seconds();
  std::printf("VF: onset error %.3f s, confirmed %.3f s after 4 s of VF\n", vf[0].onset.seconds() - 120.0, delay);
  // The onset is placed 1 s before the end of the first fibrillatory 2-s window (which holds
  // 1.1-2.1 s of VF): at or up to ~1 s after the truth, so the call never precedes 4 s of VF.
  EXPECT_GE(vf[0].onset.seconds(), 120.0);
  EXPECT_LE(vf[0].onset.seconds(), 121.2);
  EXPECT_GE(delay, 0.0);
  EXPECT_LE(delay, 1.2);
  const auto ends = of_kind(a.calls, Arrhythmia::ventricular_fibrillation, false);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_NEAR(ends[0].onset.seconds(), 140.0, 1.0);
  // VF's waves are neither asystole (no QRS, but a fibrillatory line) nor beats of a VT.
  EXPECT_EQ(a.calls.size(), 2U);
}

TEST(ArrhythmiaAnalyzer, AtrialFibrillationIsCalledWithinAMinute) {
  TraceSpec spec;
  spec.id = "af";
  spec.seed = 44;
  spec.seconds = 25 * 60;
  spec.rhythm.episodes.push_back({Rhythm::atrial_fibrillation, sim::Time::from_min(5), sim::Time::from_min(20)});
  const Trace trace = make_trace(spec);
  const Analysis a = analyse_trace(trace);
  print_calls("AF", a.calls);
  const auto af = of_kind(a.calls, Arrhythmia::atrial_fibrillation);
  ASSERT_EQ(af.size(), 1U);
  const double delay = af[0].confirmed.seconds() - 300.0;
  std::printf("AF: onset error %.3f s, confirmed %.1f s after the onset\n", af[0].onset.seconds() - 300.0, delay);
  EXPECT_NEAR(af[0].onset.seconds(), 300.0, 3.0);  // within ~2 beats
  EXPECT_LE(delay, 60.0);                          // the scorer's window for AF
  const auto ends = of_kind(a.calls, Arrhythmia::atrial_fibrillation, false);
  ASSERT_EQ(ends.size(), 1U);
  EXPECT_NEAR(ends[0].onset.seconds(), 1200.0, 3.0);
  EXPECT_LE(ends[0].confirmed.seconds(), 1260.0);
  EXPECT_EQ(a.calls.size(), 2U);  // nothing else in 15 min of AF at ~70 bpm
}

TEST(ArrhythmiaAnalyzer, ExtremeBradycardiaAndTachycardiaFollowTheCincDefinitions) {
  struct Case {
    const char* name;
    double bpm;
    Arrhythmia kind;
    physiology::EventClass truth_class;
    int beats;
  };
  for (const Case& c : {Case{"brady", 35.0, Arrhythmia::extreme_bradycardia, physiology::EventClass::extreme_bradycardia, 5},
                        Case{"tachy", 160.0, Arrhythmia::extreme_tachycardia, physiology::EventClass::extreme_tachycardia, 17}}) {
    TraceSpec spec;
    spec.id = c.name;
    spec.seed = 45;
    spec.seconds = 240;
    const double bpm = c.bpm;
    spec.mean_hr_bpm = [bpm](double t) { return t >= 120.0 && t < 180.0 ? bpm : 70.0; };
    const Trace trace = make_trace(spec);
    const auto truth = truth_of(trace, c.truth_class);
    ASSERT_EQ(truth.size(), 1U) << c.name;
    const Analysis a = analyse_trace(trace);
    print_calls(c.name, a.calls);
    const auto calls = of_kind(a.calls, c.kind);
    ASSERT_EQ(calls.size(), 1U) << c.name;
    // Onset: the first of the n beats whose rate first met the definition; confirmed once the
    // n-th (the ground truth's onset) has been seen.
    const std::size_t met = beat_index(trace, truth[0].onset);
    ASSERT_GE(met + 1, static_cast<std::size_t>(c.beats));
    const sim::Time first = trace.beats[met + 1 - static_cast<std::size_t>(c.beats)].r_time;
    const double delay = (calls[0].confirmed - truth[0].onset).seconds();
    std::printf("%s: onset error %.3f s, confirmed %.3f s after the definition was met\n", c.name,
                (calls[0].onset - first).seconds(), delay);
    EXPECT_NEAR(calls[0].onset.seconds(), first.seconds(), 0.02) << c.name;
    EXPECT_GE(delay, 0.0) << c.name;
    EXPECT_LE(delay, 0.6) << c.name;
    EXPECT_EQ(count_of(a.calls, Arrhythmia::ventricular_tachycardia), 0U) << c.name;
    EXPECT_EQ(count_of(a.calls, Arrhythmia::asystole), 0U) << c.name;
    EXPECT_EQ(count_of(a.calls, Arrhythmia::ventricular_fibrillation), 0U) << c.name;
    EXPECT_EQ(count_of(a.calls, Arrhythmia::atrial_fibrillation), 0U) << c.name;
  }
}

TEST(ArrhythmiaAnalyzer, EctopyCallsNoLethalArrhythmia) {
  // 30 min of sinus rhythm with 30 PVCs an hour, then 30 min of bigeminy: wide beats, short
  // couplings and compensatory pauses, but never 5 V beats in a row, a 4 s pause or VF.
  for (const bool bigeminy : {false, true}) {
    TraceSpec spec;
    spec.id = bigeminy ? "bigeminy" : "pvc";
    spec.seed = 46;
    spec.seconds = 30 * 60;
    if (bigeminy) {
      spec.rhythm.bigeminy.push_back({sim::Time::zero(), sim::Time::from_min(30)});
    } else {
      spec.rhythm.pvc_per_hour = 30.0;
    }
    const Trace trace = make_trace(spec);
    const Analysis a = analyse_trace(trace);
    print_calls(spec.id.c_str(), a.calls);
    const Ec57 s = ec57(trace, a, 10.0, spec.seconds);
    std::printf("%s: %d beats, QRS Se %.2f %% +P %.2f %%; V beats %d, classified V: Se %.2f %% +P %.2f %%\n",
                spec.id.c_str(), s.tp + s.fn, 100.0 * s.se(), 100.0 * s.ppv(), s.v_tp + s.v_fn,
                100.0 * s.v_tp / std::max(1, s.v_tp + s.v_fn), 100.0 * s.v_tp / std::max(1, s.v_tp + s.v_fp));
    EXPECT_GE(s.v_tp + s.v_fn, bigeminy ? 1000 : 8);
    EXPECT_GE(s.v_tp, 0.97 * (s.v_tp + s.v_fn));
    EXPECT_GE(s.v_tp, 0.97 * (s.v_tp + s.v_fp));
    for (const Arrhythmia k : {Arrhythmia::ventricular_tachycardia, Arrhythmia::ventricular_fibrillation,
                               Arrhythmia::asystole, Arrhythmia::atrial_fibrillation}) {
      EXPECT_EQ(count_of(a.calls, k), 0U) << spec.id << " " << harness::arrhythmia_name(k);
    }
  }
}

TEST(ArrhythmiaAnalyzer, LeadOffIsAnAsystoleFlaggedLeadOffWithLowQuality) {
  // The naive reading of a lead-off (rail or zero) is asystole; the call says why.
  for (const float level : {RAIL_MV, 0.0F}) {
    TraceSpec spec;
    spec.id = "leadoff";
    spec.seed = 47;
    spec.seconds = 150;
    spec.lead_off.push_back({60.0, 90.0});
    Trace trace = make_trace(spec);
    for (std::size_t i = 60 * PER_S; i < 90 * PER_S; ++i) trace.ecg_mv[i] = level;
    harness::ArrhythmiaAnalyzer analyzer;
    std::vector<ArrhythmiaCall> calls;
    const auto blocks = cut(trace, PER_S);
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      analyzer.feed(blocks[b], calls);
      if (b + 1 == 50) {
        EXPECT_GT(analyzer.signal_quality(), 0.8) << "clean ECG, level " << level;
      }
      if (b + 1 == 80) {
        EXPECT_LT(analyzer.signal_quality(), 0.1) << "lead off, level " << level;
        EXPECT_EQ(analyzer.heart_rate_bpm(), 0.0);  // no QRS: asystole as far as the ECG tells
      }
    }
    print_calls(level > 0.0F ? "rail" : "zero", calls);
    EXPECT_NEAR(analyzer.heart_rate_bpm(), 70.0, 5.0);  // the sinus rate (70 bpm) once back on
    const auto asystole = of_kind(calls, Arrhythmia::asystole);
    ASSERT_EQ(asystole.size(), 1U);
    EXPECT_TRUE(asystole[0].lead_off);
    EXPECT_LT(asystole[0].signal_quality, 0.5);
    EXPECT_GE(asystole[0].onset, last_beat_before(trace, sim::Time::from_s(60)));
    EXPECT_LE(asystole[0].onset, sim::Time::from_s(61));
    const auto ends = of_kind(calls, Arrhythmia::asystole, false);
    ASSERT_EQ(ends.size(), 1U);  // the electrode is back: QRS again within a few seconds
    EXPECT_GE(ends[0].onset, sim::Time::from_s(90));
    EXPECT_LE(ends[0].confirmed, sim::Time::from_s(100));
  }
}

TEST(ArrhythmiaAnalyzer, AQuantisedEcgIsNotTakenForARail) {
  // A live front end's ECG comes in ADC codes: here 5 uV (MIT-BIH's 200 adu/mV) and no noise at
  // all, the worst case for runs of one value. They stay short of the 100 ms a rail or clipping
  // shows: the quality stays high and nothing is called.
  TraceSpec spec;
  spec.id = "quantised";
  spec.seed = 52;
  spec.seconds = 120;
  spec.noise = false;
  Trace trace = make_trace(spec);
  for (float& x : trace.ecg_mv) x = std::round(x / 0.005F) * 0.005F;
  harness::ArrhythmiaAnalyzer analyzer;
  std::vector<ArrhythmiaCall> calls;
  double worst = 1.0;
  for (const network::Waveform& w : cut(trace, PER_S)) {
    analyzer.feed(w, calls);
    if (w.start >= sim::Time::from_s(5)) worst = std::min(worst, analyzer.signal_quality());
  }
  std::printf("quantised, noise-free ECG: worst signal quality %.2f\n", worst);
  EXPECT_GT(worst, 0.7);
  EXPECT_TRUE(calls.empty());
}

TEST(ArrhythmiaAnalyzer, ResultDoesNotDependOnHowBlocksAreCut) {
  TraceSpec spec;
  spec.id = "cuts";
  spec.seed = 48;
  spec.seconds = 300;
  spec.rhythm.episodes.push_back({Rhythm::ventricular_tachycardia, sim::Time::from_s(60), sim::Time::from_s(80), 170.0});
  spec.rhythm.episodes.push_back({Rhythm::asystole, sim::Time::from_s(120), sim::Time::from_s(127)});
  spec.rhythm.episodes.push_back({Rhythm::ventricular_fibrillation, sim::Time::from_s(180), sim::Time::from_s(200)});
  spec.motion.push_back({240.0, 260.0});
  const Trace trace = make_trace(spec);
  const Analysis whole = analyse_trace(trace, PER_S);
  ASSERT_GE(whole.calls.size(), 6U);
  for (const std::size_t block : {std::size_t{1}, std::size_t{37}, std::size_t{1000}}) {
    const Analysis other = analyse_trace(trace, block);
    EXPECT_EQ(other.beats, whole.beats) << block;
    ASSERT_EQ(other.calls.size(), whole.calls.size()) << block;
    for (std::size_t i = 0; i < whole.calls.size(); ++i) {
      // The flags are per block (lead_off, motion): the stretch they cover depends on the cut.
      const ArrhythmiaCall &x = whole.calls[i], &y = other.calls[i];
      EXPECT_EQ(x.kind, y.kind) << block << " call " << i;
      EXPECT_EQ(x.start, y.start) << block << " call " << i;
      EXPECT_EQ(x.onset, y.onset) << block << " call " << i;
      EXPECT_EQ(x.confirmed, y.confirmed) << block << " call " << i;
      EXPECT_EQ(x.rate_bpm, y.rate_bpm) << block << " call " << i;
      EXPECT_EQ(x.signal_quality, y.signal_quality) << block << " call " << i;
    }
  }
}

TEST(ArrhythmiaAnalyzer, AGapRestartsTheAnalysisAndLateBlocksAreIgnored) {
  // VT from 95 s to 115 s; the blocks of 100-104 s are lost, and block 50 arrives a second time.
  TraceSpec spec;
  spec.id = "gap";
  spec.seed = 49;
  spec.seconds = 150;
  spec.rhythm.episodes.push_back({Rhythm::ventricular_tachycardia, sim::Time::from_s(95), sim::Time::from_s(115), 150.0});
  const Trace trace = make_trace(spec);
  const auto blocks = cut(trace, PER_S);
  std::vector<network::Waveform> delivered;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (b >= 100 && b < 105) continue;
    delivered.push_back(blocks[b]);
    if (b == 51) delivered.push_back(blocks[50]);  // a late retransmission
  }
  harness::ArrhythmiaAnalyzer analyzer;
  const auto calls = analyse(analyzer, delivered);
  print_calls("gap", calls);
  EXPECT_EQ(analyzer.restarts(), 2);
  // Up to the gap, exactly what the first 100 s alone give.
  harness::ArrhythmiaAnalyzer before;
  const auto reference = analyse(before, std::vector<network::Waveform>(blocks.begin(), blocks.begin() + 100));
  const auto vt = of_kind(calls, Arrhythmia::ventricular_tachycardia);
  const auto vt_ends = of_kind(calls, Arrhythmia::ventricular_tachycardia, false);
  ASSERT_EQ(vt.size(), 2U);
  ASSERT_EQ(vt_ends.size(), 2U);
  ASSERT_FALSE(reference.empty());
  EXPECT_EQ(vt[0].onset, of_kind(reference, Arrhythmia::ventricular_tachycardia)[0].onset);
  EXPECT_NEAR(vt[0].onset.seconds(), 95.0, 0.02);
  // The gap ends what was going on at its last sample; after it the detector learns again and
  // the VT still under way is called anew from the first beats it sees.
  EXPECT_EQ(vt_ends[0].onset, sim::Time::from_ms(99'996));
  EXPECT_EQ(vt_ends[0].confirmed, sim::Time::from_ms(99'996));
  EXPECT_GE(vt[1].onset, sim::Time::from_s(105));
  EXPECT_LE(vt[1].confirmed, sim::Time::from_s(110));
  EXPECT_NEAR(vt_ends[1].onset.seconds(), 115.0, 0.5);
  EXPECT_EQ(count_of(calls, Arrhythmia::asystole), 0U);  // missing data is not a flat line
}

TEST(ArrhythmiaAnalyzer, SampleTimesFollowADriftingDeviceClock) {
  // A patch whose crystal runs 200 ppm fast and whose clock is set right every 200 s (a step back
  // of 40 ms: the block after it starts inside the one before). The analysis runs on without a
  // restart and the calls are those of an exact clock, on the device's time (within its error).
  TraceSpec spec;
  spec.id = "drift";
  spec.seed = 51;
  spec.seconds = 400;
  spec.rhythm.episodes.push_back({Rhythm::ventricular_tachycardia, sim::Time::from_s(120), sim::Time::from_s(140), 150.0});
  spec.rhythm.episodes.push_back({Rhythm::asystole, sim::Time::from_s(250), sim::Time::from_s(256)});
  const Trace trace = make_trace(spec);
  auto blocks = cut(trace, PER_S);
  harness::ArrhythmiaAnalyzer exact;
  const auto reference = analyse(exact, blocks);
  for (network::Waveform& w : blocks) {
    w.start += devices::clock_error(w.start, sim::Time::zero(), 200.0, sim::Time::from_s(200));
  }
  harness::ArrhythmiaAnalyzer drifting;
  const auto calls = analyse(drifting, blocks);
  EXPECT_EQ(drifting.restarts(), 1);
  ASSERT_EQ(calls.size(), reference.size());
  ASSERT_GE(calls.size(), 4U);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].kind, reference[i].kind) << i;
    EXPECT_EQ(calls[i].start, reference[i].start) << i;
    const sim::Time error = devices::clock_error(reference[i].onset, sim::Time::zero(), 200.0, sim::Time::from_s(200));
    // Earlier samples are dated from the latest block's stamp: off by the drift over the look-back
    // (a tachycardia's 17 beats, ~7 s: 1.4 ms at 200 ppm).
    EXPECT_NEAR((calls[i].onset - reference[i].onset - error).seconds(), 0.0, 0.002) << i;
  }
}

TEST(ArrhythmiaAnalyzer, AnySampleRateGivesTheSameCalls) {
  // The same patient (beats and rhythm) sampled at 128, 250, 500 and 1000 Hz with the patch's
  // noise: the same calls, onsets within 30 ms (where the R peak is placed), AF confirmed within 2.5 s
  // (its features cross their limits a beat earlier or later).
  physiology::RhythmSchedule rhythm;
  rhythm.episodes.push_back({Rhythm::ventricular_tachycardia, sim::Time::from_s(60), sim::Time::from_s(80), 160.0});
  rhythm.episodes.push_back({Rhythm::asystole, sim::Time::from_s(100), sim::Time::from_s(106)});
  rhythm.episodes.push_back({Rhythm::ventricular_fibrillation, sim::Time::from_s(130), sim::Time::from_s(150)});
  rhythm.episodes.push_back({Rhythm::atrial_fibrillation, sim::Time::from_s(170), sim::Time::from_s(300)});
  constexpr int SECONDS = 320;
  std::vector<std::vector<ArrhythmiaCall>> results;
  for (const double rate : {250.0, 128.0, 500.0, 1000.0}) {
    physiology::BeatGenerator generator(rhythm, {}, sim::Time::from_s(SECONDS), 3, 0, "rates");
    physiology::EcgParams ecg;
    ecg.sample_rate_hz = rate;
    physiology::EcgSynthesizer synth(ecg, generator, generator.episodes(), sim::RandomStream(3, 0, "rates", "ecg"));
    devices::EcgNoise noise({}, rate);
    sim::RandomStream rng(3, 0, "rates", "noise");
    harness::ArrhythmiaAnalyzer analyzer;
    std::vector<ArrhythmiaCall> calls;
    network::Waveform w;
    w.sample_rate_hz = rate;
    w.samples.resize(static_cast<std::size_t>(rate));
    for (int s = 0; s < SECONDS; ++s) {
      const std::int64_t first = s * static_cast<std::int64_t>(rate);
      synth.render(first, w.samples);
      noise.add(first, w.samples, 0.0, rng);
      w.start = sim::Time::from_s(s);
      analyzer.feed(w, calls);
    }
    EXPECT_EQ(analyzer.restarts(), 1) << rate;
    results.push_back(calls);
  }
  const std::vector<ArrhythmiaCall>& reference = results[0];
  print_calls("250 Hz", reference);
  ASSERT_EQ(reference.size(), 10U);  // VT, tachycardia, asystole, VF and AF, start and end
  for (std::size_t r = 1; r < results.size(); ++r) {
    ASSERT_EQ(results[r].size(), reference.size()) << r;
    for (std::size_t i = 0; i < reference.size(); ++i) {
      const ArrhythmiaCall &x = reference[i], &y = results[r][i];
      EXPECT_EQ(y.kind, x.kind) << r << " " << i;
      EXPECT_EQ(y.start, x.start) << r << " " << i;
      EXPECT_NEAR(y.onset.seconds(), x.onset.seconds(), 0.03) << r << " " << i;
      EXPECT_NEAR(y.confirmed.seconds(), x.confirmed.seconds(), x.kind == Arrhythmia::atrial_fibrillation ? 2.5 : 0.05)
          << r << " " << i;
    }
  }
}

TEST(ArrhythmiaAnalyzer, QrsDetectionOnNoisyEcgByEc57) {
  // The analyzer's beats against the true ones (EC57, 150 ms), scored after EC57's 5 min: the
  // patch's front-end noise at rest, then a motion fault (magnitude 1) over 10 min.
  TraceSpec spec;
  spec.id = "noisy";
  spec.seed = 50;
  spec.seconds = 25 * 60;
  spec.motion.push_back({15.0 * 60, 25.0 * 60});
  const Trace trace = make_trace(spec);
  const Analysis a = analyse_trace(trace);
  const Ec57 rest = ec57(trace, a, 300.0, 900.0);
  const Ec57 motion = ec57(trace, a, 900.0, 1500.0);
  std::printf("QRS at rest (patch noise): %d beats, Se %.2f %%, +P %.2f %%\n", rest.tp + rest.fn, 100.0 * rest.se(),
              100.0 * rest.ppv());
  std::printf("QRS under motion: %d beats, Se %.2f %%, +P %.2f %%\n", motion.tp + motion.fn, 100.0 * motion.se(),
              100.0 * motion.ppv());
  ASSERT_GT(rest.tp + rest.fn, 600);
  EXPECT_GE(rest.se(), 0.99);
  EXPECT_GE(rest.ppv(), 0.99);
  // Motion artifact as large as a QRS: many beats are missed and many artifacts counted.
  EXPECT_GE(motion.se(), 0.5);
  EXPECT_LT(motion.ppv(), 0.95);
  // The artifact's false calls, as on real monitors; none at rest. Each carries what a smart
  // monitor needs to doubt it: the motion flag and a signal quality below 0.5.
  int during = 0;
  double best = 0.0;
  for (const ArrhythmiaCall& c : a.calls) {
    if (!c.start) continue;
    EXPECT_GE(c.onset, sim::Time::from_s(900)) << harness::arrhythmia_name(c.kind) << " at rest";
    EXPECT_TRUE(c.motion);
    best = std::max(best, c.signal_quality);
    ++during;
  }
  std::printf("under motion: %d false calls, signal quality at most %.2f\n", during, best);
  EXPECT_GT(during, 10);
  EXPECT_LT(best, 0.5);
}

TEST(ArrhythmiaAnalyzer, CallsAgreeWithTheCincGroundTruthOverEightPatients) {
  // Eight patients (fixed seeds), 20 min each: sinus at 60-95 bpm with 30 PVCs/h, a VT, an
  // asystole, a VF, an extreme bradycardia and an extreme tachycardia. Every ground-truth event
  // must be called (same kind, confirmed at or after its onset and within the definition's delay
  // plus one VT cycle), and every call must belong to a ground-truth event.
  using physiology::EventClass;
  const std::vector<std::pair<EventClass, Arrhythmia>> kinds{
      {EventClass::asystole, Arrhythmia::asystole},
      {EventClass::extreme_bradycardia, Arrhythmia::extreme_bradycardia},
      {EventClass::extreme_tachycardia, Arrhythmia::extreme_tachycardia},
      {EventClass::ventricular_tachycardia, Arrhythmia::ventricular_tachycardia},
      {EventClass::ventricular_fibrillation, Arrhythmia::ventricular_fibrillation}};
  int events = 0, detected = 0, calls = 0, false_calls = 0;
  double worst_delay = 0.0;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    TraceSpec spec;
    spec.id = "cohort" + std::to_string(seed);
    spec.seed = 60 + seed;
    spec.seconds = 20 * 60;
    const double sinus = 60.0 + 5.0 * static_cast<double>(seed);
    spec.mean_hr_bpm = [sinus](double t) { return t >= 840 && t < 900 ? 35.0 : t >= 1020 && t < 1080 ? 165.0 : sinus; };
    spec.rhythm.pvc_per_hour = 30.0;
    const double vt_bpm = 150.0 + 7.0 * static_cast<double>(seed);
    spec.rhythm.episodes.push_back({Rhythm::ventricular_tachycardia, sim::Time::from_s(300), sim::Time::from_s(315), vt_bpm});
    spec.rhythm.episodes.push_back({Rhythm::asystole, sim::Time::from_s(480), sim::Time::from_s(486)});
    spec.rhythm.episodes.push_back({Rhythm::ventricular_fibrillation, sim::Time::from_s(660), sim::Time::from_s(675)});
    const Trace trace = make_trace(spec);
    const Analysis a = analyse_trace(trace);
    for (const auto& [truth_class, kind] : kinds) {
      const auto truth = truth_of(trace, truth_class);
      const auto starts = of_kind(a.calls, kind);
      for (const auto& e : truth) {
        ++events;
        const auto hit = std::find_if(starts.begin(), starts.end(), [&](const ArrhythmiaCall& c) {
          return c.confirmed >= e.onset && c.confirmed <= e.onset + sim::Time::from_ms(1200);
        });
        if (hit != starts.end()) {
          ++detected;
          worst_delay = std::max(worst_delay, (hit->confirmed - e.onset).seconds());
        } else {
          std::printf("%s: missed %s at %.2f s\n", spec.id.c_str(), std::string(harness::arrhythmia_name(kind)).c_str(),
                      e.onset.seconds());
        }
      }
      for (const ArrhythmiaCall& c : starts) {
        ++calls;
        const bool explained = std::any_of(truth.begin(), truth.end(), [&](const physiology::GroundTruthEvent& e) {
          return c.confirmed >= e.onset && c.confirmed <= e.offset + sim::Time::from_s(2);
        });
        if (!explained) {
          ++false_calls;
          print_calls("unexplained", {c});
        }
      }
    }
    EXPECT_EQ(count_of(a.calls, Arrhythmia::atrial_fibrillation), 0U) << spec.id;
  }
  std::printf("8 patients: %d ground-truth events, %d called (worst delay %.2f s); %d calls, %d unexplained\n", events,
              detected, worst_delay, calls, false_calls);
  EXPECT_GE(events, 40);  // 5 classes x 8 patients, more if a rate hovers at its limit
  EXPECT_EQ(detected, events);
  EXPECT_EQ(false_calls, 0);
}
