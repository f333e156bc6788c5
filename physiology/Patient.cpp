#include "physiology/Patient.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
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
      step_(spec.vitals.step), run_end_(run_end) {
  std::stable_sort(boluses_u_.begin(), boluses_u_.end(), [](const Meal& a, const Meal& b) { return a.time < b.time; });
  if (spec.ecg) {
    ecg_ = std::make_unique<EcgSynthesizer>(spec.ecg_params, tee_, beats_.episodes(),
                                            sim::RandomStream(master_seed, replication, id_, "ecg"));
    ecg_ring_.assign(static_cast<std::size_t>(std::ceil(SENSOR_HISTORY.seconds() * ecg_->sample_rate_hz())), 0.0F);
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
  const Activity previous_activity = vitals_.activity;
  vitals_ = vitals_model_.current();
  if (vitals_.activity != previous_activity) activity_since_ = t;
  vitals_.glucose_mg_dl = glucose_.plasma_glucose_mg_dl();
  detector_.observe(t, vitals_);
  beats_.set_mean_heart_rate(vitals_.heart_rate_bpm);
  // Beats are generated a fixed lookahead past the grid point, so every beat and ECG sample a
  // device asks for between grid points already exists: what a patient's heart does never depends
  // on when or whether a device looks (without the lookahead, an early look would generate the
  // next beat with an older mean rate).
  tee_.generate_until(std::min(t + BEAT_LOOKAHEAD, run_end_));
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
    // What devices report about themselves has no true physiological value.
    case Signal::perfusion_index:
    case Signal::battery_level:
    case Signal::device_alert:
    case Signal::insulin_basal_rate:
    case Signal::insulin_bolus:
    case Signal::infusion_rate:
    case Signal::lead_impedance:
    case Signal::af_burden:
    case Signal::ecg: return 0.0;
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

void Patient::beats(sim::Time from, sim::Time to, std::vector<PulseMark>& out) const {
  const std::vector<PulseMark>& recent = tee_.recent();
  auto it = std::lower_bound(recent.begin(), recent.end(), from,
                             [](const PulseMark& mark, sim::Time t) { return mark.r_time < t; });
  const std::size_t first = out.size();
  for (; it != recent.end() && it->r_time < to; ++it) out.push_back(*it);
  bool fibrillation = false;
  for (const RhythmEpisode& e : beats_.episodes()) {
    if (e.rhythm != Rhythm::ventricular_fibrillation || e.end <= from || e.start >= to) continue;
    fibrillation = true;
    // Waves on the episode's own grid, so every reader sees the same ones.
    const std::int64_t k0 = from > e.start ? (from - e.start).ns() / FIBRILLATION_CYCLE.ns() : 0;
    for (sim::Time w = e.start + sim::Time::from_ns(k0 * FIBRILLATION_CYCLE.ns()); w < std::min(e.end, to);
         w += FIBRILLATION_CYCLE) {
      if (w >= from) out.push_back(PulseMark{w, 0.0F, true, true});
    }
  }
  if (fibrillation) {
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
              [](const PulseMark& a, const PulseMark& b) { return a.r_time < b.r_time; });
  }
}

bool Patient::ecg(std::int64_t first_sample, std::span<float> out) {
  if (!ecg_) return false;
  const auto ring = static_cast<std::int64_t>(ecg_ring_.size());
  const std::int64_t end = first_sample + static_cast<std::int64_t>(out.size());
  if (first_sample < ecg_ring_end_ - ring || end - first_sample > ring) {
    throw std::logic_error("ECG samples requested outside the patient's history");
  }
  // Render forward into the ring in pieces that do not wrap.
  while (ecg_ring_end_ < end) {
    const std::int64_t at = ecg_ring_end_ % ring;
    const std::int64_t n = std::min(end - ecg_ring_end_, ring - at);
    ecg_->render(ecg_ring_end_, std::span<float>(ecg_ring_.data() + at, static_cast<std::size_t>(n)));
    ecg_ring_end_ += n;
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = ecg_ring_[static_cast<std::size_t>((first_sample + static_cast<std::int64_t>(i)) % ring)];
  }
  return true;
}

std::optional<InsulinTherapy> Patient::insulin_therapy() const {
  const UvaPadovaPatient* patient = glucose_.uva_padova_patient();
  if (patient == nullptr) return std::nullopt;
  return InsulinTherapy{patient->params.u2ss * patient->params.bw_kg / 6000.0, patient->cr_g_per_u, patient->cf_mg_dl_per_u};
}

double Patient::take_meal_announcements_g() {
  double grams = 0.0;
  while (const auto meal = glucose_.take_meal_announcement()) grams += meal->grams;
  return grams;
}

Beat Patient::BeatTee::generate() {
  const Beat beat = generator_.next_beat();
  detector_.on_beat(beat);
  last_r_ = beat.r_time;
  has_last_ = true;
  // Keep SENSOR_HISTORY for devices; trim in blocks so most beats cost no move.
  recent_.push_back(PulseMark{beat.r_time, beat.pulse_amplitude,
                              beat.beat_class == BeatClass::ventricular});
  if (recent_.size() >= 512) {
    const sim::Time keep_from = beat.r_time - SENSOR_HISTORY - sim::Time::from_s(5);
    std::erase_if(recent_, [keep_from](const PulseMark& mark) { return mark.r_time < keep_from; });
  }
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
