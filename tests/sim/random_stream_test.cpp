// Tests of sim::RandomStream (Philox4x32-10 known answers, stream independence, every distribution's
// moments and goodness of fit), log_factorial, and sim::Progress.
//
// Statistical tests use fixed seeds, so they are deterministic: a failure means the code changed,
// not bad luck. Thresholds: means and variances within 5 standard errors; Kolmogorov-Smirnov
// sqrt(n)*D below 1.63 (the asymptotic 1% critical value, Kolmogorov's distribution); chi-square
// below the 0.999 quantile for the right degrees of freedom.
#include "sim/RandomStream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numbers>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/Progress.hpp"

namespace twinbed::sim {
namespace {

constexpr std::size_t N = 100'000;
constexpr double KS_CRITICAL_1PCT = 1.63;

// ---------------------------------------------------------------------------------------------
// Statistical machinery.

// Regularized lower incomplete gamma P(a, x): series for x < a + 1, Lentz's continued fraction
// for the complement otherwise (Press et al., Numerical Recipes, 3rd ed., section 6.2).
// std::lgamma is fine here: the test is single-threaded.
double gamma_p(double a, double x) {
  if (x <= 0.0) return 0.0;
  const double log_prefactor = -x + a * std::log(x) - std::lgamma(a);
  if (x < a + 1.0) {
    double ap = a;
    double term = 1.0 / a;
    double sum = term;
    for (int n = 0; n < 10'000; ++n) {
      ap += 1.0;
      term *= x / ap;
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * 1e-16) break;
    }
    return sum * std::exp(log_prefactor);
  }
  constexpr double TINY = 1e-300;
  double b = x + 1.0 - a;
  double c = 1.0 / TINY;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < 10'000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < TINY) d = TINY;
    c = b + an / c;
    if (std::fabs(c) < TINY) c = TINY;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < 1e-16) break;
  }
  return 1.0 - std::exp(log_prefactor) * h;
}

double normal_cdf(double x, double mean, double sd) {
  return 0.5 * std::erfc(-(x - mean) / (sd * std::numbers::sqrt2));
}

// Chi-square quantile by bisection on its CDF, P(df/2, x/2).
double chi_square_quantile(int df, double probability) {
  double low = 0.0;
  double high = 10.0 * df + 100.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (low + high);
    (gamma_p(0.5 * df, 0.5 * mid) < probability ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

// sqrt(n) * D, where D is the Kolmogorov-Smirnov distance between the sample and `cdf`.
template <class Cdf>
double ks_scaled_statistic(std::vector<double> sample, Cdf cdf) {
  std::sort(sample.begin(), sample.end());
  const auto n = static_cast<double>(sample.size());
  double d = 0.0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const double f = cdf(sample[i]);
    d = std::max({d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
  }
  ::testing::Test::RecordProperty("ks_sqrt_n_d", std::to_string(std::sqrt(n) * d));
  return std::sqrt(n) * d;
}

struct Moments {
  double mean;
  double variance;
  double central4;  // E[(X - mean)^4], for the standard error of the sample variance
};

// Sample mean within 5 standard errors (sigma / sqrt(n)); sample variance within 5 standard errors
// of its asymptotic distribution, sqrt((mu4 - sigma^4) / n).
void expect_moments(const std::vector<double>& x, const Moments& theory) {
  const auto n = static_cast<double>(x.size());
  double sum = 0.0;
  for (const double v : x) sum += v;
  const double mean = sum / n;
  double squares = 0.0;
  for (const double v : x) squares += (v - mean) * (v - mean);
  const double variance = squares / (n - 1.0);
  const double mean_se = std::sqrt(theory.variance / n);
  const double var_se = std::sqrt((theory.central4 - theory.variance * theory.variance) / n);
  // Recorded in the XML report (--gtest_output=xml) to see how far each test is from its bound.
  ::testing::Test::RecordProperty("mean_z", std::to_string((mean - theory.mean) / mean_se));
  ::testing::Test::RecordProperty("variance_z", std::to_string((variance - theory.variance) / var_se));
  EXPECT_NEAR(mean, theory.mean, 5.0 * mean_se) << "sample mean";
  EXPECT_NEAR(variance, theory.variance, 5.0 * var_se) << "sample variance";
}

struct ChiSquare {
  double statistic;
  int df;
};

// Pearson's chi-square of `observed[k]` against `n * probability[k]`, after merging adjacent cells
// until each expected count is at least 5 (the usual validity rule). The caller makes the last cell
// a catch-all tail so the probabilities sum to 1.
ChiSquare chi_square(const std::vector<std::uint64_t>& observed, const std::vector<double>& probability) {
  double n = 0.0;
  for (const std::uint64_t o : observed) n += static_cast<double>(o);
  std::vector<double> bin_observed;
  std::vector<double> bin_expected;
  double o_acc = 0.0;
  double e_acc = 0.0;
  for (std::size_t k = 0; k < observed.size(); ++k) {
    if (probability[k] == 0.0 && observed[k] > 0) return {std::numeric_limits<double>::infinity(), 1};
    o_acc += static_cast<double>(observed[k]);
    e_acc += n * probability[k];
    if (e_acc >= 5.0) {
      bin_observed.push_back(o_acc);
      bin_expected.push_back(e_acc);
      o_acc = e_acc = 0.0;
    }
  }
  if (e_acc > 0.0 || o_acc > 0.0) {  // a small remainder joins the last full cell
    bin_observed.back() += o_acc;
    bin_expected.back() += e_acc;
  }
  double statistic = 0.0;
  for (std::size_t b = 0; b < bin_observed.size(); ++b) {
    const double diff = bin_observed[b] - bin_expected[b];
    statistic += diff * diff / bin_expected[b];
  }
  return {statistic, static_cast<int>(bin_observed.size()) - 1};
}

void expect_chi_square_fits(const std::vector<std::uint64_t>& observed, const std::vector<double>& probability) {
  const ChiSquare result = chi_square(observed, probability);
  ASSERT_GE(result.df, 1);
  const double critical = chi_square_quantile(result.df, 0.999);
  ::testing::Test::RecordProperty("chi_square", std::to_string(result.statistic) + " df " +
                                                    std::to_string(result.df) + " critical " + std::to_string(critical));
  EXPECT_LT(result.statistic, critical) << "chi-square with " << result.df << " degrees of freedom";
}

double poisson_pmf(std::uint64_t k, double mean) {
  return std::exp(static_cast<double>(k) * std::log(mean) - mean - log_factorial(k));
}

// Observed counts of 0..max_k-1 plus a final ">= max_k" cell, against the Poisson pmf.
void expect_poisson_fits(const std::vector<std::uint64_t>& draws, double mean) {
  const std::uint64_t max_k = static_cast<std::uint64_t>(mean + 12.0 * std::sqrt(mean) + 12.0);
  std::vector<std::uint64_t> observed(max_k + 1, 0);
  for (const std::uint64_t k : draws) ++observed[std::min(k, max_k)];
  std::vector<double> probability(max_k + 1, 0.0);
  double sum = 0.0;
  for (std::uint64_t k = 0; k < max_k; ++k) {
    probability[k] = poisson_pmf(k, mean);
    sum += probability[k];
  }
  probability[max_k] = std::max(0.0, 1.0 - sum);
  expect_chi_square_fits(observed, probability);
}

template <class Draw>
std::vector<double> sample(std::size_t n, Draw draw) {
  std::vector<double> x(n);
  for (double& v : x) v = static_cast<double>(draw());
  return x;
}

// The machinery itself must be right, or the distribution tests prove nothing.
TEST(StatisticalMachinery, IncompleteGammaMatchesClosedForms) {
  for (const double x : {0.01, 0.3, 1.0, 2.5, 7.0, 30.0}) {
    EXPECT_NEAR(gamma_p(1.0, x), 1.0 - std::exp(-x), 1e-13) << x;          // Exponential
    EXPECT_NEAR(gamma_p(0.5, x), std::erf(std::sqrt(x)), 1e-13) << x;      // chi-square, 1 df
    EXPECT_NEAR(gamma_p(2.0, x), 1.0 - std::exp(-x) * (1.0 + x), 1e-13) << x;
  }
}

TEST(StatisticalMachinery, ChiSquareQuantilesMatchPublishedTable) {
  // 0.999 quantiles from the NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.4.
  const std::array<std::pair<int, double>, 8> table = {
      {{1, 10.828}, {2, 13.816}, {3, 16.266}, {6, 22.458}, {10, 29.588}, {20, 45.315}, {50, 86.661}, {100, 149.449}}};
  for (const auto& [df, quantile] : table) EXPECT_NEAR(chi_square_quantile(df, 0.999), quantile, 2e-3) << df;
}

TEST(StatisticalMachinery, KolmogorovSmirnovDetectsAWrongDistribution) {
  RandomStream rng(1, 0, "machinery", "ks");
  const auto x = sample(N, [&] { return rng.uniform01(); });
  EXPECT_LT(ks_scaled_statistic(x, [](double v) { return v; }), KS_CRITICAL_1PCT);
  // The same sample against a slightly different CDF must be rejected.
  EXPECT_GT(ks_scaled_statistic(x, [](double v) { return std::pow(v, 1.03); }), KS_CRITICAL_1PCT);
}

// ---------------------------------------------------------------------------------------------
// Philox4x32-10 and stream keying.

struct KnownAnswer {
  std::array<std::uint32_t, 4> counter;
  std::array<std::uint32_t, 2> key;
  std::array<std::uint32_t, 4> output;
};

TEST(Philox, KnownAnswerVectors) {
  // Random123's kat_vectors (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11).
  const std::array<KnownAnswer, 3> vectors = {{
      {{0x00000000, 0x00000000, 0x00000000, 0x00000000},
       {0x00000000, 0x00000000},
       {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  }};
  for (const KnownAnswer& v : vectors) EXPECT_EQ(RandomStream::philox4x32_10(v.counter, v.key), v.output);
}

std::vector<std::uint64_t> first_values(RandomStream& rng, std::size_t n) {
  std::vector<std::uint64_t> out(n);
  for (std::uint64_t& v : out) v = rng.next_u64();
  return out;
}

TEST(RandomStreamKeying, SameKeySameSequence) {
  RandomStream a(42, 1, "p0007", "heart_rate");
  RandomStream b(42, 1, "p0007", "heart_rate");
  EXPECT_EQ(a.stream_id(), b.stream_id());
  EXPECT_EQ(first_values(a, 1000), first_values(b, 1000));
}

TEST(RandomStreamKeying, AnyDifferentFieldGivesADifferentSequence) {
  RandomStream base(42, 1, "p0007", "heart_rate");
  const auto reference = first_values(base, 64);
  std::vector<RandomStream> variants = {
      RandomStream(43, 1, "p0007", "heart_rate"),
      RandomStream(42 + (std::uint64_t{1} << 32), 1, "p0007", "heart_rate"),  // high seed bits count
      RandomStream(42, 2, "p0007", "heart_rate"),
      RandomStream(42, 1, "p0008", "heart_rate"),
      RandomStream(42, 1, "p0007", "spo2"),
      RandomStream(42, 1, "p0007", "heart_ratf"),
  };
  for (RandomStream& v : variants) {
    const auto values = first_values(v, 64);
    std::size_t equal = 0;
    for (std::size_t i = 0; i < values.size(); ++i) equal += values[i] == reference[i] ? 1 : 0;
    EXPECT_EQ(equal, 0u);
  }
  // The separator between entity and purpose keeps ("ab", "c") apart from ("a", "bc").
  EXPECT_NE(RandomStream(1, 0, "ab", "c").stream_id(), RandomStream(1, 0, "a", "bc").stream_id());
  EXPECT_NE(RandomStream(1, 0, "", "x").stream_id(), RandomStream(1, 0, "x", "").stream_id());
}

TEST(RandomStreamKeying, StreamIdsOfManyEntitiesAreDistinct) {
  std::set<std::uint64_t> ids;
  for (int e = 0; e < 2000; ++e) {
    char name[16];
    std::snprintf(name, sizeof name, "p%04d", e);
    for (const char* purpose : {"heart_rate", "noise", "loss"}) ids.insert(RandomStream(7, 0, name, purpose).stream_id());
  }
  EXPECT_EQ(ids.size(), 6000u);
}

TEST(RandomStreamKeying, OtherStreamsDoNotChangeAStreamsOutput) {
  RandomStream alone(9, 0, "device-3", "loss");
  const auto expected = first_values(alone, 40);

  RandomStream interleaved(9, 0, "device-3", "loss");
  std::vector<std::uint64_t> got = first_values(interleaved, 15);
  // Create and use other streams, including one with the same entity and another replication.
  RandomStream other1(9, 0, "device-3", "noise");
  RandomStream other2(9, 1, "device-3", "loss");
  RandomStream other3(10, 0, "device-4", "loss");
  for (int i = 0; i < 1000; ++i) {
    (void)other1.normal(0.0, 1.0);
    (void)other2.next_u64();
    (void)other3.uniform01();
  }
  for (const std::uint64_t v : first_values(interleaved, 25)) got.push_back(v);
  EXPECT_EQ(got, expected);
}

TEST(RandomStreamKeying, GoldenValuesPinPortability) {
  // Computed once with g++ 12 on x86-64. Every value here is pure integer arithmetic (Philox, the
  // FNV-1a/SplitMix key derivation, Lemire's method, the 53-bit float conversion), so any compiler,
  // standard library or CPU must reproduce them bit for bit; a change means saved scenarios would
  // no longer replay.
  RandomStream rng(20240601, 3, "p0007", "heart_rate");
  EXPECT_EQ(rng.stream_id(), 0x4e037186e7a1e1bdULL);
  const std::vector<std::uint64_t> expected = {0x71255efe6cd0699eULL, 0x21235de42e68b18aULL, 0x183db1ffca9f7ecfULL,
                                                0x963033e9d4815ccbULL, 0xca21e42801ba2f12ULL, 0xbaeb3a60a04223e7ULL};
  EXPECT_EQ(first_values(rng, expected.size()), expected);
  EXPECT_EQ(rng.uniform_int(1000), 481u);
  EXPECT_EQ(rng.uniform01(), 0x1.6ba28fb85b6fp-2);
}

// ---------------------------------------------------------------------------------------------
// Distributions: moments and goodness of fit.

TEST(RandomStreamDistributions, Uniform01) {
  RandomStream rng(101, 0, "dist", "uniform01");
  const auto x = sample(N, [&] { return rng.uniform01(); });
  for (const double v : x) ASSERT_TRUE(v >= 0.0 && v < 1.0) << v;
  expect_moments(x, {0.5, 1.0 / 12.0, 1.0 / 80.0});
  EXPECT_LT(ks_scaled_statistic(x, [](double v) { return v; }), KS_CRITICAL_1PCT);
}

TEST(RandomStreamDistributions, UniformOnInterval) {
  RandomStream rng(102, 0, "dist", "uniform");
  const double low = -3.0;
  const double high = 5.0;
  const auto x = sample(N, [&] { return rng.uniform(low, high); });
  for (const double v : x) ASSERT_TRUE(v >= low && v < high) << v;
  const double w = high - low;
  expect_moments(x, {1.0, w * w / 12.0, w * w * w * w / 80.0});
  EXPECT_LT(ks_scaled_statistic(x, [&](double v) { return (v - low) / w; }), KS_CRITICAL_1PCT);
}

TEST(RandomStreamDistributions, UniformIntSmallIsUnbiased) {
  RandomStream rng(103, 0, "dist", "uniform_int");
  constexpr std::uint64_t n = 7;
  std::vector<std::uint64_t> observed(n, 0);
  std::vector<double> x;
  x.reserve(N);
  for (std::size_t i = 0; i < N; ++i) {
    const std::uint64_t v = rng.uniform_int(n);
    ASSERT_LT(v, n);
    ++observed[v];
    x.push_back(static_cast<double>(v));
  }
  const double nn = static_cast<double>(n * n);
  expect_moments(x, {3.0, (nn - 1.0) / 12.0, (nn - 1.0) * (3.0 * nn - 7.0) / 240.0});
  expect_chi_square_fits(observed, std::vector<double>(n, 1.0 / static_cast<double>(n)));
}

TEST(RandomStreamDistributions, UniformIntEdgeRanges) {
  RandomStream rng(104, 0, "dist", "uniform_int_large");
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(rng.uniform_int(1), 0u);
  // 2^63 + 1: about half of all 64-bit draws are rejected by Lemire's method, the worst case.
  const std::uint64_t large = (std::uint64_t{1} << 63) + 1;
  std::vector<double> x;
  std::uint64_t top_quarter = 0;
  for (int i = 0; i < 20'000; ++i) {
    const std::uint64_t v = rng.uniform_int(large);
    ASSERT_LT(v, large);
    x.push_back(static_cast<double>(v) / static_cast<double>(large));
    top_quarter += v >= (std::uint64_t{3} << 61) ? 1 : 0;
  }
  expect_moments(x, {0.5, 1.0 / 12.0, 1.0 / 80.0});
  EXPECT_NEAR(static_cast<double>(top_quarter) / 20'000.0, 0.25, 5.0 * std::sqrt(0.25 * 0.75 / 20'000.0));
  const std::uint64_t all = std::numeric_limits<std::uint64_t>::max();
  for (int i = 0; i < 1000; ++i) ASSERT_LT(rng.uniform_int(all), all);
}

TEST(RandomStreamDistributions, Normal) {
  RandomStream rng(105, 0, "dist", "normal");
  const double mean = 10.0;
  const double sd = 2.0;
  const auto x = sample(N, [&] { return rng.normal(mean, sd); });
  expect_moments(x, {mean, sd * sd, 3.0 * sd * sd * sd * sd});
  EXPECT_LT(ks_scaled_statistic(x, [&](double v) { return normal_cdf(v, mean, sd); }), KS_CRITICAL_1PCT);
  // The two halves of each polar pair must be uncorrelated, or the cached spare would be biased.
  double cross = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) cross += (x[i] - mean) * (x[i + 1] - mean);
  const double correlation = cross / static_cast<double>(x.size() / 2) / (sd * sd);
  EXPECT_NEAR(correlation, 0.0, 5.0 / std::sqrt(static_cast<double>(x.size() / 2)));
}

TEST(RandomStreamDistributions, Exponential) {
  RandomStream rng(106, 0, "dist", "exponential");
  const double mean = 2.5;
  const auto x = sample(N, [&] { return rng.exponential(mean); });
  for (const double v : x) ASSERT_TRUE(v >= 0.0 && std::isfinite(v)) << v;
  expect_moments(x, {mean, mean * mean, 9.0 * std::pow(mean, 4)});
  EXPECT_LT(ks_scaled_statistic(x, [&](double v) { return 1.0 - std::exp(-v / mean); }), KS_CRITICAL_1PCT);
}

TEST(RandomStreamDistributions, Lognormal) {
  RandomStream rng(107, 0, "dist", "lognormal");
  const double mu = 0.3;
  const double sigma = 0.5;
  const auto x = sample(N, [&] { return rng.lognormal(mu, sigma); });
  for (const double v : x) ASSERT_GT(v, 0.0);
  const double s2 = sigma * sigma;
  const double variance = (std::exp(s2) - 1.0) * std::exp(2.0 * mu + s2);
  const double kurtosis = std::exp(4.0 * s2) + 2.0 * std::exp(3.0 * s2) + 3.0 * std::exp(2.0 * s2) - 3.0;
  expect_moments(x, {std::exp(mu + s2 / 2.0), variance, kurtosis * variance * variance});
  EXPECT_LT(ks_scaled_statistic(x, [&](double v) { return normal_cdf(std::log(v), mu, sigma); }), KS_CRITICAL_1PCT);
}

void check_gamma(double shape, double scale, std::uint64_t seed) {
  RandomStream rng(seed, 0, "dist", "gamma");
  const auto x = sample(N, [&] { return rng.gamma(shape, scale); });
  for (const double v : x) ASSERT_TRUE(v >= 0.0 && std::isfinite(v)) << v;
  const double variance = shape * scale * scale;
  expect_moments(x, {shape * scale, variance, (3.0 + 6.0 / shape) * variance * variance});
  EXPECT_LT(ks_scaled_statistic(x, [&](double v) { return gamma_p(shape, v / scale); }), KS_CRITICAL_1PCT);
}

// Marsaglia & Tsang (2000) for shape >= 1, and the U^(1/k) boost for shape < 1.
TEST(RandomStreamDistributions, GammaShapeBelowOne) { check_gamma(0.5, 2.0, 108); }
TEST(RandomStreamDistributions, GammaShapeAboveOne) { check_gamma(3.0, 1.5, 109); }
TEST(RandomStreamDistributions, GammaShapeOne) { check_gamma(1.0, 1.0, 110); }

void check_poisson(double mean, std::uint64_t seed) {
  RandomStream rng(seed, 0, "dist", "poisson");
  std::vector<std::uint64_t> draws(N);
  for (std::uint64_t& k : draws) k = rng.poisson(mean);
  std::vector<double> x(draws.begin(), draws.end());
  expect_moments(x, {mean, mean, mean * (1.0 + 3.0 * mean)});
  expect_poisson_fits(draws, mean);
}

TEST(RandomStreamDistributions, PoissonSmallMeanMultiplication) { check_poisson(3.0, 111); }
TEST(RandomStreamDistributions, PoissonLargeMeanPtrs) { check_poisson(40.0, 112); }
// Both sides of the switch between the two algorithms (Hoermann 1993's PTRS is valid from 10).
TEST(RandomStreamDistributions, PoissonJustBelowSwitch) { check_poisson(11.9, 113); }
TEST(RandomStreamDistributions, PoissonAtSwitch) { check_poisson(12.0, 114); }

TEST(RandomStreamDistributions, PoissonZeroMean) {
  RandomStream rng(115, 0, "dist", "poisson0");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(rng.poisson(0.0), 0u);
}

TEST(RandomStreamDistributions, Bernoulli) {
  RandomStream rng(116, 0, "dist", "bernoulli");
  const double p = 0.3;
  std::vector<std::uint64_t> observed(2, 0);
  std::vector<double> x;
  x.reserve(N);
  for (std::size_t i = 0; i < N; ++i) {
    const bool b = rng.bernoulli(p);
    ++observed[b ? 1 : 0];
    x.push_back(b ? 1.0 : 0.0);
  }
  const double variance = p * (1.0 - p);
  expect_moments(x, {p, variance, variance * (1.0 - 3.0 * p + 3.0 * p * p)});
  expect_chi_square_fits(observed, {1.0 - p, p});
  for (int i = 0; i < 1000; ++i) {
    ASSERT_FALSE(rng.bernoulli(0.0));
    ASSERT_TRUE(rng.bernoulli(1.0));
  }
}

TEST(RandomStreamDistributions, Categorical) {
  RandomStream rng(117, 0, "dist", "categorical");
  const std::vector<double> weights = {1.0, 0.0, 2.5, 0.5, 6.0};
  double total = 0.0;
  for (const double w : weights) total += w;
  std::vector<double> probability;
  for (const double w : weights) probability.push_back(w / total);
  double mean = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) mean += static_cast<double>(i) * probability[i];
  double variance = 0.0;
  double central4 = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double d = static_cast<double>(i) - mean;
    variance += d * d * probability[i];
    central4 += d * d * d * d * probability[i];
  }
  std::vector<std::uint64_t> observed(weights.size(), 0);
  std::vector<double> x;
  x.reserve(N);
  for (std::size_t i = 0; i < N; ++i) {
    const std::size_t k = rng.categorical(weights);
    ASSERT_LT(k, weights.size());
    ASSERT_NE(k, 1u) << "a zero weight was drawn";
    ++observed[k];
    x.push_back(static_cast<double>(k));
  }
  expect_moments(x, {mean, variance, central4});
  expect_chi_square_fits(observed, probability);
  // A single positive weight is always chosen.
  const std::array<double, 3> only_last = {0.0, 0.0, 2.0};
  for (int i = 0; i < 100; ++i) ASSERT_EQ(rng.categorical(only_last), 2u);
}

// ---------------------------------------------------------------------------------------------
// log_factorial.

TEST(LogFactorial, MatchesExactSumOfLogs) {
  EXPECT_EQ(log_factorial(0), 0.0);
  EXPECT_EQ(log_factorial(1), 0.0);
  long double exact = 0.0L;  // summed in extended precision, so its own rounding is negligible
  for (std::uint64_t k = 2; k <= 200; ++k) {
    exact += std::log(static_cast<long double>(k));
    const double expected = static_cast<double>(exact);
    EXPECT_NEAR(log_factorial(k), expected, 1e-9 * expected) << "k = " << k;
  }
  // Large k stays accurate (Stirling's series), checked against lgamma in this single-threaded test.
  for (const std::uint64_t k : {1'000ULL, 123'456ULL, 10'000'000ULL}) {
    const double expected = std::lgamma(static_cast<double>(k) + 1.0);
    EXPECT_NEAR(log_factorial(k), expected, 1e-12 * expected) << "k = " << k;
  }
}

// ---------------------------------------------------------------------------------------------
// Progress.

// Sets or clears an environment variable for one scope and restores the old value.
class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = std::string(old);
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  const char* name_;
  std::optional<std::string> old_;
};

std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buffer[512];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, got);
  return text;
}

TEST(Progress, SilentUnderCi) {
  const ScopedEnv ci("CI", "true");
  EXPECT_FALSE(interactive_terminal(stdout));
  EXPECT_FALSE(interactive_terminal(stderr));
}

TEST(Progress, NotATerminalMeansDisabledByDefault) {
  const ScopedEnv ci("CI", nullptr);
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(interactive_terminal(f));
  const Progress progress(1_h, f);
  EXPECT_FALSE(progress.enabled());
  std::fclose(f);
}

TEST(Progress, DisabledWritesNothing) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Progress progress(10_s, f);
  progress.set_enabled(false);
  progress.update(5_s, 1000);
  progress.update(10_s, 2000);
  progress.finish();
  EXPECT_EQ(read_all(f), "");
  std::fclose(f);
}

TEST(Progress, EnabledDrawsABarAndFinishErasesIt) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Progress progress(10_s, f);
  progress.set_enabled(true);
  progress.update(5_s, 1000);
  const std::string line = read_all(f);
  EXPECT_NE(line.find('%'), std::string::npos) << line;
  EXPECT_NE(line.find("ETA"), std::string::npos) << line;
  EXPECT_NE(line.find("50.0%"), std::string::npos) << line;
  EXPECT_EQ(line.front(), '\r');
  std::fseek(f, 0, SEEK_END);
  progress.finish();
  const std::string all = read_all(f);
  ASSERT_GT(all.size(), line.size());
  EXPECT_EQ(all.back(), '\r');
  std::fclose(f);
}

}  // namespace
}  // namespace twinbed::sim
