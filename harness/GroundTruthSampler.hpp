#pragma once
// harness::GroundTruthSampler: records what really happened. Every record.ground_truth_interval it
// brings each patient up to date and writes a /ground_truth/vitals row; every ECG_BLOCK it renders
// the ECG of the patients that have one and writes their samples and beats. At the end it closes
// every patient's open events. Patients advance lazily anyway, so sampling never changes results.
#include <cstdint>
#include <vector>

#include "harness/Hdf5Recorder.hpp"
#include "harness/Scenario.hpp"
#include "harness/World.hpp"
#include "sim/Simulator.hpp"

namespace twinbed::harness {

class GroundTruthSampler {
public:
  // ECG is rendered in blocks of this much simulated time (2 500 samples at 250 Hz).
  static constexpr sim::Time ECG_BLOCK = sim::Time::from_s(10);

  GroundTruthSampler(const Scenario& scenario, World& world, Hdf5Recorder& recorder, sim::Simulator& simulator);
  void start();
  // Advances every patient to `end`, closes their events and flushes the last ECG samples.
  void finish(sim::Time end);

private:
  void sample_vitals();
  void ecg_tick();
  void render_ecg(sim::Time upto);

  World& world_;
  Hdf5Recorder& recorder_;
  sim::Simulator& simulator_;
  sim::Time interval_;
  sim::Time end_;
  std::vector<std::uint32_t> ecg_patients_;
  std::vector<std::int64_t> ecg_rendered_;  // next sample to render, by position in ecg_patients_
  std::vector<float> buffer_;
};

}  // namespace twinbed::harness
