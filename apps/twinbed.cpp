// twinbed: the command-line program. Thin by design: it parses flags and calls the harness.
// Exit codes: 0 success, 1 an assertion failed, 2 invalid input (scenario, flags), 3 run failed.
#include <CLI/CLI.hpp>

#include <atomic>
#include <charconv>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "devices/Catalog.hpp"
#include "harness/Export.hpp"
#include "harness/Report.hpp"
#include "harness/InputError.hpp"
#include "harness/JUnit.hpp"
#include "harness/LiveMonitor.hpp"
#include "harness/Mqtt.hpp"
#include "harness/Payload.hpp"
#include "harness/Run.hpp"
#include "harness/Scenario.hpp"
#include "harness/Suite.hpp"
#include "harness/Version.hpp"
#include "network/LinkModel.hpp"

namespace {

constexpr int EXIT_OK = 0;
constexpr int EXIT_ASSERTION_FAILED = 1;
constexpr int EXIT_INVALID_INPUT = 2;
constexpr int EXIT_RUN_FAILED = 3;

// `twinbed monitor` stops cleanly on SIGINT / SIGTERM.
std::atomic<bool> stop_requested{false};
extern "C" void stop_on_signal(int) { stop_requested.store(true); }

int error_line(int code, const std::string& message) {
  std::string line = message;
  for (char& c : line) {
    if (c == '\n') c = ' ';
  }
  std::cerr << "twinbed: error: " << line << std::endl;
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace twinbed;
  CLI::App app{"twinbed: a digital-twin testbed for IoMT systems"};
  app.set_version_flag("--version", std::string(harness::version()));
  app.require_subcommand(1);

  std::string run_file;
  std::vector<std::string> overrides;
  std::string seed_text;
  std::string out_dir = "results";
  bool quiet = false;
  CLI::App* run = app.add_subcommand("run", "Run a scenario on the embedded default system under test");
  run->add_option("scenario", run_file, "Scenario YAML file")->required();
  // One value per --set, so "--set a=1 FILE" does not take FILE as a second override.
  run->add_option("--set", overrides, "Override a scenario key: --set key.path=value (repeatable)")
      ->allow_extra_args(false);
  run->add_option("--seed", seed_text, "Override the scenario's master seed (0 to 2^64-1)");
  run->add_option("--out", out_dir, "Results folder (default: results)");
  run->add_flag("--quiet", quiet, "No progress bar and no summary; errors still go to stderr");
  std::string run_junit;
  bool print_dir = false;
  run->add_option("--junit", run_junit, "Write the assertions' verdicts to this file as JUnit XML");
  run->add_flag("--print-dir", print_dir, "Print the results folder as the last line of stdout (for scripts)");
  std::string speed_text;
  bool live_flag = false;
  run->add_option("--speed", speed_text,
                  "Live mode: publish to the scenario's broker paced to the wall clock; X simulated seconds per "
                  "wall second (1 = real time), or 'max' (as fast as the broker accepts)");
  run->add_flag("--live", live_flag, "Live mode at the scenario's live.speed");

  harness::SuiteOptions suite_options;
  std::string suite_junit;
  std::string suite_out = "results";
  CLI::App* suite = app.add_subcommand("suite", "Run many scenarios, each in its own process, and report their assertions");
  suite->add_option("scenarios", suite_options.inputs, "Scenario files and folders (searched for *.yaml)")->required();
  suite->add_option("--jobs", suite_options.jobs, "Scenarios run at once (default 1)")->check(CLI::Range(1u, 256u));
  suite->add_option("--junit", suite_junit, "Write JUnit XML: a testsuite per scenario, a testcase per assertion");
  suite->add_option("--out", suite_out, "Results folder (default: results)");
  suite->add_option("--set", suite_options.overrides, "Override a key in every scenario, as for run")
      ->allow_extra_args(false);
  suite->add_flag("--quick", suite_options.quick,
                  "Apply each scenario's '# ci-set: key=value' lines as --set (a shortened run for CI)");

  std::vector<std::string> validate_files;
  std::vector<std::string> validate_overrides;
  CLI::App* validate = app.add_subcommand("validate", "Check scenario files without running them");
  validate->add_option("scenarios", validate_files, "Scenario YAML files")->required();
  validate->add_option("--set", validate_overrides, "Override a scenario key, as for run")->allow_extra_args(false);

  std::string export_run;
  std::string export_wfdb_dir;
  std::string export_csv_dir;
  std::string export_fhir_file;
  int export_format = 16;
  CLI::App* export_command =
      app.add_subcommand("export", "Write a finished run's tables (CSV), ECG and true beats (WFDB) or telemetry (FHIR) for other tools");
  export_command->add_option("run", export_run, "Run folder (containing run.h5) or its run.h5")->required();
  CLI::Option* wfdb_option = export_command->add_option(
      "--wfdb", export_wfdb_dir, "Write PhysioNet WFDB records (.hea, .dat, .atr) into this new folder");
  CLI::Option* csv_option =
      export_command->add_option("--csv", export_csv_dir, "Write every table of run.h5 as CSV into this new folder")
          ->excludes(wfdb_option);
  export_command
      ->add_option("--fhir", export_fhir_file,
                   "Write every reading and ECG block as FHIR R4 Observations into this new NDJSON file")
      ->excludes(wfdb_option)
      ->excludes(csv_option);
  export_command->add_option("--format", export_format, "WFDB signal format: 16 (default) or 212")
      ->check(CLI::IsMember({16, 212}));

  std::string monitor_file;
  std::vector<std::string> monitor_overrides;
  std::string monitor_broker;
  harness::LiveMonitorOptions monitor_options;
  CLI::App* monitor = app.add_subcommand(
      "monitor", "Run the reference monitor as an MQTT service: take live runs' telemetry, publish their alarms");
  monitor->add_option("scenario", monitor_file,
                      "Scenario whose live: (broker, topics) and monitor: (alarm settings) blocks to use");
  monitor->add_option("--set", monitor_overrides, "Override a key of that scenario, as for run")->allow_extra_args(false);
  monitor->add_option("--broker", monitor_broker, "Broker URL, mqtt://host[:port] or mqtts://host[:port]");
  monitor->add_option("--runs", monitor_options.runs, "Exit after this many runs finished (default: serve until stopped)");
  monitor->add_option("--max-time", monitor_options.max_wall_s, "Exit after this many wall seconds (default: no limit)")
      ->check(CLI::NonNegativeNumber);

  std::string report_run;
  CLI::App* report = app.add_subcommand("report", "Regenerate report.html in a finished run's folder");
  report->add_option("run", report_run, "Run folder (containing run.h5 and summary.json)")->required();

  std::string catalog_type;
  bool catalog_markdown = false;
  bool catalog_links = false;
  CLI::App* catalog = app.add_subcommand(
      "catalog", "List every device type (or link technology) with its parameters, defaults and sources");
  catalog->add_option("type", catalog_type, "Only this device type (with --links: this link technology)");
  catalog->add_flag("--markdown", catalog_markdown,
                    "Markdown tables (the generated part of docs/devices.md, with --links of docs/network.md)");
  catalog->add_flag("--links", catalog_links, "Link technologies instead of device types");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return error_line(EXIT_INVALID_INPUT, std::string("command line: ") + e.what() + " (see twinbed --help)");
  }

  // `run --junit` reports the run's verdict, also when it could not run.
  harness::ScenarioOutcome run_outcome;
  run_outcome.file = run_file;
  run_outcome.scenario = std::filesystem::path(run_file).stem().string();
  run_outcome.started = std::chrono::system_clock::now();
  const auto run_start = std::chrono::steady_clock::now();
  const auto finish_run = [&](int code, const std::string& error) {
    if (!*run || run_junit.empty()) return code;
    run_outcome.exit_code = code;
    run_outcome.error = error;
    run_outcome.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
    try {
      harness::write_junit(run_junit, {run_outcome}, run_outcome.wall_s);
    } catch (const harness::RunError& e) {
      return error_line(EXIT_RUN_FAILED, e.what());
    }
    return code;
  };
  const auto fail = [&](int code, const std::string& message) {
    error_line(code, message);
    std::string error = "twinbed: error: ";
    return finish_run(code, error.append(message));
  };

  try {
    if (*suite) {
      std::error_code error;
      const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
      suite_options.program = error ? std::filesystem::path(argv[0]) : self;
      suite_options.out_root = suite_out;
      if (!suite_junit.empty()) suite_options.junit = suite_junit;
      return harness::run_suite(suite_options, std::cout);
    }

    if (*catalog && catalog_links) {
      std::optional<network::Technology> only;
      if (!catalog_type.empty()) {
        only = network::technology_from_name(catalog_type);
        if (!only) {
          std::string names;
          for (const auto& info : network::technologies()) names += (names.empty() ? "" : ", ") + std::string(info.name);
          throw harness::InputError({"command line", 0, 0}, "catalog", catalog_type,
                                    "is not a link technology; allowed: " + names);
        }
      }
      std::cout << (catalog_markdown ? network::technology_catalog_markdown() : network::technology_catalog_text(only));
      return EXIT_OK;
    }
    if (*catalog) {
      std::optional<devices::DeviceType> only;
      if (!catalog_type.empty()) {
        only = devices::device_type_from_name(catalog_type);
        if (!only) {
          std::string names;
          for (const auto& info : devices::device_catalog()) names += (names.empty() ? "" : ", ") + std::string(info.name);
          throw harness::InputError({"command line", 0, 0}, "catalog", catalog_type,
                                    "is not a device type; allowed: " + names);
        }
      }
      std::cout << (catalog_markdown ? devices::catalog_markdown() : devices::catalog_text(only));
      return EXIT_OK;
    }

    if (*validate) {
      // Check every file; one error line per invalid file.
      int code = EXIT_OK;
      for (const std::string& file : validate_files) {
        try {
          const harness::Scenario scenario = harness::load_scenario(file, {validate_overrides, std::nullopt});
          std::cout << file << ": ok (" << scenario.name << ")\n";
        } catch (const harness::InputError& e) {
          code = error_line(EXIT_INVALID_INPUT, e.what());
        }
      }
      return code;
    }

    if (*monitor) {
      harness::Scenario scenario;
      if (!monitor_file.empty()) scenario = harness::load_scenario(monitor_file, {monitor_overrides, std::nullopt});
      monitor_options.live = scenario.live ? *scenario.live : harness::LiveSpec{};
      if (!monitor_broker.empty()) {
        try {
          harness::parse_broker_url(monitor_broker);
        } catch (const std::invalid_argument& e) {
          throw harness::InputError({"command line", 0, 0}, "--broker", monitor_broker, e.what());
        }
        monitor_options.live.broker.url = monitor_broker;
      }
      monitor_options.monitor = scenario.monitor;
      if (monitor_options.monitor.type == "none") monitor_options.monitor.type = "reference";
      monitor_options.log = &std::cout;
      std::signal(SIGINT, stop_on_signal);
      std::signal(SIGTERM, stop_on_signal);
      const harness::LiveMonitorStats stats = harness::serve_live_monitor(monitor_options, stop_requested);
      std::cout << "monitor: " << stats.runs_finished << " runs finished, " << stats.messages << " telemetry messages ("
                << stats.undecodable << " unreadable, " << stats.unknown_run << " of unknown runs), "
                << stats.alarms_published << " alarms published" << std::endl;
      return EXIT_OK;
    }

    if (*report) {
      std::filesystem::path page;
      try {
        page = harness::write_report(report_run);
      } catch (const harness::RunError& e) {
        return error_line(EXIT_RUN_FAILED, std::string("report failed: ") + e.what());
      }
      std::cout << page.string() << std::endl;
      return EXIT_OK;
    }

    if (*export_command && export_wfdb_dir.empty() && export_csv_dir.empty() && export_fhir_file.empty()) {
      throw harness::InputError(
          {"command line", 0, 0}, "export", export_run,
          "needs a format: --csv DIR (every table), --wfdb DIR (ECG records) or --fhir FILE (FHIR R4 NDJSON)");
    }
    if (*export_command && !export_fhir_file.empty()) {
      std::uint64_t resources = 0;
      try {
        resources = harness::export_fhir(export_run, export_fhir_file);
      } catch (const harness::RunError& e) {
        return error_line(EXIT_RUN_FAILED, std::string("export failed: ") + e.what());
      }
      std::cout << "wrote " << resources << " FHIR resource" << (resources == 1 ? "" : "s") << " to "
                << export_fhir_file << std::endl;
      return EXIT_OK;
    }
    if (*export_command && !export_csv_dir.empty()) {
      harness::CsvExport written;
      try {
        written = harness::export_csv(export_run, export_csv_dir);
      } catch (const harness::RunError& e) {
        return error_line(EXIT_RUN_FAILED, std::string("export failed: ") + e.what());
      }
      for (const harness::CsvFile& file : written.files)
        std::cout << file.file.string() << ": " << file.rows << " rows from " << file.source << '\n';
      for (const std::string& skipped : written.skipped) std::cout << "skipped " << skipped << '\n';
      std::cout << "wrote " << written.files.size() << " CSV files to " << written.directory.string() << std::endl;
      return EXIT_OK;
    }

    if (*export_command) {
      harness::ExportSummary summary;
      try {
        summary = harness::export_wfdb(export_run, export_wfdb_dir, export_format);
      } catch (const harness::RunError& e) {
        return error_line(EXIT_RUN_FAILED, std::string("export failed: ") + e.what());
      }
      for (const harness::ExportedRecord& record : summary.records) {
        std::cout << record.record_name << ": patient " << record.patient_id << ", " << record.samples << " samples at "
                  << record.sampling_frequency_hz << " Hz";
        if (summary.annotations) std::cout << ", " << record.beats << " beats";
        if (record.clipped > 0) std::cout << ", " << record.clipped << " samples clipped to the format's range";
        std::cout << '\n';
      }
      std::cout << "wrote " << summary.records.size() << " WFDB record" << (summary.records.size() == 1 ? "" : "s")
                << " (format " << summary.format << (summary.annotations ? ", annotator atr" : ", no beat annotations")
                << ") to " << summary.directory.string() << std::endl;
      return EXIT_OK;
    }

    harness::LoadOptions load_options{overrides, std::nullopt};
    if (!seed_text.empty()) {
      std::uint64_t seed = 0;
      const auto [end, error] = std::from_chars(seed_text.data(), seed_text.data() + seed_text.size(), seed);
      if (error != std::errc() || end != seed_text.data() + seed_text.size()) {
        throw harness::InputError({"command line", 0, 0}, "--seed", seed_text,
                                  "is not a seed; expected a whole number from 0 to 18446744073709551615");
      }
      load_options.seed = seed;
    }
    harness::Scenario scenario = harness::load_scenario(run_file, load_options);
    harness::RunOptions run_options;
    if (!speed_text.empty()) {
      run_options.live = harness::LiveOptions{harness::parse_speed(speed_text)};
    } else if (live_flag) {
      run_options.live = harness::LiveOptions{scenario.live ? scenario.live->speed : harness::LiveSpec{}.speed};
    }
    run_options.out_root = out_dir;
    if (quiet) run_options.progress = false;
    const harness::RunResult result = harness::Run(std::move(scenario), run_options).execute();
    if (!quiet) std::cout << harness::format_summary(result) << std::flush;
    if (print_dir) std::cout << result.directory.string() << std::endl;
    run_outcome.scenario = result.summary["scenario"].get<std::string>();
    run_outcome.assertions = result.summary["assertions"];
    run_outcome.live = result.summary.value("live", nlohmann::json());
    run_outcome.directory = result.directory.string();
    return finish_run(result.summary["assertions_failed"].get<int>() > 0 ? EXIT_ASSERTION_FAILED : EXIT_OK, "");
  } catch (const harness::InputError& e) {
    return fail(EXIT_INVALID_INPUT, e.what());
  } catch (const harness::RunError& e) {
    return fail(EXIT_RUN_FAILED, std::string("run failed: ") + e.what());
  } catch (const std::exception& e) {
    return fail(EXIT_RUN_FAILED, std::string("run failed: ") + e.what());
  }
}
