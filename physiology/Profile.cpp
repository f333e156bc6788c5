#include "physiology/Profile.hpp"

#include <algorithm>
#include <cassert>

namespace twinbed::physiology {
namespace {

constexpr std::array<std::string_view, 4> KIND_NAMES = {"adult", "elderly", "adolescent", "child"};

// A truncated normal whose truncation is rare needs few redraws; after this many the draw is
// clamped so that a mis-specified distribution (min > mean + 10 sd) cannot loop forever.
constexpr int MAX_REDRAWS = 64;

// Fitzpatrick phototypes I..VI: typical mixed cohort, exposed as a parameter (set it to the
// population simulated; Sjoding et al., NEJM 2020, report the bias by race, not by phototype).
constexpr std::array<double, 6> DEFAULT_FITZPATRICK = {0.10, 0.25, 0.25, 0.15, 0.15, 0.10};

// Upper bound of SpO2 breathing air at sea level: PaO2 can at most reach the alveolar PO2
// (0.21 * (760 - 47) - 40 / 0.8 = 99.7 mmHg), i.e. S = 97.7 % on the Severinghaus (1979) curve.
constexpr double SPO2_MAX_ON_AIR = 97.7;

Distribution fixed(double mean, double sd, double min, double max) { return Distribution{mean, sd, min, max, {}, 0.0}; }
Distribution by_age(std::vector<AgePoint> table, double cv, double min, double max) {
  return Distribution{0.0, 0.0, min, max, std::move(table), cv};
}

ProfileSpec adult_spec() {
  ProfileSpec s;
  s.kind = ProfileKind::adult;
  s.age_years = fixed(41.0, 13.0, 18.0, 64.99);  // typical working-age cohort, exposed as a parameter
  s.female_probability = 0.5;                    // typical
  // NHANES 2015-2018 adults, means (Fryar et al., NCHS Vital Health Stat 3(46), 2021): women
  // 77.5 kg / 161.3 cm, men 90.6 kg / 175.3 cm; SDs typical.
  s.weight_female_kg = fixed(77.5, 19.0, 40.0, 160.0);
  s.weight_male_kg = fixed(90.6, 19.0, 45.0, 170.0);
  s.height_female_cm = fixed(161.3, 7.0, 140.0, 185.0);
  s.height_male_cm = fixed(175.3, 7.5, 150.0, 200.0);
  s.fitzpatrick_weights = DEFAULT_FITZPATRICK;
  // Mean resting pulse of US adults ~72 /min (Ostchega et al., NCHS NHSR 41, 2011). The default
  // cohort is a well ward population, so baselines are clipped to the NEWS2 zero band (pulse
  // 51-90, RR 12-20, SBP 111-219; RCP 2017) with room for the night-time dip: a well patient
  // should not cross a ground-truth threshold in their sleep. Athletic bradycardia is a cohort
  // choice (a custom profile), not the default.
  s.heart_rate_bpm = fixed(72.0, 10.0, 62.0, 100.0);
  // Adult norm 12-20 /min (the NEWS2 zero band, RCP 2017); mean and SD typical.
  s.respiration_rate_per_min = fixed(15.0, 2.0, 12.5, 20.0);
  // Typical adult office BP (NHANES adult means about 122/71 mmHg); SDs typical.
  s.systolic_mmhg = fixed(122.0, 14.0, 112.0, 160.0);
  s.diastolic_mmhg = fixed(73.0, 9.0, 55.0, 100.0);
  // Mean oral temperature 36.6 C, 99 % range 35.7-37.3 (Obermeyer et al., BMJ 359:j5468, 2017).
  s.core_temperature_c = fixed(36.6, 0.3, 35.8, 37.4);
  // Healthy adults 95-98 % (typical), capped by the room-air maximum.
  s.spo2_percent = fixed(97.0, 0.8, 95.0, SPO2_MAX_ON_AIR);
  return s;
}

ProfileSpec elderly_spec() {
  ProfileSpec s = adult_spec();
  s.kind = ProfileKind::elderly;
  s.age_years = fixed(75.0, 7.0, 65.0, 95.0);  // typical inpatient/remote-monitoring cohort
  // Older adults are lighter and shorter than the all-adult means (NHANES 60+; typical values).
  s.weight_female_kg = fixed(74.0, 16.0, 38.0, 140.0);
  s.weight_male_kg = fixed(86.0, 16.0, 45.0, 150.0);
  s.height_female_cm = fixed(159.0, 6.5, 138.0, 180.0);
  s.height_male_cm = fixed(173.0, 7.0, 150.0, 195.0);
  // Clipped to the NEWS2 zero band with room for the night-time dip, as for adults.
  s.heart_rate_bpm = fixed(70.0, 11.0, 62.0, 100.0);           // typical (Ostchega et al. 2011)
  s.respiration_rate_per_min = fixed(16.0, 2.5, 12.5, 22.0);   // typical, slightly above adults
  // Systolic pressure rises and diastolic falls after ~60 years (Franklin et al., Circulation
  // 96:308, 1997): isolated systolic hypertension is common. Values typical.
  s.systolic_mmhg = fixed(136.0, 18.0, 115.0, 165.0);
  s.diastolic_mmhg = fixed(72.0, 10.0, 50.0, 100.0);
  // Temperature falls with age (Obermeyer et al. 2017); value typical.
  s.core_temperature_c = fixed(36.5, 0.3, 35.7, 37.3);
  // PaO2 falls about 0.43 mmHg per year of age (Sorbini et al., Respiration 25:3, 1968); typical SpO2.
  s.spo2_percent = fixed(95.8, 1.0, 93.0, SPO2_MAX_ON_AIR);
  return s;
}

ProfileSpec adolescent_spec() {
  ProfileSpec s;
  s.kind = ProfileKind::adolescent;
  s.age_years = fixed(14.5, 1.7, 12.0, 17.99);
  s.female_probability = 0.5;
  // CDC 2000 growth charts, 50th centiles (Kuczmarski et al., Vital Health Stat 11(246), 2002);
  // coefficients of variation typical.
  s.weight_female_kg = by_age({{12, 41}, {13, 46}, {14, 50}, {15, 53}, {16, 54}, {17, 56}}, 0.15, 28.0, 100.0);
  s.weight_male_kg = by_age({{12, 40}, {13, 45}, {14, 51}, {15, 56}, {16, 61}, {17, 64}}, 0.15, 28.0, 110.0);
  s.height_female_cm = by_age({{12, 151}, {13, 157}, {14, 160}, {15, 162}, {16, 162.5}, {17, 163}}, 0.045, 130.0, 185.0);
  s.height_male_cm = by_age({{12, 149}, {13, 156}, {14, 164}, {15, 170}, {16, 173}, {17, 175}}, 0.045, 130.0, 200.0);
  s.fitzpatrick_weights = DEFAULT_FITZPATRICK;
  // Medians of Fleming et al., Lancet 377:1011, 2011 (12-15 y: HR 78, RR 18; 15-18 y: HR 73,
  // RR 16), placed at the middle of each age band; spread from their centile charts (approximate).
  s.heart_rate_bpm = by_age({{13.5, 78}, {16.5, 73}}, 0.14, 50.0, 115.0);
  s.respiration_rate_per_min = by_age({{13.5, 18}, {16.5, 16}}, 0.15, 10.0, 26.0);
  // 50th centiles at median height (NHBPEP Fourth Report, Pediatrics 114:555, 2004), typical SDs.
  s.systolic_mmhg = fixed(112.0, 10.0, 90.0, 135.0);
  s.diastolic_mmhg = fixed(64.0, 8.0, 45.0, 85.0);
  s.core_temperature_c = fixed(36.7, 0.3, 35.9, 37.5);  // typical
  s.spo2_percent = fixed(97.3, 0.5, 96.0, SPO2_MAX_ON_AIR);  // typical
  return s;
}

ProfileSpec child_spec() {
  ProfileSpec s = adolescent_spec();
  s.kind = ProfileKind::child;
  s.age_years = fixed(6.5, 2.7, 2.0, 11.99);
  // CDC 2000 growth charts, 50th centiles, sexes averaged (Kuczmarski et al. 2002).
  const std::vector<AgePoint> weight = {{2, 12.5}, {3, 14.2}, {4, 16.2}, {5, 18.3}, {6, 20.6},
                                        {7, 23.0}, {8, 25.6}, {9, 28.6}, {10, 32.0}, {11, 36.0}};
  const std::vector<AgePoint> height = {{2, 86.5}, {3, 95.0}, {4, 102.5}, {5, 109.5}, {6, 116.0},
                                        {7, 122.0}, {8, 128.0}, {9, 133.5}, {10, 138.5}, {11, 144.0}};
  s.weight_female_kg = by_age(weight, 0.14, 8.0, 70.0);
  s.weight_male_kg = by_age(weight, 0.14, 8.0, 70.0);
  s.height_female_cm = by_age(height, 0.045, 75.0, 165.0);
  s.height_male_cm = by_age(height, 0.045, 75.0, 165.0);
  // Fleming et al. 2011 medians: HR 2-3 y 110, 3-4 y 104, 4-6 y 98, 6-8 y 91, 8-12 y 84 /min;
  // RR 2-3 y 28, 3-4 y 25, 4-6 y 23, 6-8 y 21, 8-12 y 19 /min (band midpoints; approximate).
  s.heart_rate_bpm = by_age({{2.5, 110}, {3.5, 104}, {5, 98}, {7, 91}, {10, 84}}, 0.12, 60.0, 150.0);
  s.respiration_rate_per_min = by_age({{2.5, 28}, {3.5, 25}, {5, 23}, {7, 21}, {10, 19}}, 0.13, 12.0, 40.0);
  // NHBPEP Fourth Report (2004) 50th centiles for 2-11 y lie near 95-105 / 55-65 mmHg; typical.
  s.systolic_mmhg = fixed(100.0, 9.0, 85.0, 120.0);
  s.diastolic_mmhg = fixed(60.0, 7.0, 42.0, 78.0);
  s.core_temperature_c = fixed(36.8, 0.3, 36.0, 37.6);  // typical
  return s;
}

}  // namespace

std::string_view profile_kind_name(ProfileKind kind) { return KIND_NAMES[static_cast<std::size_t>(kind)]; }

std::optional<ProfileKind> profile_kind_from_name(std::string_view name) {
  for (std::size_t i = 0; i < KIND_NAMES.size(); ++i)
    if (KIND_NAMES[i] == name) return static_cast<ProfileKind>(i);
  return std::nullopt;
}

double distribution_mean(const Distribution& d, double age_years) {
  const auto& t = d.mean_by_age;
  if (t.empty()) return d.mean;
  if (age_years <= t.front().age_years) return t.front().value;
  if (age_years >= t.back().age_years) return t.back().value;
  const auto hi = std::upper_bound(t.begin(), t.end(), age_years,
                                   [](double a, const AgePoint& p) { return a < p.age_years; });
  const auto lo = hi - 1;
  const double w = (age_years - lo->age_years) / (hi->age_years - lo->age_years);
  return lo->value + w * (hi->value - lo->value);
}

double draw_distribution(const Distribution& d, double age_years, sim::RandomStream& rng) {
  assert(d.min <= d.max);
  const double mean = distribution_mean(d, age_years);
  const double sd = d.sd + d.cv * mean;
  double x = mean;
  for (int i = 0; i < MAX_REDRAWS; ++i) {
    x = rng.normal(mean, sd);
    if (x >= d.min && x <= d.max) return x;
  }
  return std::clamp(x, d.min, d.max);
}

ProfileSpec default_profile_spec(ProfileKind kind) {
  switch (kind) {
    case ProfileKind::adult: return adult_spec();
    case ProfileKind::elderly: return elderly_spec();
    case ProfileKind::adolescent: return adolescent_spec();
    case ProfileKind::child: return child_spec();
  }
  return adult_spec();
}

Profile draw_profile(const ProfileSpec& spec, sim::RandomStream& rng) {
  Profile p;
  p.kind = spec.kind;
  p.age_years = draw_distribution(spec.age_years, 0.0, rng);
  p.female = rng.bernoulli(spec.female_probability);
  p.weight_kg = draw_distribution(p.female ? spec.weight_female_kg : spec.weight_male_kg, p.age_years, rng);
  p.height_cm = draw_distribution(p.female ? spec.height_female_cm : spec.height_male_cm, p.age_years, rng);
  p.fitzpatrick_type = static_cast<std::uint8_t>(1 + rng.categorical(spec.fitzpatrick_weights));
  p.heart_rate_bpm = draw_distribution(spec.heart_rate_bpm, p.age_years, rng);
  p.respiration_rate_per_min = draw_distribution(spec.respiration_rate_per_min, p.age_years, rng);
  p.systolic_mmhg = draw_distribution(spec.systolic_mmhg, p.age_years, rng);
  // Pulse pressure of at least 20 mmHg (typical physiological floor): redraw-free by clamping.
  p.diastolic_mmhg = std::min(draw_distribution(spec.diastolic_mmhg, p.age_years, rng), p.systolic_mmhg - 20.0);
  p.core_temperature_c = draw_distribution(spec.core_temperature_c, p.age_years, rng);
  p.spo2_percent = draw_distribution(spec.spo2_percent, p.age_years, rng);
  return p;
}

}  // namespace twinbed::physiology
