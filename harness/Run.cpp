#include "devices/Device.hpp"
#include "harness/Run.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "harness/GroundTruthSampler.hpp"
#include "harness/Hdf5Recorder.hpp"
#include "harness/InputError.hpp"
#include "harness/LiveSession.hpp"
#include "harness/MonitorRunner.hpp"
#include "harness/Report.hpp"
#include "harness/TelemetryStats.hpp"
#include "harness/Version.hpp"
#include "harness/World.hpp"
#include "sim/Progress.hpp"
#include "sim/Simulator.hpp"

namespace twinbed::harness {

std::string_view version() { return TWINBED_VERSION; }

namespace {

std::string utc_stamp(std::chrono::system_clock::time_point when, const char* format) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, format, &utc);
  return text;
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw RunError("cannot write " + path.string());
}

// Claims the first free name among "<base>", "<base>-2", "<base>-3", ... under `parent` by creating
// its temporary folder ".tmp-<name>". mkdir is atomic and the finished run renames that folder to
// "<name>" in one step, so a claimed name always exists under one of its two spellings: runs in
// parallel (a suite's jobs) never take the same name, even when started in the same second.
std::string claim_run_id(const std::filesystem::path& parent, const std::string& base) {
  std::error_code error;
  for (int attempt = 1; attempt < 1000; ++attempt) {
    const std::string name = attempt == 1 ? base : base + "-" + std::to_string(attempt);
    if (!std::filesystem::create_directory(parent / (".tmp-" + name), error)) {
      if (error) throw RunError("cannot create results folder under " + parent.string() + ": " + error.message());
      continue;
    }
    if (!std::filesystem::exists(parent / name)) return name;
    std::filesystem::remove(parent / (".tmp-" + name), error);
  }
  throw RunError("cannot find a free run folder name under " + parent.string());
}


// summary.json "network": what the network carried, dropped and why, per link role.
nlohmann::json network_summary(const World& world) {
  const network::Network& net = world.network();
  const network::NetworkCounters& c = net.counters();
  nlohmann::json dropped = nlohmann::json::object();
  std::uint64_t dropped_total = 0;
  for (std::size_t r = 1; r < network::DROP_REASON_COUNT; ++r) {
    dropped[std::string(network::drop_reason_name(static_cast<network::DropReason>(r)))] = c.dropped[r];
    dropped_total += c.dropped[r];
  }
  nlohmann::json links = nlohmann::json::array();
  for (std::uint32_t l = 0; l < net.topology().link_count(); ++l) {
    const network::LinkRole& role = net.topology().link(l);
    const network::LinkCounters& t = net.link_counters(l);
    links.push_back({{"name", role.name},
                     {"technology", std::string(network::technology_info(role.model.technology).name)},
                     {"from", net.topology().node(role.from).name},
                     {"to", net.topology().node(role.to).name},
                     {"instances", net.link_instances(l)},
                     {"packets_offered", t.offered},
                     {"packets_delivered", t.delivered},
                     {"packets_dropped", t.dropped},
                     {"bytes_offered", t.offered_bytes}});
  }
  nlohmann::json outages = nlohmann::json::object();
  for (const network::OutageRecord& o : world.faults().outages()) {
    const std::string name(network::outage_kind_name(o.kind));
    outages[name] = outages.value(name, std::uint64_t{0}) + 1;
  }
  return {{"packets_sent", c.packets_sent},
          {"packets_delivered", c.packets_delivered},
          {"duplicates", c.duplicates},
          {"packets_dropped", dropped_total},
          {"dropped_by_reason", dropped},
          {"packets_in_flight_at_end", net.packets_in_flight()},
          {"reroutes", c.reroutes},
          {"outages_by_kind", outages},
          {"links", links}};
}
}  // namespace

std::optional<double> parse_speed(const std::string& text) {
  if (text == "max") return std::nullopt;
  double speed = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), speed);
  if (error != std::errc() || end != text.data() + text.size() || !(speed > 0.0) || speed > 1000.0) {
    throw InputError({"command line", 0, 0}, "--speed", text,
                     "is not a speed; expected a number above 0 and at most 1000 (1 = real time) or 'max'");
  }
  return speed;
}

Run::Run(Scenario scenario, RunOptions options) : scenario_(std::move(scenario)), options_(std::move(options)) {
  if (!options_.live) return;
  // Live mode: the platform behind the broker is the system under test. The scenario's own
  // monitor keeps running in process as a baseline on the same telemetry, so the summary shows
  // the platform next to twinbed's reference (unless the scenario says `monitor: {type: none}`).
  if (!scenario_.live) scenario_.live = LiveSpec{};
  if (scenario_.monitor.type != "none") {
    MonitorSpec in_process = scenario_.monitor;
    in_process.name = "in_process";
    scenario_.baselines.insert(scenario_.baselines.begin(), std::move(in_process));
  }
  MonitorSpec external;
  external.name = "live";
  external.type = "external";
  scenario_.monitor = std::move(external);
}

RunResult Run::execute() {
  const auto wall_start = std::chrono::system_clock::now();
  const auto steady_start = std::chrono::steady_clock::now();
  const std::filesystem::path parent = options_.out_root / scenario_.name;
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) throw RunError("cannot create results folder " + parent.string() + ": " + error.message());
  // A fixed id (tests) replaces an earlier run of that id; a generated one never overwrites.
  const std::string run_id =
      options_.run_id ? *options_.run_id
                      : claim_run_id(parent, utc_stamp(wall_start, "%Y%m%dT%H%M%SZ") + "-s" + std::to_string(scenario_.seed));
  const std::filesystem::path final_directory = parent / run_id;
  const std::filesystem::path temporary =
      options_.run_id ? parent / fmt::format(".tmp-{}-{}", run_id, static_cast<long>(::getpid()))
                      : parent / (".tmp-" + run_id);
  if (options_.run_id) std::filesystem::create_directories(temporary, error);
  if (error) throw RunError("cannot create results folder " + temporary.string() + ": " + error.message());

  try {
    sim::Simulator simulator;
    Dispatcher dispatcher;
    World world(scenario_, simulator, dispatcher);
    TelemetryStats stats(world.devices().size());
    dispatcher.attach(stats);
    Hdf5Recorder recorder(temporary / "run.h5", scenario_, world);
    if (scenario_.record.telemetry) dispatcher.attach(recorder);
    world.network_log().attach_packets(&recorder.network());
    GroundTruthSampler ground_truth(scenario_, world, recorder, simulator);
    MonitorRunner monitors(scenario_, world, dispatcher);
    std::unique_ptr<LiveSession> live;
    if (options_.live) {
      live = std::make_unique<LiveSession>(scenario_, world, run_id, options_.live->speed);
      dispatcher.attach(*live);
      live->connect();
    }

    world.start();
    ground_truth.start();
    monitors.start(simulator, scenario_.duration);
    if (live) live->start();
    sim::Progress progress(scenario_.duration);
    if (options_.progress) progress.set_enabled(*options_.progress);
    // Run in slices so the progress bar can redraw; slicing does not change event order.
    const sim::Time slice = std::max(sim::Time::from_s(1), sim::Time::from_ns(scenario_.duration.ns() / 1000));
    while (simulator.now() < scenario_.duration) {
      simulator.run_until(std::min(scenario_.duration, simulator.now() + slice));
      progress.update(simulator.now(), simulator.events_executed());
    }
    progress.finish();
    ground_truth.finish(scenario_.duration);
    world.finish(scenario_.duration);
    monitors.finish(scenario_.duration);
    nlohmann::json live_summary;
    if (live) {
      live->finish(scenario_.duration);
      monitors.set_sut_alarms(live->alarms());
      // End-to-end alarm delay: receive time - ground-truth onset, whatever clock is scored.
      live_summary = live->summary(monitors.score_alarms(world, live->alarms_at_receive())["overall"]["delay"]);
    }
    // Alarm scoring: the system under test first, then the baselines on the same ground truth.
    std::vector<MonitorRunner::Result> scored = monitors.score(world);
    for (MonitorRunner::Result& r : scored) recorder.record_alarms(std::move(r.tables));

    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - steady_start).count();
    recorder.close(RunFacts{run_id, utc_stamp(wall_start, "%Y-%m-%dT%H:%M:%SZ"), wall_s, simulator.events_executed()});

    // Ground-truth events by class: what really happened, for the summary.
    // Every class is listed, zero included, so `expect:` can assert that something did not happen.
    nlohmann::json by_class = nlohmann::json::object();
    for (const physiology::EventClass c : physiology::all_event_classes()) {
      by_class[std::string(physiology::event_class_name(c))] = std::uint64_t{0};
    }
    std::uint64_t event_count = 0;
    for (const auto& patient : world.patients()) {
      for (const physiology::GroundTruthEvent& e : patient->events()) {
        const std::string name(physiology::event_class_name(e.event_class));
        by_class[name] = by_class.value(name, std::uint64_t{0}) + 1;
        ++event_count;
      }
    }
    // Technical ground truth and the devices' own accounting.
    nlohmann::json faults_by_kind = nlohmann::json::object();
    for (const devices::FaultRecord& f : world.faults().records()) {
      const std::string name(devices::fault_kind_name(f.kind));
      faults_by_kind[name] = faults_by_kind.value(name, std::uint64_t{0}) + 1;
    }
    devices::DeviceCounters total;
    std::uint64_t buffered_at_end = 0;
    for (const auto& device : world.devices()) {
      const devices::DeviceCounters& c = device->counters();
      total.samples += c.samples;
      total.skipped += c.skipped;
      total.alerts += c.alerts;
      total.retransmissions += c.retransmissions;
      total.dropped_overflow += c.dropped_overflow;
      total.dropped_retries += c.dropped_retries;
      total.lost_in_crash += c.lost_in_crash;
      total.waveform_blocks += c.waveform_blocks;
      buffered_at_end += device->buffered();
    }
    const nlohmann::json device_summary{{"faults", world.faults().records().size()},
                                        {"faults_by_kind", faults_by_kind},
                                        {"measurements", total.samples},
                                        {"measurements_skipped", total.skipped},
                                        {"alerts", total.alerts},
                                        {"waveform_blocks", total.waveform_blocks},
                                        {"retransmissions", total.retransmissions},
                                        {"readings_dropped_overflow", total.dropped_overflow},
                                        {"readings_dropped_retries", total.dropped_retries},
                                        {"readings_lost_in_crash", total.lost_in_crash},
                                        {"readings_buffered_at_end", buffered_at_end}};
    RunResult result;
    result.summary = {{"twinbed_version", std::string(version())},
                      {"scenario", scenario_.name},
                      {"scenario_file", scenario_.source_file},
                      {"overrides", scenario_.overrides},
                      {"seed", scenario_.seed},
                      {"replication", scenario_.replication},
                      {"run_id", run_id},
                      {"simulated_s", scenario_.duration.seconds()},
                      {"wall_time_s", wall_s},
                      {"speedup", wall_s > 0 ? scenario_.duration.seconds() / wall_s : 0.0},
                      {"events", simulator.events_executed()},
                      {"events_per_s", wall_s > 0 ? static_cast<double>(simulator.events_executed()) / wall_s : 0.0},
                      {"patients", world.patients().size()},
                      {"devices", world.devices().size()},
                      {"telemetry", stats.to_json(world, scenario_.duration)},
                      {"ground_truth", {{"events", event_count}, {"events_by_class", by_class}}},
                      {"device_runtime", device_summary},
                      {"telemetry_rows_recorded", recorder.rows_recorded()},
                      {"network", network_summary(world)},
                      {"monitor", scored.front().monitor},
                      {"alarms", scored.front().alarms},
                      {"files", {{"directory", final_directory.string()},
                                 {"hdf5", (final_directory / "run.h5").string()},
                                 {"summary", (final_directory / "summary.json").string()},
                                 {"report", (final_directory / "report.html").string()}}}};
    if (live) result.summary["live"] = live_summary;
    if (scored.size() > 1) {
      nlohmann::json baselines = nlohmann::json::object();
      for (std::size_t i = 1; i < scored.size(); ++i) {
        // The system under test against this baseline on the same telemetry and ground truth.
        const nlohmann::json& sut = scored.front().alarms["overall"];
        const nlohmann::json& base = scored[i].alarms["overall"];
        const auto sut_false = sut["false_alarms"].get<double>();
        const auto base_false = base["false_alarms"].get<double>();
        nlohmann::json entry{{"monitor", scored[i].monitor}, {"alarms", scored[i].alarms}};
        entry["sut_false_ratio"] = base_false > 0 ? nlohmann::json(sut_false / base_false) : nlohmann::json();
        entry["sut_sensitivity_delta"] = sut["sensitivity"].is_number() && base["sensitivity"].is_number()
                                             ? nlohmann::json(sut["sensitivity"].get<double>() - base["sensitivity"].get<double>())
                                             : nlohmann::json();
        baselines[scored[i].monitor["name"].get<std::string>()] = entry;
      }
      result.summary["baselines"] = baselines;
    }
    // The assertions judge the metrics above; their verdict goes into the same file.
    const std::vector<AssertionResult> assertions = evaluate(scenario_.expect, result.summary);
    const auto failed =
        std::count_if(assertions.begin(), assertions.end(), [](const AssertionResult& a) { return !a.passed; });
    result.summary["assertions"] = assertions_json(assertions);
    result.summary["assertions_passed"] = failed == 0;
    result.summary["assertions_failed"] = failed;
    write_file(temporary / "summary.json", result.summary.dump(2) + "\n");
    // The report reads the finished folder (run.h5 + summary.json), as `twinbed report` does.
    try {
      write_report(temporary);
    } catch (const InputError& e) {
      throw RunError(std::string("cannot write report.html: ") + e.what());
    }
    if (options_.run_id) std::filesystem::remove_all(final_directory, error);
    // rename() is atomic: readers see either no folder or the complete one. It fails if another
    // process took the name meanwhile; nothing is overwritten then.
    std::filesystem::rename(temporary, final_directory, error);
    if (error) throw RunError("cannot move results to " + final_directory.string() + ": " + error.message());
    result.directory = final_directory;
    return result;
  } catch (...) {
    std::filesystem::remove_all(temporary, error);
    // Leave no empty scenario folder behind either.
    std::filesystem::remove(parent, error);
    throw;
  }
}

namespace {

std::string figure(const nlohmann::json& value, const char* format = "{:.3f}") {
  return value.is_number() ? fmt::format(fmt::runtime(format), value.get<double>()) : std::string("n/a");
}

// Two lines per scored monitor: its key scores, then where its false alarms came from.
std::string format_alarms(const std::string& label, const nlohmann::json& monitor, const nlohmann::json& a) {
  const nlohmann::json& o = a["overall"];
  std::string mode = monitor.contains("mode") ? " " + monitor["mode"].get<std::string>() : std::string();
  std::string text = fmt::format(
      "{:<11} {}{} monitor: sensitivity {} (high priority {}), PPV {}, {} false alarms per patient-day, "
      "delay p50 {} s / p95 {} s\n",
      label, monitor["type"].get<std::string>(), mode, figure(o["sensitivity"]), figure(a["high_priority"]["sensitivity"]),
      figure(o["ppv"]), figure(o["false_per_patient_day"], "{:.1f}"), figure(o["delay"]["p50"], "{:.1f}"),
      figure(o["delay"]["p95"], "{:.1f}"));
  text += fmt::format("{:<11} {} events ({} detected, {} missed), {} alarms ({} true, {} false: {} artifact, {} physiology; "
                      "{} repeats), {} suppressed\n",
                      "", o["events"].get<std::uint64_t>(), o["detected"].get<std::uint64_t>(),
                      o["missed"].get<std::uint64_t>(), o["alarms"].get<std::uint64_t>(),
                      o["true_alarms"].get<std::uint64_t>(), o["false_alarms"].get<std::uint64_t>(),
                      o["false_by_cause"]["artifact"].get<std::uint64_t>(),
                      o["false_by_cause"]["physiology"].get<std::uint64_t>(), o["repeats"].get<std::uint64_t>(),
                      monitor["candidates_suppressed"].get<std::uint64_t>());
  return text;
}

}  // namespace

std::string format_summary(const RunResult& result) {
  const nlohmann::json& s = result.summary;
  const nlohmann::json& t = s["telemetry"];
  const nlohmann::json& latency = t["latency"];
  std::string text;
  text += fmt::format("scenario    {} (seed {}, replication {})\n", s["scenario"].get<std::string>(),
                      s["seed"].get<std::uint64_t>(), s["replication"].get<std::uint32_t>());
  text += fmt::format("simulated   {:.0f} s in {:.2f} s wall ({:.0f}x real time, {:.3g} events/s)\n",
                      s["simulated_s"].get<double>(), s["wall_time_s"].get<double>(), s["speedup"].get<double>(),
                      s["events_per_s"].get<double>());
  text += fmt::format("world       {} patients, {} devices\n", s["patients"].get<std::size_t>(),
                      s["devices"].get<std::size_t>());
  text += fmt::format("telemetry   {} of {} readings received (completeness {:.4f}), {} missing\n",
                      t["received"].get<std::uint64_t>(), t["generated"].get<std::uint64_t>(),
                      t["completeness"].get<double>(), t["missing"].get<std::uint64_t>());
  text += fmt::format("latency     p50 {:.3f} s, p95 {:.3f} s, p99 {:.3f} s, max {:.3f} s\n",
                      latency["p50"].get<double>(), latency["p95"].get<double>(), latency["p99"].get<double>(),
                      latency["max"].get<double>());
  const nlohmann::json& truth = s["ground_truth"];
  std::string classes;
  for (const auto& [name, count] : truth["events_by_class"].items()) {
    if (count.get<std::uint64_t>() == 0) continue;
    classes += fmt::format("{}{} {}", classes.empty() ? "" : ", ", name, count.get<std::uint64_t>());
  }
  text += fmt::format("truth       {} ground-truth events{}{}\n", truth["events"].get<std::uint64_t>(),
                      classes.empty() ? "" : ": ", classes);
  const nlohmann::json& d = s["device_runtime"];
  if (s["devices"].get<std::size_t>() > 0) {
    std::string kinds;
    for (const auto& [name, count] : d["faults_by_kind"].items()) {
      kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", name, count.get<std::uint64_t>());
    }
    text += fmt::format("devices     {} measurements ({} skipped), {} alerts, {} fault intervals{}{}\n",
                        d["measurements"].get<std::uint64_t>(), d["measurements_skipped"].get<std::uint64_t>(),
                        d["alerts"].get<std::uint64_t>(), d["faults"].get<std::uint64_t>(), kinds.empty() ? "" : ": ",
                        kinds);
  }
  const nlohmann::json& n = s["network"];
  if (n["packets_sent"].get<std::uint64_t>() > 0) {
    std::string drops;
    for (const auto& [reason, count] : n["dropped_by_reason"].items()) {
      if (count.get<std::uint64_t>() > 0) drops += fmt::format("{}{} {}", drops.empty() ? "" : ", ", reason, count.get<std::uint64_t>());
    }
    std::string outages;
    for (const auto& [kind, count] : n["outages_by_kind"].items()) {
      outages += fmt::format("{}{} {}", outages.empty() ? "" : ", ", kind, count.get<std::uint64_t>());
    }
    text += fmt::format("network     {} packets, {} delivered, {} dropped{}{}{}, {} reroutes{}{}\n",
                        n["packets_sent"].get<std::uint64_t>(), n["packets_delivered"].get<std::uint64_t>(),
                        n["packets_dropped"].get<std::uint64_t>(), drops.empty() ? "" : " (", drops,
                        drops.empty() ? "" : ")", n["reroutes"].get<std::uint64_t>(), outages.empty() ? "" : "; ",
                        outages);
  }
  text += format_alarms("alarms", s["monitor"], s["alarms"]);
  if (s.contains("baselines")) {
    for (const auto& [name, baseline] : s["baselines"].items()) {
      text += format_alarms(fmt::format("  {}", name), baseline["monitor"], baseline["alarms"]);
    }
  }
  text += fmt::format("results     {}\n", result.directory.string());
  text += fmt::format("report      {}\n", (result.directory / "report.html").string());
  for (const nlohmann::json& a : s.value("assertions", nlohmann::json::array())) {
    text += fmt::format("{:<12}{}\n", a["passed"].get<bool>() ? "PASS" : "FAIL", a["message"].get<std::string>());
  }
  return text;
}

}  // namespace twinbed::harness
