// A 10-minute gateway outage on a whole run (scenario -> devices -> network -> HDF5): with a
// buffer large enough nothing is lost and the held readings arrive in a burst when the gateway is
// back, with latency up to the outage's length; with a small buffer exactly the analytic number
// of readings overflows.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "harness/Run.hpp"
#include "harness/Scenario.hpp"
#include "TelemetryReader.hpp"

using namespace twinbed;
using namespace twinbed::harness;
namespace fs = std::filesystem;

namespace {

// A pulse oximeter (1 Hz, three readings per sample) on BLE to the patient's hub, the hub on a
// 40 ms WAN. The hub is down from 30 to 40 min; nothing else drops packets.
std::string scenario(int buffer_capacity) {
  std::string text = R"(twinbed: 1
name: gateway_outage
seed: 3
duration: 1h
nodes:
  - {name: hub, kind: gateway, scope: patient}
links:
  - {name: ble, technology: ble, to: hub, burst_p: 0, fading_sd: 0}
  - {name: wan, from: hub, latency: 40ms}
outages:
  - {target: hub, at: 30min, duration: 10min}
cohort:
  - count: 1
    devices:
      - type: pulse_oximeter
        name: ox
        max_retries: 3
        ack_timeout: 2s
        buffer_capacity: )";
  text += std::to_string(buffer_capacity);
  text += "\n";
  return text;
}

class StoreForward : public ::testing::Test {
protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("twinbed-store-forward-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  RunResult run(int buffer_capacity) {
    RunOptions options;
    options.out_root = root_;
    options.progress = false;
    options.run_id = "r";
    return harness::Run(parse_scenario(scenario(buffer_capacity), "outage.yaml"), options).execute();
  }
  fs::path root_;
};

constexpr std::int64_t S = 1'000'000'000;

TEST_F(StoreForward, LargeBufferLosesNothingAndDeliversTheOutageInABurst) {
  const RunResult result = run(5000);
  const nlohmann::json& t = result.summary["telemetry"];
  EXPECT_EQ(t["missing"].get<std::uint64_t>(), 0u);
  EXPECT_DOUBLE_EQ(t["completeness"].get<double>(), 1.0);
  EXPECT_EQ(result.summary["device_runtime"]["readings_dropped_overflow"].get<std::uint64_t>(), 0u);
  const std::vector<testkit::Row> rows = testkit::read_telemetry(result.directory / "run.h5");
  std::size_t held = 0;
  double worst_latency_s = 0.0;
  for (const testkit::Row& r : rows) {
    if (r.sample_time_ns < 1800 * S || r.sample_time_ns >= 2400 * S) continue;
    ++held;
    // Every reading taken while the hub was down arrives within seconds after it is back.
    EXPECT_GE(r.delivery_time_ns, 2400 * S);
    EXPECT_LT(r.delivery_time_ns, 2405 * S);
    worst_latency_s = std::max(worst_latency_s, static_cast<double>(r.delivery_time_ns - r.sample_time_ns) / S);
  }
  EXPECT_EQ(held, 600u * 3u);  // 600 samples of SpO2, pulse rate and perfusion index
  EXPECT_GT(worst_latency_s, 599.0);  // ~ the outage's length
  EXPECT_LT(worst_latency_s, 605.0);
  EXPECT_EQ(result.summary["network"]["outages_by_kind"]["node_outage"].get<std::uint64_t>(), 1u);
}

TEST_F(StoreForward, SmallBufferOverflowsByTheAnalyticCount) {
  // 1800 readings are held; a buffer of 300 keeps the newest 300 (drop_oldest).
  const RunResult result = run(300);
  EXPECT_EQ(result.summary["device_runtime"]["readings_dropped_overflow"].get<std::uint64_t>(), 1800u - 300u);
  EXPECT_EQ(result.summary["telemetry"]["missing"].get<std::uint64_t>(), 1800u - 300u);
}

}  // namespace
