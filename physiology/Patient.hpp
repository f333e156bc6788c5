#pragma once
// physiology::Patient: one virtual patient, composed of its models. It advances lazily on the
// vitals grid (advance_to), so what a device sees never depends on when or how often it looks:
//
//   Profile (drawn once) -> VitalsModel <- ConditionSet (deteriorations)
//   GlucoseSystem (UVA/Padova T1D or non-diabetic) -> VitalSigns.glucose
//   BeatGenerator (rhythm) -> ArrhythmiaDetector (CinC 2015) [-> EcgSynthesizer when ECG is needed]
//   true VitalSigns -> GroundTruthDetector (thresholds, NEWS2) -> ground-truth events
//
// Every model draws from streams keyed by the patient's stable id, so patient p0017 is the same
// patient whatever else the cohort contains.
#include <memory>
#include <string>
#include <vector>

#include "physiology/CinC2015.hpp"
#include "physiology/Conditions.hpp"
#include "physiology/Ecg.hpp"
#include "physiology/Glucose.hpp"
#include "physiology/GroundTruth.hpp"
#include "physiology/GroundTruthDetector.hpp"
#include "physiology/Profile.hpp"
#include "physiology/Rhythm.hpp"
#include "physiology/Signal.hpp"
#include "physiology/Vitals.hpp"

namespace twinbed::physiology {

// What a cohort entry says about its patients; each patient draws its own values from it.
struct PatientSpec {
  ProfileSpec profile = default_profile_spec(ProfileKind::adult);
  VitalsModelParams vitals;
  std::vector<ConditionPrevalence> conditions;
  GlucoseConfig glucose = non_diabetic_glucose();
  RhythmSchedule rhythm;
  BeatModelParams beats;
  GroundTruthDefinitions definitions;
  // Scripted insulin boluses (units at a time), on top of any therapy: e.g. an overdose for a
  // hypoglycaemia scenario. Sorted by time.
  std::vector<Meal> boluses_u;  // Meal{time, units}: the same (time, amount) pair
  bool ecg = false;  // synthesise the ECG waveform (only patients whose devices or records need it)
  EcgParams ecg_params;

  static GlucoseConfig non_diabetic_glucose() {
    GlucoseConfig config;
    config.kind = GlucoseKind::non_diabetic;
    config.meal_plan = default_meal_plan();
    return config;
  }
};

class Patient final : public SignalSource {
public:
  // How far past its grid time the patient has generated its beats: covers the vitals step (1 s)
  // plus the ECG synthesizer's reach (a beat's waves start up to 0.6 s before its R peak).
  static constexpr sim::Time BEAT_LOOKAHEAD = sim::Time::from_ms(2500);

  // `run_end` bounds the rhythm schedule and the conditions' draws. Throws std::invalid_argument
  // for an inconsistent spec (e.g. an unknown UVA/Padova patient).
  Patient(std::string id, const PatientSpec& spec, sim::Time run_end, std::uint64_t master_seed,
          std::uint32_t replication);
  Patient(const Patient&) = delete;
  Patient& operator=(const Patient&) = delete;

  const std::string& id() const { return id_; }
  const Profile& profile() const { return vitals_model_.profile(); }
  const std::vector<ConditionSpec>& conditions() const { return conditions_.specs(); }
  const VitalSigns& vitals() const { return vitals_; }
  sim::Time time() const { return time_; }

  void advance_to(sim::Time t) override;
  double value(Signal signal) const override;
  std::uint8_t skin_type() const override { return profile().fitzpatrick_type; }
  Activity activity() const override { return vitals_.activity; }
  sim::Time activity_since() const override { return activity_since_; }
  void beats(sim::Time from, sim::Time to, std::vector<PulseMark>& out) const override;
  // Served from a ring of the last SENSOR_HISTORY, so the recorder and several devices can read
  // the one synthesizer, each at its own pace.
  bool ecg(std::int64_t first_sample, std::span<float> out) override;
  double ecg_sample_rate_hz() const override { return ecg_ ? ecg_->sample_rate_hz() : 0.0; }
  std::optional<InsulinTherapy> insulin_therapy() const override;
  void deliver_bolus_u(double units) override { glucose_.deliver_bolus_u(units); }
  void set_basal_u_per_min(double rate) override { glucose_.set_basal_u_per_min(rate); }
  double take_meal_announcements_g() override;

  // Closes every open ground-truth event at `run_end` (after advance_to(run_end)).
  void finish(sim::Time run_end);
  const std::vector<GroundTruthEvent>& events() const { return events_.events; }

  GlucoseSystem& glucose() { return glucose_; }
  const GlucoseSystem& glucose() const { return glucose_; }
  VitalsModel& vitals_model() { return vitals_model_; }

  // ECG (only when the spec asked for it; nullptr otherwise). Render forward with
  // ecg()->render(first_sample, out) for samples up to the time advanced to.
  EcgSynthesizer* ecg() { return ecg_.get(); }
  // The beats generated so far and not yet taken (R-peak, class): for /ground_truth/beats.
  std::vector<Beat> take_beats();

private:
  // Hands every beat to the arrhythmia detector once, buffers them for the ECG and the recorder.
  class BeatTee final : public BeatSource {
  public:
    BeatTee(BeatGenerator& generator, ArrhythmiaDetector& detector, bool keep) : generator_(generator),
                                                                               detector_(detector), keep_(keep) {}
    Beat next_beat() override;   // the ECG's cursor: replays buffered beats, then generates
    void generate_until(sim::Time t);  // ground truth keeps up even without an ECG
    std::vector<Beat> take_recorded();
    // Every beat of the last SENSOR_HISTORY (and a little more), oldest first.
    const std::vector<PulseMark>& recent() const { return recent_; }

  private:
    Beat generate();
    BeatGenerator& generator_;
    ArrhythmiaDetector& detector_;
    bool keep_;                    // buffer beats for the ECG and the recorder
    std::vector<Beat> pending_;    // generated, not yet handed to the ECG
    std::size_t ecg_cursor_ = 0;
    std::vector<Beat> recorded_;   // generated, not yet taken by take_beats()
    std::vector<PulseMark> recent_;
    sim::Time last_r_ = sim::Time::zero();
    bool has_last_ = false;
  };

  void step(sim::Time t);

  std::string id_;
  EventLog events_;
  ConditionSet conditions_;
  VitalsModel vitals_model_;
  GlucoseSystem glucose_;
  GroundTruthDetector detector_;
  BeatGenerator beats_;
  ArrhythmiaDetector arrhythmias_;
  BeatTee tee_;
  std::unique_ptr<EcgSynthesizer> ecg_;
  std::vector<float> ecg_ring_;      // the last ecg_ring_.size() samples, indexed sample % size
  std::int64_t ecg_ring_end_ = 0;    // samples rendered so far
  sim::Time activity_since_ = sim::Time::zero();
  VitalSigns vitals_;
  std::vector<Meal> boluses_u_;
  std::size_t next_bolus_ = 0;
  sim::Time step_;
  sim::Time run_end_;
  sim::Time time_ = sim::Time::zero();
  bool started_ = false;
};

}  // namespace twinbed::physiology
