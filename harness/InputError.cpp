#include "harness/InputError.hpp"

#include <algorithm>

namespace twinbed::harness {
namespace {

std::string compose(const SourceLocation& location, const std::string& key, const std::string& value,
                    const std::string& problem) {
  std::string text = location.to_string() + ": ";
  if (!key.empty()) text += key + ": ";
  if (!value.empty()) text += "'" + value + "' ";
  text += problem;
  // One line, always: newlines inside YAML values or library messages would split it.
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

std::string SourceLocation::to_string() const {
  std::string text = file;
  if (line > 0) {
    // append() rather than ":" + ...: GCC 12 warns falsely (-Wrestrict, PR105329) on the latter.
    text.append(":").append(std::to_string(line));
    if (column > 0) text.append(":").append(std::to_string(column));
  }
  return text;
}

InputError::InputError(SourceLocation location, std::string key, std::string value, std::string problem)
    : std::runtime_error(compose(location, key, value, problem)), location_(std::move(location)),
      key_(std::move(key)), value_(std::move(value)), problem_(std::move(problem)) {}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (best.empty() || d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  // Suggest only when the typo is small relative to the word (at most a third of it, at least 2).
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  return best_distance <= limit ? best : std::string();
}

}  // namespace twinbed::harness
