#include "harness/JUnit.hpp"

#include <unistd.h>

#include <ctime>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "harness/InputError.hpp"

namespace twinbed::harness {
namespace {

// Length of the UTF-8 sequence at `i` when it encodes a character XML 1.0 allows (section 2.2:
// #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]); 0 otherwise.
std::size_t xml_char_length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) return (lead >= 0x20 || lead == 0x09 || lead == 0x0A || lead == 0x0D) ? 1 : 0;
  std::size_t length = 0;
  char32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  constexpr char32_t SHORTEST[] = {0, 0, 0x80, 0x800, 0x10000};  // overlong forms are invalid UTF-8
  if (code < SHORTEST[length] || (code >= 0xD800 && code <= 0xDFFF) || code == 0xFFFE || code == 0xFFFF ||
      code > 0x10FFFF) {
    return 0;
  }
  return length;
}

std::string timestamp(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  // UTC without a zone designator: the Ant schema's timestamp pattern allows none.
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return text;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// The first line of an error output, without the CLI's "twinbed: error: " prefix.
std::string headline(const std::string& error) {
  std::string line = error.substr(0, error.find('\n'));
  constexpr std::string_view PREFIX = "twinbed: error: ";
  if (line.starts_with(PREFIX)) line.erase(0, PREFIX.size());
  return line;
}

std::string attribute(std::string_view name, std::string_view value) {
  std::string text = " ";
  text.append(name).append("=\"").append(xml_escape(value, true)).append("\"");
  return text;
}

std::string seconds(double s) { return fmt::format("{:.3f}", s > 0.0 ? s : 0.0); }

struct Counts {
  std::size_t tests = 0;
  std::size_t failures = 0;
  std::size_t errors = 0;
};

Counts count(const ScenarioOutcome& o) {
  if (o.exit_code >= 2) return {1, 0, 1};
  Counts c;
  for (const nlohmann::json& a : o.assertions) {
    ++c.tests;
    if (!a.value("passed", false)) ++c.failures;
  }
  if (c.tests == 0) c.tests = 1;  // the "run" testcase
  return c;
}

std::string testsuite(const ScenarioOutcome& o, std::size_t id, const std::string& host) {
  const Counts c = count(o);
  const std::string classname = "twinbed." + o.scenario;
  std::string xml = "  <testsuite";
  xml += attribute("name", o.scenario) + attribute("tests", std::to_string(c.tests)) +
         attribute("failures", std::to_string(c.failures)) + attribute("errors", std::to_string(c.errors)) +
         attribute("time", seconds(o.wall_s)) + attribute("timestamp", timestamp(o.started)) +
         attribute("hostname", host) + attribute("id", std::to_string(id)) + attribute("package", "twinbed") + ">\n";
  xml += "    <properties>\n";
  xml += "      <property" + attribute("name", "file") + attribute("value", o.file) + "/>\n";
  xml += "      <property" + attribute("name", "exit_code") + attribute("value", std::to_string(o.exit_code)) + "/>\n";
  if (!o.directory.empty()) xml += "      <property" + attribute("name", "results") + attribute("value", o.directory) + "/>\n";
  // A live run's pacing, publishing, broker and end-to-end figures, so CI shows them next to the verdicts.
  static const std::vector<std::vector<std::string>> LIVE_FIGURES{
      {"pacing_error", "p50"},        {"pacing_error", "p99"},        {"pacing_error", "max"},
      {"publish_rate", "requested"},  {"publish_rate", "achieved"},   {"published", "offered", "messages"},
      {"published", "acknowledged", "messages"}, {"published", "dropped_buffer_full", "messages"},
      {"published", "unsent_at_end", "messages"}, {"published", "accounted"}, {"broker_connection", "errors"},
      {"broker_connection", "disconnects"}, {"broker_connection", "connects"}, {"broker_connection", "away_s"},
      {"alarms_back", "accepted"},    {"alarms_back", "malformed"},   {"alarm_delay", "p50"},
      {"alarm_delay", "p95"},         {"alarm_delay", "max"}};
  if (o.live.is_object()) {
    for (const std::vector<std::string>& path : LIVE_FIGURES) {
      const nlohmann::json* at = &o.live;
      std::string name = "live";
      for (const std::string& key : path) {
        at = at->is_object() && at->contains(key) ? &(*at)[key] : nullptr;
        if (at == nullptr) break;
        name += "." + key;
      }
      if (at == nullptr) continue;
      xml += "      <property" + attribute("name", name) + attribute("value", at->is_null() ? "null" : at->dump()) + "/>\n";
    }
  }
  xml += "    </properties>\n";
  const std::string open = "    <testcase" + attribute("classname", classname);
  if (o.exit_code >= 2) {
    xml += open + attribute("name", "run") + attribute("time", seconds(o.wall_s)) + ">\n";
    xml += "      <error" + attribute("message", headline(o.error)) +
           attribute("type", o.exit_code == 2 ? "invalid_input" : "run_failed") + ">" + xml_escape(o.error) +
           "</error>\n";
    xml += "    </testcase>\n";
  } else if (o.assertions.empty()) {
    xml += open + attribute("name", "run") + attribute("time", seconds(o.wall_s)) + "/>\n";
  }
  for (const nlohmann::json& a : o.assertions) {
    if (o.exit_code >= 2) break;
    xml += open + attribute("name", a.value("expect", "")) + attribute("time", seconds(0.0));
    if (a.value("passed", false)) {
      xml += "/>\n";
      continue;
    }
    const std::string message = a.value("message", "");
    std::string detail = message;
    const std::string location = a.value("location", "");
    if (!location.empty()) detail.append("\n").append(location);
    xml += ">\n      <failure" + attribute("message", message) + attribute("type", "assertion") + ">" +
           xml_escape(detail) + "</failure>\n    </testcase>\n";
  }
  xml += "    <system-out>" + xml_escape(o.directory) + "</system-out>\n";
  xml += "    <system-err>" + xml_escape(o.error) + "</system-err>\n";
  xml += "  </testsuite>\n";
  return xml;
}

}  // namespace

std::string xml_escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = xml_char_length(text, i);
    if (length == 0) {
      out += '?';
      ++i;
      continue;
    }
    if (length > 1) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    switch (const char c = text[i++]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += attribute ? "&quot;" : "\""; break;
      case '\'': out += attribute ? "&apos;" : "'"; break;
      case '\r': out += "&#13;"; break;  // parsers turn a raw CR into LF
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      default: out += c;
    }
  }
  return out;
}

std::string junit_xml(const std::vector<ScenarioOutcome>& outcomes, double wall_s) {
  Counts total;
  for (const ScenarioOutcome& o : outcomes) {
    const Counts c = count(o);
    total.tests += c.tests;
    total.failures += c.failures;
    total.errors += c.errors;
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites";
  xml += attribute("name", "twinbed") + attribute("tests", std::to_string(total.tests)) +
         attribute("failures", std::to_string(total.failures)) + attribute("errors", std::to_string(total.errors)) +
         attribute("time", seconds(wall_s)) + ">\n";
  const std::string host = host_name();
  for (std::size_t i = 0; i < outcomes.size(); ++i) xml += testsuite(outcomes[i], i, host);
  xml += "</testsuites>\n";
  return xml;
}

void write_junit(const std::filesystem::path& path, const std::vector<ScenarioOutcome>& outcomes, double wall_s) {
  std::filesystem::path temporary = path;
  temporary += ".tmp-";
  temporary += std::to_string(static_cast<long>(::getpid()));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << junit_xml(outcomes, wall_s);
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw RunError("cannot write JUnit file " + path.string());
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw RunError("cannot write JUnit file " + path.string() + ": " + error.message());
  }
}

}  // namespace twinbed::harness
