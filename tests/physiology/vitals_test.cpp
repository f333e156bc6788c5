// Tests of physiology::Profile and physiology::VitalsModel: golden values of the gas-exchange
// equations, statistical bounds on profile draws (fixed seeds), and the model's rhythms and
// couplings measured on simulated trajectories.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numbers>
#include <string>

#include "physiology/Profile.hpp"
#include "physiology/Vitals.hpp"

namespace twinbed::physiology {
namespace {

using namespace sim::literals;

constexpr std::uint64_t SEED = 20240611;

struct ConstantEffects final : EffectSource {
  Effects effects;
  Effects effects_at(sim::Time) const override { return effects; }
};

VitalsModelParams quiet_activity(Activity activity = Activity::rest) {
  VitalsModelParams p;
  p.activity.enabled = false;
  p.activity.fixed_activity = activity;
  return p;
}

// Mean of `get` sampled every minute over [from, to).
double mean_over(VitalsModel& m, sim::Time from, sim::Time to, const std::function<double(const VitalSigns&)>& get) {
  double sum = 0.0;
  int n = 0;
  for (sim::Time t = from; t < to; t += 1_min) {
    m.advance_to(t);
    sum += get(m.current());
    ++n;
  }
  return sum / n;
}

// ---- Golden values -----------------------------------------------------------------------------

TEST(Severinghaus, GoldenValues) {
  // Severinghaus (1979) Table 1 / standard ODC: P50 26.8 mmHg; 40 mmHg (mixed venous) ~75 %;
  // 60 mmHg ~90 %; 100 mmHg ~97.5 %. Tolerance 0.5 percentage points.
  EXPECT_NEAR(severinghaus_saturation_percent(26.8), 50.0, 0.5);
  EXPECT_NEAR(severinghaus_saturation_percent(40.0), 75.0, 0.5);
  EXPECT_NEAR(severinghaus_saturation_percent(60.0), 90.6, 0.5);
  EXPECT_NEAR(severinghaus_saturation_percent(100.0), 97.7, 0.5);
  // Closed form at 60 mmHg: 1 / (23400 / 225000 + 1).
  EXPECT_NEAR(severinghaus_saturation_percent(60.0), 100.0 / (23400.0 / 225000.0 + 1.0), 1e-12);
  EXPECT_GT(severinghaus_saturation_percent(600.0), 99.9);
}

TEST(Severinghaus, InverseRoundTrips) {
  for (double s : {20.0, 50.0, 75.0, 88.0, 92.0, 97.0, 99.5})
    EXPECT_NEAR(severinghaus_saturation_percent(severinghaus_po2_mmhg(s)), s, 1e-6) << s;
}

TEST(GasExchange, AlveolarGasEquation) {
  // 0.21 * (760 - 47) - 40 / 0.8 = 99.73 mmHg; 0.40 -> 235.2; 1.0 -> 663.0.
  EXPECT_NEAR(alveolar_po2_mmhg(0.21, 40.0), 99.73, 1e-9);
  EXPECT_NEAR(alveolar_po2_mmhg(0.40, 40.0), 235.2, 1e-9);
  EXPECT_NEAR(alveolar_po2_mmhg(1.00, 40.0), 663.0, 1e-9);
  // Hypercapnia lowers PAO2 by 1.25 mmHg per mmHg of PaCO2.
  EXPECT_NEAR(alveolar_po2_mmhg(0.21, 60.0), 74.73, 1e-9);
  // At altitude (Denver, 630 mmHg): 0.21 * 583 - 50 = 72.43 mmHg.
  EXPECT_NEAR(alveolar_po2_mmhg(0.21, 40.0, 630.0), 72.43, 1e-9);
}

TEST(GasExchange, VentilationAndPressure) {
  EXPECT_DOUBLE_EQ(paco2_from_ventilation_mmhg(40.0, 1.0, 0.6), 40.0);
  EXPECT_NEAR(paco2_from_ventilation_mmhg(40.0, 0.5, 1.0), 80.0, 1e-12);  // halved ventilation
  EXPECT_NEAR(paco2_from_ventilation_mmhg(40.0, 2.0, 1.0), 20.0, 1e-12);
  EXPECT_NEAR(mean_arterial_pressure_mmhg(120.0, 80.0), 93.333333, 1e-5);
  EXPECT_NEAR(cosinor(2.0, 16.0, 16.0), 2.0, 1e-12);
  EXPECT_NEAR(cosinor(2.0, 4.0, 16.0), -2.0, 1e-12);
}

TEST(OuStepper, MatchesOuStep) {
  const OuParams p{1.5, 3.0, 2_min};
  const OuStepper s(p, 1_s);
  for (double x : {-4.0, 0.0, 7.5})
    for (double z : {-1.2, 0.0, 2.1}) EXPECT_NEAR(s.step(x, z), ou_step(x, p, 1_s, z), 1e-12);
}

// ---- Profiles ----------------------------------------------------------------------------------

// Mean of a normal truncated to [a, b] (rejection sampling draws exactly this distribution).
double truncated_mean(double mean, double sd, double a, double b) {
  const auto pdf = [](double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); };
  const auto cdf = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  const double alpha = (a - mean) / sd, beta = (b - mean) / sd;
  return mean + sd * (pdf(alpha) - pdf(beta)) / (cdf(beta) - cdf(alpha));
}

TEST(Profile, KindNamesRoundTrip) {
  for (ProfileKind k : {ProfileKind::adult, ProfileKind::elderly, ProfileKind::adolescent, ProfileKind::child})
    EXPECT_EQ(profile_kind_from_name(profile_kind_name(k)), k);
  EXPECT_FALSE(profile_kind_from_name("toddler").has_value());
}

TEST(Profile, AgeTableInterpolates) {
  const Distribution d{0, 0, 0, 1000, {{2, 10}, {4, 20}}, 0.0};
  EXPECT_DOUBLE_EQ(distribution_mean(d, 1.0), 10.0);
  EXPECT_DOUBLE_EQ(distribution_mean(d, 3.0), 15.0);
  EXPECT_DOUBLE_EQ(distribution_mean(d, 9.0), 20.0);
}

TEST(Profile, AdultDrawsMatchTheirDistributions) {
  const ProfileSpec spec = default_profile_spec(ProfileKind::adult);
  sim::RandomStream rng(SEED, 0, "cohort", "profile");
  constexpr int N = 4000;
  double hr = 0, sbp = 0, temp = 0, spo2 = 0, female_weight = 0;
  int females = 0;
  std::array<int, 6> phototypes{};
  for (int i = 0; i < N; ++i) {
    const Profile p = draw_profile(spec, rng);
    ASSERT_GE(p.heart_rate_bpm, spec.heart_rate_bpm.min);
    ASSERT_LE(p.heart_rate_bpm, spec.heart_rate_bpm.max);
    ASSERT_GE(p.age_years, 18.0);
    ASSERT_LE(p.spo2_percent, 97.7);
    ASSERT_LE(p.diastolic_mmhg, p.systolic_mmhg - 20.0);
    ASSERT_GE(p.fitzpatrick_type, 1);
    ASSERT_LE(p.fitzpatrick_type, 6);
    ++phototypes[p.fitzpatrick_type - 1];
    hr += p.heart_rate_bpm;
    sbp += p.systolic_mmhg;
    temp += p.core_temperature_c;
    spo2 += p.spo2_percent;
    if (p.female) {
      ++females;
      female_weight += p.weight_kg;
    }
  }
  const auto within = [&](double sum, const Distribution& d, int n) {
    const double expected = truncated_mean(d.mean, d.sd, d.min, d.max);
    EXPECT_NEAR(sum / n, expected, 4.0 * d.sd / std::sqrt(n)) << "expected " << expected;
  };
  within(hr, spec.heart_rate_bpm, N);
  within(sbp, spec.systolic_mmhg, N);
  within(temp, spec.core_temperature_c, N);
  within(spo2, spec.spo2_percent, N);
  within(female_weight, spec.weight_female_kg, females);
  EXPECT_NEAR(females / double(N), 0.5, 4.0 * std::sqrt(0.25 / N));
  for (int k = 0; k < 6; ++k)  // binomial bounds, 4 SE
    EXPECT_NEAR(phototypes[k] / double(N), spec.fitzpatrick_weights[k],
                4.0 * std::sqrt(spec.fitzpatrick_weights[k] * (1 - spec.fitzpatrick_weights[k]) / N));
}

TEST(Profile, KindsDifferAsTheLiteratureSays) {
  const auto mean_of = [](ProfileKind kind, const std::function<double(const Profile&)>& get) {
    sim::RandomStream rng(SEED, 0, std::string(profile_kind_name(kind)), "profile");
    const ProfileSpec spec = default_profile_spec(kind);
    double sum = 0;
    for (int i = 0; i < 2000; ++i) sum += get(draw_profile(spec, rng));
    return sum / 2000;
  };
  const auto hr = [](const Profile& p) { return p.heart_rate_bpm; };
  const auto rr = [](const Profile& p) { return p.respiration_rate_per_min; };
  const auto sbp = [](const Profile& p) { return p.systolic_mmhg; };
  // Fleming et al. 2011: children breathe and beat faster; Franklin et al. 1997: SBP rises with age.
  EXPECT_GT(mean_of(ProfileKind::child, hr), mean_of(ProfileKind::adolescent, hr) + 10.0);
  EXPECT_GT(mean_of(ProfileKind::adolescent, hr), mean_of(ProfileKind::adult, hr));
  EXPECT_GT(mean_of(ProfileKind::child, rr), mean_of(ProfileKind::adult, rr) + 5.0);
  EXPECT_GT(mean_of(ProfileKind::elderly, sbp), mean_of(ProfileKind::adult, sbp) + 8.0);
  // A 4-year-old's heart rate lies between the 3-4 y (104) and 4-6 y (98) medians.
  const ProfileSpec child = default_profile_spec(ProfileKind::child);
  EXPECT_NEAR(distribution_mean(child.heart_rate_bpm, 4.0), 102.0, 1e-9);  // 104 - 6 * 0.5 / 1.5
  const double w8 = distribution_mean(child.weight_male_kg, 8.0);
  EXPECT_NEAR(w8, 25.6, 1e-9);
}

// ---- The vitals model ------------------------------------------------------------------------

TEST(VitalsModel, BaselineReproducesProfileSpo2) {
  Profile profile;
  profile.spo2_percent = 96.0;
  VitalsModelParams params = quiet_activity();
  params.aa_gradient_noise.sd = 1e-9;
  VitalsModel m(profile, params, "p1", SEED, 0);
  EXPECT_NEAR(m.current().spo2_percent, 96.0, 0.05);
  EXPECT_NEAR(m.current().pao2_mmhg, severinghaus_po2_mmhg(96.0), 0.1);
  EXPECT_NEAR(m.current().mean_arterial_mmhg,
              mean_arterial_pressure_mmhg(m.current().systolic_mmhg, m.current().diastolic_mmhg), 1e-12);
  EXPECT_FALSE(m.current().on_oxygen);
}

TEST(VitalsModel, CircadianNightAndDayDifferAsConfigured) {
  const VitalsModelParams params = quiet_activity();
  VitalsModel m(Profile{}, params, "p1", SEED, 0);
  double hr_night = 0, hr_day = 0, t_night = 0, t_day = 0, sbp_night = 0, sbp_day = 0;
  int n_night = 0, n_day = 0;
  std::array<double, 24> temp_by_hour{};
  for (sim::Time t = 0_s; t < 10_d; t += 1_min) {
    m.advance_to(t);
    const VitalSigns& v = m.current();
    const int hour = static_cast<int>((t.ns() / 3'600'000'000'000LL) % 24);
    temp_by_hour[hour] += v.core_temperature_c;
    if (hour >= 22 || hour < 6) {
      hr_night += v.heart_rate_bpm, t_night += v.core_temperature_c, sbp_night += v.systolic_mmhg, ++n_night;
    } else if (hour >= 8 && hour < 20) {
      hr_day += v.heart_rate_bpm, t_day += v.core_temperature_c, sbp_day += v.systolic_mmhg, ++n_day;
    }
  }
  // Expected: amplitude * (mean of cos over 12 h around the peak + over 8 h around the nadir,
  // offset by the phase between the nadir and the windows); compute it from the cosinor itself.
  const auto expected_diff = [](double amplitude, double nadir_h) {
    double day = 0, night = 0;
    for (int i = 0; i < 1440; ++i) {
      const double h = i / 60.0;
      const double c = cosinor(amplitude, h, nadir_h + 12.0);
      if (h >= 22 || h < 6) night += c / 480.0;
      else if (h >= 8 && h < 20) day += c / 720.0;
    }
    return day - night;
  };
  const CircadianParams& c = params.circadian;
  EXPECT_NEAR(hr_day / n_day - hr_night / n_night, expected_diff(c.heart_rate_amplitude_bpm, c.heart_rate_nadir_h), 1.0);
  EXPECT_NEAR(t_day / n_day - t_night / n_night, expected_diff(c.temperature_amplitude_c, c.temperature_nadir_h), 0.08);
  const double dip = 1.0 - (sbp_night / n_night) / (sbp_day / n_day);
  EXPECT_GE(dip, 0.08);
  EXPECT_LE(dip, 0.20);
  // The temperature minimum falls between 03:00 and 06:00.
  const auto nadir = std::min_element(temp_by_hour.begin(), temp_by_hour.end()) - temp_by_hour.begin();
  EXPECT_GE(nadir, 3);
  EXPECT_LE(nadir, 6);
}

TEST(VitalsModel, StartClockShiftsTheRhythm) {
  VitalsModelParams noon = quiet_activity();
  noon.circadian.start_clock_time = 12_h;
  VitalsModel a(Profile{}, quiet_activity(), "p1", SEED, 0);
  VitalsModel b(Profile{}, noon, "p1", SEED, 0);
  // Same noise; at t = 0 one is at midnight, the other at noon (peak side of the rhythm).
  EXPECT_GT(b.current().core_temperature_c, a.current().core_temperature_c + 0.3);
}

TEST(VitalsModel, FeverRaisesHeartRateAboutTenPerDegree) {
  ConstantEffects fever;
  fever.effects.temperature_delta_c = 1.0;
  VitalsModel febrile(Profile{}, quiet_activity(), "p1", SEED, 0, &fever);
  VitalsModel afebrile(Profile{}, quiet_activity(), "p1", SEED, 0);
  const auto hr = [](const VitalSigns& v) { return v.heart_rate_bpm; };
  const auto rr = [](const VitalSigns& v) { return v.respiration_rate_per_min; };
  const auto temp = [](const VitalSigns& v) { return v.core_temperature_c; };
  EXPECT_NEAR(mean_over(febrile, 0_s, 1_d, temp) - mean_over(afebrile, 0_s, 1_d, temp), 1.0, 1e-9);
  VitalsModel f2(Profile{}, quiet_activity(), "p1", SEED, 0, &fever), a2(Profile{}, quiet_activity(), "p1", SEED, 0);
  EXPECT_NEAR(mean_over(f2, 0_s, 1_d, hr) - mean_over(a2, 0_s, 1_d, hr), 10.0, 0.5);
  VitalsModel f3(Profile{}, quiet_activity(), "p1", SEED, 0, &fever), a3(Profile{}, quiet_activity(), "p1", SEED, 0);
  EXPECT_NEAR(mean_over(f3, 0_s, 1_d, rr) - mean_over(a3, 0_s, 1_d, rr), 2.5, 0.3);
}

TEST(VitalsModel, ActivityRaisesHeartAndBreathingRate) {
  VitalsModel active(Profile{}, quiet_activity(Activity::active), "p1", SEED, 0);
  VitalsModel rest(Profile{}, quiet_activity(Activity::rest), "p1", SEED, 0);
  const auto hr = [](const VitalSigns& v) { return v.heart_rate_bpm; };
  EXPECT_NEAR(mean_over(active, 0_s, 6_h, hr) - mean_over(rest, 0_s, 6_h, hr), 25.0, 0.5);
  VitalsModel active2(Profile{}, quiet_activity(Activity::active), "p1", SEED, 0);
  VitalsModel rest2(Profile{}, quiet_activity(Activity::rest), "p1", SEED, 0);
  const auto rr = [](const VitalSigns& v) { return v.respiration_rate_per_min; };
  EXPECT_NEAR(mean_over(active2, 0_s, 6_h, rr) - mean_over(rest2, 0_s, 6_h, rr), 5.0, 0.3);
}

TEST(VitalsModel, ActivityChainSleepsAtNightAndMovesByDay) {
  VitalsModel m(Profile{}, VitalsModelParams{}, "p1", SEED, 0);
  std::array<double, 3> night{}, day{};
  double hr_active = 0, hr_rest = 0;
  int n_active = 0, n_rest = 0;
  for (sim::Time t = 0_s; t < 20_d; t += 1_min) {
    m.advance_to(t);
    const int hour = static_cast<int>((t.ns() / 3'600'000'000'000LL) % 24);
    const auto a = static_cast<std::size_t>(m.current().activity);
    if (hour >= 23 || hour < 6) night[a] += 1;
    if (hour >= 9 && hour < 21) {
      day[a] += 1;
      if (m.current().activity == Activity::active) hr_active += m.current().heart_rate_bpm, ++n_active;
      if (m.current().activity == Activity::rest) hr_rest += m.current().heart_rate_bpm, ++n_rest;
    }
  }
  const double night_total = night[0] + night[1] + night[2], day_total = day[0] + day[1] + day[2];
  EXPECT_GT(night[0] / night_total, 0.80);  // asleep most of the night
  // By day: active about 12 / (12 + 45) of the time (dwell means), few naps.
  EXPECT_NEAR(day[2] / day_total, 12.0 / 57.0, 0.05);
  EXPECT_LT(day[0] / day_total, 0.05);
  EXPECT_GT(hr_active / n_active, hr_rest / n_rest + 20.0);
}

TEST(VitalsModel, ActivityTransitionsArePure) {
  const ActivityParams p;
  EXPECT_EQ(next_activity(Activity::sleep, true, 0.5, p), Activity::rest);
  EXPECT_EQ(next_activity(Activity::rest, true, 0.5, p), Activity::sleep);
  EXPECT_EQ(next_activity(Activity::rest, true, 0.05, p), Activity::active);
  EXPECT_EQ(next_activity(Activity::rest, false, 0.5, p), Activity::active);
  EXPECT_EQ(next_activity(Activity::rest, false, 0.01, p), Activity::sleep);
  EXPECT_TRUE(is_night(23_h, p));
  EXPECT_TRUE(is_night(3_h, p));
  EXPECT_FALSE(is_night(12_h, p));
  EXPECT_EQ(activity_dwell_mean(Activity::sleep, true, p), 120_min);
}

TEST(VitalsModel, SupplementalOxygenRaisesSpo2InHypoxaemia) {
  ConstantEffects shunt;
  shunt.effects.aa_gradient_delta_mmhg = 45.0;
  VitalsModel m(Profile{}, quiet_activity(), "p1", SEED, 0, &shunt);
  const auto spo2 = [](const VitalSigns& v) { return v.spo2_percent; };
  const double on_air = mean_over(m, 0_s, 2_h, spo2);
  EXPECT_LT(on_air, 90.0);
  EXPECT_FALSE(m.current().on_oxygen);
  m.set_fio2(0.28);  // ~2 L/min nasal cannula (typical)
  const double on_oxygen = mean_over(m, 2_h, 4_h, spo2);
  EXPECT_TRUE(m.current().on_oxygen);
  EXPECT_GT(on_oxygen, on_air + 5.0);
  EXPECT_GT(on_oxygen, 94.0);
}

TEST(VitalsModel, HypoventilationRaisesPaco2AndLowersSpo2) {
  ConstantEffects depressed;
  depressed.effects.respiration_drive_factor = 0.5;
  VitalsModel slow(Profile{}, quiet_activity(), "p1", SEED, 0, &depressed);
  VitalsModel normal(Profile{}, quiet_activity(), "p1", SEED, 0);
  slow.advance_to(1_h);
  normal.advance_to(1_h);
  EXPECT_NEAR(normal.state().paco2_mmhg, 40.0, 1e-6);
  EXPECT_NEAR(slow.state().paco2_mmhg, 40.0 * std::pow(0.5, -0.6), 0.01);
  EXPECT_LT(slow.current().spo2_percent, normal.current().spo2_percent - 3.0);
  EXPECT_NEAR(slow.current().respiration_rate_per_min, 0.5 * normal.current().respiration_rate_per_min, 1e-9);
}

TEST(VitalsModel, SkinTemperatureFollowsCoreBelowIt) {
  VitalsModel m(Profile{}, VitalsModelParams{}, "p1", SEED, 0);
  for (sim::Time t = 0_s; t < 2_d; t += 7_min) {
    m.advance_to(t);
    const double gap = m.current().core_temperature_c - m.current().skin_temperature_c;
    EXPECT_GT(gap, 0.5);
    EXPECT_LT(gap, 4.5);
  }
}

TEST(VitalsModel, SameSeedSameTrajectoryWhateverTheSampling) {
  VitalsModel a(Profile{}, VitalsModelParams{}, "p0007", SEED, 3);
  VitalsModel b(Profile{}, VitalsModelParams{}, "p0007", SEED, 3);
  VitalsModel other(Profile{}, VitalsModelParams{}, "p0008", SEED, 3);  // another patient's existence
  bool differs_from_other = false;
  for (sim::Time t = 0_s; t < 1_d; t += 17_s) {
    a.advance_to(t);
    other.advance_to(t);
    if (t.ns() % 60'000'000'000LL == 0) b.advance_to(t);  // sampled less often
    if (t.ns() % 60'000'000'000LL != 0) continue;
    ASSERT_EQ(a.current().heart_rate_bpm, b.current().heart_rate_bpm);
    ASSERT_EQ(a.current().spo2_percent, b.current().spo2_percent);
    ASSERT_EQ(a.current().systolic_mmhg, b.current().systolic_mmhg);
    ASSERT_EQ(a.current().activity, b.current().activity);
    differs_from_other = differs_from_other || a.current().heart_rate_bpm != other.current().heart_rate_bpm;
  }
  EXPECT_TRUE(differs_from_other);
}

TEST(VitalsModel, ValuesStayPhysiological) {
  VitalsModel m(Profile{}, VitalsModelParams{}, "p1", SEED, 0);
  for (sim::Time t = 0_s; t < 3_d; t += 1_min) {
    m.advance_to(t);
    const VitalSigns& v = m.current();
    ASSERT_GT(v.heart_rate_bpm, 30.0);
    ASSERT_LT(v.heart_rate_bpm, 140.0);
    ASSERT_GT(v.respiration_rate_per_min, 5.0);
    ASSERT_LT(v.respiration_rate_per_min, 30.0);
    ASSERT_GT(v.spo2_percent, 93.0);
    ASSERT_LE(v.spo2_percent, 98.0);
    ASSERT_LT(v.diastolic_mmhg, v.systolic_mmhg);
    ASSERT_EQ(v.consciousness, Consciousness::alert);
  }
}

TEST(VitalsModel, EveryProfileKindGivesPlausibleVitals) {
  for (ProfileKind kind : {ProfileKind::adult, ProfileKind::elderly, ProfileKind::adolescent, ProfileKind::child}) {
    const ProfileSpec spec = default_profile_spec(kind);
    for (int i = 0; i < 10; ++i) {
      std::string id = "k";
      id += std::to_string(i);
      sim::RandomStream rng(SEED, 0, id, "profile");
      const Profile profile = draw_profile(spec, rng);
      VitalsModel m(profile, VitalsModelParams{}, id, SEED, 0);
      double spo2 = 0;
      int n = 0;
      for (sim::Time t = 0_s; t < 1_d; t += 5_min, ++n) {
        m.advance_to(t);
        const VitalSigns& v = m.current();
        ASSERT_GT(v.heart_rate_bpm, 35.0) << profile_kind_name(kind);
        ASSERT_LT(v.heart_rate_bpm, 200.0) << profile_kind_name(kind);
        ASSERT_GT(v.respiration_rate_per_min, 5.0);
        ASSERT_GT(v.spo2_percent, 88.0);
        ASSERT_GT(v.systolic_mmhg, 55.0) << profile_kind_name(kind);  // night dip and noise on a low baseline
        ASSERT_NEAR(v.weight_kg, profile.weight_kg, 1e-12);
        spo2 += v.spo2_percent;
      }
      EXPECT_NEAR(spo2 / n, profile.spo2_percent, 0.6) << profile_kind_name(kind);  // A-a noise only
    }
  }
}

}  // namespace
}  // namespace twinbed::physiology
