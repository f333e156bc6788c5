#include "harness/NetworkLoader.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>

#include "harness/Names.hpp"
#include "harness/TableReader.hpp"
#include "harness/Units.hpp"
#include "network/LinkModel.hpp"

namespace twinbed::harness {
namespace {

using network::LinkSpec;
using network::NetworkSpec;
using network::NodeSpec;
using network::Scope;

// Names with a meaning of their own: the two built-in nodes, and `none` (no coverage) in a
// mobility path, which a link of that name would make ambiguous.
constexpr const char* NO_LINK = "none";
const std::vector<std::string> RESERVED_NAMES{network::DEVICE_NODE, network::INGEST_NODE, NO_LINK};

// NodeKind values 1..5 in order (device and ingest are the built-ins, not written in YAML).
const std::vector<std::string> NODE_KINDS{"gateway", "ble_central", "wifi_ap", "cell", "core"};
const std::vector<std::string> SCOPES{"shared", "patient"};

std::string quote_name(const std::string& text) {
  std::string q = "'";
  q += text;
  q += "'";
  return q;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + quote_name(item);
  return text;
}

const NodeSpec* find_node(const NetworkSpec& network, const std::string& name) {
  for (const NodeSpec& node : network.nodes) {
    if (node.name == name) return &node;
  }
  return nullptr;
}

const LinkSpec* find_link(const NetworkSpec& network, const std::string& name) {
  for (const LinkSpec& link : network.links) {
    if (link.name == name) return &link;
  }
  return nullptr;
}

// `device` is per device, `ingest` is one platform endpoint.
Scope node_scope(const NetworkSpec& network, const std::string& name) {
  if (name == network::DEVICE_NODE) return Scope::device;
  if (name == network::INGEST_NODE) return Scope::shared;
  return find_node(network, name)->scope;
}

// A link exists once per instance of the node it leaves (per device, per patient or once).
Scope link_scope(const NetworkSpec& network, const LinkSpec& link) { return node_scope(network, link.from); }

// Names are unique among nodes and links together, so an outage target names exactly one thing.
void claim_name(const YamlField& field, const std::string& name, const char* what, std::set<std::string>& names) {
  check_name(field, name, what, MAX_NAME_LENGTH);
  if (std::find(RESERVED_NAMES.begin(), RESERVED_NAMES.end(), name) != RESERVED_NAMES.end()) {
    field.fail(name,
               "is a reserved name ('device' and 'ingest' are the built-in nodes, 'none' means no coverage in a "
               "mobility path); choose another");
  }
  if (!names.insert(name).second) {
    field.fail(name, "is a second node or link with this name; names must be unique among nodes and links");
  }
}

NodeSpec read_node(const YamlField& field, std::set<std::string>& names) {
  const YamlMap map = field.as_map({"name", "kind", "scope", "site", "capacity", "queue"});
  NodeSpec node;
  node.name = map.required("name").as_string();
  claim_name(map.get("name"), node.name, "node name", names);
  const std::string kind = map.required("kind").as_choice(NODE_KINDS, "a node kind");
  node.kind =
      static_cast<network::NodeKind>(1 + (std::find(NODE_KINDS.begin(), NODE_KINDS.end(), kind) - NODE_KINDS.begin()));
  if (map.has("scope")) {
    const std::string scope = map.get("scope").as_choice(SCOPES, "a node scope");
    node.scope = scope == "patient" ? Scope::patient : Scope::shared;
  }
  if (map.has("site")) {
    node.site = map.get("site").as_string();
    check_name(map.get("site"), node.site, "site label", MAX_NAME_LENGTH);
  }
  if (map.has("capacity")) {
    const YamlField capacity = map.get("capacity");
    try {
      node.capacity_bps = parse_bit_rate_bps(capacity.as_string());
    } catch (const std::invalid_argument& e) {
      capacity.fail(e.what());
    }
  }
  if (map.has("queue")) {
    const YamlField queue = map.get("queue");
    // The queue belongs to the capacity's server: without a rate there is nothing to wait for.
    if (!map.has("capacity")) queue.fail("needs 'capacity': a node without a capacity limit has no queue");
    node.queue_packets = static_cast<std::uint32_t>(queue.as_integer(1, 1'000'000));
  }
  return node;
}

// "p50" -> 0.5, "p99.9" -> 0.999: 'p', 1-3 digits, optionally '.' and one digit, at most 100.
std::optional<double> percentile_quantile(const std::string& key) {
  if (key.empty() || key[0] != 'p') return std::nullopt;
  std::size_t digits = 0;
  while (1 + digits < key.size() && key[1 + digits] >= '0' && key[1 + digits] <= '9') ++digits;
  if (digits == 0 || digits > 3) return std::nullopt;
  std::size_t end = 1 + digits;
  if (end < key.size()) {
    if (key.size() != end + 2 || key[end] != '.' || key[end + 1] < '0' || key[end + 1] > '9') return std::nullopt;
    end += 2;
  }
  const double percent = std::stod(key.substr(1));
  if (percent > 100.0) return std::nullopt;
  return percent / 100.0;
}

std::vector<network::DelayPercentile> read_delay_percentiles(const YamlField& field) {
  const std::vector<std::pair<YamlField, YamlField>> entries = field.as_entries();
  std::vector<network::DelayPercentile> points;
  for (const auto& [key, value] : entries) {
    const std::optional<double> quantile = percentile_quantile(key.shown_value());
    if (!quantile) {
      key.fail("is not a percentile; expected pNN or pNN.N with NN from 0 to 100 (e.g. p0, p50, p99.9, p100)");
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (points[i].quantile == *quantile) {
        key.fail("is the same percentile as " + quote_name(entries[i].first.shown_value()));
      }
    }
    points.push_back({*quantile, value.as_duration(sim::Time::zero())});
  }
  // Sorted through indices: a YamlField must not be assigned (YAML::Node's assignment writes into the document).
  std::vector<std::size_t> order(points.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return points[a].quantile < points[b].quantile; });
  if (points.empty() || points[order.front()].quantile != 0.0 || points[order.back()].quantile != 1.0) {
    field.fail(std::string("has no ") + (points.empty() || points[order.front()].quantile != 0.0 ? "p0" : "p100") +
               "; the table needs p0 (the least delay) and p100 (the largest)");
  }
  std::vector<network::DelayPercentile> table;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i > 0 && points[order[i]].delay < table.back().delay) {
      const auto& [previous_key, previous_delay] = entries[order[i - 1]];
      entries[order[i]].second.fail("is less than the delay at " + quote_name(previous_key.shown_value()) + " (" +
                                    previous_delay.shown_value() +
                                    "); delays must not decrease as the percentile rises");
    }
    table.push_back(points[order[i]]);
  }
  return table;
}

LinkSpec read_link(const YamlField& field, const NetworkSpec& network, std::set<std::string>& names) {
  std::vector<TableKind> kinds;
  std::optional<std::size_t> generic;
  for (const network::TechnologyInfo& info : network::technologies()) {
    if (info.technology == network::Technology::generic) generic = kinds.size();
    kinds.push_back(TableKind{info.name, info.params});
  }
  TableEntry entry = read_table_entry(field, "technology", kinds, generic, "a link technology",
                                      {"name", "from", "to", "technology", "delay_percentiles"});
  const YamlMap& map = entry.map;
  LinkSpec link;
  link.technology = network::technologies()[entry.kind].technology;
  link.params = std::move(entry.params);
  link.name = map.required("name").as_string();
  claim_name(map.get("name"), link.name, "link name", names);

  std::vector<std::string> starts{network::DEVICE_NODE};
  std::vector<std::string> ends;
  for (const NodeSpec& node : network.nodes) {
    starts.push_back(node.name);
    ends.push_back(node.name);
  }
  ends.emplace_back(network::INGEST_NODE);
  if (map.has("from")) {
    link.from = map.get("from").as_choice(starts, "a node a link can leave ('device' or a node of nodes:)");
  }
  if (map.has("to")) {
    const YamlField to = map.get("to");
    if (to.shown_value() == network::DEVICE_NODE) {
      to.fail("is the built-in device node; links lead away from devices ('from: device'), never to one");
    }
    link.to = to.as_choice(ends, "a node a link can lead to ('ingest' or a node of nodes:)");
    if (link.to == link.from) to.fail("is also the link's 'from'; a link joins two different nodes");
  }
  if (node_scope(network, link.from) == Scope::shared && node_scope(network, link.to) == Scope::patient) {
    map.get("to").fail(link.to,
                       "is a patient-scoped node, but 'from' (" + quote_name(link.from) +
                           ") is shared: a shared node exists once and cannot link to every patient's own node");
  }

  const sim::ParamInfo* distribution = link.params.find("distribution");
  if (distribution == nullptr) throw std::logic_error("link technology table without 'distribution'");
  const bool empirical = distribution->choices.at(link.params.choice("distribution")) == "empirical";
  if (map.has("delay_percentiles")) {
    const YamlField table = map.get("delay_percentiles");
    if (!empirical) {
      table.fail("needs 'distribution: empirical' (this link's distribution is '" +
                 std::string(distribution->choices.at(link.params.choice("distribution"))) + "')");
    }
    link.delay_percentiles = read_delay_percentiles(table);
  } else if (empirical && network::technologies()[entry.kind].default_delay_percentiles.empty()) {
    map.get("distribution")
        .fail("needs 'delay_percentiles': technology '" + std::string(network::technologies()[entry.kind].name) +
              "' has no default table");
  }
  return link;
}

// Patient ids are <prefix><4 digits>, numbered from 0001 to the cohort entry's count.
bool patient_exists(const std::vector<CohortSpec>& cohorts, const std::string& id) {
  for (const CohortSpec& cohort : cohorts) {
    if (id.size() != cohort.prefix.size() + 4 || !id.starts_with(cohort.prefix)) continue;
    const std::string digits = id.substr(cohort.prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const unsigned long number = std::stoul(digits);
    if (number >= 1 && number <= cohort.count) return true;
  }
  return false;
}

std::vector<std::string> read_patients(const YamlField& field, const std::vector<CohortSpec>& cohorts) {
  std::vector<std::string> ids;
  const std::vector<YamlField> items = field.as_list();
  if (items.empty()) field.fail("<list>", "is empty; leave 'patients' out to mean every patient");
  for (const YamlField& item : items) {
    const std::string id = item.as_string();
    if (!patient_exists(cohorts, id)) {
      std::string ranges;
      for (const CohortSpec& cohort : cohorts) {
        if (!ranges.empty()) ranges += ", ";
        ranges += cohort.prefix + "0001 to " + cohort.prefix;
        const std::string number = std::to_string(cohort.count);
        ranges += std::string(4 - number.size(), '0') + number;
      }
      item.fail(id, "is not a patient of this scenario; patient ids are " + ranges);
    }
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) item.fail(id, "is listed twice");
    ids.push_back(id);
  }
  return ids;
}

network::OutageSpec read_outage(const YamlField& field, const NetworkSpec& network,
                                const std::vector<CohortSpec>& cohorts, sim::Time run_duration) {
  const YamlMap map = field.as_map({"target", "at", "every", "duration", "patients"});
  std::vector<std::string> targets;
  for (const NodeSpec& node : network.nodes) targets.push_back(node.name);
  for (const LinkSpec& link : network.links) targets.push_back(link.name);
  network::OutageSpec outage;
  const YamlField target = map.required("target");
  if (targets.empty()) {
    target.fail("names a node or link, but the scenario has none; declare it under nodes: or links:");
  }
  outage.target = target.as_choice(targets, "a node or link of this scenario");
  const NodeSpec* node = find_node(network, outage.target);
  outage.target_is_node = node != nullptr;
  if (map.has("at") == map.has("every")) {
    field.fail("needs exactly one of 'at' (a scheduled outage) or 'every' (random, mean time between onsets)");
  }
  if (map.has("at")) {
    outage.at = map.get("at").as_duration(sim::Time::zero());
    if (*outage.at >= run_duration) {
      map.get("at").fail("is at or after the end of the run (" + sim::to_string(run_duration) +
                         "); the outage would never start");
    }
    // A scheduled outage lasts exactly its duration: there is no "until the end" zero here.
    outage.duration = map.required("duration").as_duration(sim::Time::from_ns(1));
  } else {
    outage.every = map.get("every").as_mean_interval(sim::Time::from_s(1));
    if (map.has("duration")) outage.duration = map.get("duration").as_duration(sim::Time::zero());
  }
  if (map.has("patients")) {
    const Scope scope = node ? node->scope : link_scope(network, *find_link(network, outage.target));
    if (scope == Scope::shared) {
      map.get("patients")
          .fail("<list>",
                "lists patients, but " + quote_name(outage.target) + " is shared: it exists once, for every patient");
    }
    outage.patients = read_patients(map.get("patients"), cohorts);
  }
  return outage;
}

network::MobilitySpec read_mobility(const YamlField& field, const NetworkSpec& network,
                                    const std::vector<CohortSpec>& cohorts) {
  const YamlMap map = field.as_map({"name", "path", "offset_spread", "patients"});
  network::MobilitySpec mobility;
  mobility.name = map.required("name").as_string();
  check_name(map.get("name"), mobility.name, "mobility name", MAX_NAME_LENGTH);
  // Coverage is personal: only links that exist per device or per patient can come and go along
  // one patient's path. A shared link going away is an outage.
  std::vector<std::string> mobile{NO_LINK};
  for (const LinkSpec& link : network.links) {
    if (link_scope(network, link) != Scope::shared) mobile.push_back(link.name);
  }
  const YamlField path = map.required("path");
  const std::vector<YamlField> waypoints = path.as_list();
  if (waypoints.empty()) path.fail("<list>", "is empty; expected waypoints {at, link}, the first at 0s");
  for (const YamlField& item : waypoints) {
    const YamlMap waypoint_map = item.as_map({"at", "link"});
    network::Waypoint waypoint;
    const YamlField at = waypoint_map.required("at");
    waypoint.at = at.as_duration(sim::Time::zero());
    if (mobility.path.empty() && waypoint.at != sim::Time::zero()) {
      at.fail("is not 0s; a path starts at 0s (use link: none for no coverage at the start)");
    }
    if (!mobility.path.empty() && waypoint.at <= mobility.path.back().at) {
      at.fail("is not after the previous waypoint's " + sim::to_string(mobility.path.back().at) +
              "; waypoint times must ascend");
    }
    const YamlField link = waypoint_map.required("link");
    const LinkSpec* named = find_link(network, link.shown_value());
    if (named != nullptr && link_scope(network, *named) == Scope::shared) {
      link.fail("is a link from the shared node " + quote_name(named->from) +
                "; a mobility path names links from 'device' or from a patient-scoped node (or 'none')");
    }
    waypoint.link = link.as_choice(mobile, "a link of device or patient scope, or 'none'");
    if (waypoint.link == NO_LINK) waypoint.link.clear();
    mobility.path.push_back(waypoint);
  }
  if (map.has("offset_spread")) mobility.offset_spread = map.get("offset_spread").as_duration(sim::Time::zero());
  if (map.has("patients")) mobility.patients = read_patients(map.get("patients"), cohorts);
  return mobility;
}

bool patients_overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return true;  // empty = every patient
  return std::any_of(a.begin(), a.end(),
                     [&](const std::string& id) { return std::find(b.begin(), b.end(), id) != b.end(); });
}

// Two paths that move the same patient must not both decide one link's coverage.
void check_mobility_conflicts(const YamlField& field, const std::vector<network::MobilitySpec>& mobility) {
  const network::MobilitySpec& last = mobility.back();
  for (std::size_t i = 0; i + 1 < mobility.size(); ++i) {
    if (!patients_overlap(mobility[i].patients, last.patients)) continue;
    for (const network::Waypoint& a : last.path) {
      for (const network::Waypoint& b : mobility[i].path) {
        if (a.link.empty() || a.link != b.link) continue;
        field.fail(last.name, "moves the same patients as " + quote_name(mobility[i].name) + " and names the same link " +
                                  quote_name(a.link) + "; each link's coverage must come from one path");
      }
    }
  }
}

}  // namespace

void read_topology(const YamlMap& root, NetworkSpec& network) {
  std::set<std::string> names;
  if (root.has("nodes")) {
    for (const YamlField& item : root.get("nodes").as_list()) network.nodes.push_back(read_node(item, names));
  }
  // Links are needed only by devices; a ground-truth-only run may leave them out.
  if (root.has("links")) {
    for (const YamlField& item : root.get("links").as_list()) network.links.push_back(read_link(item, network, names));
  }
}

std::string read_device_link(const YamlMap& device, const NetworkSpec& network) {
  std::vector<std::string> device_links;
  for (const LinkSpec& link : network.links) {
    if (link.from == network::DEVICE_NODE) device_links.push_back(link.name);
  }
  const YamlField field = device.get("link");
  std::string name;
  if (device.has("link")) {
    if (network.links.empty()) field.fail("names a link, but the scenario has no links; declare it under links:");
    const LinkSpec* named = find_link(network, field.shown_value());
    if (named != nullptr && named->from != network::DEVICE_NODE) {
      field.fail("is a link from " + quote_name(named->from) +
                 ", not from 'device'; a device sends on a link with "
                 "'from: device' (the default)" +
                 (device_links.empty() ? "" : "; allowed: " + quoted_list(device_links)));
    }
    if (device_links.empty()) {
      field.fail("names a link, but no link of the scenario leaves 'device'; add one with 'from: device'");
    }
    name = field.as_choice(device_links, "a link of this scenario");
  } else if (device_links.size() == 1) {
    name = device_links.front();
  } else {
    device.required("link");  // throws: with no link or several from `device`, the choice is the scenario's
    throw std::logic_error("YamlMap::required returned for a missing key");
  }

  // Everything up, a path of links must lead from the link's far end to the ingest.
  std::vector<std::string> reached{find_link(network, name)->to};
  for (std::size_t i = 0; i < reached.size(); ++i) {
    if (reached[i] == network::INGEST_NODE) return name;
    for (const LinkSpec& link : network.links) {
      if (link.from == reached[i] && std::find(reached.begin(), reached.end(), link.to) == reached.end()) {
        reached.push_back(link.to);
      }
    }
  }
  std::vector<std::string> dead_ends;
  for (const std::string& node : reached) {
    const bool leaves = std::any_of(network.links.begin(), network.links.end(),
                                    [&](const LinkSpec& link) { return link.from == node; });
    if (!leaves) dead_ends.push_back(node);
  }
  std::string problem = "does not reach 'ingest': ";
  if (dead_ends.empty()) {
    problem += "the links from " + quote_name(reached.front()) + " only go round among " + quoted_list(reached);
  } else if (dead_ends.size() == 1) {
    problem += (dead_ends.front() == reached.front() ? "it leads to "
                                                     : "its path from " + quote_name(reached.front()) + " ends at ") +
               quote_name(dead_ends.front()) + ", where no link leaves; add a link from " + quote_name(dead_ends.front()) +
               " to 'ingest' (or to a node that reaches it)";
  } else {
    std::string ends = quote_name(dead_ends.front());
    for (std::size_t i = 1; i < dead_ends.size(); ++i) ends += " or " + quote_name(dead_ends[i]);
    problem += "its paths from " + quote_name(reached.front()) + " end at " + ends +
               ", where no link leaves; add a link from one of them to 'ingest' (or to a node that reaches it)";
  }
  field.fail(name, problem);
}

void read_network_events(const YamlMap& root, const std::vector<CohortSpec>& cohorts, sim::Time run_duration,
                         NetworkSpec& network) {
  if (root.has("outages")) {
    for (const YamlField& item : root.get("outages").as_list()) {
      network.outages.push_back(read_outage(item, network, cohorts, run_duration));
    }
  }
  if (root.has("mobility")) {
    std::set<std::string> names;
    for (const YamlField& item : root.get("mobility").as_list()) {
      network.mobility.push_back(read_mobility(item, network, cohorts));
      const YamlField name = item.as_unchecked_map().get("name");
      if (!names.insert(network.mobility.back().name).second) name.fail("is a second mobility entry with this name");
      check_mobility_conflicts(name, network.mobility);
    }
  }
}

}  // namespace twinbed::harness
