#pragma once
// harness::junit_xml: the verdicts of scenario runs as JUnit XML, the format CI systems (GitLab,
// Jenkins, GitHub Actions) show as test results. One <testsuite> per scenario and one <testcase>
// per `expect:` line; a scenario that could not run gets one "run" testcase holding an <error>, one
// without `expect:` lines one passing "run" testcase. Valid against Jenkins' junit-10.xsd (xunit
// plugin) and the stricter Ant-derived JUnit.xsd (windyroad), which also requires hostname,
// timestamp, id, package, <properties>, <system-out> and <system-err>.
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace twinbed::harness {

// What one `twinbed run` of a scenario came to.
struct ScenarioOutcome {
  std::string scenario;  // its name; the file's stem when it could not be loaded
  std::string file;      // the scenario file
  // 0 every assertion passed, 1 one failed, 2 invalid input, 3 the run failed (spec exit codes).
  int exit_code = 0;
  double wall_s = 0.0;
  std::chrono::system_clock::time_point started;
  nlohmann::json assertions = nlohmann::json::array();  // summary.json "assertions"
  std::string error;      // why it could not run (exit 2, 3): the run's error output
  std::string directory;  // the results folder, when it ran
  nlohmann::json live;    // summary.json "live" of a live run (null otherwise): its key figures become properties
};

// The whole document. `wall_s` is the time of the whole set (the runs may overlap).
std::string junit_xml(const std::vector<ScenarioOutcome>& outcomes, double wall_s);
// Writes junit_xml() to a temporary name next to `path`, then renames. Throws RunError.
void write_junit(const std::filesystem::path& path, const std::vector<ScenarioOutcome>& outcomes, double wall_s);

// Text made safe for XML 1.0: markup characters escaped, characters XML cannot hold (control
// characters, broken UTF-8) replaced by '?'. In an attribute, line breaks and tabs become character
// references, which attribute-value normalisation would otherwise turn into spaces.
std::string xml_escape(std::string_view text, bool attribute = false);

}  // namespace twinbed::harness
