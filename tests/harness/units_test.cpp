#include "harness/Units.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace twinbed;
using namespace twinbed::harness;

TEST(Units, ProbabilityAcceptsFractionsAndPercent) {
  EXPECT_DOUBLE_EQ(parse_probability("0.02"), 0.02);
  EXPECT_DOUBLE_EQ(parse_probability("2%"), 0.02);
  EXPECT_DOUBLE_EQ(parse_probability("0.5 %"), 0.005);
  EXPECT_DOUBLE_EQ(parse_probability("1"), 1.0);
  EXPECT_DOUBLE_EQ(parse_probability("0"), 0.0);
}

TEST(Units, ProbabilityRejectsOutOfRangeAndJunk) {
  EXPECT_THROW(parse_probability("1.5"), std::invalid_argument);
  EXPECT_THROW(parse_probability("150%"), std::invalid_argument);
  EXPECT_THROW(parse_probability("-0.1"), std::invalid_argument);
  EXPECT_THROW(parse_probability("often"), std::invalid_argument);
  EXPECT_THROW(parse_probability("0.1x"), std::invalid_argument);
  try {
    parse_probability("1.5");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[0, 1]"), std::string::npos) << e.what();
  }
}

TEST(Units, RatesConvertToPerSecond) {
  EXPECT_DOUBLE_EQ(parse_rate_per_second("2/day"), 2.0 / 86400.0);
  EXPECT_DOUBLE_EQ(parse_rate_per_second("10/h"), 10.0 / 3600.0);
  EXPECT_DOUBLE_EQ(parse_rate_per_second("0.5/min"), 0.5 / 60.0);
  EXPECT_DOUBLE_EQ(parse_rate_per_second("3/s"), 3.0);
  EXPECT_DOUBLE_EQ(parse_rate_per_second("1/week"), 1.0 / 604800.0);
  EXPECT_THROW(parse_rate_per_second("2"), std::invalid_argument);
  EXPECT_THROW(parse_rate_per_second("2/fortnight"), std::invalid_argument);
  EXPECT_THROW(parse_rate_per_second("-1/day"), std::invalid_argument);
}

TEST(Units, SizesInDecimalAndBinaryUnits) {
  EXPECT_EQ(parse_size_bytes("512B"), 512u);
  EXPECT_EQ(parse_size_bytes("64KiB"), 65536u);
  EXPECT_EQ(parse_size_bytes("1MiB"), 1048576u);
  EXPECT_EQ(parse_size_bytes("2GiB"), 2147483648u);
  EXPECT_EQ(parse_size_bytes("1kB"), 1000u);
  EXPECT_EQ(parse_size_bytes("1.5MB"), 1500000u);
  EXPECT_EQ(parse_size_bytes("1GB"), 1000000000u);
  EXPECT_THROW(parse_size_bytes("1024"), std::invalid_argument);   // unit required
  EXPECT_THROW(parse_size_bytes("1.5B"), std::invalid_argument);   // not whole bytes
  EXPECT_THROW(parse_size_bytes("3 parsecs"), std::invalid_argument);
  EXPECT_THROW(parse_size_bytes("-1KiB"), std::invalid_argument);
}

TEST(Units, BitRatesInSiUnits) {
  EXPECT_DOUBLE_EQ(parse_bit_rate_bps("20Mbps"), 20e6);
  EXPECT_DOUBLE_EQ(parse_bit_rate_bps("54 Mbit/s"), 54e6);
  EXPECT_DOUBLE_EQ(parse_bit_rate_bps("1Gbps"), 1e9);
  EXPECT_DOUBLE_EQ(parse_bit_rate_bps("2.5Gbit/s"), 2.5e9);
  EXPECT_DOUBLE_EQ(parse_bit_rate_bps("250kbps"), 250e3);
  EXPECT_DOUBLE_EQ(parse_bit_rate_bps("9600bps"), 9600.0);
  EXPECT_DOUBLE_EQ(parse_bit_rate_bps("1 bit/s"), 1.0);
  EXPECT_THROW(parse_bit_rate_bps("20"), std::invalid_argument);     // unit required
  EXPECT_THROW(parse_bit_rate_bps("20MBps"), std::invalid_argument);  // bytes: not guessed
  EXPECT_THROW(parse_bit_rate_bps("20MB/s"), std::invalid_argument);
  EXPECT_THROW(parse_bit_rate_bps("0Mbps"), std::invalid_argument);
  EXPECT_THROW(parse_bit_rate_bps("-1Mbps"), std::invalid_argument);
  EXPECT_THROW(parse_bit_rate_bps("fast"), std::invalid_argument);
  try {
    parse_bit_rate_bps("20 MBps");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "has unknown unit 'MBps'; expected a bit rate with unit bps, kbps, Mbps, Gbps "
                                     "(or bit/s, kbit/s, Mbit/s, Gbit/s), e.g. 20Mbps");
  }
}

TEST(Units, DurationsNeedAUnitAndAreNonNegative) {
  EXPECT_EQ(parse_duration("250ms"), sim::Time::from_ms(250));
  EXPECT_EQ(parse_duration("15min"), sim::Time::from_min(15));
  EXPECT_EQ(parse_duration("7d"), sim::Time::from_days(7));
  EXPECT_THROW(parse_duration("15"), std::invalid_argument);
  EXPECT_THROW(parse_duration("-5s"), std::invalid_argument);
}

TEST(Units, PlainNumbers) {
  EXPECT_DOUBLE_EQ(parse_number("75"), 75.0);
  EXPECT_DOUBLE_EQ(parse_number("-1.5e2"), -150.0);
  EXPECT_THROW(parse_number("75bpm"), std::invalid_argument);
  EXPECT_THROW(parse_number(""), std::invalid_argument);
  EXPECT_THROW(parse_number("nan"), std::invalid_argument);
}
