#include "harness/PhysiologyLoader.hpp"

#include <algorithm>

namespace twinbed::harness {
namespace {

using physiology::ConditionPrevalence;
using physiology::ConditionType;

// Time of day as a duration since midnight ("7h", "18h30min" is not supported: use "1110min").
double minutes(sim::Time t) { return t.seconds() / 60.0; }

ConditionPrevalence read_condition(const YamlField& field, sim::Time run_duration) {
  const YamlMap map = field.as_map({"type", "prevalence", "onset", "onset_latest", "ramp", "duration", "recovery",
                                    "severity", "severity_max"});
  std::vector<std::string> types;
  for (const ConditionType t : physiology::all_condition_types()) types.emplace_back(physiology::condition_type_name(t));
  const ConditionType type =
      *physiology::condition_type_from_name(map.required("type").as_choice(types, "a condition type"));
  const double prevalence = map.has("prevalence") ? map.get("prevalence").as_probability() : 1.0;
  const sim::Time onset = map.has("onset") ? map.get("onset").as_duration(sim::Time::zero()) : sim::Time::zero();
  ConditionPrevalence entry = physiology::default_prevalence(type, prevalence, onset, onset);
  if (map.has("onset_latest")) {
    const YamlField latest = map.get("onset_latest");
    entry.onset_latest = latest.as_duration(onset);
  }
  if (entry.onset_earliest >= run_duration) {
    map.get("onset").fail("is at or after the end of the run (" + sim::to_string(run_duration) +
                          "); the condition would never start");
  }
  if (map.has("ramp")) entry.ramp = map.get("ramp").as_duration(sim::Time::zero());
  if (map.has("duration")) entry.duration = map.get("duration").as_duration(sim::Time::zero());
  if (map.has("recovery")) entry.recovery = map.get("recovery").as_duration(sim::Time::zero());
  if (map.has("severity")) entry.severity_min = entry.severity_max = map.get("severity").as_number(0.0, 1.0);
  if (map.has("severity_max")) {
    // Alone, severity_max draws from [0, max]; with severity, from [severity, max].
    if (!map.has("severity")) entry.severity_min = 0.0;
    entry.severity_max = map.get("severity_max").as_number(entry.severity_min, 1.0);
  }
  return entry;
}

physiology::RhythmSchedule read_rhythm(const YamlField& field) {
  const YamlMap map = field.as_map({"pvc_per_hour", "af_burden", "af_median_episode", "episodes", "bigeminy"});
  physiology::RhythmSchedule rhythm;
  if (map.has("pvc_per_hour")) rhythm.pvc_per_hour = map.get("pvc_per_hour").as_number(0.0, 3600.0);
  if (map.has("af_burden")) rhythm.paroxysmal_af.burden = map.get("af_burden").as_probability();
  if (map.has("af_median_episode")) {
    rhythm.paroxysmal_af.median_episode = map.get("af_median_episode").as_duration(sim::Time::from_s(10));
  }
  if (map.has("episodes")) {
    // Every rhythm but sinus, by the rhythm model's own names.
    constexpr physiology::Rhythm EPISODE_RHYTHMS[] = {
        physiology::Rhythm::atrial_fibrillation, physiology::Rhythm::ventricular_tachycardia,
        physiology::Rhythm::ventricular_fibrillation, physiology::Rhythm::asystole};
    std::vector<std::string> names;
    for (const physiology::Rhythm r : EPISODE_RHYTHMS) names.emplace_back(physiology::rhythm_name(r));
    for (const YamlField& item : map.get("episodes").as_list()) {
      const YamlMap episode = item.as_map({"rhythm", "start", "duration", "rate"});
      physiology::RhythmEpisode e;
      const std::string name = episode.required("rhythm").as_choice(names, "an episode rhythm");
      e.rhythm = EPISODE_RHYTHMS[std::find(names.begin(), names.end(), name) - names.begin()];
      e.start = episode.required("start").as_duration(sim::Time::zero());
      e.end = e.start + episode.required("duration").as_duration(sim::Time::from_ms(1));
      if (e.rhythm == physiology::Rhythm::ventricular_tachycardia) {
        e.rate_bpm = episode.has("rate") ? episode.get("rate").as_number(101.0, 300.0) : 170.0;
      } else if (episode.has("rate")) {
        episode.get("rate").fail("is only meaningful for ventricular_tachycardia");
      }
      for (const physiology::RhythmEpisode& other : rhythm.episodes) {
        if (e.start < other.end && other.start < e.end) item.fail("<mapping>", "overlaps an earlier episode");
      }
      rhythm.episodes.push_back(e);
    }
  }
  if (map.has("bigeminy")) {
    for (const YamlField& item : map.get("bigeminy").as_list()) {
      const YamlMap interval = item.as_map({"start", "duration"});
      const sim::Time start = interval.required("start").as_duration(sim::Time::zero());
      rhythm.bigeminy.push_back({start, start + interval.required("duration").as_duration(sim::Time::from_s(1))});
    }
  }
  return rhythm;
}

physiology::GlucoseConfig read_glucose(const YamlField& field, std::vector<physiology::Meal>& boluses) {
  const YamlMap map = field.as_map({"model", "patient", "therapy", "meals", "meal_plan", "boluses"});
  physiology::GlucoseConfig config = physiology::PatientSpec::non_diabetic_glucose();
  if (map.has("model")) {
    const std::string model = map.get("model").as_choice({"non_diabetic", "uva_padova"}, "a glucose model");
    config.kind = model == "uva_padova" ? physiology::GlucoseKind::type1_diabetes : physiology::GlucoseKind::non_diabetic;
  }
  if (map.has("patient")) {
    // "all": the cohort's n-th patient is the n-th virtual patient (cycling through the 30).
    std::vector<std::string> names{"all"};
    for (const auto& p : physiology::uva_padova_patients()) names.emplace_back(p.name);
    config.uva_padova_patient = map.get("patient").as_choice(names, "a UVA/Padova virtual patient");
    if (config.kind != physiology::GlucoseKind::type1_diabetes) {
      map.get("patient").fail("needs model: uva_padova");
    }
  }
  if (map.has("therapy")) {
    if (config.kind != physiology::GlucoseKind::type1_diabetes) map.get("therapy").fail("needs model: uva_padova");
    const std::string therapy = map.get("therapy").as_choice({"basal", "basal_bolus"}, "a therapy");
    config.therapy = therapy == "basal_bolus" ? physiology::T1dTherapy::basal_bolus : physiology::T1dTherapy::basal;
  }
  if (map.has("meals")) {
    for (const YamlField& item : map.get("meals").as_list()) {
      const YamlMap meal = item.as_map({"at", "grams"});
      config.meals.push_back({meal.required("at").as_duration(sim::Time::zero()),
                              meal.required("grams").as_number(0.0, 500.0)});
    }
  }
  if (map.has("boluses")) {
    if (config.kind != physiology::GlucoseKind::type1_diabetes) map.get("boluses").fail("needs model: uva_padova");
    for (const YamlField& item : map.get("boluses").as_list()) {
      const YamlMap bolus = item.as_map({"at", "units"});
      boluses.push_back({bolus.required("at").as_duration(sim::Time::zero()),
                         bolus.required("units").as_number(0.0, 50.0)});
    }
  }
  if (map.has("meal_plan")) {
    const YamlField plan = map.get("meal_plan");
    config.meal_plan.clear();  // `meal_plan: []` means no planned meals
    {
      for (const YamlField& item : plan.as_list()) {
        const YamlMap entry = item.as_map({"name", "probability", "time", "time_sd", "grams", "grams_sd"});
        physiology::MealPlanEntry e;
        e.name = entry.has("name") ? entry.get("name").as_string() : "meal";
        e.probability = entry.has("probability") ? entry.get("probability").as_probability() : 1.0;
        e.time_of_day_mean_min = minutes(entry.required("time").as_duration(sim::Time::zero()));
        if (e.time_of_day_mean_min >= 24 * 60) {
          entry.get("time").fail("is not a time of day; expected at least 0s and less than 24h");
        }
        e.time_of_day_sd_min = entry.has("time_sd") ? minutes(entry.get("time_sd").as_duration(sim::Time::zero())) : 0.0;
        e.grams_mean = entry.required("grams").as_number(0.0, 500.0);
        e.grams_sd = entry.has("grams_sd") ? entry.get("grams_sd").as_number(0.0, 200.0) : 0.0;
        config.meal_plan.push_back(e);
      }
    }
  }
  if (config.kind == physiology::GlucoseKind::type1_diabetes && !map.has("meal_plan")) {
    config.meal_plan.clear();  // a T1D validation run eats only what it says, unless a plan is given
  }
  return config;
}

}  // namespace

physiology::PatientSpec read_patient_spec(const YamlMap& cohort, sim::Time run_duration) {
  physiology::PatientSpec spec;
  if (cohort.has("profile")) {
    std::vector<std::string> kinds{"adult", "elderly", "adolescent", "child"};
    spec.profile = physiology::default_profile_spec(
        *physiology::profile_kind_from_name(cohort.get("profile").as_choice(kinds, "a profile")));
  }
  if (cohort.has("skin_types")) {
    // Relative weights of Fitzpatrick types I..VI in the cohort (pulse-oximetry bias depends on it).
    const YamlField field = cohort.get("skin_types");
    const std::vector<YamlField> weights = field.as_list();
    if (weights.size() != 6) field.fail("needs 6 weights, one per Fitzpatrick type I..VI");
    double total = 0.0;
    for (std::size_t i = 0; i < 6; ++i) total += spec.profile.fitzpatrick_weights[i] = weights[i].as_number(0.0, 1e9);
    if (total <= 0.0) field.fail("has no positive weight; at least one type needs a weight above 0");
  }
  if (cohort.has("conditions")) {
    for (const YamlField& item : cohort.get("conditions").as_list()) {
      spec.conditions.push_back(read_condition(item, run_duration));
    }
  }
  if (cohort.has("rhythm")) spec.rhythm = read_rhythm(cohort.get("rhythm"));
  if (cohort.has("glucose")) spec.glucose = read_glucose(cohort.get("glucose"), spec.boluses_u);
  if (cohort.has("ecg")) spec.ecg = cohort.get("ecg").as_bool();
  return spec;
}

}  // namespace twinbed::harness
