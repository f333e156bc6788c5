#include "harness/Suite.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <ostream>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "harness/InputError.hpp"
#include "harness/JUnit.hpp"

extern char** environ;

namespace twinbed::harness {
namespace {

namespace fs = std::filesystem;

// Exit codes of `twinbed run` (harness spec, "Assertions, exit codes, reports"). Their order is
// also their severity, so the suite's code is the largest of its runs'.
constexpr int EXIT_ASSERTION_FAILED = 1;
constexpr int EXIT_INVALID_INPUT = 2;
constexpr int EXIT_RUN_FAILED = 3;

// A scenario's own suggestion for a shortened CI run, one `--set` per line (the convention of
// scenarios/qa/*.yaml and tests/e2e/check_scenarios.py).
constexpr std::string_view CI_SET = "# ci-set:";

std::vector<std::string> collect_files(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  std::set<fs::path> seen;
  const auto add = [&](const fs::path& file) {
    std::error_code error;
    const fs::path canonical = fs::weakly_canonical(file, error);
    if (seen.insert(error ? file : canonical).second) files.push_back(file.string());
  };
  for (const std::string& input : inputs) {
    std::error_code error;
    if (fs::is_directory(input, error)) {
      std::vector<fs::path> found;
      for (fs::recursive_directory_iterator it(input, error), end; !error && it != end; it.increment(error)) {
        if (it->is_regular_file() && it->path().extension() == ".yaml") found.push_back(it->path());
      }
      if (error) throw InputError({"command line", 0, 0}, "suite", input, "cannot be read: " + error.message());
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        throw InputError({"command line", 0, 0}, "suite", input, "holds no scenario; expected *.yaml files in it");
      }
      for (const fs::path& file : found) add(file);
    } else if (fs::is_regular_file(input, error)) {
      add(input);
    } else {
      throw InputError({"command line", 0, 0}, "suite", input,
                       "is not a file or folder; expected scenario files or folders holding *.yaml files");
    }
  }
  if (files.empty()) throw InputError({"command line", 0, 0}, "suite", "", "has no scenarios to run");
  return files;
}

std::vector<std::string> ci_set_lines(const std::string& file) {
  std::vector<std::string> sets;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(CI_SET)) continue;
    std::string value = line.substr(CI_SET.size());
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r") + 1);
    if (!value.empty()) sets.push_back(std::move(value));
  }
  return sets;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A private scratch folder for the runs' captured output, removed with the suite.
class ScratchDirectory {
public:
  ScratchDirectory() {
    std::string pattern = (fs::temp_directory_path() / "twinbed-suite-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::string why = "cannot create a temporary folder: ";
      throw RunError(why.append(std::strerror(errno)));
    }
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const fs::path& path() const { return path_; }

private:
  fs::path path_;
};

// Starts `arguments` with stdout and stderr going to files; returns the exit code, or a negative
// signal number when it was killed. Throws RunError when it cannot start.
int run_process(const fs::path& program, const std::vector<std::string>& arguments, const fs::path& out,
                const fs::path& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const std::string& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawn_error = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  std::string failure = "cannot start ";
  failure.append(program.string()).append(": ");
  if (spawn_error != 0) throw RunError(failure.append(std::strerror(spawn_error)));
  int status = 0;
  // Wait for this child only: a host program's other children are not ours to reap.
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw RunError(failure.append(std::strerror(errno)));
  }
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WEXITSTATUS(status);
}

ScenarioOutcome run_scenario(const SuiteOptions& options, const std::string& file, const fs::path& scratch,
                             std::size_t index) {
  ScenarioOutcome outcome;
  outcome.file = file;
  outcome.scenario = fs::path(file).stem().string();
  // "./" keeps a file named "-x.yaml" from reading as a flag.
  std::vector<std::string> arguments{options.program.string(), "run", file.starts_with('-') ? "./" + file : file,
                                     "--quiet", "--print-dir", "--out", options.out_root.string()};
  // The file's CI settings first, so the suite's own --set wins over them.
  if (options.quick) {
    for (const std::string& set : ci_set_lines(file)) arguments.push_back("--set=" + set);
  }
  for (const std::string& set : options.overrides) arguments.push_back("--set=" + set);
  const fs::path out = scratch / (std::to_string(index) + ".out");
  const fs::path err = scratch / (std::to_string(index) + ".err");

  outcome.started = std::chrono::system_clock::now();
  const auto start = std::chrono::steady_clock::now();
  int code = EXIT_RUN_FAILED;
  try {
    code = run_process(options.program, arguments, out, err);
    outcome.error = read_text(err);
  } catch (const RunError& e) {
    outcome.error = e.what();
  }
  outcome.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto failed = [&](std::string why) {
    outcome.exit_code = EXIT_RUN_FAILED;
    if (!outcome.error.empty()) why.append("\n").append(outcome.error);
    outcome.error = std::move(why);
    return outcome;
  };
  if (code < 0) return failed(fmt::format("twinbed run was killed by signal {} ({})", -code, ::strsignal(-code)));
  if (code == EXIT_INVALID_INPUT || code == EXIT_RUN_FAILED) {
    outcome.exit_code = code;
    return outcome;
  }
  if (code != 0 && code != EXIT_ASSERTION_FAILED) return failed(fmt::format("twinbed run exited with code {}", code));

  // --print-dir puts the results folder on the last line of stdout.
  std::string directory = read_text(out);
  while (!directory.empty() && (directory.back() == '\n' || directory.back() == '\r')) directory.pop_back();
  directory.erase(0, directory.find_last_of('\n') + 1);
  outcome.directory = directory;
  nlohmann::json summary;
  try {
    summary = nlohmann::json::parse(read_text(fs::path(directory) / "summary.json"));
    outcome.scenario = summary.at("scenario").get<std::string>();
    outcome.assertions = summary.value("assertions", nlohmann::json::array());
    outcome.live = summary.value("live", nlohmann::json());
  } catch (const nlohmann::json::exception& e) {
    std::string why = "no readable summary.json in '" + directory + "': " + e.what();
    return failed(why);
  }
  const bool any_failed = std::any_of(outcome.assertions.begin(), outcome.assertions.end(),
                                      [](const nlohmann::json& a) { return !a.value("passed", false); });
  if (any_failed != (code == EXIT_ASSERTION_FAILED)) {
    return failed(fmt::format("twinbed run exited with code {} but summary.json says {}", code,
                              any_failed ? "an assertion failed" : "every assertion passed"));
  }
  outcome.exit_code = code;
  return outcome;
}

std::string first_failure(const ScenarioOutcome& o) {
  if (o.exit_code >= EXIT_INVALID_INPUT) {
    std::string line = o.error.substr(0, o.error.find('\n'));
    constexpr std::string_view PREFIX = "twinbed: error: ";
    if (line.starts_with(PREFIX)) line.erase(0, PREFIX.size());
    return line;
  }
  for (const nlohmann::json& a : o.assertions) {
    if (!a.value("passed", false)) return a.value("message", "");
  }
  return "";
}

void print_table(const std::vector<ScenarioOutcome>& outcomes, double wall_s, int code, std::ostream& out) {
  std::size_t width = std::string_view("scenario").size();
  for (const ScenarioOutcome& o : outcomes) width = std::max(width, o.scenario.size());
  out << fmt::format("{:<{}}  {:>4}  {:>6}  {:>6}  {:>7}  {}\n", "scenario", width, "exit", "passed", "failed",
                     "wall_s", "first failure");
  std::size_t passed_total = 0;
  std::size_t assertions_total = 0;
  std::array<std::size_t, 4> by_code{};
  for (const ScenarioOutcome& o : outcomes) {
    ++by_code[static_cast<std::size_t>(o.exit_code)];
    std::string passed = "-";
    std::string failed = "-";
    if (o.exit_code < EXIT_INVALID_INPUT) {
      const auto n = static_cast<std::size_t>(std::count_if(
          o.assertions.begin(), o.assertions.end(), [](const nlohmann::json& a) { return a.value("passed", false); }));
      passed = std::to_string(n);
      failed = std::to_string(o.assertions.size() - n);
      passed_total += n;
      assertions_total += o.assertions.size();
    }
    std::string row = fmt::format("{:<{}}  {:>4}  {:>6}  {:>6}  {:>7.1f}  {}", o.scenario, width, o.exit_code, passed,
                                  failed, o.wall_s, first_failure(o));
    row.erase(row.find_last_not_of(' ') + 1);
    out << row << '\n';
  }
  out << fmt::format(
      "{} scenario{} in {:.1f} s: {} passed, {} with failed assertions, {} invalid, {} failed to run; "
      "{} of {} assertions passed; exit {}\n",
      outcomes.size(), outcomes.size() == 1 ? "" : "s", wall_s, by_code[0], by_code[EXIT_ASSERTION_FAILED],
      by_code[EXIT_INVALID_INPUT], by_code[EXIT_RUN_FAILED], passed_total, assertions_total, code);
}

}  // namespace

int run_suite(const SuiteOptions& options, std::ostream& out) {
  const std::vector<std::string> files = collect_files(options.inputs);
  const ScratchDirectory scratch;
  std::vector<ScenarioOutcome> outcomes(files.size());
  const auto start = std::chrono::steady_clock::now();
  // Each worker starts one run and waits for it, so at most `jobs` run at once.
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) {
      try {
        outcomes[i] = run_scenario(options, files[i], scratch.path(), i);
      } catch (const std::exception& e) {
        outcomes[i].file = files[i];
        outcomes[i].scenario = fs::path(files[i]).stem().string();
        outcomes[i].exit_code = EXIT_RUN_FAILED;
        outcomes[i].error = e.what();
      }
    }
  };
  std::vector<std::thread> workers;
  const std::size_t jobs = std::clamp<std::size_t>(options.jobs, 1, files.size());
  for (std::size_t w = 0; w < jobs; ++w) workers.emplace_back(work);
  for (std::thread& worker : workers) worker.join();
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  int code = 0;
  for (const ScenarioOutcome& o : outcomes) code = std::max(code, o.exit_code);
  print_table(outcomes, wall_s, code, out);
  if (options.junit) write_junit(*options.junit, outcomes, wall_s);
  return code;
}

}  // namespace twinbed::harness
