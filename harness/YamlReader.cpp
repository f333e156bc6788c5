#include "harness/YamlReader.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/Units.hpp"

namespace twinbed::harness {

struct YamlField::Context {
  std::string file;
  // Normalised key path ("cohort[0].count") -> the --set argument that set it.
  std::map<std::string, std::string> overrides;
};

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// "cohort.0.count" and "cohort[0].count" both become {"cohort", "[0]", "count"}.
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  std::string current;
  auto flush = [&]() {
    if (current.empty()) return;
    const bool numeric = current.find_first_not_of("0123456789") == std::string::npos;
    segments.push_back(numeric ? "[" + current + "]" : current);
    current.clear();
  };
  for (const char c : path) {
    if (c == '.' || c == '[' || c == ']') {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  return segments;
}

std::string join_path(const std::vector<std::string>& segments) {
  std::string path;
  for (const std::string& s : segments) path += (path.empty() || s.front() == '[') ? s : "." + s;
  return path;
}

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

}  // namespace

SourceLocation YamlField::location() const {
  for (const auto& [path, assignment] : context_->overrides) {
    if (path_ == path || path_.starts_with(path + ".") || path_.starts_with(path + "[")) {
      return SourceLocation{"--set " + assignment, 0, 0};
    }
  }
  YAML::Mark mark = (node_ && node_.Mark().line >= 0) ? node_.Mark() : fallback_;
  if (mark.line < 0) return SourceLocation{context_->file, 0, 0};
  return SourceLocation{context_->file, mark.line + 1, mark.column + 1};
}

void YamlField::fail(const std::string& value, const std::string& problem) const {
  throw InputError(location(), path_, value, problem);
}

std::string YamlField::shown_value() const {
  if (is_null()) return "";
  if (node_.IsScalar()) return node_.Scalar();
  return node_.IsSequence() ? "<list>" : "<mapping>";
}

const std::string& YamlField::scalar(const char* expected) const {
  if (is_null()) fail("", std::string("is empty; expected ") + expected);
  if (!node_.IsScalar()) fail(std::string("is a ") + (node_.IsSequence() ? "list" : "mapping") + "; expected " + expected);
  return node_.Scalar();
}

YamlMap YamlField::as_map(const std::vector<std::string>& allowed_keys) const {
  if (!node_ || !node_.IsMap()) {
    fail(std::string("is ") + (is_null() ? "empty" : node_.IsSequence() ? "a list" : "a single value") +
         "; expected a mapping with keys: " + join(allowed_keys));
  }
  std::set<std::string> seen;
  for (const auto& entry : node_) {
    const YamlField key_field(entry.first, path_, node_.Mark(), context_);
    if (!entry.first.IsScalar()) key_field.fail("", "has a key that is not a plain name");
    const std::string key = entry.first.Scalar();
    const YamlField located(entry.first, child_path(path_, key), node_.Mark(), context_);
    if (!seen.insert(key).second) located.fail(key, "is a duplicate key");
    bool known = false;
    for (const std::string& allowed : allowed_keys) known = known || allowed == key;
    if (!known) {
      const std::string suggestion = closest_match(key, allowed_keys);
      located.fail(key, "is not a known key" + (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") +
                            "; allowed: " + join(allowed_keys));
    }
  }
  return YamlMap(*this);
}

YamlMap YamlField::as_unchecked_map() const {
  if (!node_ || !node_.IsMap()) {
    fail(std::string("is ") + (is_null() ? "empty" : node_.IsSequence() ? "a list" : "a single value") +
         "; expected a mapping");
  }
  return YamlMap(*this);
}

std::vector<YamlField> YamlField::as_list() const {
  if (!node_ || !node_.IsSequence()) fail(std::string("is ") + (is_null() ? "empty" : "not a list") + "; expected a list");
  std::vector<YamlField> items;
  for (std::size_t i = 0; i < node_.size(); ++i) {
    items.push_back(YamlField(node_[i], path_ + "[" + std::to_string(i) + "]", node_.Mark(), context_));
  }
  return items;
}

std::vector<std::pair<YamlField, YamlField>> YamlField::as_entries() const {
  const YamlMap map = as_unchecked_map();
  std::vector<std::pair<YamlField, YamlField>> entries;
  std::set<std::string> seen;
  for (const auto& entry : node_) {
    if (!entry.first.IsScalar()) YamlField(entry.first, path_, node_.Mark(), context_).fail("", "has a key that is not a plain name");
    const std::string key = entry.first.Scalar();
    YamlField key_field(entry.first, child_path(path_, key), node_.Mark(), context_);
    if (!seen.insert(key).second) key_field.fail(key, "is a duplicate key");
    entries.emplace_back(std::move(key_field), map.get(key));
  }
  return entries;
}

std::string YamlField::as_string() const { return scalar("a text value"); }

bool YamlField::as_bool() const {
  const std::string& text = scalar("true or false");
  if (text == "true") return true;
  if (text == "false") return false;
  fail("is not a boolean; expected true or false");
}

std::int64_t YamlField::as_integer(std::int64_t min, std::int64_t max) const {
  const std::string expected = "a whole number in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  const std::string& text = scalar(expected.c_str());
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) fail("is not a whole number; expected " + expected);
  if (value < min || value > max) fail("is out of range; expected " + expected);
  return value;
}

std::uint64_t YamlField::as_unsigned() const {
  const std::string& text = scalar("a whole number >= 0");
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    fail("is not a whole number >= 0; expected 0 to 18446744073709551615");
  }
  return value;
}

double YamlField::as_number(double min, double max) const {
  std::ostringstream expected;
  expected << "a number in [" << min << ", " << max << "]";
  const std::string& text = scalar(expected.str().c_str());
  double value = 0.0;
  try {
    value = parse_number(text);
  } catch (const std::invalid_argument&) {
    fail("is not a plain number; expected " + expected.str());
  }
  if (value < min || value > max) fail("is out of range; expected " + expected.str());
  return value;
}

sim::Time YamlField::as_duration(sim::Time min) const {
  const std::string& text = scalar("a duration with a unit, e.g. 250ms, 15min, 24h");
  sim::Time value;
  try {
    value = parse_duration(text);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  if (value < min) fail("is too short; expected at least " + sim::to_string(min));
  if (value > MAX_DURATION) fail("is too long; expected at most " + sim::to_string(MAX_DURATION));
  return value;
}

sim::Time YamlField::as_mean_interval(sim::Time min) const {
  const std::string& text = scalar("a duration (e.g. 12h) or a rate (e.g. 2/day)");
  if (text.find('/') == std::string::npos) return as_duration(min);
  double per_second = 0.0;
  try {
    per_second = parse_rate_per_second(text);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  const std::string expected = "expected a mean interval from " + sim::to_string(min) + " to " +
                               sim::to_string(MAX_DURATION) + " (a duration such as 12h, or a rate such as 2/day)";
  // Compared in seconds first: 1/rate of a tiny rate would not fit in sim::Time.
  if (per_second * MAX_DURATION.seconds() < 1.0) fail("is too rare; " + expected);
  const sim::Time interval = sim::Time::from_seconds(1.0 / per_second);
  if (interval < min) fail("is too frequent; " + expected);
  return interval;
}

double YamlField::as_probability() const {
  const std::string& text = scalar("a probability in [0, 1], as 0.02 or 2%");
  try {
    return parse_probability(text);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
}

std::string YamlField::as_choice(const std::vector<std::string>& allowed, const std::string& what) const {
  const std::string value = as_string();
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  const std::string suggestion = closest_match(value, allowed);
  fail("is not " + what + (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)") + "; allowed: " +
       join(allowed));
}

bool YamlMap::has(const std::string& key) const {
  // Present counts, even when empty: "seed:" then fails in the reader instead of meaning "default".
  return field_.node_[key].IsDefined();
}

YamlField YamlMap::get(const std::string& key) const {
  for (const auto& entry : field_.node_) {
    if (entry.first.Scalar() != key) continue;
    // An empty value has no position of its own (yaml-cpp marks the next token): point at the key.
    const YAML::Node& value = entry.second;
    const YAML::Mark mark = entry.first.Mark();
    if (value.IsNull()) return YamlField(YAML::Node(YAML::NodeType::Null), child_path(field_.path_, key), mark, field_.context_);
    return YamlField(value, child_path(field_.path_, key), mark, field_.context_);
  }
  return YamlField(YAML::Node(YAML::NodeType::Null), child_path(field_.path_, key), field_.node_.Mark(),
                   field_.context_);
}

YamlField YamlMap::required(const std::string& key) const {
  YamlField child = get(key);
  // An absent key is "missing"; a present but empty one is left to the typed reader ("is empty").
  if (!has(key)) child.fail("", "is missing; this key is required");
  return child;
}

YamlDocument YamlDocument::parse(const std::string& text, const std::string& file_label) {
  YamlDocument document;
  document.text_ = text;
  document.context_ = std::make_shared<YamlField::Context>();
  document.context_->file = file_label;
  try {
    document.root_ = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError(SourceLocation{file_label, e.mark.line + 1, e.mark.column + 1}, "", "",
                     "is not valid YAML: " + e.msg);
  }
  return document;
}

YamlDocument YamlDocument::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "", "", "cannot be read: no such file or not readable");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path);
}

const std::string& YamlDocument::file() const { return context_->file; }

YamlField YamlDocument::root() const { return YamlField(root_, "", YAML::Mark(), context_); }

void YamlDocument::apply_override(const std::string& assignment) {
  const SourceLocation where{"--set " + assignment, 0, 0};
  const std::size_t equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw InputError(where, "", assignment, "is not an override; expected --set key.path=value");
  }
  const std::vector<std::string> segments = split_path(assignment.substr(0, equals));
  const std::string value_text = assignment.substr(equals + 1);
  if (segments.empty()) throw InputError(where, "", assignment, "names no key; expected --set key.path=value");
  YAML::Node value;
  try {
    value = YAML::Load(value_text);
  } catch (const YAML::Exception&) {
    value = YAML::Node(value_text);  // not YAML: take it as plain text and let validation judge it
  }
  if (!root_ || root_.IsNull()) root_ = YAML::Node(YAML::NodeType::Map);
  // YAML::Node assignment copies values; reset() rebinds the handle, which is what walking needs.
  YAML::Node current;
  current.reset(root_);
  std::vector<std::string> walked;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& segment = segments[i];
    const bool last = i + 1 == segments.size();
    const std::string parent_path = join_path(walked);
    walked.push_back(segment);
    if (segment.front() == '[') {
      const std::size_t index = std::stoul(segment.substr(1, segment.size() - 2));
      if (!current.IsSequence() || index >= current.size()) {
        throw InputError(where, join_path(walked), value_text,
                         "names a list element that does not exist" +
                             (current.IsSequence() ? (current.size() == 0 ? std::string("; the list is empty")
                                                                     : "; valid indices are 0 to " +
                                                                           std::to_string(current.size() - 1))
                                                   : "; '" + parent_path + "' is not a list"));
      }
      if (last) {
        current[index] = value;
      } else {
        YAML::Node next = current[index];
        current.reset(next);
      }
      continue;
    }
    if (current.IsSequence() || current.IsScalar()) {
      throw InputError(where, join_path(walked), value_text,
                       "cannot be set: '" + (parent_path.empty() ? std::string("<top>") : parent_path) +
                           "' is not a mapping");
    }
    if (last) {
      current[segment] = value;
    } else {
      YAML::Node next = current[segment];
      if (!next.IsDefined() || next.IsNull()) {
        current[segment] = YAML::Node(YAML::NodeType::Map);
        next.reset(current[segment]);
      }
      current.reset(next);
    }
  }
  context_->overrides[join_path(segments)] = assignment;
}

}  // namespace twinbed::harness
