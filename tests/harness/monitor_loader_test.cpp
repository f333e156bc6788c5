// The `monitor:` block and `baselines:` entries (read_monitor, read_baselines) and the plug-in
// monitor registry.
#include "harness/MonitorLoader.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/InputError.hpp"
#include "harness/Monitor.hpp"

using namespace twinbed;
using namespace twinbed::harness;

namespace {

MonitorSpec parse(const std::string& text, bool baseline = false) {
  const YamlDocument doc = YamlDocument::parse(text, "m.yaml");
  return read_monitor(doc.root().as_unchecked_map().get("monitor"), baseline);
}

std::string error_of(const std::string& text, bool baseline = false) {
  try {
    parse(text, baseline);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError for:\n" << text;
  return "";
}

const ThresholdRule* rule(const MonitorSpec& spec, const std::string& type) {
  for (const ThresholdRule& r : spec.reference.thresholds) {
    if (r.type == type) return &r;
  }
  return nullptr;
}

const char* const FULL = R"(monitor:
  name: sut
  type: reference
  mode: naive
  thresholds:
    spo2_low: {limit: 88, delay: 15s, priority: high, enabled: true}
    hr_high: {enabled: false}
    hr_very_high: {signal: heart_rate, above: 150, delay: 5s, priority: high}
    rr_floor: {signal: respiration_rate, at_or_below: 6}
  latching: {high: false, medium: true, low: true, acknowledge_after: 2min}
  news2: {enabled: false, max_age: 30min, delay: 2min, medium_priority: low, high_priority: medium}
  arrhythmia: {enabled: true, atrial_fibrillation: false, min_signal_quality: 0.7, asystole: 5s, brady_bpm: 35,
               brady_beats: 4, tachy_bpm: 150, tachy_beats: 12, vt_bpm: 110, vt_beats: 6, vf: 3s, af_window: 90s}
  glucose: {enabled: true, urgent_low: 55, low: 72, high: 200, predict_horizon: 30min, trend_window: 20min, delay: 5min}
  technical: {enabled: true, no_data_factor: 4, no_data_min: 2min, lead_off_delay: 15s, priority: medium}
  smart: {extra_delay: 7s, cross_check_bpm: 25}
)";

}  // namespace

TEST(MonitorLoader, ReadsEveryKey) {
  const MonitorSpec spec = parse(FULL);
  EXPECT_EQ(spec.name, "sut");
  EXPECT_EQ(spec.type, "reference");
  const ReferenceMonitorConfig& c = spec.reference;
  EXPECT_EQ(c.mode, MonitorMode::naive);
  ASSERT_EQ(c.thresholds.size(), ReferenceMonitorConfig::default_thresholds().size() + 2);
  const ThresholdRule* spo2 = rule(spec, "spo2_low");
  ASSERT_NE(spo2, nullptr);
  EXPECT_DOUBLE_EQ(spo2->limit, 88.0);
  EXPECT_EQ(spo2->delay, sim::Time::from_s(15));
  EXPECT_EQ(spo2->priority, Priority::high);
  EXPECT_EQ(spo2->signal, physiology::Signal::spo2);  // kept from the default
  EXPECT_FALSE(rule(spec, "hr_high")->enabled);
  EXPECT_DOUBLE_EQ(rule(spec, "hr_high")->limit, 120.0);
  const ThresholdRule* very_high = rule(spec, "hr_very_high");
  ASSERT_NE(very_high, nullptr);
  EXPECT_EQ(very_high->signal, physiology::Signal::heart_rate);
  EXPECT_TRUE(very_high->above);
  EXPECT_FALSE(very_high->inclusive);
  EXPECT_DOUBLE_EQ(very_high->limit, 150.0);
  EXPECT_EQ(very_high->delay, sim::Time::from_s(5));
  EXPECT_EQ(very_high->priority, Priority::high);
  const ThresholdRule* floor = rule(spec, "rr_floor");
  ASSERT_NE(floor, nullptr);
  EXPECT_FALSE(floor->above);
  EXPECT_TRUE(floor->inclusive);
  EXPECT_TRUE(floor->met(6.0));
  EXPECT_FALSE(floor->met(6.5));
  EXPECT_EQ(floor->delay, sim::Time::zero());
  EXPECT_EQ(floor->priority, Priority::medium);
  EXPECT_FALSE(c.latching.latch_high);
  EXPECT_TRUE(c.latching.latch_medium);
  EXPECT_TRUE(c.latching.latch_low);
  EXPECT_EQ(c.latching.acknowledge_after, sim::Time::from_s(120));
  EXPECT_FALSE(c.news2.enabled);
  EXPECT_EQ(c.news2.max_age, sim::Time::from_s(1800));
  EXPECT_EQ(c.news2.delay, sim::Time::from_s(120));
  EXPECT_EQ(c.news2.medium_priority, Priority::low);
  EXPECT_EQ(c.news2.high_priority, Priority::medium);
  EXPECT_FALSE(c.arrhythmia.atrial_fibrillation);
  EXPECT_DOUBLE_EQ(c.arrhythmia.min_signal_quality, 0.7);
  EXPECT_DOUBLE_EQ(c.arrhythmia.params.asystole_s, 5.0);
  EXPECT_DOUBLE_EQ(c.arrhythmia.params.brady_bpm, 35.0);
  EXPECT_EQ(c.arrhythmia.params.brady_beats, 4);
  EXPECT_DOUBLE_EQ(c.arrhythmia.params.tachy_bpm, 150.0);
  EXPECT_EQ(c.arrhythmia.params.tachy_beats, 12);
  EXPECT_DOUBLE_EQ(c.arrhythmia.params.vt_bpm, 110.0);
  EXPECT_EQ(c.arrhythmia.params.vt_beats, 6);
  EXPECT_DOUBLE_EQ(c.arrhythmia.params.vf_s, 3.0);
  EXPECT_DOUBLE_EQ(c.arrhythmia.params.af_window_s, 90.0);
  EXPECT_DOUBLE_EQ(c.glucose.urgent_low_mg_dl, 55.0);
  EXPECT_DOUBLE_EQ(c.glucose.low_mg_dl, 72.0);
  EXPECT_DOUBLE_EQ(c.glucose.high_mg_dl, 200.0);
  EXPECT_EQ(c.glucose.predict_horizon, sim::Time::from_s(1800));
  EXPECT_EQ(c.glucose.trend_window, sim::Time::from_s(1200));
  EXPECT_EQ(c.glucose.delay, sim::Time::from_s(300));
  EXPECT_DOUBLE_EQ(c.technical.no_data_factor, 4.0);
  EXPECT_EQ(c.technical.no_data_min, sim::Time::from_s(120));
  EXPECT_EQ(c.technical.lead_off_delay, sim::Time::from_s(15));
  EXPECT_EQ(c.technical.priority, Priority::medium);
  EXPECT_EQ(c.smart_extra_delay, sim::Time::from_s(7));
  EXPECT_DOUBLE_EQ(c.cross_check_bpm, 25.0);
}

TEST(MonitorLoader, DefaultsWithoutAMonitorBlock) {
  const MonitorSpec spec = parse("other: 1\n");
  EXPECT_EQ(spec.name, "sut");
  EXPECT_EQ(spec.type, "reference");
  EXPECT_EQ(spec.reference.mode, MonitorMode::smart);
  EXPECT_EQ(spec.reference.thresholds.size(), 11u);
  const MonitorSpec none = parse("monitor: {type: none}\n");
  EXPECT_EQ(none.type, "none");
}

TEST(MonitorLoader, BadInputNamesLineColumnAndWhatIsAllowed) {
  EXPECT_EQ(error_of("monitor:\n  mode: smart\n  tresholds: {}\n"),
            "m.yaml:3:3: monitor.tresholds: 'tresholds' is not a known key (did you mean 'thresholds'?); allowed: "
            "name, type, options, mode, thresholds, latching, news2, arrhythmia, glucose, technical, smart");
  EXPECT_EQ(error_of("monitor:\n  mode: clever\n"),
            "m.yaml:2:9: monitor.mode: 'clever' is not a monitor mode; allowed: naive, smart");
  std::string types = "m.yaml:2:9: monitor.type: 'refrence' is not a monitor type (did you mean 'reference'?); "
                      "allowed: reference, none";
  for (const std::string& t : registered_monitors()) types += ", " + t;  // plug-ins other tests registered
  EXPECT_EQ(error_of("monitor:\n  type: refrence\n"), types);
  const std::string misspelt = error_of("monitor:\n  thresholds:\n    spo2_lo: {limit: 88}\n");
  EXPECT_EQ(misspelt.rfind("m.yaml:3:5: monitor.thresholds.spo2_lo: 'spo2_lo' is not a threshold rule (did you mean "
                           "'spo2_low'?); a new rule needs signal and one of above, below, at_or_above, at_or_below; "
                           "rules: spo2_low, spo2_desat,",
                           0),
            0u)
      << misspelt;
  EXPECT_EQ(error_of("monitor:\n  thresholds:\n    spo2_low: {limit: 88, dealy: 5s}\n"),
            "m.yaml:3:27: monitor.thresholds.spo2_low.dealy: 'dealy' is not a known key (did you mean 'delay'?); "
            "allowed: limit, delay, priority, enabled");
  EXPECT_EQ(error_of("monitor:\n  thresholds:\n    hr_x: {signal: heart_rate, above: 150, below: 40}\n"),
            "m.yaml:3:51: monitor.thresholds.hr_x.below: '40' is a second limit; a rule has exactly one of above, "
            "below, at_or_above, at_or_below");
  EXPECT_EQ(error_of("monitor:\n  thresholds:\n    hr_x: {signal: heart_rate, delay: 5s}\n"),
            "m.yaml:3:11: monitor.thresholds.hr_x: '<mapping>' has no limit; expected one of above, below, "
            "at_or_above, at_or_below");
  EXPECT_EQ(error_of("monitor:\n  thresholds:\n    hr_x: {signal: ecg, above: 1}\n"),
            "m.yaml:3:20: monitor.thresholds.hr_x.signal: 'ecg' is not a signal; allowed: heart_rate, spo2, "
            "respiration_rate, systolic_bp, diastolic_bp, mean_bp, core_temperature, skin_temperature, weight, "
            "glucose, interstitial_glucose, perfusion_index, battery_level, insulin_basal_rate, insulin_bolus, "
            "infusion_rate, lead_impedance, af_burden");
  EXPECT_EQ(error_of("monitor:\n  latching: {high: true, acknowledge_after: 2}\n")
                .rfind("m.yaml:2:45: monitor.latching.acknowledge_after: '2' is not a valid duration: missing unit", 0),
            0u);
  EXPECT_EQ(error_of("monitor:\n  news2: {high_priority: urgent}\n"),
            "m.yaml:2:26: monitor.news2.high_priority: 'urgent' is not a priority; allowed: low, medium, high");
  EXPECT_EQ(error_of("monitor:\n  glucose: {low: 50}\n"),
            "m.yaml:2:18: monitor.glucose.low: '50' leaves urgent_low (54) not below low (50); expected urgent_low < "
            "low < high");
  EXPECT_EQ(error_of("monitor:\n  arrhythmia: {min_signal_quality: 2}\n"),
            "m.yaml:2:36: monitor.arrhythmia.min_signal_quality: '2' is outside [0, 1]; expected a probability in "
            "[0, 1], as 0.02 or 2%");
  EXPECT_EQ(error_of("monitor:\n  options: {a: b}\n"),
            "m.yaml:2:12: monitor.options: '<mapping>' is only for plug-in monitors (registered with "
            "register_monitor); this monitor is 'reference'");
  EXPECT_EQ(error_of("monitor:\n  type: none\n  mode: naive\n"),
            "m.yaml:3:9: monitor.mode: 'naive' is only for type: reference (this monitor is 'none')");
  EXPECT_EQ(error_of("monitor:\n  type: reference\n", true),
            "m.yaml:2:3: monitor.name: is missing; this key is required");
  EXPECT_EQ(error_of("monitor:\n  name: my monitor\n"),
            "m.yaml:2:9: monitor.name: 'my monitor' is not a valid monitor name; expected 1-24 letters, digits, '_' "
            "or '-'");
}

TEST(MonitorLoader, BaselinesNeedDistinctNames) {
  const YamlDocument doc = YamlDocument::parse(
      "baselines:\n  - {name: naive, mode: naive}\n  - {name: none, type: none}\n", "b.yaml");
  const std::vector<MonitorSpec> baselines = read_baselines(doc.root().as_unchecked_map().get("baselines"), "sut");
  ASSERT_EQ(baselines.size(), 2u);
  EXPECT_EQ(baselines[0].name, "naive");
  EXPECT_EQ(baselines[0].reference.mode, MonitorMode::naive);
  EXPECT_EQ(baselines[1].type, "none");
  const auto error = [](const std::string& text) -> std::string {
    try {
      const YamlDocument d = YamlDocument::parse(text, "b.yaml");
      read_baselines(d.root().as_unchecked_map().get("baselines"), "sut");
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error("baselines:\n  - {name: a}\n  - {name: a, mode: naive}\n"),
            "b.yaml:3:12: baselines[1].name: 'a' names an earlier baseline too; baseline names must be distinct");
  EXPECT_EQ(error("baselines:\n  - {name: sut}\n"),
            "b.yaml:2:12: baselines[0].name: 'sut' is the system under test's name; a baseline needs a name of its own");
}

// --- plug-in registry ---------------------------------------------------------------------------

namespace {

// A plug-in that raises one alarm per delivered packet: enough to see the factory's wiring.
class CountingMonitor final : public Monitor {
public:
  CountingMonitor(const MonitorContext& context, AlarmSink& sink) : sink_(sink), label_(context.options.at("label")) {}
  void consume(const network::Packet& packet, sim::Time delivered) override {
    Alarm alarm;
    alarm.time = delivered;
    alarm.device = packet.device;
    alarm.type = label_;
    sink_.raise(alarm);
  }

private:
  AlarmSink& sink_;
  std::string label_;
};

}  // namespace

TEST(MonitorRegistry, RegisterFindAndRejectDuplicates) {
  const std::string name = "monitor_test_counting";
  EXPECT_EQ(find_monitor(name), nullptr);
  register_monitor(name, [](const MonitorContext& context, AlarmSink& sink) -> std::unique_ptr<Monitor> {
    return std::make_unique<CountingMonitor>(context, sink);
  });
  const std::vector<std::string> names = registered_monitors();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_NE(std::find(names.begin(), names.end(), name), names.end());
  const MonitorFactory* factory = find_monitor(name);
  ASSERT_NE(factory, nullptr);

  MonitorContext context;
  context.options["label"] = "seen";
  AlarmLog log;
  std::unique_ptr<Monitor> monitor = (*factory)(context, log);
  network::Packet packet;
  packet.device = 4;
  monitor->consume(packet, sim::Time::from_s(3));
  ASSERT_EQ(log.alarms.size(), 1u);
  EXPECT_EQ(log.alarms[0].type, "seen");
  EXPECT_EQ(log.alarms[0].device, 4u);
  EXPECT_EQ(log.alarms[0].time, sim::Time::from_s(3));

  const auto factory_fn = [](const MonitorContext&, AlarmSink&) -> std::unique_ptr<Monitor> { return nullptr; };
  EXPECT_THROW(register_monitor(name, factory_fn), std::invalid_argument);
  EXPECT_THROW(register_monitor("reference", factory_fn), std::invalid_argument);
  EXPECT_THROW(register_monitor("none", factory_fn), std::invalid_argument);
  EXPECT_THROW(register_monitor("", factory_fn), std::invalid_argument);

  // A registered type is a valid `monitor.type`, and only plug-ins take options.
  const MonitorSpec spec = parse("monitor:\n  type: monitor_test_counting\n  options: {label: x, threshold: 3}\n");
  EXPECT_EQ(spec.type, name);
  EXPECT_EQ(spec.options, (std::map<std::string, std::string>{{"label", "x"}, {"threshold", "3"}}));
}
