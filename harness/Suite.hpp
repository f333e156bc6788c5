#pragma once
// harness::run_suite: `twinbed suite DIR_OR_FILES... [--jobs N] [--junit FILE]`. Runs every
// scenario in its own `twinbed run` process (N at a time), collects each run's assertions from its
// summary.json, prints a summary table and writes JUnit XML: one <testsuite> per scenario, one
// <testcase> per assertion (plus one for the run itself when it could not run).
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace twinbed::harness {

struct SuiteOptions {
  std::vector<std::string> inputs;        // scenario files and folders (searched for *.yaml)
  unsigned jobs = 1;
  std::optional<std::filesystem::path> junit;
  std::filesystem::path out_root = "results";
  std::vector<std::string> overrides;     // --set, applied to every scenario
  bool quick = false;                     // apply each file's "# ci-set: key=value" lines
  std::filesystem::path program;          // the twinbed executable to run the scenarios with
};

// Returns the exit code: 0 all assertions passed, 1 an assertion failed, 2 a scenario was invalid,
// 3 a run failed. The worst wins: 3 > 2 > 1 > 0. Throws InputError when an input is neither a file
// nor a folder or a folder holds no *.yaml, RunError when the JUnit file cannot be written.
// Each run is `program run FILE --quiet --print-dir --out OUT_ROOT [--set ...]`; its stderr goes
// into the JUnit report.
int run_suite(const SuiteOptions& options, std::ostream& out);

}  // namespace twinbed::harness
