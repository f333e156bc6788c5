// Throughput of the 1 Hz vitals model (no ECG): one patient-day is 86,400 steps of 1 s.
// The requirement is 1,000 patient-days in < 10 s on one core in Release, i.e. > 100
// patient-days/s; items/s below is patient-days per second. See docs/models/vitals.md.
//
//   BM_VitalsPatientDay            a healthy adult with the activity chain.
//   BM_VitalsPatientDaySepsis      the same with sepsis and COPD active (ConditionSet effects).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "physiology/Conditions.hpp"
#include "physiology/Patient.hpp"
#include "physiology/Profile.hpp"
#include "physiology/Vitals.hpp"

namespace twinbed::physiology {
namespace {

using namespace sim::literals;

void run_patient_days(benchmark::State& state, const std::vector<ConditionSpec>& specs) {
  sim::RandomStream profile_rng(2024, 0, "p0001", "profile");
  const Profile profile = draw_profile(default_profile_spec(ProfileKind::adult), profile_rng);
  EventLog log;
  ConditionSet conditions(specs, log);
  std::uint32_t replication = 0;
  double checksum = 0.0;
  for (auto _ : state) {
    VitalsModel model(profile, VitalsModelParams{}, "p0001", 2024, replication++, specs.empty() ? nullptr : &conditions);
    model.advance_to(1_d);
    checksum += model.current().heart_rate_bpm;
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(state.iterations());  // patient-days
}

void BM_VitalsPatientDay(benchmark::State& state) { run_patient_days(state, {}); }

void BM_VitalsPatientDaySepsis(benchmark::State& state) {
  run_patient_days(state, {default_condition_course(ConditionType::copd, 0_s),
                           default_condition_course(ConditionType::sepsis, 2_h)});
}

// The whole patient (vitals, conditions, glucose, beats and CinC detection, NEWS2 and threshold
// ground truth every second), without ECG samples: what a run pays per patient-day.
void BM_PatientDay(benchmark::State& state) {
  std::uint32_t replication = 0;
  double checksum = 0.0;
  for (auto _ : state) {
    Patient patient("p0001", PatientSpec{}, 1_d, 2024, replication++);
    patient.finish(1_d);
    checksum += patient.value(Signal::heart_rate);
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(state.iterations());  // patient-days
}

BENCHMARK(BM_VitalsPatientDay)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PatientDay)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VitalsPatientDaySepsis)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace twinbed::physiology

BENCHMARK_MAIN();
