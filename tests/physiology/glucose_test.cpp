// Tests of the glucose models (docs/models/glucose.md):
//  - UvaPadovaModel: basal steady state of all 30 patients; golden-trajectory agreement with an
//    independent adaptive Dormand-Prince RK45 oracle (written here, rtol = atol = 1e-8, each minute
//    integrated separately with inputs held constant, as simglucose does); generated-table spot
//    checks against the CSV text.
//  - GlucoseSystem: a basal-bolus day in a clinical band; meal-plan draws (reproducible, per-patient
//    independent, binomial bounds on the probabilities); the non-diabetic model's bounds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "physiology/Glucose.hpp"
#include "physiology/UvaPadova.hpp"
#include "sim/Time.hpp"

namespace twinbed::physiology {
namespace {

using State = UvaPadovaState;
using sim::Time;

// ---------------------------------------------------------------------------------------------
// Oracle: Dormand & Prince (1980) RK5(4)7M with the standard embedded error estimate and step
// control (Hairer, Norsett, Wanner, "Solving ODEs I", 2nd ed., II.4-II.5; scipy's RK45).
class DormandPrinceOracle {
public:
  DormandPrinceOracle(const UvaPadovaParams& params, double rtol, double atol)
      : params_(params), x_(params.x0), rtol_(rtol), atol_(atol) {}

  // One minute with inputs held constant, meal bookkeeping exactly as the production model.
  void step_minute(double carbs_g, double insulin_u_per_min) {
    const double d = carbs_g * 1000.0;
    const double u = insulin_u_per_min * 6000.0 / params_.bw_kg;
    const double dbar = meal_.update(x_, carbs_g);
    integrate(1.0, d, u, dbar);
  }
  double plasma_mg_dl() const { return x_[3] / params_.vg_dl_per_kg; }
  double subcutaneous_mg_dl() const { return x_[12] / params_.vg_dl_per_kg; }
  long evaluations() const { return evaluations_; }

private:
  void f(const State& x, double d, double u, double dbar, State& dx) {
    ++evaluations_;
    uva_padova_derivative(params_, x, d, u, dbar, dx);
  }

  void integrate(double span, double d, double u, double dbar) {
    static constexpr double A21 = 1.0 / 5;
    static constexpr double A31 = 3.0 / 40, A32 = 9.0 / 40;
    static constexpr double A41 = 44.0 / 45, A42 = -56.0 / 15, A43 = 32.0 / 9;
    static constexpr double A51 = 19372.0 / 6561, A52 = -25360.0 / 2187, A53 = 64448.0 / 6561,
                            A54 = -212.0 / 729;
    static constexpr double A61 = 9017.0 / 3168, A62 = -355.0 / 33, A63 = 46732.0 / 5247,
                            A64 = 49.0 / 176, A65 = -5103.0 / 18656;
    static constexpr double B1 = 35.0 / 384, B3 = 500.0 / 1113, B4 = 125.0 / 192, B5 = -2187.0 / 6784,
                            B6 = 11.0 / 84;
    // b - b*: 5th-order minus embedded 4th-order weights.
    static constexpr double E1 = 71.0 / 57600, E3 = -71.0 / 16695, E4 = 71.0 / 1920,
                            E5 = -17253.0 / 339200, E6 = 22.0 / 525, E7 = -1.0 / 40;
    double t = 0.0;
    double h = std::min(h_, span);
    State k1, k2, k3, k4, k5, k6, k7, y, y_new;
    f(x_, d, u, dbar, k1);
    while (t < span) {
      if (t + h > span) h = span - t;
      for (std::size_t i = 0; i < 13; ++i) y[i] = x_[i] + h * A21 * k1[i];
      f(y, d, u, dbar, k2);
      for (std::size_t i = 0; i < 13; ++i) y[i] = x_[i] + h * (A31 * k1[i] + A32 * k2[i]);
      f(y, d, u, dbar, k3);
      for (std::size_t i = 0; i < 13; ++i) y[i] = x_[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
      f(y, d, u, dbar, k4);
      for (std::size_t i = 0; i < 13; ++i)
        y[i] = x_[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
      f(y, d, u, dbar, k5);
      for (std::size_t i = 0; i < 13; ++i)
        y[i] = x_[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
      f(y, d, u, dbar, k6);
      for (std::size_t i = 0; i < 13; ++i)
        y_new[i] = x_[i] + h * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i]);
      f(y_new, d, u, dbar, k7);
      double err2 = 0.0;
      for (std::size_t i = 0; i < 13; ++i) {
        const double e = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
        const double scale = atol_ + rtol_ * std::max(std::abs(x_[i]), std::abs(y_new[i]));
        err2 += (e / scale) * (e / scale);
      }
      const double err = std::sqrt(err2 / 13.0);
      const double factor = err == 0.0 ? 5.0 : std::clamp(0.9 * std::pow(err, -0.2), 0.2, 5.0);
      if (err <= 1.0) {
        t += h;
        x_ = y_new;
        k1 = k7;  // first same as last
        if (t < span) h_ = h * factor;  // keep the step for the next minute, not the clipped one
      }
      h *= factor;
    }
  }

  UvaPadovaParams params_;
  State x_;
  UvaPadovaModel::MealMemory meal_;
  double rtol_;
  double atol_;
  double h_ = 0.1;
  long evaluations_ = 0;
};

// 50 g at t = 60 min, eaten at 5 g/min (spec: announced meals are eaten at 5 g/min).
double oracle_meal_g(int minute) { return minute >= 60 && minute < 70 ? 5.0 : 0.0; }

constexpr int MINUTES_PER_DAY = 1440;

// ---------------------------------------------------------------------------------------------
TEST(UvaPadovaTable, HasThirtyNamedPatients) {
  ASSERT_EQ(uva_padova_patients().size(), 30u);
  EXPECT_EQ(uva_padova_patients().front().name, "adolescent#001");
  EXPECT_EQ(uva_padova_patients().back().name, "child#010");
  ASSERT_NE(find_uva_padova_patient("adult#007"), nullptr);
  EXPECT_EQ(find_uva_padova_patient("adult#007")->name, "adult#007");
  EXPECT_EQ(find_uva_padova_patient("adult#011"), nullptr);
}

// The literals must equal the CSV text exactly (== on doubles is intended here).
TEST(UvaPadovaTable, SpotChecksEqualCsvValues) {
  const UvaPadovaPatient* a = find_uva_padova_patient("adolescent#001");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->params.bw_kg, 68.706);
  EXPECT_EQ(a->params.gb_mg_dl, 149.02);
  EXPECT_EQ(a->params.kp1, 11.5048231338);
  EXPECT_EQ(a->params.u2ss, 1.21697571391);
  EXPECT_EQ(a->params.m2, 0.259067825939);
  EXPECT_EQ(a->params.x0[4], 176.506559902);
  EXPECT_EQ(a->params.x0[12], 250.621836);
  EXPECT_EQ(a->cr_g_per_u, 12.0);
  EXPECT_EQ(a->cf_mg_dl_per_u, 15.0360283441);
  EXPECT_EQ(a->tdi_u, 36.7339146827);

  const UvaPadovaPatient* c = find_uva_padova_patient("child#010");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->params.bw_kg, 35.21305847);
  EXPECT_EQ(c->params.vg_dl_per_kg, 1.813728433);
  EXPECT_EQ(c->params.u2ss, 1.12891185261);
  EXPECT_EQ(c->params.x0[3], 247.420085943);
  EXPECT_EQ(c->cr_g_per_u, 18.0);
  EXPECT_EQ(c->cf_mg_dl_per_u, 29.222745246);
  EXPECT_EQ(c->age_years, 12.0);
}

// Basal steady state: every patient at u2ss without meals stays within 0.5 mg/dL of Gb for 24 h.
TEST(UvaPadovaModel, BasalHoldsGbForAllPatientsFor24h) {
  double worst_mg_dl = 0.0;
  std::string worst_name;
  for (const UvaPadovaPatient& patient : uva_padova_patients()) {
    UvaPadovaModel model(patient.params);
    const double gb = patient.params.gb_mg_dl;
    ASSERT_NEAR(model.subcutaneous_glucose_mg_dl(), gb, 1e-9) << patient.name;
    for (int minute = 0; minute < MINUTES_PER_DAY; ++minute) {
      model.step_minute(0.0, model.basal_u_per_min());
      const double drift = std::abs(model.subcutaneous_glucose_mg_dl() - gb);
      if (drift > worst_mg_dl) {
        worst_mg_dl = drift;
        worst_name = std::string(patient.name);
      }
      ASSERT_LE(drift, 0.5) << patient.name << " minute " << minute;
    }
  }
  std::printf("[ figures  ] basal 24 h: worst |Gs - Gb| = %.3g mg/dL (%s)\n", worst_mg_dl,
              worst_name.c_str());
}

// Golden trajectory: the fixed-step RK4 agrees with the adaptive RK45 oracle to 0.1 mg/dL.
TEST(UvaPadovaModel, AgreesWithDormandPrinceOracleForAllPatients) {
  double worst_mg_dl = 0.0;
  std::string worst_where;
  long evaluations = 0;
  for (const UvaPadovaPatient& patient : uva_padova_patients()) {
    UvaPadovaModel model(patient.params);
    DormandPrinceOracle oracle(patient.params, 1e-8, 1e-8);
    const double basal = model.basal_u_per_min();
    for (int minute = 0; minute < MINUTES_PER_DAY; ++minute) {
      model.step_minute(oracle_meal_g(minute), basal);
      oracle.step_minute(oracle_meal_g(minute), basal);
      const double dp = std::abs(model.plasma_glucose_mg_dl() - oracle.plasma_mg_dl());
      const double ds = std::abs(model.subcutaneous_glucose_mg_dl() - oracle.subcutaneous_mg_dl());
      if (std::max(dp, ds) > worst_mg_dl) {
        worst_mg_dl = std::max(dp, ds);
        worst_where = std::string(patient.name) + " minute " + std::to_string(minute + 1);
      }
      ASSERT_LE(dp, 0.1) << patient.name << " plasma, end of minute " << minute;
      ASSERT_LE(ds, 0.1) << patient.name << " subcutaneous, end of minute " << minute;
    }
    evaluations += oracle.evaluations();
  }
  std::printf("[ figures  ] RK4 x%d vs RK45 oracle: worst difference %.3g mg/dL (%s); oracle %.1f "
              "evaluations/minute\n",
              UvaPadovaModel::SUBSTEPS_PER_MINUTE, worst_mg_dl, worst_where.c_str(),
              static_cast<double>(evaluations) / (30.0 * MINUTES_PER_DAY));
}

// The meal actually moves glucose (guards against an oracle and a model that agree on nothing).
TEST(UvaPadovaModel, MealRaisesGlucoseAndDbarFollowsTheSpec) {
  const UvaPadovaPatient* patient = find_uva_padova_patient("adult#001");
  ASSERT_NE(patient, nullptr);
  UvaPadovaModel model(patient->params);
  double peak = 0.0;
  for (int minute = 0; minute < 300; ++minute) {
    model.step_minute(oracle_meal_g(minute), model.basal_u_per_min());
    if (minute == 59) { EXPECT_EQ(model.meal_memory().dbar_mg(), 0.0); }
    if (minute == 60) { EXPECT_DOUBLE_EQ(model.meal_memory().dbar_mg(), 5000.0); }  // empty stomach + 5 g
    if (minute == 69) { EXPECT_DOUBLE_EQ(model.meal_memory().dbar_mg(), 50000.0); }
    peak = std::max(peak, model.plasma_glucose_mg_dl());
  }
  EXPECT_DOUBLE_EQ(model.meal_memory().dbar_mg(), 50000.0);  // kept after the meal
  EXPECT_GT(peak, patient->params.gb_mg_dl + 30.0);
}

// The oracle itself is converged: tightening it 1000-fold moves glucose by < 1e-4 mg/dL.
TEST(UvaPadovaModel, OracleIsConverged) {
  const UvaPadovaPatient* patient = find_uva_padova_patient("adult#006");
  ASSERT_NE(patient, nullptr);
  DormandPrinceOracle loose(patient->params, 1e-8, 1e-8);
  DormandPrinceOracle tight(patient->params, 1e-11, 1e-11);
  const double basal = patient->params.u2ss * patient->params.bw_kg / 6000.0;
  double worst = 0.0;
  for (int minute = 0; minute < 600; ++minute) {
    loose.step_minute(oracle_meal_g(minute), basal);
    tight.step_minute(oracle_meal_g(minute), basal);
    worst = std::max(worst, std::abs(loose.plasma_mg_dl() - tight.plasma_mg_dl()));
    worst = std::max(worst, std::abs(loose.subcutaneous_mg_dl() - tight.subcutaneous_mg_dl()));
  }
  EXPECT_LT(worst, 1e-4);
  std::printf("[ figures  ] oracle rtol 1e-8 vs 1e-11: %.3g mg/dL\n", worst);
}

// ---------------------------------------------------------------------------------------------
// GlucoseSystem

struct DayFigures {
  double min_mg_dl = 1e9;
  double max_mg_dl = 0.0;
  double mean_mg_dl = 0.0;
  double time_in_range_percent = 0.0;   // 70-180 mg/dL (International Consensus on TIR, 2019)
  double time_70_140_percent = 0.0;
};

// Samples plasma glucose at the end of every minute of [start, start + minutes).
DayFigures run_and_measure(GlucoseSystem& system, int minutes) {
  DayFigures fig;
  const std::int64_t first = system.time() / Time::from_min(1);
  int in_range = 0;
  int in_70_140 = 0;
  for (int m = 1; m <= minutes; ++m) {
    system.advance_to(Time::from_min(first + m));
    const double g = system.plasma_glucose_mg_dl();
    fig.min_mg_dl = std::min(fig.min_mg_dl, g);
    fig.max_mg_dl = std::max(fig.max_mg_dl, g);
    fig.mean_mg_dl += g / minutes;
    in_range += (g >= 70.0 && g <= 180.0) ? 1 : 0;
    in_70_140 += (g >= 70.0 && g <= 140.0) ? 1 : 0;
  }
  fig.time_in_range_percent = 100.0 * in_range / minutes;
  fig.time_70_140_percent = 100.0 * in_70_140 / minutes;
  return fig;
}

GlucoseConfig basal_bolus_day_config() {
  // Three meals at the means of simglucose's RandomScenario: 45 g at 07:00, 70 g at 12:00, 80 g at
  // 18:00 (default_meal_plan()).
  GlucoseConfig config;
  config.kind = GlucoseKind::type1_diabetes;
  config.uva_padova_patient = "adolescent#001";
  config.therapy = T1dTherapy::basal_bolus;
  config.meals = {{Time::from_h(7), 45.0}, {Time::from_h(12), 70.0}, {Time::from_h(18), 80.0}};
  return config;
}

TEST(GlucoseSystem, BasalBolusDayOfAdolescent001IsClinicallyPlausible) {
  GlucoseSystem system(basal_bolus_day_config(), "p0001", 1, 0);
  const DayFigures fig = run_and_measure(system, MINUTES_PER_DAY);
  std::printf("[ figures  ] adolescent#001 basal-bolus day: min %.1f, max %.1f, mean %.1f mg/dL, "
              "TIR 70-180 %.1f %%\n",
              fig.min_mg_dl, fig.max_mg_dl, fig.mean_mg_dl, fig.time_in_range_percent);
  for (const BolusRecord& b : system.boluses()) {
    std::printf("[ figures  ]   bolus %s %.2f U\n", sim::to_string(b.time).c_str(), b.units);
  }
  // Clinical band (International Consensus on TIR 2019): never level-2 hypoglycaemic (< 54), never
  // above 300, TIR >= 60 %. Measured: min 97.6, max 159.3, mean 128.1 mg/dL, TIR 100 %; the bounds
  // below keep a margin of ~12-16 mg/dL around those figures.
  EXPECT_GE(fig.min_mg_dl, 85.0);
  EXPECT_LE(fig.max_mg_dl, 175.0);
  EXPECT_GE(fig.time_in_range_percent, 95.0);
  EXPECT_GE(fig.min_mg_dl, 54.0);
  EXPECT_LE(fig.max_mg_dl, 300.0);
  EXPECT_GE(fig.time_in_range_percent, 60.0);

  ASSERT_EQ(system.meals_eaten().size(), 3u);
  ASSERT_EQ(system.boluses().size(), 3u);
  const UvaPadovaPatient* patient = system.uva_padova_patient();
  ASSERT_NE(patient, nullptr);
  // Breakfast: glucose is at Gb = 149.02 <= 150, so no correction: 45 / CR(12) = 3.75 U exactly
  // on the 0.05 U grid.
  EXPECT_EQ(system.boluses()[0].time, Time::from_h(7));
  EXPECT_NEAR(system.boluses()[0].units, 3.75, 1e-12);
  EXPECT_TRUE(system.boluses()[0].from_therapy);
  for (const BolusRecord& b : system.boluses()) {
    EXPECT_NEAR(b.units / 0.05, std::round(b.units / 0.05), 1e-9);
  }
}

TEST(GlucoseSystem, InsulinInterfaceAndAnnouncements) {
  GlucoseConfig config;
  config.uva_padova_patient = "adult#001";
  config.meals = {{Time::from_min(30), 20.0}, {Time::from_min(90), 30.0}};
  GlucoseSystem with_bolus(config, "p0001", 1, 0);
  GlucoseSystem without(config, "p0001", 1, 0);
  EXPECT_FALSE(with_bolus.take_meal_announcement().has_value());
  with_bolus.advance_to(Time::from_min(10));
  without.advance_to(Time::from_min(10));
  with_bolus.deliver_bolus_u(2.0);
  with_bolus.advance_to(Time::from_h(4));
  without.advance_to(Time::from_h(4));
  EXPECT_LT(with_bolus.plasma_glucose_mg_dl(), without.plasma_glucose_mg_dl() - 10.0);
  ASSERT_EQ(with_bolus.boluses().size(), 1u);
  EXPECT_EQ(with_bolus.boluses()[0].time, Time::from_min(10));
  EXPECT_FALSE(with_bolus.boluses()[0].from_therapy);

  const auto first = with_bolus.take_meal_announcement();
  const auto second = with_bolus.take_meal_announcement();
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(first->time, Time::from_min(30));
  EXPECT_EQ(second->grams, 30.0);
  EXPECT_FALSE(with_bolus.take_meal_announcement().has_value());

  // Stopping basal insulin raises glucose over a few hours.
  GlucoseSystem no_basal(GlucoseConfig{}, "p0002", 1, 0);
  no_basal.set_basal_u_per_min(0.0);
  no_basal.advance_to(Time::from_h(6));
  EXPECT_GT(no_basal.plasma_glucose_mg_dl(), find_uva_padova_patient("adolescent#001")->params.gb_mg_dl + 20.0);

  GlucoseConfig bad;
  bad.uva_padova_patient = "adult#042";
  EXPECT_THROW(GlucoseSystem(bad, "p0003", 1, 0), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Meal plan

GlucoseConfig plan_config() {
  GlucoseConfig config;
  config.kind = GlucoseKind::non_diabetic;  // cheapest kind; draws do not depend on the kind
  config.meal_plan = default_meal_plan();
  return config;
}

TEST(MealPlan, DrawsAreReproducibleAndPerPatient) {
  const int days = 30;
  GlucoseSystem a(plan_config(), "p0007", 42, 0);
  GlucoseSystem b(plan_config(), "p0007", 42, 0);
  GlucoseSystem other(plan_config(), "p0008", 42, 0);
  a.advance_to(Time::from_days(days));
  // b advances in uneven chunks: the draws do not depend on how time is advanced.
  for (std::int64_t m = 0; m <= days * MINUTES_PER_DAY; m += 97) b.advance_to(Time::from_min(m));
  b.advance_to(Time::from_days(days));
  other.advance_to(Time::from_days(days));
  ASSERT_EQ(a.meals_eaten().size(), b.meals_eaten().size());
  ASSERT_GT(a.meals_eaten().size(), static_cast<std::size_t>(days * 3));
  for (std::size_t i = 0; i < a.meals_eaten().size(); ++i) {
    EXPECT_EQ(a.meals_eaten()[i].time, b.meals_eaten()[i].time);
    EXPECT_EQ(a.meals_eaten()[i].grams, b.meals_eaten()[i].grams);
  }
  // Another patient's meals differ (the same draws would give the same times).
  int same_time = 0;
  const std::size_t n = std::min(a.meals_eaten().size(), other.meals_eaten().size());
  for (std::size_t i = 0; i < n; ++i) same_time += a.meals_eaten()[i].time == other.meals_eaten()[i].time;
  EXPECT_LT(same_time, static_cast<int>(n / 4));

  // Patient p0007 is unaffected by what p0008's plan is.
  GlucoseConfig changed = plan_config();
  changed.meal_plan[0].probability = 0.1;
  GlucoseSystem other_changed(changed, "p0008", 42, 0);
  other_changed.advance_to(Time::from_days(days));
  GlucoseSystem a_again(plan_config(), "p0007", 42, 0);
  a_again.advance_to(Time::from_days(days));
  ASSERT_EQ(a_again.meals_eaten().size(), a.meals_eaten().size());
  for (std::size_t i = 0; i < a.meals_eaten().size(); ++i) {
    EXPECT_EQ(a_again.meals_eaten()[i].grams, a.meals_eaten()[i].grams);
  }
}

TEST(MealPlan, MatchesProbabilitiesTimesAndSizesOverManyDays) {
  const int days = 1000;
  GlucoseSystem system(plan_config(), "p0011", 7, 0);
  system.advance_to(Time::from_days(days));
  const std::vector<MealPlanEntry> plan = default_meal_plan();
  std::vector<int> count(plan.size(), 0);
  std::vector<double> tod_sum(plan.size(), 0.0), grams_sum(plan.size(), 0.0);
  std::vector<std::int64_t> last_day(plan.size(), -1);
  for (const MealRecord& meal : system.meals_eaten()) {
    ASSERT_GE(meal.plan_entry, 0);
    const auto i = static_cast<std::size_t>(meal.plan_entry);
    const std::int64_t minute = meal.time / Time::from_min(1);
    const std::int64_t day = minute / MINUTES_PER_DAY;
    EXPECT_GT(day, last_day[i]) << "an entry happened twice in a day";
    last_day[i] = day;
    ++count[i];
    tod_sum[i] += static_cast<double>(minute % MINUTES_PER_DAY);
    grams_sum[i] += meal.grams;
  }
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const MealPlanEntry& e = plan[i];
    // Binomial(days, p): 4 standard deviations.
    const double sd = std::sqrt(days * e.probability * (1.0 - e.probability));
    EXPECT_NEAR(count[i], days * e.probability, 4.0 * sd) << e.name;
    ASSERT_GT(count[i], 0);
    // Means of the clamped (symmetric) normals; floor() of the time lowers it by 0.5 min on average.
    EXPECT_NEAR(tod_sum[i] / count[i], e.time_of_day_mean_min - 0.5,
                4.0 * e.time_of_day_sd_min / std::sqrt(count[i]))
        << e.name;
    EXPECT_NEAR(grams_sum[i] / count[i], e.grams_mean, 4.0 * e.grams_sd / std::sqrt(count[i]) + 0.1)
        << e.name;
  }
}

// ---------------------------------------------------------------------------------------------
// Non-diabetic

TEST(NonDiabetic, FastingIsFlatAndAMealExcursionIsInBounds) {
  GlucoseConfig config;
  config.kind = GlucoseKind::non_diabetic;
  GlucoseSystem fasting(config, "p0020", 1, 0);
  for (int m = 1; m <= MINUTES_PER_DAY; m += 7) {
    fasting.advance_to(Time::from_min(m));
    ASSERT_DOUBLE_EQ(fasting.plasma_glucose_mg_dl(), 90.0);
    ASSERT_NEAR(fasting.interstitial_glucose_mg_dl(), 90.0, 1e-9);
  }

  config.meals = {{Time::from_h(8), 50.0}};
  GlucoseSystem meal(config, "p0020", 1, 0);
  meal.advance_to(Time::from_h(8));
  double peak = 0.0, peak_min = 0.0, isf_peak = 0.0, isf_peak_min = 0.0;
  for (int s = 1; s <= 300; ++s) {
    meal.advance_to(Time::from_h(8) + Time::from_min(s));
    if (meal.plasma_glucose_mg_dl() > peak) {
      peak = meal.plasma_glucose_mg_dl();
      peak_min = s;
    }
    if (meal.interstitial_glucose_mg_dl() > isf_peak) {
      isf_peak = meal.interstitial_glucose_mg_dl();
      isf_peak_min = s;
    }
    if (s == 180) {
      EXPECT_LT(meal.plasma_glucose_mg_dl() - 90.0, 5.0);  // back to fasting within ~3 h
    }
  }
  std::printf("[ figures  ] non-diabetic 50 g: plasma peak +%.1f mg/dL at %.0f min, interstitial "
              "peak +%.1f at %.0f min\n",
              peak - 90.0, peak_min, isf_peak - 90.0, isf_peak_min);
  EXPECT_GE(peak - 90.0, 35.0);
  EXPECT_LE(peak - 90.0, 50.0);
  EXPECT_GE(peak_min, 45.0);
  EXPECT_LE(peak_min, 60.0);
  EXPECT_GE(isf_peak_min - peak_min, 2.0);  // interstitial lags plasma by a few minutes
  EXPECT_LE(isf_peak_min - peak_min, 10.0);
}

TEST(NonDiabetic, DefaultMealPlanWeekMatchesHealthyCgmFigures) {
  // Shah et al. 2019: mean ~99 mg/dL, 96 % of time in 70-140 mg/dL.
  GlucoseSystem system(plan_config(), "p0021", 3, 0);
  const DayFigures fig = run_and_measure(system, 7 * MINUTES_PER_DAY);
  std::printf("[ figures  ] non-diabetic week, default plan: mean %.1f, max %.1f mg/dL, 70-140 %.1f %%\n",
              fig.mean_mg_dl, fig.max_mg_dl, fig.time_70_140_percent);
  EXPECT_GE(fig.mean_mg_dl, 92.0);
  EXPECT_LE(fig.mean_mg_dl, 110.0);
  EXPECT_GE(fig.time_70_140_percent, 90.0);
  EXPECT_LE(fig.max_mg_dl, 160.0);
}

}  // namespace
}  // namespace twinbed::physiology
