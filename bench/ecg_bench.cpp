// ECG synthesis throughput (docs/models/ecg.md): items/s = ECG samples per second on one core,
// including beat generation (HRV, PVCs, AF RR draws) and the per-beat Gaussian templates.
// Target: >= 20 M samples/s in Release.
//
//   BM_EcgSinus        sinus 75 bpm with 120 PVCs/h, 250 Hz, rendered 10 s at a time.
//   BM_EcgAf           AF (f-waves on every sample) at 100 bpm, 250 Hz, 10 s at a time.
//   BM_EcgSmallChunks  sinus, rendered 1 s (250 samples) at a time, as a streaming device might.
//   BM_BeatGenerator   beats/s of the rhythm model alone.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "physiology/Ecg.hpp"
#include "physiology/Rhythm.hpp"

namespace twinbed::physiology {
namespace {

using namespace sim::literals;

constexpr double FS = 250.0;

void run_ecg(benchmark::State& state, const RhythmSchedule& schedule, double hr_bpm, std::size_t chunk) {
  BeatGenerator g(schedule, BeatModelParams{}, 1_d, 1, 0, "bench");
  g.set_mean_heart_rate(hr_bpm);
  EcgSynthesizer ecg(EcgParams{FS}, g, g.episodes(), sim::RandomStream(1, 0, "bench", "ecg"));
  std::vector<float> out(chunk);
  std::int64_t next = 0;
  for (auto _ : state) {
    ecg.render(next, out);
    next += static_cast<std::int64_t>(chunk);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(chunk));
}

void BM_EcgSinus(benchmark::State& state) {
  RhythmSchedule s;
  s.pvc_per_hour = 120.0;
  run_ecg(state, s, 75.0, 2500);
}
BENCHMARK(BM_EcgSinus);

void BM_EcgAf(benchmark::State& state) {
  RhythmSchedule s;
  s.episodes.push_back({Rhythm::atrial_fibrillation, 0_s, 400_d, 0.0});
  run_ecg(state, s, 100.0, 2500);
}
BENCHMARK(BM_EcgAf);

void BM_EcgSmallChunks(benchmark::State& state) {
  run_ecg(state, RhythmSchedule{}, 75.0, 250);
}
BENCHMARK(BM_EcgSmallChunks);

void BM_BeatGenerator(benchmark::State& state) {
  BeatGenerator g(RhythmSchedule{}, BeatModelParams{}, 1_d, 1, 0, "bench");
  g.set_mean_heart_rate(75.0);
  for (auto _ : state) benchmark::DoNotOptimize(g.next_beat());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_BeatGenerator);

}  // namespace
}  // namespace twinbed::physiology

BENCHMARK_MAIN();
