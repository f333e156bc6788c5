#include "physiology/Glucose.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

namespace twinbed::physiology {
namespace {

constexpr std::int64_t MINUTES_PER_DAY = 1440;
// Spec section 1 / simglucose T1DPatient._announce_meal: an announced meal is eaten at 5 g/min.
constexpr double EATING_RATE_G_PER_MIN = 5.0;
// Insulin pump bolus increment, 0.05 U (data/uva_padova/pump_params.csv, inc_bolus).
constexpr double PUMP_BOLUS_INCREMENT_U = 0.05;
// Basal-bolus correction (spec section 1): correct above 150 mg/dL towards 140 mg/dL.
constexpr double CORRECTION_THRESHOLD_MG_DL = 150.0;
constexpr double CORRECTION_TARGET_MG_DL = 140.0;
// A non-diabetic meal response is below 1e-6 of its peak after 8 h (n = 3, tp = 50 min).
constexpr double NON_DIABETIC_MEMORY_MIN = 480.0;

void check_plan_entry(const MealPlanEntry& e) {
  const bool ok = e.probability >= 0.0 && e.probability <= 1.0 && e.time_of_day_mean_min >= 0.0 &&
                  e.time_of_day_mean_min < MINUTES_PER_DAY && e.time_of_day_sd_min >= 0.0 &&
                  e.grams_mean >= 0.0 && e.grams_sd >= 0.0;
  if (!ok) {
    throw std::invalid_argument("meal plan entry '" + e.name +
                                "': need probability in [0, 1], time of day mean in [0, 1440) min, "
                                "sd >= 0, grams mean >= 0 and sd >= 0");
  }
}

}  // namespace

std::vector<MealPlanEntry> default_meal_plan() {
  // simglucose RandomScenario (simglucose/simulation/scenario_gen.py, Jinyu Xie, MIT).
  return {
      {"breakfast", 0.95, 7.0 * 60, 60.0, 45.0, 10.0},
      {"morning_snack", 0.3, 9.5 * 60, 30.0, 10.0, 5.0},
      {"lunch", 0.95, 12.0 * 60, 60.0, 70.0, 10.0},
      {"afternoon_snack", 0.3, 15.0 * 60, 30.0, 10.0, 5.0},
      {"dinner", 0.95, 18.0 * 60, 60.0, 80.0, 10.0},
      {"evening_snack", 0.3, 21.5 * 60, 30.0, 10.0, 5.0},
  };
}

double non_diabetic_rise_mg_dl(const NonDiabeticParams& p, double grams, double minutes_since_start) {
  if (minutes_since_start <= 0.0 || grams <= 0.0) return 0.0;
  const double rise = p.max_rise_mg_dl * grams / (grams + p.half_saturation_g);
  const double s = minutes_since_start / p.time_to_peak_min;
  // Gamma-variate shape, 1 at s = 1 (the peak), 0 at s = 0.
  return rise * std::pow(s, p.shape_order) * std::exp(p.shape_order * (1.0 - s));
}

GlucoseSystem::GlucoseSystem(const GlucoseConfig& config, std::string_view entity,
                             std::uint64_t master_seed, std::uint32_t replication)
    : config_(config), meal_stream_(master_seed, replication, entity, "meals") {
  for (const Meal& meal : config_.meals) {
    if (meal.time < sim::Time::zero() || !(meal.grams >= 0.0)) {
      throw std::invalid_argument("meal at " + sim::to_string(meal.time) +
                                  ": need a time >= 0 and grams >= 0");
    }
  }
  for (const MealPlanEntry& entry : config_.meal_plan) check_plan_entry(entry);
  std::stable_sort(config_.meals.begin(), config_.meals.end(),
                   [](const Meal& a, const Meal& b) { return a.time < b.time; });
  day_meals_.reserve(config_.meal_plan.size());
  meals_eaten_.reserve(4 * 64);
  boluses_.reserve(4 * 64);

  if (config_.kind == GlucoseKind::type1_diabetes) {
    patient_ = find_uva_padova_patient(config_.uva_padova_patient);
    if (patient_ == nullptr) {
      std::string valid;
      for (const UvaPadovaPatient& p : uva_padova_patients()) {
        valid += (valid.empty() ? "" : ", ") + std::string(p.name);
      }
      throw std::invalid_argument("unknown UVA/Padova patient '" + config_.uva_padova_patient +
                                  "'; valid: " + valid);
    }
    model_.emplace(patient_->params);
    basal_u_per_min_ = model_->basal_u_per_min();
  } else {
    nd_interstitial_mg_dl_ = config_.non_diabetic.fasting_mg_dl;
  }
}

void GlucoseSystem::advance_to(sim::Time t) {
  const std::int64_t target = t / sim::Time::from_min(1);
  assert(target >= minute_ && "GlucoseSystem::advance_to: time went back");
  while (minute_ < target) step_minute();
}

double GlucoseSystem::plasma_glucose_mg_dl() const {
  return model_ ? model_->plasma_glucose_mg_dl() : non_diabetic_plasma_mg_dl(static_cast<double>(minute_));
}

double GlucoseSystem::interstitial_glucose_mg_dl() const {
  return model_ ? model_->subcutaneous_glucose_mg_dl() : nd_interstitial_mg_dl_;
}

void GlucoseSystem::deliver_bolus_u(double units) {
  assert(units >= 0.0);
  pending_bolus_u_ += units;
  boluses_.push_back({time(), units, false});
}

void GlucoseSystem::set_basal_u_per_min(double rate) {
  assert(rate >= 0.0);
  basal_u_per_min_ = rate;
}

std::optional<MealRecord> GlucoseSystem::take_meal_announcement() {
  if (announcements_taken_ == meals_eaten_.size()) return std::nullopt;
  return meals_eaten_[announcements_taken_++];
}

void GlucoseSystem::plan_day(std::int64_t day) {
  // Every entry consumes the same draws whether or not the meal happens, so a change of one
  // entry's probability does not shift the other entries' times and sizes.
  day_meals_.clear();
  next_day_meal_ = 0;
  for (std::size_t i = 0; i < config_.meal_plan.size(); ++i) {
    const MealPlanEntry& e = config_.meal_plan[i];
    const bool happens = meal_stream_.bernoulli(e.probability);
    double tod = meal_stream_.normal(e.time_of_day_mean_min, e.time_of_day_sd_min);
    const double grams = std::max(meal_stream_.normal(e.grams_mean, e.grams_sd), 0.0);
    tod = std::clamp(tod, e.time_of_day_mean_min - 2.0 * e.time_of_day_sd_min,
                     e.time_of_day_mean_min + 2.0 * e.time_of_day_sd_min);
    tod = std::clamp(std::floor(tod), 0.0, static_cast<double>(MINUTES_PER_DAY - 1));
    if (!happens || grams <= 0.0) continue;
    const sim::Time start = sim::Time::from_min(day * MINUTES_PER_DAY + static_cast<std::int64_t>(tod));
    day_meals_.push_back({start, grams, static_cast<int>(i)});
  }
  // std::sort, not stable_sort: the latter allocates a buffer; ties break on the entry index.
  std::sort(day_meals_.begin(), day_meals_.end(), [](const MealRecord& a, const MealRecord& b) {
    return a.time != b.time ? a.time < b.time : a.plan_entry < b.plan_entry;
  });
}

void GlucoseSystem::step_minute() {
  const sim::Time now = time();
  if (!config_.meal_plan.empty() && minute_ % MINUTES_PER_DAY == 0) plan_day(minute_ / MINUTES_PER_DAY);

  // Meals starting in this minute [now, now + 1 min).
  const sim::Time end = now + sim::Time::from_min(1);
  double starting_g = 0.0;
  for (; next_explicit_ < config_.meals.size() && config_.meals[next_explicit_].time < end; ++next_explicit_) {
    const Meal& meal = config_.meals[next_explicit_];
    if (meal.grams <= 0.0) continue;
    meals_eaten_.push_back({now, meal.grams, -1});
    starting_g += meal.grams;
  }
  for (; next_day_meal_ < day_meals_.size() && day_meals_[next_day_meal_].time < end; ++next_day_meal_) {
    meals_eaten_.push_back(day_meals_[next_day_meal_]);
    starting_g += day_meals_[next_day_meal_].grams;
  }

  if (model_) {
    if (starting_g > 0.0 && config_.therapy == T1dTherapy::basal_bolus) {
      // Spec: bolus = carbs/CR + (BG > 150 ? (BG - 140)/CF : 0), BG the plasma (meter) glucose.
      const double bg = model_->plasma_glucose_mg_dl();
      double bolus_u = starting_g / patient_->cr_g_per_u;
      if (bg > CORRECTION_THRESHOLD_MG_DL) bolus_u += (bg - CORRECTION_TARGET_MG_DL) / patient_->cf_mg_dl_per_u;
      bolus_u = std::round(bolus_u / PUMP_BOLUS_INCREMENT_U) * PUMP_BOLUS_INCREMENT_U;
      if (bolus_u > 0.0) {
        pending_bolus_u_ += bolus_u;
        boluses_.push_back({now, bolus_u, true});
      }
    }
    pending_carbs_g_ += starting_g;
    const double carbs_g = std::min(pending_carbs_g_, EATING_RATE_G_PER_MIN);
    pending_carbs_g_ -= carbs_g;
    // A bolus of B units is infused at B U/min during one minute (simglucose's pump does the same).
    const double insulin_u_per_min = basal_u_per_min_ + pending_bolus_u_;
    pending_bolus_u_ = 0.0;
    model_->step_minute(carbs_g, insulin_u_per_min);
  } else {
    pending_bolus_u_ = 0.0;  // insulin has no effect on the non-diabetic model
    const double before = non_diabetic_plasma_mg_dl(static_cast<double>(minute_));
    const double after = non_diabetic_plasma_mg_dl(static_cast<double>(minute_ + 1));
    // Exact first-order lag over one minute towards the mean plasma level of the minute.
    const double decay = std::exp(-1.0 / config_.non_diabetic.interstitial_lag_min);
    const double target = 0.5 * (before + after);
    nd_interstitial_mg_dl_ = target + (nd_interstitial_mg_dl_ - target) * decay;
  }
  ++minute_;
}

double GlucoseSystem::non_diabetic_plasma_mg_dl(double minute) const {
  const NonDiabeticParams& p = config_.non_diabetic;
  double glucose = p.fasting_mg_dl;
  for (auto it = meals_eaten_.rbegin(); it != meals_eaten_.rend(); ++it) {
    const double since = minute - static_cast<double>(it->time / sim::Time::from_min(1));
    if (since > NON_DIABETIC_MEMORY_MIN) break;
    glucose += non_diabetic_rise_mg_dl(p, it->grams, since);
  }
  return glucose;
}

}  // namespace twinbed::physiology
