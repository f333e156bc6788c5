#include "harness/GroundTruthSampler.hpp"

namespace twinbed::harness {
namespace {
// After the devices' events at the same instant: ground truth observes, it does not interfere.
constexpr sim::Priority GROUND_TRUTH_PRIORITY = 100;
}  // namespace

GroundTruthSampler::GroundTruthSampler(const Scenario& scenario, World& world, Hdf5Recorder& recorder,
                                       sim::Simulator& simulator)
    : world_(world), recorder_(recorder), simulator_(simulator), interval_(scenario.record.ground_truth_interval),
      end_(scenario.duration) {
  for (std::size_t i = 0; i < world.patients().size(); ++i) {
    if (world.patients()[i]->ecg() != nullptr) ecg_patients_.push_back(static_cast<std::uint32_t>(i));
  }
  ecg_rendered_.assign(ecg_patients_.size(), 0);
}

void GroundTruthSampler::start() {
  if (interval_ > sim::Time::zero()) {
    simulator_.schedule_at(simulator_.now(), [this]() { sample_vitals(); }, GROUND_TRUTH_PRIORITY);
  }
  if (!ecg_patients_.empty()) simulator_.schedule_in(ECG_BLOCK, [this]() { ecg_tick(); }, GROUND_TRUTH_PRIORITY);
}

void GroundTruthSampler::ecg_tick() {
  render_ecg(simulator_.now());
  simulator_.schedule_in(ECG_BLOCK, [this]() { ecg_tick(); }, GROUND_TRUTH_PRIORITY);
}

void GroundTruthSampler::sample_vitals() {
  const sim::Time now = simulator_.now();
  const auto& patients = world_.patients();
  for (std::size_t i = 0; i < patients.size(); ++i) {
    patients[i]->advance_to(now);
    recorder_.record_vitals(static_cast<std::uint32_t>(i), now, *patients[i]);
  }
  simulator_.schedule_in(interval_, [this]() { sample_vitals(); }, GROUND_TRUTH_PRIORITY);
}

void GroundTruthSampler::render_ecg(sim::Time upto) {
  for (std::size_t k = 0; k < ecg_patients_.size(); ++k) {
    const std::uint32_t index = ecg_patients_[k];
    physiology::Patient& patient = *world_.patients()[index];
    patient.advance_to(upto);
    physiology::EcgSynthesizer& ecg = *patient.ecg();
    const std::int64_t end = ecg.sample_at_or_after(upto);  // samples strictly before `upto`
    if (end > ecg_rendered_[k]) {
      buffer_.resize(static_cast<std::size_t>(end - ecg_rendered_[k]));
      patient.ecg(ecg_rendered_[k], buffer_);  // through the patient's ring, shared with devices
      recorder_.record_ecg(index, buffer_);
      ecg_rendered_[k] = end;
    }
    // Beats are generated one ahead of the patient's time: keep the ones inside the run.
    std::vector<physiology::Beat> beats = patient.take_beats();
    std::erase_if(beats, [this](const physiology::Beat& b) { return b.r_time >= end_; });
    recorder_.record_beats(index, beats, ecg.sample_rate_hz());
  }
}

void GroundTruthSampler::finish(sim::Time end) {
  for (const auto& patient : world_.patients()) patient->finish(end);
  if (!ecg_patients_.empty()) render_ecg(end);
}

}  // namespace twinbed::harness
