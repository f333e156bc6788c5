#pragma once
// physiology::GlucoseSystem: the blood glucose of one patient, advanced in 1-minute steps.
// Two kinds (docs/models/glucose.md):
//  - type1_diabetes: the UVA/Padova model (physiology/UvaPadova.hpp) of one of the 30 virtual
//    patients, on constant basal insulin (u2ss) and optionally basal-bolus meal therapy;
//  - non_diabetic: fasting glucose plus a fixed-shape excursion per meal, sized to CGM studies of
//    healthy adults, so that ground truth exists for every patient.
// Meals come from an explicit list and/or a daily meal plan drawn per day from the stream
// (master seed, replication, patient id, "meals"), so one patient's meals never depend on others.
//
// Insulin interface for a pump or a controller (T1D only; ignored by the non-diabetic model):
// set_basal_u_per_min() replaces the basal rate from the next minute on; deliver_bolus_u() is
// infused during the next simulated minute (as simglucose delivers a bolus: units / 1 min on top of
// the basal rate). take_meal_announcement() pops, oldest first, the meals whose eating has started.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "physiology/UvaPadova.hpp"
#include "sim/RandomStream.hpp"
#include "sim/Time.hpp"

namespace twinbed::physiology {

enum class GlucoseKind { type1_diabetes, non_diabetic };

// basal: constant basal insulin only (u2ss, until set_basal_u_per_min changes it).
// basal_bolus: plus, when a meal starts, bolus = carbs/CR + (BG > 150 ? (BG - 140)/CF : 0) U,
// rounded to the pump's 0.05 U increment (spec section 1; simglucose pump_params.csv inc_bolus).
enum class T1dTherapy { basal, basal_bolus };

// A meal starting at `time`; eaten at 5 g/min (spec: 50 g -> 10 minutes).
struct Meal {
  sim::Time time;
  double grams = 0.0;
};

// One line of a daily meal plan: each day the meal happens with `probability`, at a time of day
// ~ Normal(mean, sd) clamped to mean +/- 2 sd and to the day, with Normal(mean, sd) grams clamped
// at 0 (a meal of 0 g is skipped).
struct MealPlanEntry {
  std::string name;
  double probability = 1.0;
  double time_of_day_mean_min = 0.0;
  double time_of_day_sd_min = 0.0;
  double grams_mean = 0.0;
  double grams_sd = 0.0;
};

// simglucose's RandomScenario (Jinyu Xie, MIT): breakfast, snack, lunch, snack, dinner, snack with
// probabilities 0.95/0.3, times 7:00, 9:30, 12:00, 15:00, 18:00, 21:30 (sd 60/30 min) and
// 45, 10, 70, 10, 80, 10 g (sd 10/5 g).
std::vector<MealPlanEntry> default_meal_plan();

// Non-diabetic glucose: G(t) = fasting + sum over meals of
//   rise(g) * (s/tp)^n * exp(n * (1 - s/tp)),  s = minutes since the meal started,
// rise(g) = max_rise * g / (g + half_saturation) (a saturating dose response), and interstitial
// glucose a first-order lag of plasma. Defaults: see docs/models/glucose.md.
struct NonDiabeticParams {
  // Freckmann et al., J Diabetes Sci Technol 1:695, 2007 (CGM of 24 healthy adults): 24-h mean
  // 89.3 mg/dL (day 93.0, night 81.8). Shah et al., J Clin Endocrinol Metab 104:4356, 2019 (153
  // healthy participants): mean 98-99 mg/dL, 96 % of time in 70-140 mg/dL.
  double fasting_mg_dl = 90.0;
  // Freckmann 2007: after 50 g of fast-absorbed carbohydrate, peaks of 133-137 mg/dL (about
  // +40-45 mg/dL) with a mean time to peak of 46-50 min; the day's highest peak 132 +/- 17 mg/dL.
  // max_rise and half_saturation are our choice (no paper gives the dose response): they put 50 g
  // at +43.8 mg/dL (Freckmann's figure) and let larger meals saturate (75 g -> +50, 100 g -> +54).
  double max_rise_mg_dl = 70.0;
  double half_saturation_g = 30.0;
  double time_to_peak_min = 50.0;  // Freckmann 2007: 46-50 min
  double shape_order = 3.0;        // n = 3: 7 % of the peak left at 150 min, 2 % at 180 min
  // Plasma-to-interstitial delay of 5-6 min in healthy adults (Basu et al., Diabetes 62:4083, 2013).
  double interstitial_lag_min = 6.0;
};

// The non-diabetic rise (mg/dL) `minutes_since_start` after a meal of `grams` started (0 before).
double non_diabetic_rise_mg_dl(const NonDiabeticParams& params, double grams, double minutes_since_start);

struct GlucoseConfig {
  GlucoseKind kind = GlucoseKind::type1_diabetes;
  std::string uva_padova_patient = "adolescent#001";  // T1D: a name of uva_padova_patients()
  T1dTherapy therapy = T1dTherapy::basal;
  std::vector<Meal> meals;               // explicit meals, any order
  std::vector<MealPlanEntry> meal_plan;  // drawn per day; empty = no planned meals
  NonDiabeticParams non_diabetic;
};

// What happened, for ground truth.
struct MealRecord {
  sim::Time time;         // eating started (start of the simulated minute)
  double grams = 0.0;
  int plan_entry = -1;    // index into GlucoseConfig::meal_plan; -1 for an explicit meal
};
struct BolusRecord {
  sim::Time time;         // start of the minute over which the bolus was infused
  double units = 0.0;
  bool from_therapy = false;  // true: the basal-bolus therapy; false: deliver_bolus_u()
};

class GlucoseSystem {
public:
  // `entity` is the patient's stable id (keys the "meals" stream). Throws std::invalid_argument
  // for an unknown UVA/Padova patient name or an invalid meal or plan entry.
  GlucoseSystem(const GlucoseConfig& config, std::string_view entity, std::uint64_t master_seed,
                std::uint32_t replication);

  // Steps whole minutes until time() == floor(t / 1 min) minutes. t must not go back.
  void advance_to(sim::Time t);
  sim::Time time() const { return sim::Time::from_min(minute_); }

  double plasma_glucose_mg_dl() const;
  double interstitial_glucose_mg_dl() const;

  // Insulin interface (see the file comment).
  void deliver_bolus_u(double units);
  void set_basal_u_per_min(double rate);
  double basal_u_per_min() const { return basal_u_per_min_; }

  std::optional<MealRecord> take_meal_announcement();
  std::span<const MealRecord> meals_eaten() const { return meals_eaten_; }
  std::span<const BolusRecord> boluses() const { return boluses_; }

  GlucoseKind kind() const { return config_.kind; }
  // The UVA/Padova patient (T1D), nullptr for a non-diabetic patient.
  const UvaPadovaPatient* uva_padova_patient() const { return patient_; }

private:
  void step_minute();
  void plan_day(std::int64_t day);
  double non_diabetic_plasma_mg_dl(double minute) const;

  GlucoseConfig config_;
  const UvaPadovaPatient* patient_ = nullptr;
  std::optional<UvaPadovaModel> model_;
  sim::RandomStream meal_stream_;
  std::int64_t minute_ = 0;          // minutes simulated so far
  std::size_t next_explicit_ = 0;    // into config_.meals (sorted by time)
  std::vector<MealRecord> day_meals_;  // the current day's planned meals, sorted by time
  std::size_t next_day_meal_ = 0;
  double pending_carbs_g_ = 0.0;     // announced but not yet eaten
  double pending_bolus_u_ = 0.0;     // to infuse during the next minute
  double basal_u_per_min_ = 0.0;
  double nd_interstitial_mg_dl_ = 0.0;
  std::vector<MealRecord> meals_eaten_;
  std::vector<BolusRecord> boluses_;
  std::size_t announcements_taken_ = 0;
};

}  // namespace twinbed::physiology
