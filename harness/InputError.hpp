#pragma once
// harness::InputError: invalid user input (scenario YAML, command-line flags). It names where
// (file:line:column, or the --set flag), which key, the bad value and what would be valid, so the
// CLI can print exactly one clear line and exit with code 2.
#include <stdexcept>
#include <string>
#include <vector>

namespace twinbed::harness {

struct SourceLocation {
  std::string file;  // a path, or a description such as "--set duration=2h"
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
  std::string to_string() const;
};

class InputError : public std::runtime_error {
public:
  // `key` is the dotted path of the offending key ("cohort[0].count"), empty for file-level errors.
  InputError(SourceLocation location, std::string key, std::string value, std::string problem);

  const SourceLocation& location() const { return location_; }
  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }
  const std::string& problem() const { return problem_; }

private:
  SourceLocation location_;
  std::string key_;
  std::string value_;
  std::string problem_;
};

// A run that could not complete (I/O error, SUT unreachable): exit code 3.
class RunError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
// The closest candidate within a small distance, or "" when none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace twinbed::harness
