// The glucose devices: the CGM's error model, warm-up, sensor life and compression lows; the
// insulin pump's basal, boluses, reservoir and occlusion; and the two closed around a real
// UVA/Padova patient.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <utility>

#include "DeviceTestKit.hpp"
#include "devices/Cgm.hpp"
#include "devices/InsulinPump.hpp"
#include "physiology/Patient.hpp"

using namespace twinbed;
using testkit::scheduled;
using devices::AlertCode;
using devices::DeviceType;
using devices::FaultKind;
using physiology::Signal;
using sim::Time;

namespace {

const devices::CgmNoiseParams& dexcom_noise() { return devices::cgm_sensor_models()[0].noise; }

// Quantile p (0..1) of `values` by linear interpolation between order statistics.
double quantile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const double index = p * static_cast<double>(values.size() - 1);
  const auto low = static_cast<std::size_t>(index);
  const std::size_t high = std::min(low + 1, values.size() - 1);
  return values[low] + (values[high] - values[low]) * (index - static_cast<double>(low));
}

// The Johnson SU model's quantiles of the CGM error: the stationary AR(1) state
// e_k = PACF (e_{k-1} + z) has variance v = PACF^2 (v + 1), i.e. v = PACF^2 / (1 - PACF^2), so
// q_p = xi + lambda sinh((sqrt(v) z_p - gamma) / delta), z_p the standard normal quantile.
constexpr double PROBABILITIES[] = {0.05, 0.25, 0.50, 0.75, 0.95};
constexpr double NORMAL_QUANTILES[] = {-1.6448536269514722, -0.6744897501960817, 0.0, 0.6744897501960817,
                                       1.6448536269514722};
double model_quantile(std::size_t i) {
  const devices::CgmNoiseParams& p = dexcom_noise();
  const double sd = std::sqrt(p.pacf * p.pacf / (1.0 - p.pacf * p.pacf));
  return p.xi + p.lambda * std::sinh((sd * NORMAL_QUANTILES[i] - p.gamma) / p.delta);
}

testkit::BenchOptions options(std::function<void(sim::ParamSet&)> params,
                              std::vector<devices::FaultSpec> faults = {}, std::uint64_t seed = 1) {
  testkit::BenchOptions o;
  o.params = std::move(params);
  o.faults = std::move(faults);
  o.seed = seed;
  return o;
}

Time reading_time(const network::Reading& r) { return r.sample_time; }

std::vector<network::Reading> alerts(const testkit::Collector& ingest, AlertCode code) {
  std::vector<network::Reading> out;
  for (const network::Reading& r : ingest.readings(Signal::device_alert)) {
    if (r.value == static_cast<double>(code)) out.push_back(r);
  }
  return out;
}

// A scripted T1D patient for the pump: a therapy, meal announcements at set times, and a log of
// what the pump did to it.
class TherapyPatient final : public testkit::ScriptedPatient {
public:
  std::optional<physiology::InsulinTherapy> insulin_therapy() const override { return therapy; }
  void deliver_bolus_u(double units) override { boluses.emplace_back(now, units); }
  void set_basal_u_per_min(double rate) override { basal_changes.emplace_back(now, rate); }
  double take_meal_announcements_g() override {
    double grams = 0.0;
    for (; next_meal < meals.size() && meals[next_meal].time <= now; ++next_meal) grams += meals[next_meal].grams;
    return grams;
  }

  physiology::InsulinTherapy therapy{1.25 / 60.0, 10.0, 50.0};
  std::vector<physiology::Meal> meals;
  std::size_t next_meal = 0;
  std::vector<std::pair<Time, double>> boluses;        // (time, U)
  std::vector<std::pair<Time, double>> basal_changes;  // (time, U/min)
};

}  // namespace

// --- pure functions -----------------------------------------------------------------------------

TEST(CgmModel, JohnsonSuAndCubicGoThroughTheirDefiningPoints) {
  const devices::CgmNoiseParams& p = dexcom_noise();
  EXPECT_DOUBLE_EQ(devices::johnson_su(p.gamma, p), p.xi);  // sinh(0) = 0
  EXPECT_DOUBLE_EQ(devices::johnson_su(p.gamma + p.delta, p), p.xi + p.lambda * std::sinh(1.0));
  EXPECT_DOUBLE_EQ(devices::catmull_rom(3.0, 5.0, -2.0, 7.0, 0.0), 5.0);
  EXPECT_DOUBLE_EQ(devices::catmull_rom(3.0, 5.0, -2.0, 7.0, 1.0), -2.0);
  // Catmull-Rom reproduces straight lines exactly.
  EXPECT_NEAR(devices::catmull_rom(1.0, 2.0, 3.0, 4.0, 0.3), 2.3, 1e-12);
}

TEST(CgmModel, ReadingIsCompressedTruthPlusNoiseClippedToTheRange) {
  std::uint16_t flags = network::READING_OK;
  EXPECT_DOUBLE_EQ(devices::cgm_reading(120.0, 5.0, 0.0, 39.0, 600.0, flags), 125.0);
  EXPECT_DOUBLE_EQ(devices::cgm_reading(120.0, 5.0, 40.0, 39.0, 600.0, flags), 77.0);
  EXPECT_EQ(flags, network::READING_OK);
  EXPECT_DOUBLE_EQ(devices::cgm_reading(50.0, -20.0, 0.0, 39.0, 600.0, flags), 39.0);
  EXPECT_EQ(flags, network::READING_CLAMPED);
}

// The grid process alone (no device): 40 000 grid points (417 days). With PACF 0.7 the effective
// sample size is ~N (1-0.7)/(1+0.7) ~ 7 000; a simulation of the process gave quantile SDs of
// 0.2-0.3 mg/dL at N = 9 600, so 1.0 mg/dL is > 6 SD at this N.
TEST(CgmModel, GridNoiseFollowsTheJohnsonSuModel) {
  devices::CgmNoise noise(dexcom_noise());
  sim::RandomStream rng(7, 0, "cgm-test", "noise");
  std::vector<double> values;
  for (std::int64_t k = 0; k < 40000; ++k) values.push_back(noise.at(static_cast<double>(k) * 15.0, rng));
  for (std::size_t i = 0; i < std::size(PROBABILITIES); ++i) {
    EXPECT_NEAR(quantile(values, PROBABILITIES[i]), model_quantile(i), 1.0) << "p = " << PROBABILITIES[i];
  }
}

TEST(InsulinPumpModel, BolusRoundsDownToTheIncrement) {
  EXPECT_DOUBLE_EQ(devices::round_down_to_increment(0.15, 0.05), 0.15);  // not 0.10 by float error
  EXPECT_NEAR(devices::round_down_to_increment(0.149, 0.05), 0.10, 1e-12);
  EXPECT_DOUBLE_EQ(devices::round_down_to_increment(-1.0, 0.05), 0.0);
  EXPECT_NEAR(devices::round_to_increment(1.2674, 0.05), 1.25, 1e-12);
}

TEST(InsulinPumpModel, MealBolusIsCarbsOverCrPlusCorrectionAbove150) {
  const physiology::InsulinTherapy therapy{0.02, 10.0, 8.0};
  EXPECT_DOUBLE_EQ(devices::meal_bolus_u(60.0, 200.0, therapy, 150.0, 140.0), 6.0 + 60.0 / 8.0);
  EXPECT_DOUBLE_EQ(devices::meal_bolus_u(60.0, 150.0, therapy, 150.0, 140.0), 6.0);  // not above the threshold
  EXPECT_DOUBLE_EQ(devices::meal_bolus_u(60.0, std::numeric_limits<double>::quiet_NaN(), therapy, 150.0, 140.0), 6.0);
}

// --- CGM on a device bench ----------------------------------------------------------------------

TEST(Cgm, SampleIntervalFollowsTheSensorUnlessSet) {
  testkit::ScriptedPatient patient;
  testkit::DeviceBench guardian(DeviceType::cgm, patient, options([](sim::ParamSet& p) { p.set("sensor", 1); }));
  EXPECT_EQ(guardian.device->params().duration("sample_interval"), Time::from_min(5));
  testkit::DeviceBench dexcom(DeviceType::cgm, patient);
  EXPECT_EQ(dexcom.device->params().duration("sample_interval"), Time::from_min(3));
  testkit::DeviceBench set(DeviceType::cgm, patient,
                           options([](sim::ParamSet& p) { p.set("sample_interval", 60); }));
  EXPECT_EQ(set.device->params().duration("sample_interval"), Time::from_min(1));
}

// 150 days of Dexcom readings at a constant 120 mg/dL: 14 sensors, ~13 800 on-grid readings
// (every fifth 3-minute reading falls on the 15-minute noise grid, which starts at each sensor's
// first reading). From the process simulation above the quantile SDs at this N are 0.2-0.5 mg/dL
// (the 95 % quantile the widest): 1.5 mg/dL is >= 3 SD. Off-grid readings are cubic blends of
// neighbouring grid values, which narrows the spread a little: all readings get a looser 2 mg/dL.
TEST(Cgm, ErrorQuantilesMatchTheJohnsonSuModel) {
  constexpr double TRUTH = 120.0;
  testkit::ScriptedPatient patient;
  patient.values[static_cast<std::size_t>(Signal::interstitial_glucose)] = TRUTH;
  // Mains power: the transmitter battery would end the run at ~90 days (tested below).
  testkit::DeviceBench bench(DeviceType::cgm, patient,
                             options([](sim::ParamSet& p) { p.set("battery_capacity_mah", 0.0); }, {}, 11));
  bench.run_until(Time::from_days(150));
  const auto readings = bench.ingest.readings(Signal::interstitial_glucose);
  std::vector<double> on_grid, all;
  Time origin;
  Time previous;
  for (const network::Reading& r : readings) {
    const Time t = reading_time(r);
    if (all.empty() || t - previous > Time::from_min(4)) origin = t;  // a new sensor's first reading
    previous = t;
    all.push_back(r.value - TRUTH);
    if ((t - origin).ns() % Time::from_min(15).ns() == 0) on_grid.push_back(r.value - TRUTH);
  }
  std::printf("%zu readings, %zu on the grid\n", all.size(), on_grid.size());
  ASSERT_GT(on_grid.size(), 13000U);
  for (std::size_t i = 0; i < std::size(PROBABILITIES); ++i) {
    const double q_grid = quantile(on_grid, PROBABILITIES[i]);
    const double q_all = quantile(all, PROBABILITIES[i]);
    std::printf("CGM error quantile %.0f %%: model %.2f, on-grid %.2f, all readings %.2f mg/dL\n",
                100.0 * PROBABILITIES[i], model_quantile(i), q_grid, q_all);
    EXPECT_NEAR(q_grid, model_quantile(i), 1.5) << "p = " << PROBABILITIES[i];
    EXPECT_NEAR(q_all, model_quantile(i), 2.0) << "p = " << PROBABILITIES[i];
  }
}

// 26 mAh at 8 uA idle plus 0.2 uAh per 3-minute packet (4 uA): 26 000 / 12 uAh/h = 2 167 h =
// 90.3 days, the Dexcom G6 transmitter's 90-day life (a little more: no packets during the 3 h of
// warm-up and replacement per 10-day sensor). Bound: +/- 1 day.
TEST(Cgm, TransmitterBatteryLastsNinetyDays) {
  testkit::ScriptedPatient patient;
  patient.values[static_cast<std::size_t>(Signal::interstitial_glucose)] = 120.0;
  testkit::DeviceBench bench(DeviceType::cgm, patient);
  bench.run_until(Time::from_days(100));
  ASSERT_TRUE(bench.device->died_at().has_value());
  const double days = bench.device->died_at()->seconds() / 86400.0;
  std::printf("CGM transmitter battery died after %.2f days\n", days);
  EXPECT_NEAR(days, 90.3, 1.0);
}

TEST(Cgm, WarmUpGivesNoReadingsForTwoHours) {
  testkit::ScriptedPatient patient;
  patient.values[static_cast<std::size_t>(Signal::interstitial_glucose)] = 120.0;
  testkit::DeviceBench bench(DeviceType::cgm, patient);
  bench.run_until(Time::from_h(6));
  const auto readings = bench.ingest.readings(Signal::interstitial_glucose);
  ASSERT_FALSE(readings.empty());
  EXPECT_GE(readings.front().sample_time, Time::from_h(2));
  EXPECT_LT(readings.front().sample_time, Time::from_h(2) + Time::from_min(3));
  EXPECT_EQ(readings.size(), 80U);  // 4 h at 3 min
  const auto warm_up = bench.faults.of(FaultKind::warm_up);
  ASSERT_EQ(warm_up.size(), 1U);
  EXPECT_EQ(warm_up[0].start, Time::zero());
  EXPECT_EQ(warm_up[0].end, Time::from_h(2));
  EXPECT_EQ(warm_up[0].origin, devices::FaultOrigin::model);
  // The last reading is on the bus for the pump.
  EXPECT_EQ(bench.bus.cgm_mg_dl, readings.back().value);
  EXPECT_EQ(bench.bus.cgm_time, readings.back().sample_time);
}

// A one-day sensor replaced an hour after expiry: expired [1 d, 1 d + 1 h], then a second
// warm-up [1 d + 1 h, 1 d + 3 h] with no readings from 1 d to 1 d + 3 h.
TEST(Cgm, ExpiredSensorAlertsAndIsReplacedAfterTheDelay) {
  testkit::ScriptedPatient patient;
  patient.values[static_cast<std::size_t>(Signal::interstitial_glucose)] = 120.0;
  testkit::DeviceBench bench(DeviceType::cgm, patient, options([](sim::ParamSet& p) {
    p.set("sensor_life", 86400.0);
    p.set("replacement_delay", 3600.0);
  }));
  bench.run_until(Time::from_days(2));
  const Time expiry = Time::from_days(1);
  const auto expired = bench.faults.of(FaultKind::sensor_expired);
  ASSERT_EQ(expired.size(), 1U);
  EXPECT_EQ(expired[0].start, expiry);
  EXPECT_EQ(expired[0].end, expiry + Time::from_h(1));
  const auto warm_up = bench.faults.of(FaultKind::warm_up);
  ASSERT_EQ(warm_up.size(), 2U);
  EXPECT_EQ(warm_up[1].start, expiry + Time::from_h(1));
  EXPECT_EQ(warm_up[1].end, expiry + Time::from_h(3));
  const auto expiry_alerts = alerts(bench.ingest, AlertCode::sensor_expired);
  ASSERT_EQ(expiry_alerts.size(), 1U);
  EXPECT_GE(expiry_alerts[0].sample_time, expiry);
  EXPECT_LT(expiry_alerts[0].sample_time, expiry + Time::from_min(3));
  for (const network::Reading& r : bench.ingest.readings(Signal::interstitial_glucose)) {
    EXPECT_FALSE(r.sample_time >= expiry && r.sample_time < expiry + Time::from_h(3)) << r.sample_time.seconds();
  }
}

// The noise does not depend on the compression, so a twin run without it (same seed) gives the
// exact reading the compressed one would have been: inside each interval the difference is the
// compression's share of the 120 mg/dL truth (default 40 % for magnitude 0, else the magnitude).
TEST(Cgm, CompressionLowersReadingsByItsMagnitude) {
  constexpr double TRUTH = 120.0;
  testkit::ScriptedPatient patient;
  patient.values[static_cast<std::size_t>(Signal::interstitial_glucose)] = TRUTH;
  const std::vector<devices::FaultSpec> faults{
      scheduled(FaultKind::compression, Time::from_h(5), Time::from_h(1), 0.0),
      scheduled(FaultKind::compression, Time::from_h(8), Time::from_h(1), 25.0)};
  testkit::DeviceBench compressed(DeviceType::cgm, patient, options(nullptr, faults, 3));
  testkit::DeviceBench clean(DeviceType::cgm, patient, options(nullptr, {}, 3));
  compressed.run_until(Time::from_h(10));
  clean.run_until(Time::from_h(10));
  const auto with = compressed.ingest.readings(Signal::interstitial_glucose);
  const auto without = clean.ingest.readings(Signal::interstitial_glucose);
  ASSERT_EQ(with.size(), without.size());
  int inside = 0;
  for (std::size_t i = 0; i < with.size(); ++i) {
    const Time t = with[i].sample_time;
    ASSERT_EQ(t, without[i].sample_time);
    double drop = 0.0;
    if (t > Time::from_h(5) && t < Time::from_h(6)) drop = 0.40 * TRUTH;
    if (t > Time::from_h(8) && t < Time::from_h(9)) drop = 0.25 * TRUTH;
    if (drop > 0.0) ++inside;
    EXPECT_NEAR(without[i].value - with[i].value, drop, 1e-9) << t.seconds();
  }
  EXPECT_EQ(inside, 40);  // 2 x 1 h at 3 min
  const auto records = compressed.faults.of(FaultKind::compression);
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].start, Time::from_h(5));
  EXPECT_EQ(records[0].end, Time::from_h(6));
  EXPECT_EQ(records[0].origin, devices::FaultOrigin::scheduled);
  EXPECT_EQ(records[1].start, Time::from_h(8));
  EXPECT_DOUBLE_EQ(records[1].magnitude, 25.0);
}

// --- insulin pump on a scripted patient -----------------------------------------------------------

TEST(InsulinPump, TakesOverTheBasalQuantisedToTheIncrement) {
  TherapyPatient patient;
  patient.therapy.basal_u_per_min = 1.2674 / 60.0;  // adult#001's u2ss basal, U/h / 60
  testkit::DeviceBench bench(DeviceType::insulin_pump, patient);
  bench.run_until(Time::from_h(2));
  ASSERT_FALSE(patient.basal_changes.empty());
  EXPECT_EQ(patient.basal_changes.front().first, Time::zero());
  EXPECT_NEAR(patient.basal_changes.front().second * 60.0, 1.25, 1e-12);
  const auto basal = bench.ingest.readings(Signal::insulin_basal_rate);
  ASSERT_EQ(basal.size(), 2U);  // first sample, then hourly
  EXPECT_DOUBLE_EQ(basal[0].value, 1.25);
}

// CR 10 g/U, CF 50 mg/dL/U, 20 g: 2 U, plus (240 - 140) / 50 = 2 U of correction when the bus
// holds a fresh CGM value of 240; a value older than cgm_max_age (15 min) gives no correction.
TEST(InsulinPump, MealBolusCorrectsWithAFreshCgmValue) {
  for (const bool fresh : {true, false}) {
    TherapyPatient patient;
    patient.meals = {{Time::from_min(30), 20.0}};
    testkit::DeviceBench bench(DeviceType::insulin_pump, patient);
    bench.bus.cgm_mg_dl = 240.0;
    bench.bus.cgm_time = fresh ? Time::from_min(25) : Time::from_min(10);
    bench.run_until(Time::from_h(1));
    ASSERT_EQ(patient.boluses.size(), 1U);
    EXPECT_NEAR(patient.boluses[0].second, fresh ? 4.0 : 2.0, 1e-12);
    const auto reported = bench.ingest.readings(Signal::insulin_bolus);
    ASSERT_EQ(reported.size(), 1U);
    EXPECT_DOUBLE_EQ(reported[0].value, patient.boluses[0].second);
  }
}

// Reservoir 5 U, basal 1 U/h, a 20 g meal at 30 min with CR 10 -> a 2 U bolus (no CGM: no
// correction). Delivered by time t (after the bolus): t x 1 U/h + 2 U, so the reservoir reaches
// the 1 U low level at 2 h and empties at 3 h exactly; the patient refills it 1 h later.
TEST(InsulinPump, SmallReservoirEmptiesAtThePredictedTime) {
  TherapyPatient patient;
  patient.meals = {{Time::from_min(30), 20.0}};
  testkit::DeviceBench bench(DeviceType::insulin_pump, patient, options([](sim::ParamSet& p) {
    p.set("reservoir_u", 5.0);
    p.set("reservoir_low_u", 1.0);
    p.set("basal_rate_u_per_h", 1.0);
  }));
  bench.run_until(Time::from_h(6));
  ASSERT_EQ(patient.boluses.size(), 1U);
  EXPECT_DOUBLE_EQ(patient.boluses[0].second, 2.0);
  EXPECT_LT(patient.boluses[0].first, Time::from_min(31));
  const Time predicted = Time::from_h(3);
  const auto empty = bench.faults.of(FaultKind::reservoir_empty);
  ASSERT_EQ(empty.size(), 1U);
  EXPECT_LE(std::abs((empty[0].start - predicted).seconds()), 60.0);
  EXPECT_EQ(empty[0].end, empty[0].start + Time::from_h(1));
  std::printf("reservoir empty at %.3f h (predicted 3 h), refilled at %.3f h\n", empty[0].start.seconds() / 3600.0,
              empty[0].end.seconds() / 3600.0);
  // The patient's basal stops when the reservoir empties and resumes at the refill.
  ASSERT_GE(patient.basal_changes.size(), 3U);
  const auto stop = std::find_if(patient.basal_changes.begin(), patient.basal_changes.end(),
                                 [](const auto& c) { return c.second == 0.0; });
  ASSERT_NE(stop, patient.basal_changes.end());
  EXPECT_LE(std::abs((stop->first - predicted).seconds()), 60.0);
  EXPECT_EQ(patient.basal_changes.back().first, empty[0].end);
  EXPECT_DOUBLE_EQ(patient.basal_changes.back().second, 1.0 / 60.0);
  const auto low = alerts(bench.ingest, AlertCode::reservoir_low);
  ASSERT_EQ(low.size(), 1U);
  EXPECT_LE(std::abs((low[0].sample_time - Time::from_h(2)).seconds()), 60.0);
  const auto empty_alerts = alerts(bench.ingest, AlertCode::reservoir_empty);
  ASSERT_EQ(empty_alerts.size(), 1U);
  EXPECT_GE(empty_alerts[0].sample_time, empty[0].start);
  EXPECT_LE(empty_alerts[0].sample_time, empty[0].start + Time::from_min(1));
}

// Occlusion from 1 h to 3 h at 1.25 U/h: delivery stops at once, the 1.25 U alarm threshold is
// reached after 1 h (alarm within one 1-minute sample of 2 h), basal resumes at 3 h.
TEST(InsulinPump, OcclusionStopsDeliveryAndAlarmsAfterTheMissedInsulin) {
  TherapyPatient patient;
  testkit::DeviceBench bench(DeviceType::insulin_pump, patient,
                             options(nullptr, {scheduled(FaultKind::occlusion, Time::from_h(1), Time::from_h(2))}));
  bench.run_until(Time::from_h(4));
  ASSERT_EQ(patient.basal_changes.size(), 3U);
  EXPECT_EQ(patient.basal_changes[1], std::make_pair(Time::from_h(1), 0.0));
  EXPECT_EQ(patient.basal_changes[2].first, Time::from_h(3));
  EXPECT_NEAR(patient.basal_changes[2].second * 60.0, 1.25, 1e-12);
  const auto occlusion = alerts(bench.ingest, AlertCode::occlusion);
  ASSERT_EQ(occlusion.size(), 1U);
  EXPECT_GE(occlusion[0].sample_time, Time::from_h(2));
  EXPECT_LE(occlusion[0].sample_time, Time::from_h(2) + Time::from_min(1));
  // The pump shows 0 U/h from its alarm until the line is clear.
  const auto basal = bench.ingest.readings(Signal::insulin_basal_rate);
  const auto zero = std::find_if(basal.begin(), basal.end(), [](const auto& r) { return r.value == 0.0; });
  ASSERT_NE(zero, basal.end());
  EXPECT_EQ(zero->sample_time, occlusion[0].sample_time);
}

// --- closed loop: CGM + pump on a real UVA/Padova patient -------------------------------------------

namespace {

struct LoopResult {
  double peak_mg_dl = 0.0;  // plasma glucose after the meal
  double mean_mg_dl = 0.0;  // over the meal's 2 h .. 8 h
  std::vector<network::Reading> occlusion_alerts;
  std::vector<network::Reading> boluses;
};

// Two devices on one patient, one simulator, one link and one PatientBus (DeviceBench builds one).
LoopResult run_loop(bool meal_bolus, std::optional<Time> occlusion_from) {
  const Time end = Time::from_h(8);
  const Time meal = Time::from_h(2);
  physiology::PatientSpec spec;
  spec.glucose = physiology::GlucoseConfig{};
  spec.glucose.kind = physiology::GlucoseKind::type1_diabetes;
  spec.glucose.uva_padova_patient = "adult#001";
  spec.glucose.therapy = physiology::T1dTherapy::basal;  // boluses come from the pump only
  spec.glucose.meals = {{meal, 60.0}};
  physiology::Patient patient("p0001", spec, end, 5, 0);

  sim::Simulator simulator;
  testkit::Collector ingest;
  testkit::FaultList faults;
  devices::PatientBus bus;
  network::NetworkOptions network_options;
  network_options.master_seed = 5;
  network::Network network(network::direct_network("link", Time::from_ms(5), 0.0), {"p0001"},
                           {{"p0001-cgm", 0, "link"}, {"p0001-pump", 0, "link"}}, simulator, ingest, network_options);
  std::vector<std::unique_ptr<devices::Device>> devices;
  auto add = [&](DeviceType type, const std::string& id, std::vector<devices::FaultSpec> device_faults) {
    const devices::DeviceTypeInfo& info = devices::device_type_info(type);
    devices::DeviceSetup setup;
    setup.id = id;
    setup.index = static_cast<std::uint32_t>(devices.size());
    setup.type = type;
    setup.params = sim::ParamSet(info.params);
    if (type == DeviceType::insulin_pump) setup.params.set("meal_bolus", meal_bolus ? 1.0 : 0.0);
    setup.faults = std::move(device_faults);
    setup.patient = &patient;
    setup.uplink = &network.uplink(static_cast<std::uint32_t>(devices.size()));
    setup.fault_sink = &faults;
    setup.bus = &bus;
    setup.master_seed = 5;
    devices.push_back(info.make(std::move(setup)));
    devices.back()->start(simulator);
  };
  add(DeviceType::cgm, "p0001-cgm", {});
  std::vector<devices::FaultSpec> pump_faults;
  if (occlusion_from) pump_faults.push_back(scheduled(FaultKind::occlusion, *occlusion_from));
  add(DeviceType::insulin_pump, "p0001-pump", pump_faults);

  LoopResult result;
  double sum = 0.0;
  int n = 0;
  std::function<void()> observe = [&]() {
    const Time now = simulator.now();
    patient.advance_to(now);
    const double glucose = patient.value(Signal::glucose);
    if (now >= meal) {
      result.peak_mg_dl = std::max(result.peak_mg_dl, glucose);
      sum += glucose;
      ++n;
    }
    if (now + Time::from_min(1) <= end) simulator.schedule_in(Time::from_min(1), [&]() { observe(); }, 100);
  };
  simulator.schedule_at(Time::zero(), [&]() { observe(); }, 100);
  simulator.run_until(end);
  for (auto& device : devices) device->finish(end);
  result.mean_mg_dl = sum / n;
  result.occlusion_alerts = alerts(ingest, AlertCode::occlusion);
  result.boluses = ingest.readings(Signal::insulin_bolus);
  return result;
}

}  // namespace

// adult#001 (basal 1.267 U/h -> 1.25 U/h on the pump, CR 10 g/U): a 60 g meal at 2 h. The meal
// bolus (6 U, plus a correction if the CGM is above 150) must cut the post-meal peak and mean
// clearly (bounds 20 and 30 mg/dL; measured 35 and 39). An occlusion from 1 h stops the basal,
// and its alarm (after 1.25 U missed at 1.25 U/h: 1 h, within one 1-minute sample) suspends the
// pump before the meal, so there is no bolus: the peak must exceed the bolused run's by 30 mg/dL
// and the mean even the no-bolus run's (measured 279 / 236 against 194 / 166 and 229 / 205).
TEST(GlucoseClosedLoop, MealBolusLowersThePeakAndAnOcclusionRaisesIt) {
  const LoopResult bolus = run_loop(true, std::nullopt);
  const LoopResult no_bolus = run_loop(false, std::nullopt);
  const Time occlusion_at = Time::from_h(1);
  const LoopResult occluded = run_loop(true, occlusion_at);
  std::printf("post-meal plasma glucose peak / mean: bolus %.0f / %.0f, no bolus %.0f / %.0f, occluded %.0f / %.0f "
              "mg/dL\n",
              bolus.peak_mg_dl, bolus.mean_mg_dl, no_bolus.peak_mg_dl, no_bolus.mean_mg_dl, occluded.peak_mg_dl,
              occluded.mean_mg_dl);
  ASSERT_EQ(bolus.boluses.size(), 1U);
  EXPECT_GE(bolus.boluses[0].value, 6.0);  // carbs / CR, plus any correction
  EXPECT_TRUE(no_bolus.boluses.empty());
  EXPECT_LT(bolus.peak_mg_dl, no_bolus.peak_mg_dl - 20.0);
  EXPECT_LT(bolus.mean_mg_dl, no_bolus.mean_mg_dl - 30.0);
  EXPECT_GT(occluded.peak_mg_dl, bolus.peak_mg_dl + 30.0);
  EXPECT_GT(occluded.mean_mg_dl, no_bolus.mean_mg_dl);

  ASSERT_EQ(occluded.occlusion_alerts.size(), 1U);
  const Time expected = occlusion_at + Time::from_seconds(1.25 / 1.25 * 3600.0);
  const Time alarm = occluded.occlusion_alerts[0].sample_time;
  std::printf("occlusion alarm %.1f min after onset (expected %.1f)\n", (alarm - occlusion_at).seconds() / 60.0,
              (expected - occlusion_at).seconds() / 60.0);
  EXPECT_GE(alarm, expected);
  EXPECT_LE(alarm, expected + Time::from_min(1));
}
