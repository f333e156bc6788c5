// Throughput of the UVA/Padova model (physiology/UvaPadova.hpp): one iteration is one patient-day,
// 1440 calls of step_minute with a 50 g meal eaten at 5 g/min from minute 60, on basal insulin.
// items/s is patient-days per second on one core (target >= 1000 in a Release build).
//
//   BM_UvaPadovaPatientDay/<i>   patient i of the table (0 = adolescent#001, 10 = adult#001,
//                                20 = child#001); the model restarts from x0 every day.
//   BM_GlucoseSystemPatientDay   the same day through GlucoseSystem (meal scheduling, therapy).
#include <benchmark/benchmark.h>

#include "physiology/Glucose.hpp"
#include "physiology/UvaPadova.hpp"

namespace twinbed::physiology {
namespace {

constexpr int MINUTES_PER_DAY = 1440;

void BM_UvaPadovaPatientDay(benchmark::State& state) {
  const UvaPadovaPatient& patient = uva_padova_patients()[static_cast<std::size_t>(state.range(0))];
  for (auto _ : state) {
    UvaPadovaModel model(patient.params);
    const double basal = model.basal_u_per_min();
    for (int minute = 0; minute < MINUTES_PER_DAY; ++minute) {
      model.step_minute(minute >= 60 && minute < 70 ? 5.0 : 0.0, basal);
    }
    benchmark::DoNotOptimize(model.state());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(patient.name));
}
BENCHMARK(BM_UvaPadovaPatientDay)->Arg(0)->Arg(10)->Arg(20);

void BM_GlucoseSystemPatientDay(benchmark::State& state) {
  GlucoseConfig config;
  config.therapy = T1dTherapy::basal_bolus;
  config.meals = {{sim::Time::from_min(60), 50.0}};
  for (auto _ : state) {
    GlucoseSystem system(config, "p0001", 1, 0);
    system.advance_to(sim::Time::from_days(1));
    benchmark::DoNotOptimize(system.plasma_glucose_mg_dl());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GlucoseSystemPatientDay);

}  // namespace
}  // namespace twinbed::physiology

BENCHMARK_MAIN();
