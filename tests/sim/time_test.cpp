// Tests of sim::Time: the strong nanosecond type, its literals, parse_duration and to_string.
#include "sim/Time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace twinbed::sim {
namespace {

TEST(TimeLiterals, ConvertToNanoseconds) {
  EXPECT_EQ((1_ns).ns(), 1);
  EXPECT_EQ((3_us).ns(), 3'000);
  EXPECT_EQ((250_ms).ns(), 250'000'000);
  EXPECT_EQ((1_s).ns(), 1'000'000'000);
  EXPECT_EQ((15_min).ns(), 15LL * 60 * 1'000'000'000);
  EXPECT_EQ((2_h).ns(), 2LL * 3'600 * 1'000'000'000);
  EXPECT_EQ((7_d).ns(), 7LL * 86'400 * 1'000'000'000);
  // The literals are constexpr: usable in constant expressions.
  static_assert((1_s).ns() == 1'000'000'000);
  static_assert(60_s == 1_min);
  static_assert(24_h == 1_d);
}

TEST(TimeLiterals, FactoriesAgreeWithLiterals) {
  EXPECT_EQ(Time::from_ns(5), 5_ns);
  EXPECT_EQ(Time::from_us(5), 5_us);
  EXPECT_EQ(Time::from_ms(5), 5_ms);
  EXPECT_EQ(Time::from_s(5), 5_s);
  EXPECT_EQ(Time::from_min(5), 5_min);
  EXPECT_EQ(Time::from_h(5), 5_h);
  EXPECT_EQ(Time::from_days(5), 5_d);
  EXPECT_EQ(Time::zero().ns(), 0);
  EXPECT_EQ(Time().ns(), 0);
  EXPECT_EQ(Time::max().ns(), std::numeric_limits<std::int64_t>::max());
}

TEST(TimeLiterals, FromSecondsRoundsToNearestNanosecond) {
  EXPECT_EQ(Time::from_seconds(1.5), 1500_ms);
  EXPECT_EQ(Time::from_seconds(0.0), Time::zero());
  EXPECT_EQ(Time::from_seconds(1e-9), 1_ns);
  EXPECT_EQ(Time::from_seconds(1.4e-9), 1_ns);
  EXPECT_EQ(Time::from_seconds(1.6e-9), 2_ns);
  EXPECT_DOUBLE_EQ((1500_ms).seconds(), 1.5);
}

TEST(TimeArithmetic, AddSubtractScaleDivide) {
  Time t = 1_s;
  t += 250_ms;
  EXPECT_EQ(t, 1250_ms);
  t -= 1_s;
  EXPECT_EQ(t, 250_ms);
  EXPECT_EQ(1_s + 500_ms, 1500_ms);
  EXPECT_EQ(1_s - 1_ms, 999_ms);
  EXPECT_EQ(250_ms * 4, 1_s);
  EXPECT_EQ(1_h / 1_min, 60);
  EXPECT_EQ(1_s / 300_ms, 3);  // integer division truncates
  EXPECT_EQ((1_ms - 2_ms).ns(), -1'000'000);
}

TEST(TimeArithmetic, Comparisons) {
  EXPECT_LT(1_ns, 1_us);
  EXPECT_LT(999_ms, 1_s);
  EXPECT_GT(1_d, 23_h);
  EXPECT_LE(60_min, 1_h);
  EXPECT_GE(60_min, 1_h);
  EXPECT_NE(1_s, 1001_ms);
  EXPECT_LT(Time::zero(), 1_ns);
  EXPECT_LT(7_d, Time::max());
  EXPECT_TRUE((1_s <=> 1000_ms) == 0);
}

struct ParseCase {
  const char* text;
  std::int64_t ns;
};

TEST(ParseDuration, AcceptsEveryUnit) {
  const std::vector<ParseCase> cases = {
      {"250ms", 250'000'000},
      {"15min", 15LL * 60'000'000'000},
      {"24h", 24LL * 3'600'000'000'000},
      {"7d", 7LL * 86'400'000'000'000},
      {"1.5s", 1'500'000'000},
      {"0s", 0},
      {"0ns", 0},
      {"12ns", 12},
      {"12us", 12'000},
      {"0.5ms", 500'000},
      {"0.001us", 1},
      {"1.25min", 75'000'000'000},
      {"0.5h", 1'800'000'000'000},
      {"1.5d", 129'600'000'000'000},
      {".5s", 500'000'000},
      {"3.s", 3'000'000'000},
      {"1.000000000s", 1'000'000'000},
      // Trailing zeros beyond the 18 digits kept internally are harmless.
      {"1.00000000000000000000000s", 1'000'000'000},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(parse_duration(c.text).ns(), c.ns);
  }
}

// Decision: blanks around the value and between number and unit are accepted ("2 h" is 2 hours),
// as YAML authors write both forms; anything else around the unit is rejected.
TEST(ParseDuration, AcceptsBlanksBetweenNumberAndUnit) {
  EXPECT_EQ(parse_duration("2 h"), 2_h);
  EXPECT_EQ(parse_duration("  250ms  "), 250_ms);
  EXPECT_EQ(parse_duration("1.5 s"), 1500_ms);
}

TEST(ParseDuration, LongestUnitNameWins) {
  // "min" and "ms" must not be read as some shorter unit.
  EXPECT_EQ(parse_duration("1min"), 60_s);
  EXPECT_EQ(parse_duration("1ms"), Time::from_us(1'000));
  EXPECT_THROW(parse_duration("1m"), std::invalid_argument);
}

TEST(ParseDuration, RejectsInvalidInput) {
  const std::vector<const char*> bad = {
      "",                  // empty
      "   ",               // blank
      "-1s",               // negative
      "-0s",               // negative sign at all
      "15",                // unit-less
      "1.5",               // unit-less decimal
      "5 parsecs",         // unknown unit
      "5S",                // units are case-sensitive
      "5sec",              // not a supported spelling
      "s",                 // no number
      ".s",                // no digits
      "1.0000000001s",     // 0.1 ns is not a whole nanosecond
      "0.5ns",             // half a nanosecond
      "1000000000d",       // overflows int64 nanoseconds
      "9223372036854775808ns",  // INT64_MAX + 1
      "99999999999999999999999s",  // overflows while reading digits
      "1s2",               // trailing garbage
      "1e3s",              // no exponent notation
      "+1s",               // no sign at all
      "1,5s",              // no decimal comma
  };
  for (const char* text : bad) {
    SCOPED_TRACE(std::string("'") + text + "'");
    EXPECT_THROW(parse_duration(text), std::invalid_argument);
  }
}

// Regression: the parser kept only 18 fractional digits and silently dropped the rest, so a value
// finer than 1 ns was accepted as a rounded one.
TEST(ParseDuration, RejectsNonZeroDigitsBeyondEighteenDecimals) {
  EXPECT_THROW(parse_duration("0.0000000000000000001s"), std::invalid_argument);
  EXPECT_THROW(parse_duration("1.0000000000000000009d"), std::invalid_argument);
}

TEST(ParseDuration, ErrorMessageSaysWhatIsAllowed) {
  try {
    parse_duration("15");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("unit"), std::string::npos) << what;
    EXPECT_NE(what.find("min"), std::string::npos) << what;
  }
  try {
    parse_duration("5 parsecs");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("parsecs"), std::string::npos) << e.what();
  }
}

TEST(ParseDuration, LargestValuesAtTheInt64Boundary) {
  // 106751 days fit in int64 ns (max is ~106751.99 d); 106752 days do not.
  EXPECT_EQ(parse_duration("106751d"), 106751_d);
  EXPECT_THROW(parse_duration("106752d"), std::invalid_argument);
  // Regression: the digit loop used a conservative bound and rejected the top of the int64 range.
  EXPECT_EQ(parse_duration("9223372036854775807ns"), Time::max());
  EXPECT_EQ(parse_duration("9223372036854775800ns").ns(), 9223372036854775800LL);
  // Whole part fits, but adding the fraction overflows.
  EXPECT_EQ(parse_duration("9223372036.854775807s"), Time::max());
  EXPECT_THROW(parse_duration("9223372036.854775808s"), std::invalid_argument);
}

TEST(ToString, UsesLargestExactUnit) {
  EXPECT_EQ(to_string(Time::zero()), "0s");
  EXPECT_EQ(to_string(250_ms), "250ms");
  EXPECT_EQ(to_string(15_min), "15min");
  EXPECT_EQ(to_string(24_h), "1d");
  EXPECT_EQ(to_string(25_h), "25h");
  EXPECT_EQ(to_string(1500_ms), "1500ms");
  EXPECT_EQ(to_string(90_s), "90s");
  EXPECT_EQ(to_string(1_ns), "1ns");
  EXPECT_EQ(to_string(1001_us), "1001us");
  EXPECT_EQ(to_string(7_d), "7d");
}

TEST(ToString, RoundTripsThroughParseDuration) {
  const std::vector<Time> values = {Time::zero(), 1_ns,  999_ns, 1_us,  250_ms, 1500_ms,       1_s,
                                    59_s,         15_min, 25_h,  7_d,   106751_d, Time::max(),
                                    Time::from_ns(123'456'789'012), Time::from_ns(86'400'000'000'001)};
  for (const Time t : values) {
    SCOPED_TRACE(t.ns());
    EXPECT_EQ(parse_duration(to_string(t)), t);
  }
  // And the other way for canonical spellings.
  for (const char* text : {"250ms", "15min", "7d", "1ns", "42us", "90s", "25h"}) {
    EXPECT_EQ(to_string(parse_duration(text)), text);
  }
}

}  // namespace
}  // namespace twinbed::sim
