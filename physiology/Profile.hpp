#pragma once
// physiology::Profile: who a virtual patient is (age, sex, body size, skin pigmentation) and their
// resting baselines, drawn from a cohort's ProfileSpec. The vitals model starts from these
// baselines; devices read the pigmentation (pulse-oximeter bias, Sjoding et al., NEJM 2020).
// See docs/models/vitals.md for the sources of every default.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sim/RandomStream.hpp"

namespace twinbed::physiology {

enum class ProfileKind : std::uint8_t { adult = 0, elderly = 1, adolescent = 2, child = 3 };

std::string_view profile_kind_name(ProfileKind kind);
std::optional<ProfileKind> profile_kind_from_name(std::string_view name);

// (age in years, value): a table of medians, interpolated linearly in age and held constant
// outside its range.
struct AgePoint {
  double age_years = 0.0;
  double value = 0.0;
};

// A normal distribution truncated to [min, max] (by rejection). When `mean_by_age` is not empty
// the mean is read from it at the patient's age instead of `mean`, and the standard deviation is
// `sd + cv * mean` (growth charts and paediatric centiles scale with age).
struct Distribution {
  double mean = 0.0;
  double sd = 0.0;
  double min = 0.0;
  double max = 0.0;
  std::vector<AgePoint> mean_by_age = {};
  double cv = 0.0;
};

// Mean of `d` at `age_years` (the table's interpolation when it has one).
double distribution_mean(const Distribution& d, double age_years);
// One draw of `d` at `age_years`: Normal(mean, sd) redrawn until inside [min, max].
double draw_distribution(const Distribution& d, double age_years, sim::RandomStream& rng);

// A cohort's distributions. Defaults per kind come from default_profile_spec().
struct ProfileSpec {
  ProfileKind kind = ProfileKind::adult;
  Distribution age_years;
  double female_probability = 0.5;
  Distribution weight_female_kg;
  Distribution weight_male_kg;
  Distribution height_female_cm;
  Distribution height_male_cm;
  // Fitzpatrick skin phototypes I..VI (Fitzpatrick, Arch Dermatol 124:869, 1988): relative weights
  // of the cohort. A cohort parameter because pulse-oximeter bias grows with pigmentation
  // (occult hypoxaemia 11.7 % in Black vs 3.6 % in White patients, Sjoding et al., NEJM 2020).
  std::array<double, 6> fitzpatrick_weights{};
  // Resting baselines (awake, supine or seated, at the circadian mesor).
  Distribution heart_rate_bpm;
  Distribution respiration_rate_per_min;
  Distribution systolic_mmhg;
  Distribution diastolic_mmhg;
  Distribution core_temperature_c;
  Distribution spo2_percent;
};

ProfileSpec default_profile_spec(ProfileKind kind);

// One patient's drawn characteristics and baselines.
struct Profile {
  ProfileKind kind = ProfileKind::adult;
  double age_years = 45.0;
  bool female = false;
  double weight_kg = 75.0;
  double height_cm = 170.0;
  std::uint8_t fitzpatrick_type = 3;  // 1..6
  double heart_rate_bpm = 72.0;
  double respiration_rate_per_min = 15.0;
  double systolic_mmhg = 120.0;
  double diastolic_mmhg = 75.0;
  double core_temperature_c = 36.7;
  double spo2_percent = 97.0;
};

// Draws in a fixed order from `rng` (key it by the patient's id, purpose "profile").
Profile draw_profile(const ProfileSpec& spec, sim::RandomStream& rng);

}  // namespace twinbed::physiology
