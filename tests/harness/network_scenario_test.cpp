// The scenario's network keys (nodes, links, outages, mobility, record) parsed into
// network::NetworkSpec: exact values, and one exact error line per rule.
#include <gtest/gtest.h>

#include "harness/InputError.hpp"
#include "harness/Scenario.hpp"
#include "network/LinkModel.hpp"

using namespace twinbed;
using namespace twinbed::harness;

namespace {

// A home: a wearable on BLE to the patient's phone, which reaches the core over the home Wi-Fi or
// over a shared 5G cell; the core reaches the ingest through an empirical WAN table.
const char* const HOME = R"(twinbed: 1
name: home
duration: 2h
nodes:
  - {name: phone, kind: gateway, scope: patient, site: home}
  - {name: home_ap, kind: wifi_ap, scope: patient, site: home, capacity: 54 Mbit/s, queue: 50}
  - {name: cell, kind: cell, site: street, capacity: 20Mbps}
  - {name: core, kind: core}
links:
  - {name: ble, technology: ble, to: phone, connection_interval: 50ms, retransmissions: 3}
  - {name: phone_wifi, technology: wifi, from: phone, to: home_ap}
  - {name: ap_core, technology: wan, from: home_ap, to: core}
  - {name: phone_5g, technology: nr_embb, from: phone, to: cell, loss: 0.01%}
  - {name: backhaul, technology: wired, from: cell, to: core}
  - name: core_ingest
    from: core
    distribution: empirical
    delay_percentiles: {p0: 1ms, p50: 5ms, p100: 250ms, p99.9: 100ms, p90: 20ms}
outages:
  - {target: home_ap, at: 30min, duration: 10min, patients: [p0002]}
  - {target: cell, every: 2/day, duration: 5min}
  - {target: ble, every: 6h, patients: [p0001, p0003]}
mobility:
  - name: walk
    path: [{at: 0s, link: phone_wifi}, {at: 20min, link: none}, {at: 25min, link: phone_5g}]
    offset_spread: 10min
    patients: [p0001]
cohort:
  - count: 3
    devices:
      - type: pulse_oximeter
        faults: [{kind: detachment, every: 3/day, duration: 1min}]
record:
  packets: 25%
  link_interval: 10s
)";

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "net.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError for:\n" << text;
  return "";
}

// HOME with its `old` text replaced by `replacement` (which must occur exactly once).
std::string edit(const std::string& old, const std::string& replacement) {
  std::string text = HOME;
  const std::size_t at = text.find(old);
  EXPECT_NE(at, std::string::npos) << old;
  EXPECT_EQ(text.find(old, at + 1), std::string::npos) << old;
  return text.replace(at, old.size(), replacement);
}

double table_default(network::Technology technology, std::string_view key) {
  for (const sim::ParamInfo& info : network::technology_info(technology).params) {
    if (info.name == key) return info.default_value;
  }
  ADD_FAILURE() << key;
  return 0.0;
}

}  // namespace

TEST(NetworkScenario, NodesWithScopesCapacitiesAndQueues) {
  const network::NetworkSpec net = parse_scenario(HOME, "home.yaml").network;
  ASSERT_EQ(net.nodes.size(), 4u);
  EXPECT_EQ(net.nodes[0].name, "phone");
  EXPECT_EQ(net.nodes[0].kind, network::NodeKind::gateway);
  EXPECT_EQ(net.nodes[0].scope, network::Scope::patient);
  EXPECT_EQ(net.nodes[0].site, "home");
  EXPECT_EQ(net.nodes[0].capacity_bps, 0.0);  // no capacity limit
  EXPECT_EQ(net.nodes[0].queue_packets, 100u);
  EXPECT_EQ(net.nodes[1].kind, network::NodeKind::wifi_ap);
  EXPECT_EQ(net.nodes[1].capacity_bps, 54e6);
  EXPECT_EQ(net.nodes[1].queue_packets, 50u);
  EXPECT_EQ(net.nodes[2].kind, network::NodeKind::cell);
  EXPECT_EQ(net.nodes[2].scope, network::Scope::shared);
  EXPECT_EQ(net.nodes[2].site, "street");
  EXPECT_EQ(net.nodes[2].capacity_bps, 20e6);
  EXPECT_EQ(net.nodes[2].queue_packets, 100u);
  EXPECT_EQ(net.nodes[3].kind, network::NodeKind::core);
  EXPECT_EQ(net.nodes[3].site, "");
}

TEST(NetworkScenario, LinksReadTheirTechnologyTable) {
  const Scenario s = parse_scenario(HOME, "home.yaml");
  const std::vector<network::LinkSpec>& links = s.network.links;
  ASSERT_EQ(links.size(), 6u);
  const network::LinkSpec& ble = links[0];
  EXPECT_EQ(ble.technology, network::Technology::ble);
  EXPECT_EQ(ble.from, "device");
  EXPECT_EQ(ble.to, "phone");
  EXPECT_EQ(ble.params.duration("connection_interval"), sim::Time::from_ms(50));
  EXPECT_EQ(ble.params.count("retransmissions"), 3u);
  EXPECT_EQ(ble.params.duration("supervision_timeout"),
            sim::Time::from_seconds(table_default(network::Technology::ble, "supervision_timeout")));
  EXPECT_EQ(links[1].technology, network::Technology::wifi);
  EXPECT_EQ(links[1].from, "phone");
  EXPECT_EQ(links[1].to, "home_ap");
  EXPECT_EQ(links[2].technology, network::Technology::wan);
  EXPECT_EQ(links[2].to, "core");
  EXPECT_EQ(links[3].technology, network::Technology::nr_embb);
  EXPECT_DOUBLE_EQ(links[3].params.number("loss"), 1e-4);
  EXPECT_EQ(links[3].params.choice("distribution"), 5u);  // empirical, the technology's default...
  EXPECT_TRUE(links[3].delay_percentiles.empty());        // ... with the technology's default table
  EXPECT_EQ(links[4].technology, network::Technology::wired);

  const network::LinkSpec& core = links[5];
  EXPECT_EQ(core.technology, network::Technology::generic);
  EXPECT_EQ(core.from, "core");
  EXPECT_EQ(core.to, "ingest");
  EXPECT_EQ(core.params.choice("distribution"), 5u);
  // Sorted by quantile whatever the order written.
  ASSERT_EQ(core.delay_percentiles.size(), 5u);
  const double quantiles[] = {0.0, 0.5, 0.9, 0.999, 1.0};
  const sim::Time delays[] = {sim::Time::from_ms(1), sim::Time::from_ms(5), sim::Time::from_ms(20),
                              sim::Time::from_ms(100), sim::Time::from_ms(250)};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_DOUBLE_EQ(core.delay_percentiles[i].quantile, quantiles[i]) << i;
    EXPECT_EQ(core.delay_percentiles[i].delay, delays[i]) << i;
  }
  EXPECT_EQ(s.cohorts[0].devices[0].link, "ble");  // the only link from `device`
}

TEST(NetworkScenario, OutagesMobilityAndRecord) {
  const Scenario s = parse_scenario(HOME, "home.yaml");
  const std::vector<network::OutageSpec>& outages = s.network.outages;
  ASSERT_EQ(outages.size(), 3u);
  EXPECT_EQ(outages[0].target, "home_ap");
  EXPECT_TRUE(outages[0].target_is_node);
  ASSERT_TRUE(outages[0].at.has_value());
  EXPECT_EQ(*outages[0].at, sim::Time::from_min(30));
  EXPECT_EQ(outages[0].duration, sim::Time::from_min(10));
  EXPECT_EQ(outages[0].every, sim::Time::zero());
  EXPECT_EQ(outages[0].patients, std::vector<std::string>{"p0002"});
  EXPECT_EQ(outages[1].target, "cell");
  EXPECT_FALSE(outages[1].at.has_value());
  EXPECT_EQ(outages[1].every, sim::Time::from_h(12));  // 2/day
  EXPECT_EQ(outages[1].duration, sim::Time::from_min(5));
  EXPECT_TRUE(outages[1].patients.empty());
  EXPECT_EQ(outages[2].target, "ble");
  EXPECT_FALSE(outages[2].target_is_node);
  EXPECT_EQ(outages[2].every, sim::Time::from_h(6));
  EXPECT_EQ(outages[2].duration, sim::Time::zero());  // until the end of the run
  EXPECT_EQ(outages[2].patients, (std::vector<std::string>{"p0001", "p0003"}));

  ASSERT_EQ(s.network.mobility.size(), 1u);
  const network::MobilitySpec& walk = s.network.mobility[0];
  EXPECT_EQ(walk.name, "walk");
  ASSERT_EQ(walk.path.size(), 3u);
  EXPECT_EQ(walk.path[0].at, sim::Time::zero());
  EXPECT_EQ(walk.path[0].link, "phone_wifi");
  EXPECT_EQ(walk.path[1].at, sim::Time::from_min(20));
  EXPECT_EQ(walk.path[1].link, "");  // none: a coverage hole
  EXPECT_EQ(walk.path[2].at, sim::Time::from_min(25));
  EXPECT_EQ(walk.path[2].link, "phone_5g");
  EXPECT_EQ(walk.offset_spread, sim::Time::from_min(10));
  EXPECT_EQ(walk.patients, std::vector<std::string>{"p0001"});

  EXPECT_DOUBLE_EQ(s.record.network.packet_sample, 0.25);
  EXPECT_EQ(s.record.network.link_interval, sim::Time::from_s(10));
  // Device faults take a rate too: 3/day is a mean of 8 h between onsets.
  EXPECT_EQ(s.cohorts[0].devices[0].faults[0].every, sim::Time::from_h(8));
}

TEST(NetworkScenario, TopologyErrors) {
  EXPECT_EQ(error_of(edit("technology: wifi", "technology: wify")),
            "net.yaml:11:36: links[1].technology: 'wify' is not a link technology (did you mean 'wifi'?); allowed: "
            "generic, ble, wifi, nr_embb, nr_urllc, lte_m, nb_iot, wired, wan");
  // A BLE key on a Wi-Fi link: Wi-Fi's own keys follow the common ones in the allowed list.
  EXPECT_EQ(
      error_of(edit("to: home_ap}", "to: home_ap, connection_interval: 30ms}"))
          .find("net.yaml:11:68: links[1].connection_interval: 'connection_interval' is not a known key; allowed: "
                "name, from, to, technology, delay_percentiles, latency, jitter, distribution,"),
      0u);
  EXPECT_EQ(error_of(edit("capacity: 20Mbps", "capacity: 20MB/s")),
            "net.yaml:7:54: nodes[2].capacity: '20MB/s' has unknown unit 'MB/s'; expected a bit rate with unit bps, "
            "kbps, Mbps, Gbps (or bit/s, kbit/s, Mbit/s, Gbit/s), e.g. 20Mbps");
  EXPECT_EQ(error_of(edit("queue: 50}", "queue: 0}")),
            "net.yaml:6:92: nodes[1].queue: '0' is out of range; expected a whole number in [1, 1000000]");
  EXPECT_EQ(error_of(edit("{name: core, kind: core}", "{name: core, kind: core, queue: 10}")),
            "net.yaml:8:37: nodes[3].queue: '10' needs 'capacity': a node without a capacity limit has no queue");
  EXPECT_EQ(error_of(edit("{name: core, kind: core}", "{name: ingest, kind: core}")),
            "net.yaml:8:12: nodes[3].name: 'ingest' is a reserved name ('device' and 'ingest' are the built-in nodes, "
            "'none' means no coverage in a mobility path); choose another");
  EXPECT_EQ(error_of(edit("{name: backhaul,", "{name: cell,")),
            "net.yaml:14:12: links[4].name: 'cell' is a second node or link with this name; names must be unique among "
            "nodes and links");
  EXPECT_EQ(error_of(edit("from: phone, to: home_ap", "from: phnoe, to: home_ap")),
            "net.yaml:11:48: links[1].from: 'phnoe' is not a node a link can leave ('device' or a node of nodes:) (did "
            "you mean 'phone'?); allowed: device, phone, home_ap, cell, core");
  EXPECT_EQ(error_of(edit("from: cell, to: core", "from: cell, to: device")),
            "net.yaml:14:57: links[4].to: 'device' is the built-in device node; links lead away from devices "
            "('from: device'), never to one");
  EXPECT_EQ(error_of(edit("from: cell, to: core", "from: cell, to: phone")),
            "net.yaml:14:57: links[4].to: 'phone' is a patient-scoped node, but 'from' ('cell') is shared: a shared "
            "node exists once and cannot link to every patient's own node");
}

TEST(NetworkScenario, DelayPercentileErrors) {
  EXPECT_EQ(error_of(edit("p100: 250ms, ", "")),
            "net.yaml:18:24: links[5].delay_percentiles: '<mapping>' has no p100; the table needs p0 (the least "
            "delay) and p100 (the largest)");
  EXPECT_EQ(error_of(edit("p90: 20ms", "p90: 2ms")),
            "net.yaml:18:76: links[5].delay_percentiles.p90: '2ms' is less than the delay at 'p50' (5ms); delays must "
            "not decrease as the percentile rises");
  EXPECT_EQ(error_of(edit("p99.9: 100ms", "p99.95: 100ms")),
            "net.yaml:18:57: links[5].delay_percentiles.p99.95: 'p99.95' is not a percentile; expected pNN or pNN.N "
            "with NN from 0 to 100 (e.g. p0, p50, p99.9, p100)");
  EXPECT_EQ(error_of(edit("p99.9: 100ms", "p50.0: 100ms")),
            "net.yaml:18:57: links[5].delay_percentiles.p50.0: 'p50.0' is the same percentile as 'p50'");
  EXPECT_EQ(error_of(edit("    distribution: empirical\n", "")),
            "net.yaml:17:24: links[5].delay_percentiles: '<mapping>' needs 'distribution: empirical' (this link's "
            "distribution is 'none')");
  EXPECT_EQ(error_of(edit("technology: wired, from: cell", "technology: wired, distribution: empirical, from: cell")),
            "net.yaml:14:55: links[4].distribution: 'empirical' needs 'delay_percentiles': technology 'wired' has no "
            "default table");
}

TEST(NetworkScenario, DeviceLinkMustLeaveTheDeviceAndReachTheIngest) {
  EXPECT_EQ(
      error_of(edit("      - type: pulse_oximeter\n", "      - type: pulse_oximeter\n        link: phone_wifi\n")),
      "net.yaml:32:15: cohort[0].devices[0].link: 'phone_wifi' is a link from 'phone', not from 'device'; a "
      "device sends on a link with 'from: device' (the default); allowed: 'ble'");
  // Without the core's link to the ingest every path from the phone ends at the core.
  EXPECT_EQ(error_of(edit("    from: core\n", "    from: home_ap\n    to: core\n")),
            "net.yaml:32:9: cohort[0].devices[0].link: 'ble' does not reach 'ingest': its path from 'phone' ends at "
            "'core', where no link leaves; add a link from 'core' to 'ingest' (or to a node that reaches it)");
  // With it turned back to the cell, the paths go round between the cell and the core.
  EXPECT_EQ(error_of(edit("    from: core\n", "    from: core\n    to: cell\n")),
            "net.yaml:32:9: cohort[0].devices[0].link: 'ble' does not reach 'ingest': the links from 'phone' only go "
            "round among 'phone', 'home_ap', 'cell', 'core'");
  // A second link from `device`: a device must then name its link.
  EXPECT_EQ(error_of(edit("  - {name: phone_wifi,", "  - {name: ble2, to: phone}\n  - {name: phone_wifi,")),
            "net.yaml:32:9: cohort[0].devices[0].link: is missing; this key is required");
}

TEST(NetworkScenario, OutageAndMobilityErrors) {
  EXPECT_EQ(error_of(edit("target: cell,", "target: cel,")),
            "net.yaml:21:14: outages[1].target: 'cel' is not a node or link of this scenario (did you mean 'cell'?); "
            "allowed: phone, home_ap, cell, core, ble, phone_wifi, ap_core, phone_5g, backhaul, core_ingest");
  EXPECT_EQ(error_of(edit("every: 2/day,", "at: 1h, every: 2/day,")),
            "net.yaml:21:5: outages[1]: '<mapping>' needs exactly one of 'at' (a scheduled outage) or 'every' "
            "(random, mean time between onsets)");
  EXPECT_EQ(error_of(edit("patients: [p0002]", "patients: [p0004]")),
            "net.yaml:20:62: outages[0].patients[0]: 'p0004' is not a patient of this scenario; patient ids are p0001 "
            "to p0003");
  EXPECT_EQ(error_of(edit("every: 2/day, duration: 5min}", "every: 2/day, duration: 5min, patients: [p0001]}")),
            "net.yaml:21:60: outages[1].patients: '<list>' lists patients, but 'cell' is shared: it exists once, for "
            "every patient");
  EXPECT_EQ(error_of(edit("at: 30min, duration: 10min", "at: 3h, duration: 10min")),
            "net.yaml:20:27: outages[0].at: '3h' is at or after the end of the run (2h); the outage would never start");
  EXPECT_EQ(error_of(edit("{at: 25min, link: phone_5g}", "{at: 15min, link: phone_5g}")),
            "net.yaml:25:70: mobility[0].path[2].at: '15min' is not after the previous waypoint's 20min; waypoint "
            "times must ascend");
  EXPECT_EQ(error_of(edit("{at: 25min, link: phone_5g}", "{at: 25min, link: backhaul}")),
            "net.yaml:25:83: mobility[0].path[2].link: 'backhaul' is a link from the shared node 'cell'; a mobility "
            "path names links from 'device' or from a patient-scoped node (or 'none')");
  EXPECT_EQ(error_of(edit("path: [{at: 0s,", "path: [{at: 1s,")),
            "net.yaml:25:17: mobility[0].path[0].at: '1s' is not 0s; a path starts at 0s (use link: none for no "
            "coverage at the start)");
  // Two paths moving the same patient may not both decide one link's coverage.
  EXPECT_EQ(error_of(edit("    patients: [p0001]\ncohort:",
                          "    patients: [p0001]\n  - {name: bus, path: [{at: 0s, link: phone_5g}]}\ncohort:")),
            "net.yaml:28:12: mobility[1].name: 'bus' moves the same patients as 'walk' and names the same link "
            "'phone_5g'; each link's coverage must come from one path");
  // ... unless they move different patients.
  EXPECT_EQ(parse_scenario(edit("    patients: [p0001]\ncohort:",
                                "    patients: [p0001]\n  - {name: bus, path: [{at: 0s, "
                                "link: phone_5g}], patients: [p0002, p0003]}\ncohort:"),
                           "home.yaml")
                .network.mobility[1]
                .patients.size(),
            2u);
}

TEST(NetworkScenario, MeanIntervalsAsDurationsOrRates) {
  EXPECT_EQ(error_of(edit("every: 2/day", "every: 0/day")),
            "net.yaml:21:27: outages[1].every: '0/day' is too rare; expected a mean interval from 1s to 36500d (a "
            "duration such as 12h, or a rate such as 2/day)");
  EXPECT_EQ(error_of(edit("every: 2/day", "every: 2/s")),
            "net.yaml:21:27: outages[1].every: '2/s' is too frequent; expected a mean interval from 1s to 36500d (a "
            "duration such as 12h, or a rate such as 2/day)");
  EXPECT_EQ(error_of(edit("every: 2/day", "every: 2/fortnight")),
            "net.yaml:21:27: outages[1].every: '2/fortnight' has unknown unit 'fortnight'; expected a rate as N/unit "
            "with unit s, min, h, day or week (e.g. 2/day)");
  EXPECT_EQ(parse_scenario(edit("every: 2/day", "every: 1/s"), "home.yaml").network.outages[1].every,
            sim::Time::from_s(1));
  EXPECT_EQ(parse_scenario(edit("every: 2/day", "every: 90min"), "home.yaml").network.outages[1].every,
            sim::Time::from_min(90));
}
