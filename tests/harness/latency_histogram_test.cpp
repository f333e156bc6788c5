#include "harness/LatencyHistogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/RandomStream.hpp"

using namespace twinbed;

TEST(LatencyHistogram, EmptyIsZero) {
  const harness::LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile(0.5), sim::Time::zero());
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  harness::LatencyHistogram h;
  for (int ns = 1; ns <= 100; ++ns) h.add(sim::Time::from_ns(ns));
  EXPECT_EQ(h.quantile(0.5).ns(), 50);
  EXPECT_EQ(h.quantile(0.99).ns(), 99);
  EXPECT_EQ(h.quantile(1.0).ns(), 100);
  EXPECT_EQ(h.min().ns(), 1);
  EXPECT_DOUBLE_EQ(h.mean_seconds(), 50.5e-9);
}

TEST(LatencyHistogram, QuantilesWithinRelativeErrorOfExactNearestRank) {
  sim::RandomStream stream(7, 0, "histogram-test", "latency");
  std::vector<std::int64_t> values;
  harness::LatencyHistogram h;
  for (int i = 0; i < 50000; ++i) {
    // Lognormal latencies around 50 ms with a heavy tail, as on a congested radio link.
    const auto ns = static_cast<std::int64_t>(stream.lognormal(std::log(0.05), 0.8) * 1e9);
    values.push_back(ns);
    h.add(sim::Time::from_ns(ns));
  }
  std::sort(values.begin(), values.end());
  for (const double q : {0.01, 0.5, 0.9, 0.95, 0.99, 0.999}) {
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
    const double exact = static_cast<double>(values[rank - 1]);
    EXPECT_NEAR(static_cast<double>(h.quantile(q).ns()), exact, exact / 128.0) << "q=" << q;
  }
  EXPECT_EQ(h.max().ns(), values.back());
  EXPECT_EQ(h.min().ns(), values.front());
}
