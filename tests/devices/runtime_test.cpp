// The device runtime every type shares: schedule, battery, clock, faults, firmware. The device
// under test is an "echo" device that reports the true SpO2 unchanged, so every deviation seen
// here comes from the runtime.
#include <gtest/gtest.h>

#include <cmath>

#include "DeviceTestKit.hpp"

using namespace twinbed;
using devices::FaultKind;
using physiology::Signal;

namespace {

class EchoDevice final : public devices::Device {
public:
  using Device::Device;

protected:
  void measure(devices::SampleContext& ctx, devices::Output& out) override {
    out.reading(Signal::spo2, ctx.patient.value(Signal::spo2));
  }
};

const std::vector<sim::ParamInfo>& echo_table() {
  static const std::vector<sim::ParamInfo> table =
      devices::with_common_params({}, devices::CommonDefaults{.sample_interval_s = 1.0});
  return table;
}

std::unique_ptr<devices::Device> make_echo(devices::DeviceSetup setup) {
  return std::make_unique<EchoDevice>(std::move(setup));
}

testkit::ScriptedPatient steady_patient() {
  testkit::ScriptedPatient patient;
  patient.values[static_cast<std::size_t>(Signal::spo2)] = 97.0;
  return patient;
}

// An uplink that is offline between `down` and `up`, and counts what it is given while online.
class SwitchedUplink final : public network::Uplink {
public:
  SwitchedUplink(sim::Time down, sim::Time up) : down_(down), up_(up) {}
  void send(network::Packet packet) override { packets.push_back(std::move(packet)); }
  bool connected() const override { return simulator->now() < down_ || simulator->now() >= up_; }
  std::vector<network::Packet> packets;
  const sim::Simulator* simulator = nullptr;

private:
  sim::Time down_, up_;
};

}  // namespace

TEST(DeviceClock, FiftyPpmDriftIs4Point32SecondsPerDay) {
  const sim::Time day = sim::Time::from_days(1);
  EXPECT_EQ(devices::clock_error(day, sim::Time::zero(), 50.0, sim::Time::zero()), sim::Time::from_ms(4320));
  // An initial offset holds until the first resynchronisation, which also restarts the drift.
  EXPECT_EQ(devices::clock_error(sim::Time::from_min(30), sim::Time::from_s(2), 50.0, sim::Time::from_h(1)),
            sim::Time::from_s(2) + sim::Time::from_ms(90));
  EXPECT_EQ(devices::clock_error(sim::Time::from_min(90), sim::Time::from_s(2), 50.0, sim::Time::from_h(1)),
            sim::Time::from_ms(90));
}

TEST(DeviceClock, TelemetryTimestampsUseTheDeviceClock) {
  auto patient = steady_patient();
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) {
    p.set("clock_drift_ppm", 50.0);
    p.set("sample_interval", 60.0);
  };
  testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
  bench.run_until(sim::Time::from_days(2));
  ASSERT_GT(bench.ingest.packets.size(), 2000u);
  // Each reading is stamped at true time `sent` plus 50 ppm of it: 4.32 s after one day.
  for (const network::Packet& p : bench.ingest.packets) {
    const double expected_s = p.sent.seconds() * 50e-6;
    ASSERT_NEAR((p.readings[0].sample_time - p.sent).seconds(), expected_s, 1e-9);
  }
  const network::Packet& last = bench.ingest.packets.back();
  EXPECT_NEAR((last.readings[0].sample_time - last.sent).seconds() / last.sent.seconds() * 86400.0, 4.32, 1e-6);
}

TEST(DeviceBattery, DiesAtThePredictedTimeWithinOnePercent) {
  auto patient = steady_patient();
  testkit::BenchOptions options;
  // 2 mAh at 50 uA idle + 0.01 uAh per 1-s sample (36 uA) + 0.005 uAh per packet (18 uA): 104 uA.
  options.params = [](sim::ParamSet& p) {
    p.set("battery_capacity_mah", 2.0);
    p.set("idle_current_ua", 50.0);
    p.set("charge_per_sample_uah", 0.01);
    p.set("charge_per_packet_uah", 0.005);
  };
  testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
  const double predicted_s = devices::predicted_battery_life_s(2.0, 50.0, 0.01, 1.0, 0.005, 1.0);
  EXPECT_NEAR(predicted_s, 2000.0 / 104.0 * 3600.0, 1e-6);
  bench.run_until(sim::Time::from_days(1));
  ASSERT_TRUE(bench.device->died_at().has_value());
  const double died_s = bench.device->died_at()->seconds();
  RecordProperty("died_s", std::to_string(died_s));
  RecordProperty("predicted_s", std::to_string(predicted_s));
  EXPECT_NEAR(died_s / predicted_s, 1.0, 0.01);
  // Nothing is measured after death; the warning came at 10 % left, i.e. at 90 % of the life.
  EXPECT_LE(bench.ingest.packets.back().sent.seconds(), died_s);
  const auto low = bench.faults.of(FaultKind::battery_low);
  const auto depleted = bench.faults.of(FaultKind::battery_depleted);
  ASSERT_EQ(low.size(), 1u);
  ASSERT_EQ(depleted.size(), 1u);
  EXPECT_NEAR(low[0].start.seconds() / (0.9 * predicted_s), 1.0, 0.01);
  EXPECT_EQ(low[0].end, *bench.device->died_at());
  EXPECT_EQ(depleted[0].start, *bench.device->died_at());
  EXPECT_EQ(depleted[0].end, sim::Time::from_days(1));
  // The low-battery alert and a battery reading went out once, with the next measurement.
  const auto alerts = bench.ingest.readings(Signal::device_alert);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].value, static_cast<double>(devices::AlertCode::low_battery));
}

TEST(DeviceBattery, IdleDrainAloneIsDatedExactlyBetweenSamples) {
  // One sample a day, a battery that lasts 10.5 h on idle current: death lies between samples.
  auto patient = steady_patient();
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) {
    p.set("battery_capacity_mah", 1.05);
    p.set("idle_current_ua", 100.0);
    p.set("sample_interval", 3600.0);
  };
  testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
  bench.run_until(sim::Time::from_days(1));
  ASSERT_TRUE(bench.device->died_at().has_value());
  EXPECT_NEAR(bench.device->died_at()->seconds(), 10.5 * 3600.0, 1e-3);
}

TEST(DeviceFirmware, BatchesByCountAndPayloadSize) {
  auto patient = steady_patient();
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) {
    p.set("batch_readings", 10);
    p.set("header_bytes", 20);
    p.set("bytes_per_reading", 6);
  };
  testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
  bench.run_until(sim::Time::from_s(1000));
  ASSERT_GE(bench.ingest.packets.size(), 98u);
  for (const network::Packet& p : bench.ingest.packets) {
    ASSERT_EQ(p.readings.size(), 10u);
    ASSERT_EQ(p.size_bytes, 20u + 6u * 10u);
  }
}

TEST(DeviceFirmware, BatchIntervalSendsWhateverWaits) {
  auto patient = steady_patient();
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) {
    p.set("batch_readings", 1000);
    p.set("batch_interval", 30.0);
  };
  testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
  bench.run_until(sim::Time::from_s(3000));
  ASSERT_GE(bench.ingest.packets.size(), 98u);
  for (std::size_t i = 0; i + 1 < bench.ingest.packets.size(); ++i) {
    const network::Packet& p = bench.ingest.packets[i];
    ASSERT_EQ(p.readings.size(), 30u);  // 1 Hz for 30 s
    // Sent 30 s after its first reading was taken.
    ASSERT_EQ(p.sent - p.readings.front().sample_time, sim::Time::from_s(30));
  }
}

TEST(DeviceFirmware, RetransmissionRecoversLossesAndAccountsForEveryReading) {
  auto patient = steady_patient();
  testkit::BenchOptions options;
  options.loss = 0.3;
  options.params = [](sim::ParamSet& p) {
    p.set("max_retries", 3);
    p.set("ack_timeout", 0.1);
  };
  testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
  bench.run_until(sim::Time::from_s(20000));
  const devices::DeviceCounters& c = bench.device->counters();
  std::uint64_t delivered = 0;
  for (const auto& p : bench.ingest.packets) delivered += p.readings.size();
  // Every reading is delivered, given up after 3 retries, or still waiting at the end.
  EXPECT_EQ(delivered + c.dropped_retries + bench.device->buffered(), c.readings);
  // A packet is lost for good with probability 0.3^4 = 0.0081: binomial, 5-sigma bounds.
  const double n = static_cast<double>(c.readings);
  EXPECT_NEAR(static_cast<double>(c.dropped_retries), 0.0081 * n, 5.0 * std::sqrt(0.0081 * n));
  // Expected transmissions per packet: 1 + 0.3 + 0.09 + 0.027 = 1.417.
  EXPECT_NEAR(static_cast<double>(c.retransmissions) / n, 0.417, 0.02);
}

TEST(DeviceFirmware, BufferHoldsReadingsWhileOfflineAndOverflowDropsTheOldest) {
  // 10 minutes without a route from t = 100 s, sampling at 1 Hz: 600 readings wait.
  for (const std::uint64_t capacity : {1000u, 300u}) {
    auto patient = steady_patient();
    SwitchedUplink uplink(sim::Time::from_s(100), sim::Time::from_s(700));
    testkit::BenchOptions options;
    options.uplink = &uplink;
    options.params = [capacity](sim::ParamSet& p) { p.set("buffer_capacity", static_cast<double>(capacity)); };
    testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
    uplink.simulator = &bench.simulator;
    bench.run_until(sim::Time::from_s(1000));
    const devices::DeviceCounters& c = bench.device->counters();
    std::uint64_t sent = 0;
    const network::Packet* burst = nullptr;
    for (const auto& p : uplink.packets) {
      sent += p.readings.size();
      if (p.readings.size() > 1) burst = &p;
    }
    ASSERT_NE(burst, nullptr);
    // The buffered readings leave in one burst with the first sample after the route returns.
    EXPECT_GE(burst->sent, sim::Time::from_s(700));
    EXPECT_LT(burst->sent, sim::Time::from_s(701));
    if (capacity == 1000) {
      EXPECT_EQ(c.dropped_overflow, 0u);
      EXPECT_EQ(sent, c.readings);
      EXPECT_EQ(burst->readings.size(), 601u);  // 600 held + the one that found the route back
    } else {
      // Analytic: 600 readings are taken while offline and the 601st is stored before the send
      // that finds the route back; 300 fit, so the 301 oldest are dropped.
      EXPECT_EQ(c.dropped_overflow, 301u);
      EXPECT_EQ(burst->readings.size(), 300u);
      EXPECT_GE(burst->readings.front().sample_time, sim::Time::from_s(400));
    }
  }
}

TEST(DeviceFaults, ScheduledIntervalsAreRecordedExactlyAndTheirEffectsHold) {
  auto patient = steady_patient();
  patient.script = [](Signal, sim::Time t) { return 90.0 + t.seconds() / 1000.0; };  // rising slowly
  testkit::BenchOptions options;
  devices::FaultSpec stuck;
  stuck.kind = FaultKind::stuck_sensor;
  stuck.at = sim::Time::from_s(1000);
  stuck.duration = sim::Time::from_s(500);
  devices::FaultSpec drift;
  drift.kind = FaultKind::calibration_drift;
  drift.at = sim::Time::from_s(3000);
  drift.magnitude = 10.0;  // +10 % per day
  devices::FaultSpec crash;
  crash.kind = FaultKind::crash;
  crash.at = sim::Time::from_s(2000);
  crash.duration = sim::Time::from_s(60);
  options.faults = {stuck, drift, crash};
  testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
  const sim::Time end = sim::Time::from_s(3000) + sim::Time::from_days(1);
  bench.run_until(end);

  const auto s = bench.faults.of(FaultKind::stuck_sensor);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].start, sim::Time::from_s(1000));
  EXPECT_EQ(s[0].end, sim::Time::from_s(1500));
  EXPECT_EQ(s[0].origin, devices::FaultOrigin::scheduled);
  const auto c = bench.faults.of(FaultKind::crash);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].start, sim::Time::from_s(2000));
  EXPECT_EQ(c[0].end, sim::Time::from_s(2060));
  const auto d = bench.faults.of(FaultKind::calibration_drift);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].end, end);  // no duration: open until the end of the run

  std::size_t in_stuck = 0;
  double stuck_value = 0.0;
  for (const network::Reading& r : bench.ingest.readings(Signal::spo2)) {
    const sim::Time t = r.sample_time;
    const double truth = 90.0 + t.seconds() / 1000.0;
    if (t >= sim::Time::from_s(1000) && t < sim::Time::from_s(1500)) {
      // Stuck: the value taken just before the fault, again and again.
      if (in_stuck++ == 0) stuck_value = r.value;
      ASSERT_EQ(r.value, stuck_value);
      ASSERT_LT(r.value, 91.0);
    } else if (t >= sim::Time::from_s(2000) && t < sim::Time::from_s(2060)) {
      ADD_FAILURE() << "a crashed device reported at " << t.seconds();
    } else if (t >= sim::Time::from_s(3000)) {
      const double days = (t - sim::Time::from_s(3000)).seconds() / 86400.0;
      ASSERT_NEAR(r.value, truth * (1.0 + 0.10 * days), 1e-9);
    } else {
      ASSERT_NEAR(r.value, truth, 1e-9);
    }
  }
  EXPECT_EQ(in_stuck, 500u);
}

TEST(DeviceFaults, RandomFaultsFollowTheirRateAndDuration) {
  auto patient = steady_patient();
  testkit::BenchOptions options;
  devices::FaultSpec spec;
  spec.kind = FaultKind::signal_loss;
  spec.every = sim::Time::from_h(2);
  spec.duration = sim::Time::from_min(10);
  options.faults = {spec};
  options.params = [](sim::ParamSet& p) { p.set("sample_interval", 60.0); };
  testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
  const double days = 100.0;
  bench.run_until(sim::Time::from_days(100));
  const auto records = bench.faults.of(FaultKind::signal_loss);
  // An alternating renewal process: cycles of 2 h (mean wait) + 10 min (mean duration).
  const double expected = days * 24.0 / (2.0 + 1.0 / 6.0);
  EXPECT_NEAR(static_cast<double>(records.size()), expected, 5.0 * std::sqrt(expected));
  double total_s = 0.0;
  for (const auto& r : records) total_s += (r.end - r.start).seconds();
  EXPECT_NEAR(total_s / static_cast<double>(records.size()), 600.0, 600.0 * 5.0 / std::sqrt(expected));
  // No value is reported inside a signal-loss interval.
  std::size_t k = 0;
  for (const network::Reading& r : bench.ingest.readings(Signal::spo2)) {
    while (k < records.size() && records[k].end <= r.sample_time) ++k;
    if (k < records.size()) {
      ASSERT_FALSE(r.sample_time >= records[k].start && r.sample_time < records[k].end);
    }
  }
}

TEST(DeviceFaults, DuringSleepThinsOnsetsToSleepOnly) {
  // The patient sleeps from 0 to 8 h each day (scripted activity follows the clock).
  class SleepyPatient final : public testkit::ScriptedPatient {
  public:
    void advance_to(sim::Time t) override {
      now = t;
      const std::int64_t day = sim::Time::from_days(1).ns();
      const bool asleep = t.ns() % day < sim::Time::from_h(8).ns();
      activity_state = asleep ? physiology::Activity::sleep : physiology::Activity::rest;
    }
  } patient;
  testkit::BenchOptions options;
  devices::FaultSpec spec;
  spec.kind = FaultKind::signal_loss;
  spec.every = sim::Time::from_h(4);
  spec.duration = sim::Time::from_min(20);
  spec.during = devices::FaultDuring::sleep;
  options.faults = {spec};
  options.params = [](sim::ParamSet& p) { p.set("sample_interval", 600.0); };
  testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
  bench.run_until(sim::Time::from_days(60));
  const auto records = bench.faults.of(FaultKind::signal_loss);
  ASSERT_GT(records.size(), 50u);
  for (const auto& r : records) {
    ASSERT_LT(r.start.ns() % sim::Time::from_days(1).ns(), sim::Time::from_h(8).ns());
  }
}

TEST(DeviceFaults, ActivityDrivesMotionIntervalsAtTheTrueTransitions) {
  auto patient = steady_patient();
  testkit::BenchOptions options;
  options.params = [](sim::ParamSet& p) { p.set("motion_artifacts", 1.0); };
  testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
  bench.simulator.schedule_at(sim::Time::from_ms(100500), [&patient]() {
    patient.set_activity(physiology::Activity::active, sim::Time::from_ms(100500));
  });
  bench.simulator.schedule_at(sim::Time::from_ms(400250), [&patient]() {
    patient.set_activity(physiology::Activity::rest, sim::Time::from_ms(400250));
  });
  bench.run_until(sim::Time::from_s(1000));
  const auto motion = bench.faults.of(FaultKind::motion);
  ASSERT_EQ(motion.size(), 1u);
  EXPECT_EQ(motion[0].origin, devices::FaultOrigin::activity);
  EXPECT_EQ(motion[0].start, sim::Time::from_ms(100500));
  EXPECT_EQ(motion[0].end, sim::Time::from_ms(400250));
}

TEST(DeviceSchedule, TimesOfDayWithAdherenceAndDelay) {
  auto patient = steady_patient();
  testkit::BenchOptions options;
  options.times_of_day = {sim::Time::from_h(7) + sim::Time::from_min(30), sim::Time::from_h(19)};
  options.start_clock_time = sim::Time::from_h(6);  // the run starts at 06:00
  options.params = [](sim::ParamSet& p) {
    p.set("adherence", 0.8);
    p.set("delay_max", 1800.0);
  };
  testkit::DeviceBench bench(echo_table(), make_echo, patient, options);
  bench.run_until(sim::Time::from_days(500));
  const devices::DeviceCounters& c = bench.device->counters();
  EXPECT_EQ(c.samples + c.skipped, 1000u);
  // Binomial(1000, 0.2) skips: sd 12.6, 5-sigma bounds.
  EXPECT_NEAR(static_cast<double>(c.skipped), 200.0, 5 * 12.65);
  for (const network::Packet& p : bench.ingest.packets) {
    const std::int64_t clock = (p.sent + sim::Time::from_h(6)).ns() % sim::Time::from_days(1).ns();
    const bool morning = clock >= sim::Time::from_min(450).ns() && clock <= sim::Time::from_min(480).ns();
    const bool evening = clock >= sim::Time::from_h(19).ns() && clock <= sim::Time::from_min(1170).ns();
    ASSERT_TRUE(morning || evening) << p.sent.seconds();
  }
}
