// Tests of physiology::news2_score against the RCP 2017 NEWS2 chart (spec/physiology.md section 4):
// every band edge of every parameter with its neighbour across the edge, both SpO2 scales on air
// and on oxygen, rounding of non-integer observations, totals and risk levels.
#include "physiology/News2.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace twinbed::physiology {
namespace {

// Observations that score 0 on every parameter.
News2Inputs all_normal() {
  return News2Inputs{.respiration_rate_per_min = 16.0, .spo2_percent = 98.0, .spo2_scale2 = false,
                     .on_oxygen = false, .systolic_mmhg = 120.0, .heart_rate_bpm = 70.0,
                     .consciousness = Consciousness::alert, .temperature_c = 37.0};
}

struct BandCase {
  double value;
  int expected_points;
};

// Sets one parameter of `all_normal()` to each value and checks that parameter's points, and
// that the total is those points (plus the 2 for oxygen where the case is on oxygen).
template <typename Set, typename Get>
void check_bands(const std::string& parameter, const std::vector<BandCase>& cases, Set set, Get get,
                 News2Inputs base = all_normal()) {
  for (const BandCase& c : cases) {
    SCOPED_TRACE(parameter + " = " + std::to_string(c.value));
    News2Inputs in = base;
    set(in, c.value);
    const News2Score s = news2_score(in);
    EXPECT_EQ(get(s), c.expected_points);
    EXPECT_EQ(s.total, c.expected_points + (in.on_oxygen ? 2 : 0));
    EXPECT_EQ(s.any_single_three, c.expected_points == 3);
  }
}

TEST(News2, AllNormalScoresZeroLowRisk) {
  const News2Score s = news2_score(all_normal());
  EXPECT_EQ(s.total, 0);
  EXPECT_FALSE(s.any_single_three);
  EXPECT_EQ(s.risk, News2Risk::low);
}

TEST(News2, RespirationRateBandEdges) {
  // <=8:3 | 9-11:1 | 12-20:0 | 21-24:2 | >=25:3
  check_bands("RR", {{0, 3}, {8, 3}, {9, 1}, {11, 1}, {12, 0}, {20, 0}, {21, 2}, {24, 2}, {25, 3}, {60, 3}},
              [](News2Inputs& in, double v) { in.respiration_rate_per_min = v; },
              [](const News2Score& s) { return s.respiration; });
}

TEST(News2, Spo2Scale1BandEdges) {
  // <=91:3 | 92-93:2 | 94-95:1 | >=96:0
  check_bands("SpO2 scale 1", {{70, 3}, {91, 3}, {92, 2}, {93, 2}, {94, 1}, {95, 1}, {96, 0}, {100, 0}},
              [](News2Inputs& in, double v) { in.spo2_percent = v; },
              [](const News2Score& s) { return s.spo2; });
}

TEST(News2, Spo2Scale1SameBandsOnOxygen) {
  News2Inputs base = all_normal();
  base.on_oxygen = true;
  check_bands("SpO2 scale 1 on oxygen", {{91, 3}, {92, 2}, {93, 2}, {94, 1}, {95, 1}, {96, 0}, {100, 0}},
              [](News2Inputs& in, double v) { in.spo2_percent = v; },
              [](const News2Score& s) { return s.spo2; }, base);
}

TEST(News2, Spo2Scale2OnAirBandEdges) {
  // <=83:3 | 84-85:2 | 86-87:1 | 88-92:0 | >=93 on air:0
  News2Inputs base = all_normal();
  base.spo2_scale2 = true;
  check_bands("SpO2 scale 2 on air",
              {{70, 3}, {83, 3}, {84, 2}, {85, 2}, {86, 1}, {87, 1}, {88, 0}, {92, 0}, {93, 0}, {94, 0},
               {95, 0}, {96, 0}, {97, 0}, {100, 0}},
              [](News2Inputs& in, double v) { in.spo2_percent = v; },
              [](const News2Score& s) { return s.spo2; }, base);
}

TEST(News2, Spo2Scale2OnOxygenBandEdges) {
  // <=83:3 | 84-85:2 | 86-87:1 | 88-92:0 | 93-94:1 | 95-96:2 | >=97:3 (on oxygen)
  News2Inputs base = all_normal();
  base.spo2_scale2 = true;
  base.on_oxygen = true;
  check_bands("SpO2 scale 2 on oxygen",
              {{70, 3}, {83, 3}, {84, 2}, {85, 2}, {86, 1}, {87, 1}, {88, 0}, {92, 0}, {93, 1}, {94, 1},
               {95, 2}, {96, 2}, {97, 3}, {100, 3}},
              [](News2Inputs& in, double v) { in.spo2_percent = v; },
              [](const News2Score& s) { return s.spo2; }, base);
}

TEST(News2, AirOrOxygen) {
  News2Inputs in = all_normal();
  EXPECT_EQ(news2_score(in).air_or_oxygen, 0);
  in.on_oxygen = true;
  const News2Score s = news2_score(in);
  EXPECT_EQ(s.air_or_oxygen, 2);
  EXPECT_EQ(s.total, 2);
  EXPECT_FALSE(s.any_single_three);  // oxygen scores 2, never a red score
}

TEST(News2, SystolicBandEdges) {
  // <=90:3 | 91-100:2 | 101-110:1 | 111-219:0 | >=220:3
  check_bands("SBP", {{50, 3}, {90, 3}, {91, 2}, {100, 2}, {101, 1}, {110, 1}, {111, 0}, {219, 0}, {220, 3},
                      {260, 3}},
              [](News2Inputs& in, double v) { in.systolic_mmhg = v; },
              [](const News2Score& s) { return s.systolic; });
}

TEST(News2, PulseBandEdges) {
  // <=40:3 | 41-50:1 | 51-90:0 | 91-110:1 | 111-130:2 | >=131:3
  check_bands("HR", {{20, 3}, {40, 3}, {41, 1}, {50, 1}, {51, 0}, {90, 0}, {91, 1}, {110, 1}, {111, 2},
                     {130, 2}, {131, 3}, {200, 3}},
              [](News2Inputs& in, double v) { in.heart_rate_bpm = v; },
              [](const News2Score& s) { return s.pulse; });
}

TEST(News2, TemperatureBandEdges) {
  // <=35.0:3 | 35.1-36.0:1 | 36.1-38.0:0 | 38.1-39.0:1 | >=39.1:2
  check_bands("temperature", {{33.0, 3}, {35.0, 3}, {35.1, 1}, {36.0, 1}, {36.1, 0}, {38.0, 0}, {38.1, 1},
                              {39.0, 1}, {39.1, 2}, {41.0, 2}},
              [](News2Inputs& in, double v) { in.temperature_c = v; },
              [](const News2Score& s) { return s.temperature; });
}

TEST(News2, ConsciousnessAnythingButAlertScoresThree) {
  const std::vector<std::pair<Consciousness, int>> cases{
      {Consciousness::alert, 0}, {Consciousness::new_confusion, 3}, {Consciousness::voice, 3},
      {Consciousness::pain, 3},  {Consciousness::unresponsive, 3}};
  for (const auto& [level, points] : cases) {
    SCOPED_TRACE(static_cast<int>(level));
    News2Inputs in = all_normal();
    in.consciousness = level;
    const News2Score s = news2_score(in);
    EXPECT_EQ(s.consciousness, points);
    EXPECT_EQ(s.total, points);
    EXPECT_EQ(s.risk, points == 3 ? News2Risk::low_medium : News2Risk::low);
  }
}

TEST(News2, RoundsToWholeNumbersHalfAwayFromZero) {
  check_bands("RR rounding", {{8.49, 3}, {8.5, 1}, {11.49, 1}, {11.5, 0}, {20.49, 0}, {20.5, 2}, {24.5, 3}},
              [](News2Inputs& in, double v) { in.respiration_rate_per_min = v; },
              [](const News2Score& s) { return s.respiration; });
  check_bands("SpO2 rounding", {{91.49, 3}, {91.5, 2}, {95.49, 1}, {95.5, 0}},
              [](News2Inputs& in, double v) { in.spo2_percent = v; },
              [](const News2Score& s) { return s.spo2; });
  News2Inputs scale2 = all_normal();
  scale2.spo2_scale2 = true;
  scale2.on_oxygen = true;
  check_bands("SpO2 scale 2 rounding", {{83.49, 3}, {83.5, 2}, {92.49, 0}, {92.5, 1}, {96.5, 3}},
              [](News2Inputs& in, double v) { in.spo2_percent = v; },
              [](const News2Score& s) { return s.spo2; }, scale2);
  check_bands("SBP rounding", {{90.49, 3}, {90.5, 2}, {110.49, 1}, {110.5, 0}, {219.49, 0}, {219.5, 3}},
              [](News2Inputs& in, double v) { in.systolic_mmhg = v; },
              [](const News2Score& s) { return s.systolic; });
  check_bands("HR rounding", {{40.49, 3}, {40.5, 1}, {50.5, 0}, {90.49, 0}, {90.5, 1}, {130.49, 2}, {130.5, 3}},
              [](News2Inputs& in, double v) { in.heart_rate_bpm = v; },
              [](const News2Score& s) { return s.pulse; });
}

TEST(News2, RoundsTemperatureToTenthsHalfAwayFromZero) {
  // Decimal halves count as halves even though 35.05 etc. are stored slightly below the half.
  // Values between the bands of the chart (36.04, 38.06) go to the nearest tenth.
  check_bands("temperature rounding",
              {{35.049, 3}, {35.05, 1}, {36.04, 1}, {36.05, 0}, {38.049, 0}, {38.05, 1}, {38.06, 1},
               {39.049, 1}, {39.05, 2}},
              [](News2Inputs& in, double v) { in.temperature_c = v; },
              [](const News2Score& s) { return s.temperature; });
}

TEST(News2, TotalsAndRiskLevels) {
  struct RiskCase {
    std::string name;
    News2Inputs inputs;
    int total;
    bool any_single_three;
    News2Risk risk;
  };
  auto with = [](auto change) {
    News2Inputs in = all_normal();
    change(in);
    return in;
  };
  const std::vector<RiskCase> cases{
      {"single red score alone", with([](News2Inputs& in) { in.respiration_rate_per_min = 8; }), 3, true,
       News2Risk::low_medium},
      {"single red score at 4", with([](News2Inputs& in) {
         in.respiration_rate_per_min = 8;
         in.heart_rate_bpm = 95;
       }),
       4, true, News2Risk::low_medium},
      {"4 without a red score", with([](News2Inputs& in) {
         in.respiration_rate_per_min = 21;  // 2
         in.systolic_mmhg = 105;            // 1
         in.heart_rate_bpm = 95;            // 1
       }),
       4, false, News2Risk::low},
      {"5 is medium", with([](News2Inputs& in) {
         in.respiration_rate_per_min = 21;  // 2
         in.spo2_percent = 94;              // 1
         in.systolic_mmhg = 105;            // 1
         in.heart_rate_bpm = 95;            // 1
       }),
       5, false, News2Risk::medium},
      {"6 with a red score is medium", with([](News2Inputs& in) {
         in.consciousness = Consciousness::voice;  // 3
         in.heart_rate_bpm = 115;                  // 2
         in.temperature_c = 38.5;                  // 1
       }),
       6, true, News2Risk::medium},
      {"7 is high", with([](News2Inputs& in) {
         in.respiration_rate_per_min = 25;  // 3
         in.spo2_percent = 92;              // 2
         in.on_oxygen = true;               // 2
       }),
       7, true, News2Risk::high},
      {"maximum", with([](News2Inputs& in) {
         in.respiration_rate_per_min = 40;
         in.spo2_percent = 80;
         in.on_oxygen = true;
         in.systolic_mmhg = 70;
         in.heart_rate_bpm = 150;
         in.consciousness = Consciousness::unresponsive;
         in.temperature_c = 34.0;
       }),
       20, true, News2Risk::high},
  };
  for (const RiskCase& c : cases) {
    SCOPED_TRACE(c.name);
    const News2Score s = news2_score(c.inputs);
    EXPECT_EQ(s.total, c.total);
    EXPECT_EQ(s.total, s.respiration + s.spo2 + s.air_or_oxygen + s.systolic + s.pulse + s.consciousness +
                           s.temperature);
    EXPECT_EQ(s.any_single_three, c.any_single_three);
    EXPECT_EQ(s.risk, c.risk);
  }
}

TEST(News2, InputsFromVitalSigns) {
  VitalSigns v;
  v.respiration_rate_per_min = 23.0;
  v.spo2_percent = 89.0;
  v.on_oxygen = true;
  v.hypercapnic_target = true;
  v.systolic_mmhg = 99.0;
  v.heart_rate_bpm = 112.0;
  v.consciousness = Consciousness::new_confusion;
  v.core_temperature_c = 38.4;
  v.skin_temperature_c = 33.0;  // NEWS2 uses core, not skin, temperature
  const News2Inputs in = news2_inputs(v);
  EXPECT_DOUBLE_EQ(in.respiration_rate_per_min, 23.0);
  EXPECT_DOUBLE_EQ(in.spo2_percent, 89.0);
  EXPECT_TRUE(in.spo2_scale2);
  EXPECT_TRUE(in.on_oxygen);
  EXPECT_DOUBLE_EQ(in.systolic_mmhg, 99.0);
  EXPECT_DOUBLE_EQ(in.heart_rate_bpm, 112.0);
  EXPECT_EQ(in.consciousness, Consciousness::new_confusion);
  EXPECT_DOUBLE_EQ(in.temperature_c, 38.4);
  // RR 2 + SpO2 (scale 2, 89) 0 + oxygen 2 + SBP 2 + HR 2 + confusion 3 + temperature 1 = 12.
  const News2Score s = news2_score(in);
  EXPECT_EQ(s.spo2, 0);
  EXPECT_EQ(s.total, 12);
  EXPECT_EQ(s.risk, News2Risk::high);

  v.hypercapnic_target = false;  // scale 1: SpO2 89 scores 3
  EXPECT_FALSE(news2_inputs(v).spo2_scale2);
  EXPECT_EQ(news2_score(news2_inputs(v)).spo2, 3);
}

}  // namespace
}  // namespace twinbed::physiology
