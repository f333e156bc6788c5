// Tests of network::LinkModel: the technology tables, each netem block against its analytic law,
// BLE connection events, retries and supervision timeout, the radio's PER and fading, 5G slots and
// every technology's defaults against the figures of docs/network.md.
//
// Fixed seeds, >= 1e6 packets per statistical test: a failure means the code changed, not bad
// luck. Rates are checked within 5 binomial standard errors; quantiles and means within the
// stated relative tolerances (3 % for quantiles and Gilbert-Elliott figures, as the issue asks).
#include "network/LinkModel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <numbers>
#include <string_view>
#include <utility>
#include <vector>

namespace twinbed::network {
namespace {

using namespace sim::literals;

constexpr std::uint64_t SEED = 20240605;

LinkModel model_of(Technology technology, std::initializer_list<std::pair<std::string_view, double>> overrides = {},
                   std::vector<DelayPercentile> table = {}) {
  LinkSpec spec;
  spec.technology = technology;
  spec.params = sim::ParamSet(technology_info(technology).params);
  for (const auto& [key, value] : overrides) spec.params.set(key, value);
  spec.delay_percentiles = std::move(table);
  return LinkModel::compile(spec);
}

// The q-quantile of a sample (nth_element on a copy's index floor(q (n - 1))).
double sample_quantile(std::vector<double> values, double q) {
  const auto k = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Standard normal quantile by bisection on erfc: independent of the model's approximation.
double normal_quantile_reference(double p) {
  double lo = -40.0, hi = 40.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (normal_cdf(mid) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// Binomial check: |count - n p| <= 5 sqrt(n p (1 - p)).
void expect_binomial(std::uint64_t count, std::uint64_t n, double p, const char* what) {
  const double expected = static_cast<double>(n) * p;
  const double sigma = std::sqrt(static_cast<double>(n) * p * (1.0 - p));
  EXPECT_LE(std::abs(static_cast<double>(count) - expected), 5.0 * sigma)
      << what << ": " << count << " of " << n << ", expected " << expected;
}

// ---------------------------------------------------------------------------------------------
// Tables

TEST(Technologies, EveryTableStartsWithTheNetemKeysAndHasSources) {
  constexpr std::string_view COMMON[] = {"latency",         "jitter",         "distribution",   "jitter_correlation",
                                         "loss",            "burst_p",        "burst_r",        "burst_loss_good",
                                         "burst_loss_bad",  "burst_memory",  "duplicate",      "reorder",        "corrupt",
                                         "retransmissions", "retransmission_delay"};
  ASSERT_EQ(technologies().size(), TECHNOLOGY_COUNT);
  for (const TechnologyInfo& info : technologies()) {
    ASSERT_GE(info.params.size(), std::size(COMMON)) << info.name;
    for (std::size_t i = 0; i < std::size(COMMON); ++i) EXPECT_EQ(info.params[i].name, COMMON[i]) << info.name;
    for (const sim::ParamInfo& p : info.params) {
      EXPECT_FALSE(p.source.empty()) << info.name << "." << p.name;
      EXPECT_FALSE(p.description.empty()) << info.name << "." << p.name;
      EXPECT_GE(p.default_value, p.min) << info.name << "." << p.name;
      EXPECT_LE(p.default_value, p.max) << info.name << "." << p.name;
    }
    EXPECT_EQ(technology_from_name(info.name), info.technology);
    EXPECT_EQ(&technology_info(info.technology), &info);
    // An empirical default needs its table; the others have none.
    const sim::ParamSet defaults(info.params);
    const bool empirical = defaults.choice("distribution") == static_cast<std::size_t>(DelayDistribution::empirical);
    EXPECT_EQ(empirical, !info.default_delay_percentiles.empty()) << info.name;
  }
  EXPECT_FALSE(technology_from_name("bluetooth").has_value());
  EXPECT_EQ(drop_reason_name(DropReason::queue_overflow), "queue_overflow");
  EXPECT_EQ(drop_reason_name(DropReason::no_route), "no_route");
}

TEST(Technologies, GenericDefaultsAreTheSkeletonLink) {
  const LinkModel m = model_of(Technology::generic);
  EXPECT_EQ(m.latency_ns, (50_ms).ns());
  EXPECT_EQ(m.jitter_ns, 0);
  EXPECT_EQ(m.distribution, DelayDistribution::none);
  EXPECT_EQ(m.loss, 0.0);
  EXPECT_EQ(m.burst_p, 0.0);
  EXPECT_EQ(m.duplicate + m.reorder + m.corrupt, 0.0);
  EXPECT_EQ(m.max_attempts, 1u);
  EXPECT_FALSE(m.has_radio);
  EXPECT_EQ(m.expected_latency(), 50_ms);
  // Every packet takes exactly 50 ms and none is lost.
  sim::RandomStream random(SEED, 0, "generic", "link");
  LinkState state = initial_link_state(m, random);
  for (int i = 0; i < 1000; ++i) {
    const Transit t = transit(m, state, random, sim::Time::from_ms(i * 7), 100);
    ASSERT_EQ(t.drop, DropReason::none);
    ASSERT_EQ(t.delay, 50_ms);
    ASSERT_FALSE(t.duplicate);
  }
  // A ParamSet left empty compiles to the technology's defaults.
  LinkSpec spec;
  spec.technology = Technology::ble;
  EXPECT_EQ(LinkModel::compile(spec).connection_interval_ns, (30_ms).ns());
}

TEST(Technologies, CatalogueListsEveryKey) {
  const std::string md = technology_catalog_markdown();
  const std::string text = technology_catalog_text(Technology::ble);
  for (const TechnologyInfo& info : technologies()) {
    std::string heading = "### `";
    heading += info.name;
    heading += "`";
    EXPECT_NE(md.find(heading), std::string::npos) << info.name;
  }
  EXPECT_NE(md.find("| `connection_interval` | duration | 30 ms | 0.0075 s .. 4 s |"), std::string::npos);
  EXPECT_NE(md.find("p50 6ms"), std::string::npos);
  EXPECT_NE(text.find("supervision_timeout"), std::string::npos);
  EXPECT_EQ(text.find("wifi:"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Loss

struct BurstFigures {
  double loss_rate;
  double mean_burst;
};

BurstFigures run_bursts(double p, double r, std::uint64_t packets) {
  const LinkModel m = model_of(Technology::generic, {{"latency", 0.0}, {"burst_p", p}, {"burst_r", r}});
  sim::RandomStream random(SEED, 0, "ge", "link");
  LinkState state = initial_link_state(m, random);
  std::uint64_t lost = 0, bursts = 0;
  bool previous_lost = false;
  for (std::uint64_t i = 0; i < packets; ++i) {
    const bool is_lost = transit(m, state, random, sim::Time::from_ms(static_cast<std::int64_t>(i)), 100).drop ==
                         DropReason::loss;
    lost += is_lost;
    bursts += is_lost && !previous_lost;
    previous_lost = is_lost;
  }
  return {static_cast<double>(lost) / static_cast<double>(packets),
          static_cast<double>(lost) / static_cast<double>(bursts)};
}

TEST(LinkLoss, GilbertElliottLossRateAndBurstLength) {
  // (p, r): BLE's and Wi-Fi's defaults and a heavier setting. 4e6 packets each.
  for (const auto& [p, r] : {std::pair{0.0034, 0.33}, std::pair{0.0023, 0.3}, std::pair{0.05, 0.5}}) {
    const BurstFigures f = run_bursts(p, r, 4'000'000);
    const double share = p / (p + r);
    std::printf("Gilbert-Elliott p=%g r=%g: loss %.5f (expected %.5f), mean burst %.4f (expected %.4f)\n", p, r,
                f.loss_rate, share, f.mean_burst, 1.0 / r);
    EXPECT_NEAR(f.loss_rate / share, 1.0, 0.03) << "p=" << p << " r=" << r << " loss " << f.loss_rate;
    EXPECT_NEAR(f.mean_burst * r, 1.0, 0.03) << "p=" << p << " r=" << r << " burst " << f.mean_burst;
  }
}

TEST(LinkLoss, GilbertElliottPartialLossInEachState) {
  // Loss 0.2 in good, 0.9 in bad: rate = (r 0.2 + p 0.9) / (p + r).
  const double p = 0.02, r = 0.1;
  const LinkModel m = model_of(Technology::generic, {{"latency", 0.0},
                                                     {"burst_p", p},
                                                     {"burst_r", r},
                                                     {"burst_loss_good", 0.2},
                                                     {"burst_loss_bad", 0.9}});
  sim::RandomStream random(SEED, 0, "ge-partial", "link");
  LinkState state = initial_link_state(m, random);
  std::uint64_t lost = 0;
  constexpr std::uint64_t N = 1'000'000;
  for (std::uint64_t i = 0; i < N; ++i) lost += transit(m, state, random, sim::Time::zero(), 100).drop == DropReason::loss;
  const double expected = (r * 0.2 + p * 0.9) / (p + r);
  EXPECT_NEAR(static_cast<double>(lost) / N / expected, 1.0, 0.03);
}

TEST(LinkLoss, RetransmissionsFollowTheGeometricLaw) {
  // Loss 0.3 per attempt, 3 retries 10 ms apart: P(k attempts) = 0.3^(k-1) 0.7, lost = 0.3^4.
  const LinkModel m = model_of(Technology::generic, {{"latency", 0.02},
                                                     {"loss", 0.3},
                                                     {"retransmissions", 3.0},
                                                     {"retransmission_delay", 0.01}});
  sim::RandomStream random(SEED, 0, "retx", "link");
  LinkState state = initial_link_state(m, random);
  constexpr std::uint64_t N = 1'000'000;
  std::uint64_t by_attempts[5] = {};
  std::uint64_t lost = 0;
  for (std::uint64_t i = 0; i < N; ++i) {
    const Transit t = transit(m, state, random, sim::Time::from_ms(5), 100);
    if (t.drop == DropReason::loss) {
      ++lost;
      ASSERT_EQ(t.attempts, 4);
      ASSERT_EQ(t.delay, 30_ms);  // the last failed attempt, 3 retries after the first
      continue;
    }
    ASSERT_EQ(t.delay, sim::Time::from_ms(20 + 10 * (t.attempts - 1)));
    ++by_attempts[t.attempts];
  }
  expect_binomial(lost, N, std::pow(0.3, 4), "lost");
  for (int k = 1; k <= 4; ++k) expect_binomial(by_attempts[k], N, std::pow(0.3, k - 1) * 0.7, "attempts");
}

TEST(LinkLoss, DuplicationReorderingCorruption) {
  const LinkModel m = model_of(Technology::generic,
                               {{"latency", 0.1}, {"duplicate", 0.01}, {"reorder", 0.02}, {"corrupt", 0.005}});
  sim::RandomStream random(SEED, 0, "netem", "link");
  LinkState state = initial_link_state(m, random);
  constexpr std::uint64_t N = 1'000'000;
  std::uint64_t duplicated = 0, reordered = 0, corrupted = 0;
  for (std::uint64_t i = 0; i < N; ++i) {
    const Transit t = transit(m, state, random, sim::Time::from_ms(static_cast<std::int64_t>(i)), 100);
    ASSERT_NE(t.drop, DropReason::loss);
    if (t.drop == DropReason::corruption) {
      ++corrupted;
      continue;
    }
    // A reordered packet skips the 100 ms delay and overtakes the ones sent before it.
    if (t.delay == sim::Time::zero()) {
      ++reordered;
    } else {
      ASSERT_EQ(t.delay, 100_ms);
    }
    if (t.duplicate) {
      ++duplicated;
      ASSERT_EQ(t.duplicate_delay, 100_ms);
    }
  }
  // Each block draws independently: corruption among all, reordering among all (drawn before),
  // duplication among the uncorrupted.
  std::printf("netem blocks over %llu packets: corrupted %llu (expected %.0f), reordered %llu (%.0f), duplicated %llu "
              "(%.0f)\n",
              static_cast<unsigned long long>(N), static_cast<unsigned long long>(corrupted), N * 0.005,
              static_cast<unsigned long long>(reordered), N * 0.02 * 0.995,
              static_cast<unsigned long long>(duplicated), N * 0.01 * 0.995);
  expect_binomial(corrupted, N, 0.005, "corrupted");
  expect_binomial(reordered, N, 0.02 * 0.995, "reordered");
  expect_binomial(duplicated, N, 0.01 * 0.995, "duplicated");
}

// ---------------------------------------------------------------------------------------------
// Delay distributions

// Delays of the delivered ones among n packets sent 1 ms apart.
std::vector<double> draw_delays_ms(const LinkModel& m, std::uint64_t n, std::string_view entity) {
  sim::RandomStream random(SEED, 0, entity, "link");
  LinkState state = initial_link_state(m, random);
  std::vector<double> delays;
  delays.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    const Transit t = transit(m, state, random, sim::Time::from_ms(static_cast<std::int64_t>(i)), 100);
    if (t.drop == DropReason::none) delays.push_back(t.delay.seconds() * 1e3);
  }
  return delays;
}

void expect_quantiles(const LinkModel& m, std::string_view entity, double p50_ms, double p99_ms) {
  const std::vector<double> delays = draw_delays_ms(m, 1'000'000, entity);
  const double q50 = sample_quantile(delays, 0.5), q99 = sample_quantile(delays, 0.99);
  std::printf("%.*s: p50 %.3f ms (expected %.3f), p99 %.3f ms (expected %.3f)\n", static_cast<int>(entity.size()),
              entity.data(), q50, p50_ms, q99, p99_ms);
  EXPECT_NEAR(q50 / p50_ms, 1.0, 0.03) << entity << " p50 " << q50 << " vs " << p50_ms;
  EXPECT_NEAR(q99 / p99_ms, 1.0, 0.03) << entity << " p99 " << q99 << " vs " << p99_ms;
}

constexpr double L_MS = 100.0, J_MS = 20.0;

double with_jitter(double x) { return L_MS + J_MS * x; }

TEST(LinkDelay, UniformQuantiles) {
  const auto m = model_of(Technology::generic, {{"latency", 0.1}, {"jitter", 0.02}, {"distribution", 1.0}});
  expect_quantiles(m, "uniform", with_jitter(0.0), with_jitter(2 * 0.99 - 1));
}

TEST(LinkDelay, NormalQuantiles) {
  const auto m = model_of(Technology::generic, {{"latency", 0.1}, {"jitter", 0.02}, {"distribution", 2.0}});
  expect_quantiles(m, "normal", with_jitter(0.0), with_jitter(normal_quantile_reference(0.99)));
}

// netem's Pareto (iproute2 netem/pareto.c): x = (4/3) ((1 - q)^(-1/3) - 1.5) at quantile q.
double pareto_reference(double q) { return 4.0 / 3.0 * (std::pow(1.0 - q, -1.0 / 3.0) - 1.5); }

TEST(LinkDelay, ParetoQuantiles) {
  const auto m = model_of(Technology::generic, {{"latency", 0.1}, {"jitter", 0.02}, {"distribution", 3.0}});
  expect_quantiles(m, "pareto", with_jitter(pareto_reference(0.5)), with_jitter(pareto_reference(0.99)));
}

TEST(LinkDelay, ParetoNormalQuantiles) {
  // iproute2 netem/paretonormal.c: (normal + 3 pareto) / 4 at the same quantile.
  const auto m = model_of(Technology::generic, {{"latency", 0.1}, {"jitter", 0.02}, {"distribution", 4.0}});
  const auto reference = [](double q) { return 0.25 * normal_quantile_reference(q) + 0.75 * pareto_reference(q); };
  expect_quantiles(m, "paretonormal", with_jitter(reference(0.5)), with_jitter(reference(0.99)));
}

TEST(LinkDelay, EmpiricalQuantiles) {
  // A custom table with 5 ms latency added: p50 = 5 + 20, p99 = 5 + (80 + 0.9 (400 - 80)).
  const std::vector<DelayPercentile> table{{0.0, 2_ms}, {0.5, 20_ms}, {0.9, 80_ms}, {1.0, 400_ms}};
  const auto m = model_of(Technology::generic, {{"latency", 0.005}, {"distribution", 5.0}}, table);
  expect_quantiles(m, "empirical", 25.0, 5.0 + 80.0 + 0.9 * 320.0);
  // Wi-Fi's default table (spec/network.md: median 3-10 ms, p99 ~100 ms).
  expect_quantiles(model_of(Technology::wifi, {{"burst_p", 0.0}}), "wifi", 6.0, 100.0);
}

TEST(LinkDelay, CorrelationKeepsTheMeanAndNarrowsTheSpread) {
  // X' = (1 - rho) X + rho X_last: an AR(1) with lag-1 correlation rho and variance
  // sd^2 (1 - rho) / (1 + rho).
  const double rho = 0.5;
  const auto m = model_of(Technology::generic,
                          {{"latency", 0.1}, {"jitter", 0.02}, {"distribution", 2.0}, {"jitter_correlation", rho}});
  const std::vector<double> d = draw_delays_ms(m, 1'000'000, "correlated");
  double mean = 0.0;
  for (const double v : d) mean += v;
  mean /= static_cast<double>(d.size());
  double var = 0.0, cov = 0.0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    var += (d[i] - mean) * (d[i] - mean);
    if (i > 0) cov += (d[i] - mean) * (d[i - 1] - mean);
  }
  EXPECT_NEAR(mean, L_MS, 0.1);  // 5 standard errors of an AR(1) mean
  EXPECT_NEAR(std::sqrt(var / static_cast<double>(d.size())) / (J_MS * std::sqrt((1 - rho) / (1 + rho))), 1.0, 0.01);
  EXPECT_NEAR(cov / var, rho, 0.01);
}

TEST(LinkDelay, NegativeDelaysClampAtZero) {
  // Latency 10 ms, normal jitter 20 ms: P(delay = 0) = Phi(-0.5), never negative.
  const auto m = model_of(Technology::generic, {{"latency", 0.01}, {"jitter", 0.02}, {"distribution", 2.0}});
  const std::vector<double> d = draw_delays_ms(m, 1'000'000, "clamp");
  std::uint64_t zero = 0;
  for (const double v : d) {
    ASSERT_GE(v, 0.0);
    zero += v == 0.0;
  }
  expect_binomial(zero, d.size(), normal_cdf(-0.5), "clamped");
  // expected_latency() includes the clamp: E[max(0, L + J Z)] = L Phi(L/J) + J phi(L/J).
  const double z = 0.5;
  const double mean_ms = 10.0 * normal_cdf(z) + 20.0 * std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
  EXPECT_NEAR(m.expected_latency().seconds() * 1e3, mean_ms, 1e-3);
}

// ---------------------------------------------------------------------------------------------
// BLE

struct BleRun {
  double mean_ms = 0.0;
  std::uint64_t delivered = 0, lost = 0, timeouts = 0;
};

// Packets at random times (exponential gaps of mean 97 ms, unrelated to the connection interval).
BleRun run_ble(const LinkModel& m, std::uint64_t n, std::uint32_t size, std::string_view entity) {
  sim::RandomStream random(SEED, 0, entity, "link");
  sim::RandomStream arrivals(SEED, 0, entity, "arrivals");
  LinkState state = initial_link_state(m, random);
  const std::int64_t ci = m.connection_interval_ns;
  const std::int64_t air = ble_airtime(m, size).ns();
  BleRun run;
  double sum = 0.0;
  std::int64_t now = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    now += std::llround(arrivals.exponential(97e6));
    const Transit t = transit(m, state, random, sim::Time::from_ns(now), size);
    EXPECT_GE(t.delay.ns(), 0);
    const std::int64_t wait = t.delay.ns() - (t.drop == DropReason::none ? air : 0) - (t.attempts - 1) * ci;
    // The first attempt is on a connection event, the first at or after `now`.
    EXPECT_GE(wait, 0);
    EXPECT_LT(wait, ci);
    EXPECT_EQ((now + wait - state.ble_anchor_ns) % ci, 0);
    if (t.drop == DropReason::none) {
      ++run.delivered;
      sum += t.delay.seconds() * 1e3;
    } else {
      ++run.lost;
      run.timeouts += t.supervision_timeout;
    }
  }
  run.mean_ms = sum / static_cast<double>(run.delivered);
  return run;
}

TEST(LinkBle, AirtimeFromTheFraming) {
  const auto one_m = model_of(Technology::ble);
  // 100 B + 7 B ATT/L2CAP + 14 B LL in one fragment at 1 Mb/s: 121 * 8 us.
  EXPECT_EQ(ble_airtime(one_m, 100), sim::Time::from_us(968));
  // 600 B: 607 B in 3 fragments (+42 B), 2 acknowledgements of 2 x 150 us + 80 us.
  EXPECT_EQ(ble_airtime(one_m, 600), sim::Time::from_us((607 + 42) * 8 + 2 * 380));
  EXPECT_EQ(ble_airtime(model_of(Technology::ble, {{"phy", 1.0}}), 100), sim::Time::from_us(484));
  EXPECT_EQ(ble_airtime(model_of(Technology::ble, {{"phy", 2.0}}), 100), sim::Time::from_us(968 * 8));
}

TEST(LinkBle, MeanLatencyWithoutLoss) {
  // No burst, no fading: PER at 34 dB above sensitivity is ~e^-34. Mean = CI/2 + airtime.
  const auto m = model_of(Technology::ble, {{"burst_p", 0.0}, {"fading_sd", 0.0}});
  const BleRun run = run_ble(m, 1'000'000, 100, "ble-clean");
  EXPECT_EQ(run.lost, 0u);
  const double expected = 15.0 + 0.968;
  std::printf("BLE without loss: mean %.4f ms (expected %.4f)\n", run.mean_ms, expected);
  EXPECT_NEAR(run.mean_ms / expected, 1.0, 0.01) << run.mean_ms;
  EXPECT_NEAR(m.expected_latency().seconds() * 1e3, expected, 1e-3);
}

TEST(LinkBle, MeanLatencyWithIndependentLoss) {
  // Loss q = 0.2 per attempt, retried each event: E[retries] = q / (1 - q) = 0.25 (truncation at
  // 67 attempts changes it by 0.2^67).
  const auto m = model_of(Technology::ble, {{"burst_p", 0.0}, {"fading_sd", 0.0}, {"loss", 0.2}, {"phy", 1.0}});
  const BleRun run = run_ble(m, 1'000'000, 200, "ble-loss");
  EXPECT_EQ(run.lost, 0u);
  const double expected = 15.0 + ble_airtime(m, 200).seconds() * 1e3 + 0.25 * 30.0;
  std::printf("BLE with loss 0.2: mean %.4f ms (expected %.4f)\n", run.mean_ms, expected);
  EXPECT_NEAR(run.mean_ms / expected, 1.0, 0.01) << run.mean_ms << " vs " << expected;
}

TEST(LinkBle, PerAtSensitivityIsOneHalf) {
  // Mean RSSI at the sensitivity, no fading: every attempt is lost with probability 1/2, so the
  // mean adds one connection interval (E[retries] = 1).
  const auto m = model_of(Technology::ble, {{"burst_p", 0.0}, {"fading_sd", 0.0}, {"path_loss", 89.0}});
  ASSERT_DOUBLE_EQ(m.mean_rssi_dbm, m.sensitivity_dbm);
  const BleRun run = run_ble(m, 1'000'000, 100, "ble-per");
  std::printf("BLE at the sensitivity: mean %.4f ms (expected %.4f)\n", run.mean_ms, 15.0 + 0.968 + 30.0);
  EXPECT_NEAR(run.mean_ms / (15.0 + 0.968 + 30.0), 1.0, 0.01) << run.mean_ms;
}

TEST(LinkBle, SupervisionTimeoutLosesThePacket) {
  // CI 100 ms, timeout 2 s: 20 attempts; with loss 0.9 a packet is lost with 0.9^20 = 0.1216.
  const auto m = model_of(Technology::ble, {{"burst_p", 0.0},
                                            {"fading_sd", 0.0},
                                            {"loss", 0.9},
                                            {"connection_interval", 0.1},
                                            {"supervision_timeout", 2.0}});
  ASSERT_EQ(m.max_attempts, 20u);
  sim::RandomStream random(SEED, 0, "ble-timeout", "link");
  LinkState state = initial_link_state(m, random);
  constexpr std::uint64_t N = 1'000'000;
  std::uint64_t lost = 0;
  for (std::uint64_t i = 0; i < N; ++i) {
    const sim::Time now = sim::Time::from_ms(static_cast<std::int64_t>(i) * 2100);
    const Transit t = transit(m, state, random, now, 20);
    if (t.drop != DropReason::loss) continue;
    ++lost;
    ASSERT_TRUE(t.supervision_timeout);
    ASSERT_EQ(t.attempts, 20);
    ASSERT_GE(t.delay, sim::Time::from_ms(1900));
    ASSERT_LT(t.delay, 2_s);
  }
  std::printf("BLE supervision timeouts: %llu of %llu (expected %.0f)\n", static_cast<unsigned long long>(lost),
              static_cast<unsigned long long>(N), N * std::pow(0.9, 20));
  expect_binomial(lost, N, std::pow(0.9, 20), "timeouts");
}

TEST(LinkRadio, FadingIsAnOrnsteinUhlenbeckProcess) {
  // Wi-Fi with 4 dB fading of correlation time 100 ms, sampled every 50 ms: variance 16 dB^2, lag-1
  // correlation e^-0.5.
  const auto m = model_of(Technology::wifi, {{"fading_sd", 4.0}, {"fading_correlation_time", 0.1}});
  sim::RandomStream random(SEED, 0, "fading", "link");
  LinkState state = initial_link_state(m, random);
  constexpr std::uint64_t N = 1'000'000;
  std::vector<double> x(N);
  for (std::uint64_t i = 0; i < N; ++i) {
    transit(m, state, random, sim::Time::from_ms(static_cast<std::int64_t>(i) * 50), 100);
    x[i] = state.fading_db;
  }
  double var = 0.0, cov = 0.0;
  for (std::uint64_t i = 0; i < N; ++i) {
    var += x[i] * x[i];
    if (i > 0) cov += x[i] * x[i - 1];
  }
  EXPECT_NEAR(var / N / 16.0, 1.0, 0.02);
  EXPECT_NEAR(cov / var, std::exp(-0.5), 0.005);
}

TEST(LinkRadio, LossIsThePerAveragedOverTheFading) {
  // Mean RSSI 3 dB above the sensitivity, fading sd 4 dB, packets 1 s apart (10 correlation times):
  // loss = E[1 / (1 + exp((3 + 4 Z) / 1))].
  const auto m = model_of(Technology::wifi, {{"burst_p", 0.0},
                                             {"shadowing_sd", 0.0},
                                             {"distribution", 0.0},
                                             {"fading_sd", 4.0},
                                             {"fading_correlation_time", 0.1},
                                             {"tx_power", -82.0 + 3.0 + 76.68}});
  ASSERT_NEAR(m.mean_rssi_dbm - m.sensitivity_dbm, 3.0, 1e-9);
  double expected = 0.0;
  constexpr int STEPS = 20000;
  for (int i = 0; i < STEPS; ++i) {
    const double z = -10.0 + 20.0 * (i + 0.5) / STEPS;
    expected += std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi) / (1.0 + std::exp(3.0 + 4.0 * z)) * 20.0 / STEPS;
  }
  sim::RandomStream random(SEED, 0, "per", "link");
  LinkState state = initial_link_state(m, random);
  constexpr std::uint64_t N = 1'000'000;
  std::uint64_t lost = 0;
  for (std::uint64_t i = 0; i < N; ++i) {
    lost += transit(m, state, random, sim::Time::from_s(static_cast<std::int64_t>(i)), 100).drop == DropReason::loss;
  }
  std::printf("PER over fading: loss %.5f (expected %.5f)\n", static_cast<double>(lost) / N, expected);
  expect_binomial(lost, N, expected, "PER");
}

// ---------------------------------------------------------------------------------------------
// 5G, handover, reconnection

TEST(Link5g, UrllcWaitsForTheNextSlot) {
  // Numerology 2: 0.25 ms slots; delay = wait to the slot boundary + 0.375 ms.
  const auto m = model_of(Technology::nr_urllc, {{"loss", 0.0}});
  ASSERT_EQ(m.slot_ns, 250'000);
  sim::RandomStream random(SEED, 0, "urllc", "link");
  sim::RandomStream arrivals(SEED, 0, "urllc", "arrivals");
  LinkState state = initial_link_state(m, random);
  double sum = 0.0;
  std::int64_t now = 0;
  constexpr std::uint64_t N = 1'000'000;
  for (std::uint64_t i = 0; i < N; ++i) {
    now += 1 + static_cast<std::int64_t>(arrivals.uniform_int(10'000'000));
    const Transit t = transit(m, state, random, sim::Time::from_ns(now), 100);
    const std::int64_t wait = t.delay.ns() - 375'000;
    ASSERT_GE(wait, 0);
    ASSERT_LT(wait, 250'000);
    ASSERT_EQ((now + wait) % 250'000, 0);
    sum += t.delay.seconds();
  }
  EXPECT_NEAR(sum / N * 1e3 / 0.5, 1.0, 0.01);
  EXPECT_EQ(m.expected_latency(), sim::Time::from_us(500));
}

TEST(Link5g, HandoverInterruptionIsUniform) {
  const auto m = model_of(Technology::nr_embb);
  sim::RandomStream random(SEED, 0, "handover", "link");
  double sum = 0.0;
  constexpr int N = 100'000;
  for (int i = 0; i < N; ++i) {
    const sim::Time h = handover_interruption(m, random);
    ASSERT_GE(h, 30_ms);
    ASSERT_LE(h, 60_ms);
    sum += h.seconds();
  }
  // Uniform on [30, 60] ms: mean 45 ms, standard error 8.66 / sqrt(N) ms.
  EXPECT_NEAR(sum / N * 1e3, 45.0, 5 * 8.66 / std::sqrt(N));
  EXPECT_EQ(handover_interruption(model_of(Technology::nr_urllc), random), sim::Time::zero());
}

TEST(LinkBle, ReconnectAfterAdvertising) {
  // Uniform residual of the advertising period (100 ms + U[0, 10 ms]) plus one connection interval.
  const auto m = model_of(Technology::ble);
  sim::RandomStream random(SEED, 0, "reconnect", "link");
  double sum = 0.0;
  constexpr int N = 100'000;
  for (int i = 0; i < N; ++i) {
    const sim::Time d = reconnect_delay(m, random);
    ASSERT_GE(d, 30_ms);
    ASSERT_LT(d, 140_ms);
    sum += d.seconds() * 1e3;
  }
  // E = 30 + E[U (100 + 10 V)] = 30 + 52.5 ms.
  EXPECT_NEAR(sum / N, 82.5, 0.5);
}

// ---------------------------------------------------------------------------------------------
// Technology defaults against spec/network.md

TEST(TechnologyDefaults, LatenciesWithinTheSpecRanges) {
  const auto ms = [](Technology t, std::initializer_list<std::pair<std::string_view, double>> o = {}) {
    return model_of(t, o).expected_latency().seconds() * 1e3;
  };
  for (const TechnologyInfo& info : technologies()) {
    std::printf("%-8.*s expected_latency %.4f ms\n", static_cast<int>(info.name.size()), info.name.data(),
                ms(info.technology));
  }
  EXPECT_NEAR(ms(Technology::generic), 50.0, 1e-9);
  // BLE: CI/2 + airtime of a 100-byte packet + ~1 % bad-state retries.
  EXPECT_GT(ms(Technology::ble), 15.9);
  EXPECT_LT(ms(Technology::ble), 16.5);
  // Wi-Fi: median 3-10 ms, p90 ~20, p99 ~100 ms; mean between the median and p90.
  const std::vector<double> wifi = draw_delays_ms(model_of(Technology::wifi), 1'000'000, "wifi-default");
  std::printf("Wi-Fi default: p50 %.3f p90 %.3f p99 %.3f ms\n", sample_quantile(wifi, 0.5), sample_quantile(wifi, 0.9),
              sample_quantile(wifi, 0.99));
  EXPECT_GE(sample_quantile(wifi, 0.5), 3.0);
  EXPECT_LE(sample_quantile(wifi, 0.5), 10.0);
  EXPECT_NEAR(sample_quantile(wifi, 0.9), 20.0, 0.6);
  EXPECT_GT(ms(Technology::wifi), 6.0);
  EXPECT_LT(ms(Technology::wifi), 20.0);
  // 5G eMBB: median ~10 ms, p99 30-50 ms, field 7-18 ms one-way.
  const std::vector<double> embb = draw_delays_ms(model_of(Technology::nr_embb), 1'000'000, "embb-default");
  std::printf("5G eMBB default: p50 %.3f p99 %.3f ms\n", sample_quantile(embb, 0.5), sample_quantile(embb, 0.99));
  EXPECT_NEAR(sample_quantile(embb, 0.5), 10.0, 0.3);
  EXPECT_GE(sample_quantile(embb, 0.99), 30.0);
  EXPECT_LE(sample_quantile(embb, 0.99), 50.0);
  EXPECT_GT(ms(Technology::nr_embb), 7.0);
  EXPECT_LT(ms(Technology::nr_embb), 18.0);
  // URLLC: <= 0.5 ms user plane.
  EXPECT_LE(ms(Technology::nr_urllc), 0.5);
  // LTE-M: ~0.1 s at 144 dB, ~6 s at 164 dB, log-linear between; NB-IoT 0.8 s to 10 s.
  EXPECT_NEAR(ms(Technology::lte_m), 100.0, 1e-6);
  EXPECT_NEAR(ms(Technology::lte_m, {{"coupling_loss", 164.0}}), 6000.0, 1e-6);
  EXPECT_NEAR(ms(Technology::lte_m, {{"coupling_loss", 154.0}}), 100.0 * std::sqrt(60.0), 1e-6);
  EXPECT_NEAR(ms(Technology::nb_iot), 800.0, 1e-6);
  EXPECT_NEAR(ms(Technology::nb_iot, {{"coupling_loss", 164.0}}), 10000.0, 1e-6);
  // Wired LAN 0.1-1 ms, WAN 5-50 ms.
  EXPECT_GE(ms(Technology::wired), 0.1);
  EXPECT_LE(ms(Technology::wired), 1.0);
  EXPECT_GE(ms(Technology::wan), 5.0);
  EXPECT_LE(ms(Technology::wan), 50.0);
}

TEST(TechnologyDefaults, LossWithinTheSpecRanges) {
  // Wi-Fi: 0.5-1 % in bursts; BLE: ~1 % of attempts in the bad state (all retried); 5G eMBB
  // 1e-3..1e-4; URLLC 1e-5.
  const auto loss_rate = [](Technology t, std::string_view entity) {
    const LinkModel m = model_of(t);
    sim::RandomStream random(SEED, 0, entity, "link");
    LinkState state = initial_link_state(m, random);
    std::uint64_t lost = 0;
    constexpr std::uint64_t N = 2'000'000;
    for (std::uint64_t i = 0; i < N; ++i) {
      lost += transit(m, state, random, sim::Time::from_ms(static_cast<std::int64_t>(i) * 100), 100).drop ==
              DropReason::loss;
    }
    return static_cast<double>(lost) / N;
  };
  const double wifi = loss_rate(Technology::wifi, "wifi-loss");
  const double embb = loss_rate(Technology::nr_embb, "embb-loss");
  std::printf("default loss: Wi-Fi %.5f, 5G eMBB %.6f\n", wifi, embb);
  EXPECT_GE(wifi, 0.005);
  EXPECT_LE(wifi, 0.01);
  EXPECT_EQ(loss_rate(Technology::ble, "ble-loss"), 0.0);  // retried until delivered
  EXPECT_GE(embb, 1e-4);
  EXPECT_LE(embb, 1.2e-3);
}

}  // namespace
}  // namespace twinbed::network
