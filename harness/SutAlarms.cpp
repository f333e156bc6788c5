#include "harness/SutAlarms.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>

namespace twinbed::harness {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, MALFORMED_REASON_COUNT> REASON_NAMES{
    "oversized", "not_json", "not_object", "missing_field", "wrong_type", "bad_value", "unknown_patient"};

// The contract's limits (docs/sut-alarms.md; harness/SutAlarms.hpp).
constexpr std::size_t MAX_TYPE_CHARS = 64;
constexpr std::size_t MAX_ID_CHARS = 128;
constexpr std::size_t MAX_DETAIL_CHARS = 512;
// A bad value is shown cut to this many bytes: enough to recognise it, one line in a log.
constexpr std::size_t SHOWN_VALUE_BYTES = 40;
// Timestamps are accepted from 1970 to 2199: any start and t in that span are less than 292 years
// apart, the range of sim::Time's int64 nanoseconds, so t - start never overflows.
constexpr unsigned MIN_YEAR = 1970;
constexpr unsigned MAX_YEAR = 2199;
const char* const TYPE_ALLOWED = "1-64 characters of A-Z a-z 0-9 _ . : -";
const char* const TIME_ALLOWED = "ISO 8601 UTC YYYY-MM-DDThh:mm:ss[.fff]Z (or +00:00), years 1970-2199";

// Characters, not bytes: the parser has already checked the text is valid UTF-8, so counting the
// bytes that do not continue a sequence (10xxxxxx) counts code points.
std::size_t utf8_length(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_type_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == ':' || c == '-';
}

std::string_view json_kind(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "not a JSON value";
  }
}

// Compact JSON text of `value`, stopped once `out` is longer than `budget`. Not json::dump(): that
// recurses once per nesting level, and a SUT's 1 MiB of '[' would overflow the stack. Here every
// level first appends a byte, so the recursion is at most `budget` deep.
void preview(const json& value, std::string& out, std::size_t budget) {
  if (out.size() > budget) return;
  if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const json& item : value) {
      if (out.size() > budget) return;
      if (!first) out += ',';
      first = false;
      preview(item, out, budget);
    }
    out += ']';
  } else if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      if (out.size() > budget) return;
      if (!first) out += ',';
      first = false;
      out += json(key).dump();
      out += ':';
      preview(item, out, budget);
    }
    out += '}';
  } else {
    out += value.dump();  // a scalar: no recursion
  }
}

// A value as shown in a failure: a string's text, anything else as JSON, cut and escaped.
std::string shown(const json& value) {
  if (value.is_string()) return printable_bytes(value.get_ref<const std::string&>(), SHOWN_VALUE_BYTES);
  std::string text;
  preview(value, text, SHOWN_VALUE_BYTES);
  return printable_bytes(text, SHOWN_VALUE_BYTES);
}

ParseFailure failure(MalformedReason reason, std::string_view key, const std::string& value, std::string_view problem) {
  std::string message(key);
  message += ": ";
  if (!value.empty()) {
    message += '\'';
    message += value;
    message += "' ";
  }
  message += problem;
  // One line whatever a library message holds.
  std::replace(message.begin(), message.end(), '\n', ' ');
  return ParseFailure{reason, std::move(message)};
}

// Checked before parse_iso_time, whose nanoseconds since 1970 would overflow past 2262.
bool year_supported(const std::string& text) {
  if (text.size() < 4 || !std::all_of(text.begin(), text.begin() + 4, [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  const auto year = static_cast<unsigned>((text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 +
                                          (text[3] - '0'));
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

struct FieldRule {
  const char* key;
  bool required;
  json::value_t kind;       // string, or number_float standing for any number
  const char* expected;     // what is allowed, for messages
};

constexpr std::array<FieldRule, 8> FIELDS{{
    {"patient", true, json::value_t::string, "a patient id of the run (a string)"},
    {"type", true, json::value_t::string, "an alarm type (a string of 1-64 characters of A-Z a-z 0-9 _ . : -)"},
    {"priority", true, json::value_t::string, "low, medium or high (a string)"},
    {"t", false, json::value_t::string, "an ISO 8601 UTC time (a string, e.g. 2026-01-01T03:12:41.200Z)"},
    {"id", false, json::value_t::string, "a string of at most 128 characters"},
    {"device", false, json::value_t::string, "a device id of the run (a string)"},
    {"value", false, json::value_t::number_float, "a number"},
    {"detail", false, json::value_t::string, "a string of at most 512 characters"},
}};

}  // namespace

std::string_view malformed_reason_name(MalformedReason reason) {
  return REASON_NAMES.at(static_cast<std::size_t>(reason));
}

std::string printable_bytes(std::string_view bytes, std::size_t max_bytes) {
  const bool cut = bytes.size() > max_bytes;
  const std::string_view kept = bytes.substr(0, max_bytes);
  std::string text;
  text.reserve(kept.size() + 3);
  for (const char c : kept) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte <= 0x7E) {
      text += c;
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      text += escaped;
    }
  }
  if (cut) text += "...";
  return text;
}

SutAlarmParser::SutAlarmParser(const PayloadContext& context, std::uint32_t max_bytes)
    : max_bytes_(max_bytes), start_unix_ms_(context.start_unix_ms) {
  patients_.reserve(context.patient_ids.size());
  for (std::size_t i = 0; i < context.patient_ids.size(); ++i) {
    patients_.emplace(context.patient_ids[i], static_cast<std::uint32_t>(i));
  }
  devices_.reserve(context.device_ids.size());
  for (std::size_t i = 0; i < context.device_ids.size(); ++i) {
    devices_.emplace(context.device_ids[i], static_cast<std::uint32_t>(i));
  }
  if (context.patient_ids.empty()) {
    patient_range_ = "none";
  } else {
    patient_range_ = context.patient_ids.front();
    if (context.patient_ids.size() > 1) patient_range_.append(" ... ").append(context.patient_ids.back());
  }
}

std::variant<SutAlarm, ParseFailure> SutAlarmParser::parse(std::string_view payload) const {
  if (payload.size() > max_bytes_) {
    std::string problem = "is ";
    problem += std::to_string(payload.size());
    problem += " bytes; allowed: at most ";
    problem += std::to_string(max_bytes_);
    problem += " bytes (live.max_alarm_bytes)";
    return failure(MalformedReason::oversized, "message", "", problem);
  }
  json message;
  try {
    // nlohmann's lexer rejects invalid UTF-8 inside strings and anything else that is not RFC 8259.
    message = json::parse(payload.begin(), payload.end());
  } catch (const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, ...": keep the part after the tag.
    std::string_view what = e.what();
    const std::size_t tag = what.find("] ");
    if (tag != std::string_view::npos) what.remove_prefix(tag + 2);
    std::string problem = "is not UTF-8 JSON text (";
    problem += printable_bytes(what, 160);
    problem += ')';
    return failure(MalformedReason::not_json, "message", printable_bytes(payload, SHOWN_VALUE_BYTES), problem);
  } catch (const std::exception& e) {
    // bad_alloc on a pathological message: the message is lost, the run is not.
    std::string problem = "could not be parsed (";
    problem += printable_bytes(e.what(), 80);
    problem += ')';
    return failure(MalformedReason::not_json, "message", printable_bytes(payload, SHOWN_VALUE_BYTES), problem);
  }
  if (!message.is_object()) {
    std::string problem = "is ";
    problem.append(json_kind(message)).append("; expected a JSON object with patient, type and priority");
    return failure(MalformedReason::not_object, "message", shown(message), problem);
  }

  for (const FieldRule& rule : FIELDS) {
    if (rule.required && !message.contains(rule.key)) {
      std::string problem = "is missing; required: ";
      problem += rule.expected;
      return failure(MalformedReason::missing_field, rule.key, "", problem);
    }
  }
  for (const FieldRule& rule : FIELDS) {
    const auto it = message.find(rule.key);
    if (it == message.end()) continue;
    const bool ok = rule.kind == json::value_t::string ? it->is_string() : it->is_number();
    if (!ok) {
      std::string problem = "is ";
      problem.append(json_kind(*it)).append("; expected ").append(rule.expected);
      return failure(MalformedReason::wrong_type, rule.key, shown(*it), problem);
    }
  }

  SutAlarm result;
  Alarm& alarm = result.alarm;
  const std::string& patient = message["patient"].get_ref<const std::string&>();
  const auto patient_it = patients_.find(patient);
  if (patient_it == patients_.end()) {
    std::string problem = "is not a patient of the run; allowed: its patient ids (";
    problem.append(patient_range_).append(")");
    return failure(MalformedReason::unknown_patient, "patient", printable_bytes(patient, SHOWN_VALUE_BYTES), problem);
  }
  alarm.patient = patient_it->second;
  if (const auto it = message.find("device"); it != message.end()) {
    const std::string& device = it->get_ref<const std::string&>();
    const auto device_it = devices_.find(device);
    if (device_it == devices_.end()) {
      return failure(MalformedReason::unknown_patient, "device", printable_bytes(device, SHOWN_VALUE_BYTES),
                     "is not a device of the run; allowed: its device ids (<patient id>-<device name>)");
    }
    alarm.device = device_it->second;
  }

  const std::string& type = message["type"].get_ref<const std::string&>();
  if (type.empty() || type.size() > MAX_TYPE_CHARS || !std::all_of(type.begin(), type.end(), is_type_character)) {
    return failure(MalformedReason::bad_value, "type", printable_bytes(type, SHOWN_VALUE_BYTES),
                   std::string("is not an alarm type; allowed: ") + TYPE_ALLOWED);
  }
  alarm.type = type;

  const std::string& priority_text = message["priority"].get_ref<const std::string&>();
  const std::optional<Priority> priority = priority_from_name(priority_text);
  if (!priority) {
    return failure(MalformedReason::bad_value, "priority", printable_bytes(priority_text, SHOWN_VALUE_BYTES),
                   "is not a priority; allowed: low, medium, high");
  }
  alarm.priority = *priority;

  if (const auto it = message.find("t"); it != message.end()) {
    const std::string& text = it->get_ref<const std::string&>();
    const std::optional<sim::Time> t = year_supported(text) ? parse_iso_time(text, start_unix_ms_) : std::nullopt;
    if (!t) {
      return failure(MalformedReason::bad_value, "t", printable_bytes(text, SHOWN_VALUE_BYTES),
                     std::string("is not a time; allowed: ") + TIME_ALLOWED);
    }
    result.sut_time = *t;
  }
  if (const auto it = message.find("id"); it != message.end()) {
    const std::string& id = it->get_ref<const std::string&>();
    if (utf8_length(id) > MAX_ID_CHARS) {
      return failure(MalformedReason::bad_value, "id", printable_bytes(id, SHOWN_VALUE_BYTES),
                     "is too long; allowed: at most 128 characters");
    }
    result.id = id;
  }
  if (const auto it = message.find("value"); it != message.end()) alarm.value = it->get<double>();
  if (const auto it = message.find("detail"); it != message.end()) {
    const std::string& detail = it->get_ref<const std::string&>();
    if (utf8_length(detail) > MAX_DETAIL_CHARS) {
      return failure(MalformedReason::bad_value, "detail", printable_bytes(detail, SHOWN_VALUE_BYTES),
                     "is too long; allowed: at most 512 characters");
    }
    alarm.detail = detail;
  }
  return result;
}

std::variant<SutAlarm, ParseFailure> parse_sut_alarm(std::string_view payload, std::uint32_t max_bytes,
                                                     const PayloadContext& context) {
  try {
    return SutAlarmParser(context, max_bytes).parse(payload);
  } catch (const std::exception& e) {
    // Only building the index can throw (bad_alloc): still no exception out of here.
    std::string message = "message: could not be parsed (";
    message.append(printable_bytes(e.what(), 80)).append(")");
    return ParseFailure{MalformedReason::not_json, std::move(message)};
  }
}

SutAlarmReceiver::SutAlarmReceiver(PayloadContext context, std::uint32_t max_bytes, bool trust_sut_clock,
                                   std::function<sim::Time(std::chrono::steady_clock::time_point)> to_virtual)
    : parser_(context, max_bytes), trust_sut_clock_(trust_sut_clock), to_virtual_(std::move(to_virtual)) {}

void SutAlarmReceiver::on_message(std::string_view payload, std::chrono::steady_clock::time_point received) {
  // Parsed outside the lock: the parser is const and the MQTT thread should not wait on readers.
  std::variant<SutAlarm, ParseFailure> outcome = parser_.parse(payload);
  const std::lock_guard lock(mutex_);
  ++messages_;
  if (auto* bad = std::get_if<ParseFailure>(&outcome)) {
    const auto reason = static_cast<std::size_t>(bad->reason);
    ++malformed_[reason];
    const std::string_view name = malformed_reason_name(bad->reason);
    const auto sampled = std::count_if(samples_.begin(), samples_.end(), [&](const json& sample) {
      return sample.at("reason").get_ref<const std::string&>() == name;
    });
    if (static_cast<std::size_t>(sampled) < SAMPLES_PER_REASON) {
      samples_.push_back(json{{"reason", name},
                              {"error", bad->message},
                              {"payload", printable_bytes(payload, SAMPLE_PAYLOAD_BYTES)},
                              {"bytes", payload.size()}});
    }
    return;
  }
  SutAlarm& good = std::get<SutAlarm>(outcome);
  Received entry;
  entry.received = to_virtual_(received);
  entry.sut_time = good.sut_time;
  entry.id = std::move(good.id);
  entry.alarm = std::move(good.alarm);
  entry.alarm.time = trust_sut_clock_ && entry.sut_time ? *entry.sut_time : entry.received;
  received_.push_back(std::move(entry));
}

std::vector<SutAlarmReceiver::Received> SutAlarmReceiver::received() const {
  const std::lock_guard lock(mutex_);
  return received_;
}

std::vector<Alarm> SutAlarmReceiver::alarms() const {
  const std::lock_guard lock(mutex_);
  std::vector<Alarm> alarms;
  alarms.reserve(received_.size());
  for (const Received& entry : received_) alarms.push_back(entry.alarm);
  return alarms;
}

json SutAlarmReceiver::summary(const ScoringConfig& config) const {
  const std::lock_guard lock(mutex_);
  std::uint64_t malformed = 0;
  json by_reason = json::object();
  for (std::size_t i = 0; i < MALFORMED_REASON_COUNT; ++i) {
    by_reason[std::string(REASON_NAMES[i])] = malformed_[i];
    malformed += malformed_[i];
  }
  json unknown_types = json::object();
  std::vector<double> offsets_s;
  for (const Received& entry : received_) {
    if (!config.alarm_classes.contains(entry.alarm.type)) {
      json& count = unknown_types[entry.alarm.type];
      count = count.is_null() ? 1 : count.get<std::uint64_t>() + 1;
    }
    if (entry.sut_time) offsets_s.push_back((*entry.sut_time - entry.received).seconds());
  }
  json clock = nullptr;
  if (!offsets_s.empty()) {
    std::sort(offsets_s.begin(), offsets_s.end());
    // Nearest rank, as the scorer's delays: the smallest offset with at least half the offsets <= it.
    const std::size_t rank = (offsets_s.size() + 1) / 2;
    clock = json{{"messages", offsets_s.size()}, {"p50", offsets_s[rank - 1]}, {"max", offsets_s.back()}};
  }
  return json{{"messages", messages_},
              {"accepted", received_.size()},
              {"malformed", malformed},
              {"malformed_by_reason", std::move(by_reason)},
              {"malformed_samples", samples_},
              {"unknown_types", std::move(unknown_types)},
              {"sut_clock_offset", std::move(clock)}};
}

}  // namespace twinbed::harness
