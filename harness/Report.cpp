// harness::write_report: the page. Sections, top to bottom: key scores and assertions, the alarm
// confusion table per class, per-patient timelines, the latency CDF, completeness per device
// type and the scenario text. Every figure comes from run.h5 and summary.json; nothing on the page
// depends on when or where it was generated, so regenerating gives the same bytes.
#include "harness/Report.hpp"

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>

#include <fmt/format.h>

#include "harness/InputError.hpp"
#include "harness/ReportCharts.hpp"
#include "harness/ReportData.hpp"
#include "harness/RunFolder.hpp"

namespace twinbed::harness {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Path = std::initializer_list<std::string_view>;

// The summary rows of /scores/classes, after the per-class rows (Scorer.hpp).
const std::set<std::string> GROUP_ROWS{"overall", "physiological", "technical", "high_priority"};

const json* find(const json& root, Path path) {
  const json* at = &root;
  for (const std::string_view key : path) {
    if (!at->is_object()) return nullptr;
    const auto it = at->find(std::string(key));
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

// The first of `paths` that holds a number in summary.json.
std::optional<double> summary_number(const json& summary, std::initializer_list<Path> paths) {
  for (const Path path : paths) {
    const json* value = find(summary, path);
    if (value != nullptr && value->is_number()) return value->get<double>();
  }
  return std::nullopt;
}

std::optional<double> score_cell(const ReportData& data, const std::string& row, const std::string& column) {
  for (const auto& [name, values] : data.scores) {
    if (name != row) continue;
    const auto found = values.find(column);
    if (found != values.end() && !std::isnan(found->second)) return found->second;
  }
  return std::nullopt;
}

std::string dash() { return "–"; }
std::string percent(std::optional<double> v, int decimals = 1) {
  return v ? fmt::format("{:.{}f} %", *v * 100.0, decimals) : dash();
}
// Seconds with 3 significant digits below 100 s, whole seconds above ("1548 s", not "1.55e+03 s").
std::string seconds(std::optional<double> v) {
  if (!v) return dash();
  return std::abs(*v) < 100.0 ? fmt::format("{:.3g} s", *v) : fmt::format("{:.0f} s", *v);
}
std::string number(std::optional<double> v, int decimals) { return v ? fmt::format("{:.{}f}", *v, decimals) : dash(); }

std::string card(const std::string& label, const std::string& value, const std::string& note = "") {
  return fmt::format("<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div>{}</div>",
                     html_escape(label), html_escape(value),
                     note.empty() ? "" : "<div class=\"note\">" + html_escape(note) + "</div>");
}

const char* CSS = R"(body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#222;background:#fff}
main{max-width:1180px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 2px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:14px;margin:14px 0 2px}h3 small,.muted{color:#666;font-weight:normal}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:6px 10px;min-width:120px}
.card .label{font-size:11px;color:#666;text-transform:uppercase;letter-spacing:.03em}.card .value{font-size:18px;font-weight:600}
.card .note{font-size:11px;color:#666}
.wide{overflow-x:auto}table{border-collapse:collapse;font-size:12px;margin:6px 0}th,td{padding:3px 6px;border-bottom:1px solid #eee;text-align:right}td{white-space:nowrap}
th{background:#f6f6f6}td:first-child,th:first-child{text-align:left}tr.group td{font-weight:600;background:#fafafa}
.pass{color:#1a7f37}.fail{color:#c62828;font-weight:600}
ul.assertions{list-style:none;padding:0}ul.assertions li{margin:2px 0}
.swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:-1px}th .swatch{margin-left:0}
pre{background:#f6f8fa;border:1px solid #e1e4e8;border-radius:6px;padding:10px;overflow:auto;font-size:12px}
svg{display:block;width:100%;height:auto}svg text{font-size:10px;fill:#333}
svg .grid line{stroke:#ececec}svg .axis text,svg .yaxis text{fill:#666}svg .yaxis line{stroke:#f0f0f0}svg line.tick{stroke:#999}
svg .strip{fill:#fcfcfc;stroke:#ddd}svg .band{fill-opacity:.2}svg .missed{stroke:#d73027;stroke-width:1.2;fill-opacity:.35}
svg path{stroke-width:1.1}svg .truth{stroke-width:1}svg .strip-title{font-weight:600;font-size:11px}
svg .strip-title tspan{font-weight:normal;fill:#666}svg .series{font-size:9px}svg .lane{font-size:9px;fill:#555}
svg.legend{max-width:1100px}svg.chart{max-width:760px}svg.bar{display:inline-block;width:40px;height:8px;vertical-align:middle}
)";

// "reference (smart)": a monitor object of summary.json (type, and mode when it has one).
std::string monitor_text(const json& monitor) {
  std::string text = html_escape(monitor.value("type", std::string("?")));
  if (monitor.contains("mode") && monitor["mode"].is_string()) text += " (" + html_escape(monitor["mode"].get<std::string>()) + ")";
  return text;
}

// The system under test next to each baseline of the scenario (summary.json "baselines").
std::string baselines_table(const json& summary) {
  const json* baselines = find(summary, {"baselines"});
  if (baselines == nullptr || !baselines->is_object() || baselines->empty()) return "";
  std::string html = "<h3>System under test and baselines <small>same telemetry, same ground truth</small></h3>\n"
                     "<div class=\"wide\"><table><tr><th>monitor</th><th>type</th><th>sensitivity</th><th>high priority</th>"
                     "<th>PPV</th><th>false alarms</th><th>false / patient-day</th><th>false share</th>"
                     "<th>SUT false alarms / baseline's</th><th>SUT sensitivity − baseline's</th></tr>\n";
  const auto line = [&](const std::string& name, const json& monitor, const json& alarms, const json* entry) {
    const auto figure = [&](Path path) { return summary_number(alarms, {path}); };
    const auto entry_number = [&](const char* key) { return entry != nullptr ? summary_number(*entry, {{key}}) : std::nullopt; };
    std::optional<double> delta = entry_number("sut_sensitivity_delta");
    return fmt::format("<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                       "<td>{}</td></tr>\n",
                       entry == nullptr ? " class=\"group\"" : "", html_escape(name), monitor.is_object() ? monitor_text(monitor) : dash(),
                       percent(figure({"overall", "sensitivity"})), percent(figure({"high_priority", "sensitivity"})),
                       percent(figure({"overall", "ppv"})), number(figure({"overall", "false_alarms"}), 0),
                       number(figure({"false_per_patient_day"}), 1), percent(figure({"false_share"})),
                       entry == nullptr ? "" : number(entry_number("sut_false_ratio"), 3),
                       entry == nullptr ? "" : (delta ? fmt::format("{:+.1f} points", *delta * 100.0) : dash()));
  };
  const json none = json::object();
  const json* monitor = find(summary, {"monitor"});
  const json* alarms = find(summary, {"alarms"});
  html += line(monitor != nullptr ? monitor->value("name", std::string("system under test")) : "system under test",
               monitor != nullptr ? *monitor : none, alarms != nullptr ? *alarms : none, nullptr);
  for (const auto& [name, entry] : baselines->items()) {
    html += line(name, entry.contains("monitor") ? entry["monitor"] : none, entry.contains("alarms") ? entry["alarms"] : none, &entry);
  }
  return html + "</table></div>\n";
}

std::string header_section(const ReportData& data) {
  const json& s = data.summary;
  std::string html = fmt::format("<header><h1>twinbed report: {}</h1>\n<p class=\"muted\">run {} &middot; seed {} &middot; "
                                 "{} simulated &middot; {} patients &middot; {} devices &middot; twinbed {}",
                                 html_escape(data.scenario_name), html_escape(data.run_id), html_escape(data.seed),
                                 duration_text(data.duration_ns), data.patients.size(), data.devices.size(),
                                 html_escape(data.version));
  if (const json* monitor = find(s, {"monitor"}); monitor != nullptr && monitor->is_object()) html += " &middot; monitor " + monitor_text(*monitor);
  html += "</p>\n<div class=\"cards\">";
  html += card("telemetry completeness", percent(summary_number(s, {{"telemetry", "completeness"}}), 3),
               fmt::format("{} readings received", data.telemetry_rows));
  const auto latency = [&](const char* p) {
    return summary_number(s, {{"telemetry", "latency", p}, {"telemetry", "latency_s", p}});
  };
  html += card("latency p50 / p95", seconds(latency("p50")) + " / " + seconds(latency("p95")),
               "p99 " + seconds(latency("p99")) + ", max " + seconds(latency("max")));
  if (find(s, {"alarms"}) != nullptr || data.has_scores) {
    // summary.json "alarms" first (Scores::to_json); /scores/classes when the summary lacks a figure.
    const auto figure = [&](std::initializer_list<Path> paths, const char* row, const char* column) {
      const std::optional<double> v = summary_number(s, paths);
      return v ? v : score_cell(data, row, column);
    };
    html += card("sensitivity", percent(figure({{"alarms", "overall", "sensitivity"}}, "overall", "sensitivity")),
                 "high priority " + percent(figure({{"alarms", "high_priority", "sensitivity"}}, "high_priority", "sensitivity")));
    html += card("PPV", percent(figure({{"alarms", "overall", "ppv"}}, "overall", "ppv")));
    html += card("false alarms / patient-day",
                 number(figure({{"alarms", "false_per_patient_day"}, {"alarms", "overall", "false_per_patient_day"}}, "overall",
                               "false_per_patient_day"),
                        1),
                 "false share " + percent(figure({{"alarms", "false_share"}, {"alarms", "overall", "false_share"}}, "overall",
                                                 "false_share")));
    html += card("detection delay p50 / p95",
                 seconds(figure({{"alarms", "overall", "delay", "p50"}, {"alarms", "overall", "delay", "p50_s"},
                                 {"alarms", "overall", "delay_p50_s"}},
                                "overall", "delay_p50_s")) +
                     " / " +
                     seconds(figure({{"alarms", "overall", "delay", "p95"}, {"alarms", "overall", "delay", "p95_s"},
                                     {"alarms", "overall", "delay_p95_s"}},
                                    "overall", "delay_p95_s")));
  }
  html += "</div>\n";
  if (const json* assertions = find(s, {"assertions"}); assertions != nullptr && assertions->is_array() && !assertions->empty()) {
    std::size_t passed = 0;
    for (const json& a : *assertions) passed += a.value("passed", false) ? 1 : 0;
    html += fmt::format("<h3>Assertions: {} of {} passed</h3>\n<ul class=\"assertions\">", passed, assertions->size());
    for (const json& a : *assertions) {
      const bool ok = a.value("passed", false);
      // The message states the actual value ("... = 0.833333, expected >= 0.95"); without one, the value.
      std::string detail = a.contains("message") && a["message"].is_string() ? a["message"].get<std::string>() : "";
      if (detail.empty()) {
        const json actual = a.contains("actual") ? a["actual"] : json();
        detail = "actual " + (actual.is_number() ? fmt::format("{:.6g}", actual.get<double>())
                              : actual.is_string() ? actual.get<std::string>()
                                                   : dash());
      }
      html += fmt::format("<li class=\"{}\">{} <code>{}</code> <span class=\"muted\">{}</span></li>\n", ok ? "pass" : "fail",
                          ok ? "✔ pass" : "✘ FAIL", html_escape(a.value("expect", std::string())), html_escape(detail));
    }
    html += "</ul>\n";
  }
  return html + "</header>\n";
}

std::string bar(std::optional<double> share, const std::string& colour) {
  if (!share) return "";
  return fmt::format("<svg class=\"bar\" viewBox=\"0 0 60 8\"><rect width=\"60\" height=\"8\" fill=\"#eee\"/>"
                     "<rect width=\"{}\" height=\"8\" fill=\"{}\"/></svg> ",
                     coord(60.0 * std::clamp(*share, 0.0, 1.0)), colour);
}

std::string alarms_section(const ReportData& data) {
  std::string html = "<section id=\"alarms\"><h2>Alarm scoring</h2>\n";
  if (!data.has_scores) {
    html += "<p>no alarm scoring in this run";
    html += data.has_alarms ? " (the run recorded alarms but no /scores tables).</p>\n" : ".</p>\n";
  } else {
    html += "<p class=\"muted\">Confusion counts per ground-truth class (/scores/classes). A true alarm is the first alarm "
            "inside an event's matching window; later ones are repeats. TN (true negatives): suppressed candidates that "
            "matched nothing. Classes with neither events, alarms nor suppressed candidates are left out.</p>\n<div class=\"wide\"><table><tr><th>class</th><th>events</th><th>detected</th><th>missed</th>"
            "<th>alarms</th><th>true</th><th>false (artifact)</th><th>repeats</th>"
            "<th>suppressed true / TN</th><th>sensitivity</th><th>PPV</th><th>F1</th><th>false / patient-day</th>"
            "<th>delay p50 / p95</th><th>CinC</th></tr>\n";
    const auto row = [&](const std::string& name, bool group) {
      const auto cell = [&](const char* column) { return score_cell(data, name, column); };
      const auto count = [&](const char* column) { return number(cell(column), 0); };
      if (!group && cell("events").value_or(0) == 0 && cell("alarms").value_or(0) == 0 && cell("suppressed_true").value_or(0) == 0 &&
          cell("true_negatives").value_or(0) == 0)
        return std::string();
      return fmt::format("<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td><td>{}</td>"
                         "<td>{} / {}</td><td>{}{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{} / {}</td><td>{}</td></tr>\n",
                         group ? " class=\"group\"" : "", html_escape(name), count("events"), count("detected"), count("missed"),
                         count("alarms"), count("true_alarms"), count("false_alarms"), count("false_artifact"), count("repeats"),
                         count("suppressed_true"), count("true_negatives"), bar(cell("sensitivity"), "#1a9850"),
                         percent(cell("sensitivity")), bar(cell("ppv"), "#4575b4"), percent(cell("ppv")), number(cell("f1"), 3),
                         number(cell("false_per_patient_day"), 2), seconds(cell("delay_p50_s")), seconds(cell("delay_p95_s")),
                         number(cell("cinc_score"), 3));
    };
    for (const auto& [name, values] : data.scores) {
      if (GROUP_ROWS.count(name) == 0) html += row(name, false);
    }
    for (const auto& [name, values] : data.scores) {
      if (GROUP_ROWS.count(name) != 0) html += row(name, true);
    }
    html += "</table></div>\n";
  }
  html += baselines_table(data.summary);
  if (data.has_alarms) {
    // Per alarm type: what became of its alarms (/alarms.outcome).
    struct TypeCounts {
      std::string priority;
      std::map<std::string, std::uint64_t> outcomes;
      std::uint64_t annunciated = 0, artifact = 0;
    };
    std::map<std::string, TypeCounts> types;
    for (const ReportAlarm& a : data.alarms) {
      TypeCounts& t = types[a.type];
      if (t.priority.empty()) t.priority = a.priority;
      ++t.outcomes[a.outcome];
      if (!a.suppressed) ++t.annunciated;
      if (a.cause == "artifact") ++t.artifact;
    }
    html += fmt::format("<h3>Alarms by type <small>{} alarms recorded, suppressed candidates included</small></h3>\n",
                        data.alarms.size());
    html += outcome_bar_svg(data.alarms) + "\n";
    html += "<div class=\"wide\"><table><tr><th>type</th><th>priority</th><th>annunciated</th>";
    const std::vector<std::pair<std::string, std::string>> outcomes{
        {"true_positive", "true"}, {"repeat", "repeat"},     {"false_positive", "false"},      {"ignored", "ignored"},
        {"unmapped", "unmapped"},  {"suppressed_true", "suppressed true"}, {"suppressed_false", "suppressed false"}};
    for (const auto& [o, label] : outcomes)
      html += fmt::format("<th><span class=\"swatch\" style=\"background:{}\"></span>{}</th>", outcome_colour(o), label);
    html += "<th>false, artifact</th></tr>\n";
    for (const auto& [type, t] : types) {
      html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td>", html_escape(type), html_escape(t.priority), t.annunciated);
      for (const auto& [o, label] : outcomes) {
        const auto found = t.outcomes.find(o);
        html += fmt::format("<td>{}</td>", found == t.outcomes.end() ? 0 : found->second);
      }
      html += fmt::format("<td>{}</td></tr>\n", t.artifact);
    }
    html += "</table></div>\n";
  }
  return html + "</section>\n";
}

std::string timelines_section(const ReportData& data) {
  std::string html = "<section id=\"timelines\"><h2>Patient timelines</h2>\n";
  html += fmt::format("<p class=\"muted\">{} of {} patients, those with the most ground-truth events and alarms first, then by "
                      "id. Measured values in colour (sensor-off readings left out), the true value in grey; events shaded "
                      "on the strip of their vital sign and listed in the lanes above (missed events outlined in red); "
                      "hover a mark for details.</p>\n",
                      data.timelines.size(), data.patients.size());
  std::set<std::string> classes;
  for (const PatientTimeline& t : data.timelines) {
    for (const ReportEvent& e : data.events) {
      if (e.patient == data.patients[t.patient].index) classes.insert(e.event_class);
    }
  }
  if (!classes.empty()) {
    html += "<p>";
    for (const std::string& c : classes)
      html += fmt::format("<span class=\"swatch\" style=\"background:{}\"></span>{}", class_colour(c), html_escape(c));
    html += "</p>\n";
  }
  if (data.has_alarms) html += alarm_legend_svg() + "\n";
  for (const PatientTimeline& t : data.timelines) {
    const ReportPatient& p = data.patients[t.patient];
    html += fmt::format("<div class=\"patient\"><h3>{} <small>{}, {}: {} events, {} alarms</small></h3>\n{}\n</div>\n",
                        html_escape(p.id), html_escape(p.cohort), html_escape(p.profile), p.events, p.alarms,
                        timeline_svg(data, t));
  }
  if (data.timelines.empty()) html += "<p>The run has no patients.</p>\n";
  return html + "</section>\n";
}

std::string latency_section(const ReportData& data) {
  std::string html = "<section id=\"latency\"><h2>Telemetry latency</h2>\n";
  if (data.latency_all.count() == 0) return html + "<p>No telemetry was recorded in this run.</p>\n</section>\n";
  html += fmt::format("<p class=\"muted\">Empirical CDF of delivery − sample time over the {} rows of /telemetry, per device "
                      "type (from a log-linear histogram, within 0.8 %).{}</p>\n",
                      data.telemetry_rows,
                      data.negative_latency == 0
                          ? std::string()
                          : fmt::format(" {} rows arrived before their device-clock sample time (clock ahead) and are drawn at 0.",
                                        data.negative_latency));
  return html + latency_cdf_svg(data) + "\n</section>\n";
}

std::string completeness_section(const ReportData& data) {
  std::string html = "<section id=\"completeness\"><h2>Completeness per device type</h2>\n";
  const json* per_device = find(data.summary, {"telemetry", "per_device"});
  if (per_device == nullptr || !per_device->is_array() || per_device->empty())
    return html + "<p>The run has no devices.</p>\n</section>\n";
  std::map<std::string, std::string> type_of;
  for (const ReportDevice& d : data.devices) type_of[d.id] = d.type;
  std::map<std::string, CompletenessRow> by_type;
  for (const json& d : *per_device) {
    const std::string id = d.value("device", std::string());
    const auto type = type_of.find(id);
    CompletenessRow& row = by_type[type == type_of.end() ? std::string("unknown") : type->second];
    row.device_type = type == type_of.end() ? std::string("unknown") : type->second;
    ++row.devices;
    row.generated += d.value("generated", std::uint64_t{0});
    row.received += d.value("received", std::uint64_t{0});
    const double completeness = d.value("completeness", 1.0);
    if (row.worst_device.empty() || completeness < row.worst_completeness) {
      row.worst_device = id;
      row.worst_completeness = completeness;
    }
    row.max_gap_s = std::max(row.max_gap_s, d.value("max_gap_s", 0.0));
  }
  std::vector<CompletenessRow> rows;
  for (auto& [type, row] : by_type) {
    row.completeness = row.generated > 0 ? static_cast<double>(row.received) / static_cast<double>(row.generated) : 1.0;
    rows.push_back(row);
  }
  html += "<p class=\"muted\">Readings received / generated (summary.json telemetry.per_device, grouped by /devices.type).</p>\n";
  html += completeness_svg(rows) + "\n";
  html += "<table><tr><th>device type</th><th>devices</th><th>generated</th><th>received</th><th>completeness</th>"
          "<th>worst device</th><th>its completeness</th><th>longest gap</th></tr>\n";
  for (const CompletenessRow& r : rows) {
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.4f} %</td><td>{}</td><td>{:.4f} %</td><td>{}</td></tr>\n",
                        html_escape(r.device_type), r.devices, r.generated, r.received, r.completeness * 100.0,
                        html_escape(r.worst_device), r.worst_completeness * 100.0, seconds(r.max_gap_s));
  }
  return html + "</table>\n</section>\n";
}

// Live runs only (summary.json "live"): pacing, publishing, the broker and the SUT's alarm messages.
std::string live_section(const ReportData& data) {
  const json* live = find(data.summary, {"live"});
  if (live == nullptr || !live->is_object()) return {};
  const auto value = [&](Path path) { return summary_number(data.summary, {path}); };
  const auto ms = [](std::optional<double> s) { return s ? fmt::format("{:.2f} ms", *s * 1000.0) : dash(); };
  std::string html = "<section id=\"live\"><h2>Live harness</h2>\n";
  const json* speed = find(*live, {"speed"});
  html += fmt::format("<p class=\"muted\">Published to {} at speed {}, QoS {}, {} payloads over {} connection(s).</p>\n",
                      html_escape(live->value("broker", std::string())),
                      speed != nullptr ? html_escape(speed->dump()) : dash(), live->value("qos", 0),
                      html_escape(live->value("payload", std::string())), live->value("connections", 0));
  html += "<table><tr><th>figure</th><th>value</th></tr>\n";
  const auto row = [&html](std::string_view name, const std::string& text) {
    html += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", name, text);
  };
  row("pacing error p50 / p99 / max", ms(value({"live", "pacing_error", "p50"})) + " / " +
                                          ms(value({"live", "pacing_error", "p99"})) + " / " +
                                          ms(value({"live", "pacing_error", "max"})));
  row("publish rate requested / achieved (messages/s)", number(value({"live", "publish_rate", "requested"}), 0) + " / " +
                                                            number(value({"live", "publish_rate", "achieved"}), 0));
  for (const char* key : {"offered", "acknowledged", "pending", "buffered", "dropped_buffer_full", "dropped_error",
                          "unsent_at_end"}) {
    row(fmt::format("messages {} (readings)", key),
        number(value({"live", "published", key, "messages"}), 0) + " (" +
            number(value({"live", "published", key, "readings"}), 0) + ")");
  }
  const json* accounted = find(*live, {"published", "accounted"});
  row("every message accounted for", accounted != nullptr && accounted->is_boolean() && accounted->get<bool>() ? "yes" : "NO");
  row("broker connects / disconnects / errors",
      number(value({"live", "broker_connection", "connects"}), 0) + " / " +
          number(value({"live", "broker_connection", "disconnects"}), 0) + " / " +
          number(value({"live", "broker_connection", "errors"}), 0));
  row("broker away", seconds(value({"live", "broker_connection", "away_s"})));
  row("alarm messages / accepted / malformed", number(value({"live", "alarms_back", "messages"}), 0) + " / " +
                                                   number(value({"live", "alarms_back", "accepted"}), 0) + " / " +
                                                   number(value({"live", "alarms_back", "malformed"}), 0));
  row("end-to-end alarm delay p50 / p95 / max", seconds(value({"live", "alarm_delay", "p50"})) + " / " +
                                                    seconds(value({"live", "alarm_delay", "p95"})) + " / " +
                                                    seconds(value({"live", "alarm_delay", "max"})));
  html += "</table>\n";
  const json* samples = find(*live, {"alarms_back", "malformed_samples"});
  if (samples != nullptr && samples->is_array() && !samples->empty()) {
    html += "<p>Malformed alarm messages (samples):</p>\n<table><tr><th>reason</th><th>error</th><th>payload</th></tr>\n";
    for (const json& s : *samples) {
      html += fmt::format("<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
                          html_escape(s.value("reason", std::string())), html_escape(s.value("error", std::string())),
                          html_escape(s.value("payload", std::string())));
    }
    html += "</table>\n";
  }
  return html + "</section>\n";
}

std::string scenario_section(const ReportData& data) {
  std::string html = "<section id=\"scenario\"><h2>Scenario</h2>\n";
  html += fmt::format("<p class=\"muted\">{} as read at the start of the run", html_escape(data.scenario_file));
  if (!data.overrides.empty()) {
    html += ", with the overrides <code>";
    std::string overrides = data.overrides;
    for (char& c : overrides) c = c == '\n' ? ' ' : c;
    html += html_escape(overrides) + "</code>";
  }
  html += ".</p>\n<pre>" + html_escape(data.scenario_text) + "</pre>\n</section>\n";
  return html;
}

}  // namespace

fs::path write_report(const fs::path& run_dir) {
  const ReportData data = read_report_data(run_dir);
  const fs::path run_file = locate_run_file(run_dir);
  const fs::path folder = run_file.has_parent_path() ? run_file.parent_path() : fs::path(".");
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += fmt::format("<title>twinbed report: {} {}</title>\n", html_escape(data.scenario_name), html_escape(data.run_id));
  html += "<style>\n" + std::string(CSS) + "</style>\n</head>\n<body>\n<main>\n";
  html += header_section(data);
  html += alarms_section(data);
  html += timelines_section(data);
  html += latency_section(data);
  html += completeness_section(data);
  html += live_section(data);
  html += scenario_section(data);
  html += "</main>\n</body>\n</html>\n";

  const fs::path target = folder / "report.html";
  const fs::path temporary = folder / ".report.html.tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << html;
    out.close();
    if (!out) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      throw RunError("cannot write " + temporary.string());
    }
  }
  std::error_code error;
  fs::rename(temporary, target, error);
  if (error) throw RunError("cannot write " + target.string() + ": " + error.message());
  return target;
}

}  // namespace twinbed::harness
