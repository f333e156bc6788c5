#include "physiology/Patient.hpp"

#include <algorithm>
#include <utility>

namespace twinbed::physiology {
namespace {

std::vector<ConditionSpec> draw_patient_conditions(const PatientSpec& spec, sim::Time run_end, std::uint64_t seed,
                                                   std::uint32_t replication, const std::string& id) {
  sim::RandomStream rng(seed, replication, id, "conditions");
  return draw_conditions(spec.conditions, run_end, rng);
}

Profile draw_patient_profile(const PatientSpec& spec, std::uint64_t seed, std::uint32_t replication,
                             const std::string& id) {
  sim::RandomStream rng(seed, replication, id, "profile");
  return draw_profile(spec.profile, rng);
}

}  // namespace

Patient::Patient(std::string id, const PatientSpec& spec, sim::Time run_end, std::uint64_t master_seed,
                 std::uint32_t replication)
    : id_(std::move(id)),
      conditions_(draw_patient_conditions(spec, run_end, master_seed, replication, id_), events_),
      vitals_model_(draw_patient_profile(spec, master_seed, replication, id_), spec.vitals, id_, master_seed,
                    replication, &conditions_),
      glucose_(spec.glucose, id_, master_seed, replication),
      detector_(events_, spec.definitions),
      beats_(spec.rhythm, spec.beats, run_end, master_seed, replication, id_),
      arrhythmias_(beats_.episodes(), events_),
      tee_(beats_, arrhythmias_, spec.ecg),
      boluses_u_(spec.boluses_u),
      step_(spec.vitals.step) {
  std::stable_sort(boluses_u_.begin(), boluses_u_.end(), [](const Meal& a, const Meal& b) { return a.time < b.time; });
  if (spec.ecg) {
    ecg_ = std::make_unique<EcgSynthesizer>(spec.ecg_params, tee_, beats_.episodes(),
                                            sim::RandomStream(master_seed, replication, id_, "ecg"));
  }
}

void Patient::step(sim::Time t) {
  vitals_model_.advance_to(t);
  // A bolus due by t is infused over the minute after the glucose model's current minute.
  while (next_bolus_ < boluses_u_.size() && boluses_u_[next_bolus_].time <= t) {
    glucose_.deliver_bolus_u(boluses_u_[next_bolus_++].grams);
  }
  glucose_.advance_to(t);
  conditions_.advance_to(t);
  vitals_ = vitals_model_.current();
  vitals_.glucose_mg_dl = glucose_.plasma_glucose_mg_dl();
  detector_.observe(t, vitals_);
  beats_.set_mean_heart_rate(vitals_.heart_rate_bpm);
  tee_.generate_until(t);
  arrhythmias_.advance_to(t);
}

void Patient::advance_to(sim::Time t) {
  if (!started_) {
    started_ = true;
    step(time_);
  }
  while (time_ + step_ <= t) {
    time_ += step_;
    step(time_);
  }
}

double Patient::value(Signal signal) const {
  switch (signal) {
    case Signal::heart_rate: return vitals_.heart_rate_bpm;
    case Signal::spo2: return vitals_.spo2_percent;
    case Signal::respiration_rate: return vitals_.respiration_rate_per_min;
    case Signal::systolic_bp: return vitals_.systolic_mmhg;
    case Signal::diastolic_bp: return vitals_.diastolic_mmhg;
    case Signal::mean_bp: return vitals_.mean_arterial_mmhg;
    case Signal::core_temperature: return vitals_.core_temperature_c;
    case Signal::skin_temperature: return vitals_.skin_temperature_c;
    case Signal::weight: return vitals_.weight_kg;
    case Signal::glucose: return vitals_.glucose_mg_dl;
    case Signal::interstitial_glucose: return glucose_.interstitial_glucose_mg_dl();
  }
  return 0.0;
}

void Patient::finish(sim::Time run_end) {
  advance_to(run_end);
  conditions_.finish(run_end);
  detector_.finish(run_end);
  arrhythmias_.finish(run_end);
}

std::vector<Beat> Patient::take_beats() { return tee_.take_recorded(); }

Beat Patient::BeatTee::generate() {
  const Beat beat = generator_.next_beat();
  detector_.on_beat(beat);
  last_r_ = beat.r_time;
  has_last_ = true;
  if (keep_) {
    pending_.push_back(beat);
    recorded_.push_back(beat);
  }
  return beat;
}

void Patient::BeatTee::generate_until(sim::Time t) {
  // Generates one beat past `t`, so every beat at or before `t` has reached the detector.
  while (!has_last_ || last_r_ <= t) generate();
}

Beat Patient::BeatTee::next_beat() {
  if (ecg_cursor_ == pending_.size()) generate();
  const Beat beat = pending_[ecg_cursor_++];
  // Drop what the ECG has consumed, in blocks, so the buffer stays small without per-beat moves.
  constexpr std::size_t TRIM = 256;
  if (ecg_cursor_ >= TRIM) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(ecg_cursor_));
    ecg_cursor_ = 0;
  }
  return beat;
}

std::vector<Beat> Patient::BeatTee::take_recorded() { return std::exchange(recorded_, {}); }

}  // namespace twinbed::physiology
