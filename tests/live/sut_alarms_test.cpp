// Alarms back from the SUT (harness/SutAlarms.hpp, docs/sut-alarms.md): exact messages in, exact
// alarms or failures out; the receiver's counts, samples, time stamps and summary.
#include "harness/SutAlarms.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

using namespace twinbed;
using namespace twinbed::harness;
using nlohmann::json;

namespace {

constexpr std::int64_t START_2026 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::uint32_t MAX_BYTES = 4096;

PayloadContext context() {
  PayloadContext c;
  c.run = "r1";
  c.start_unix_ms = START_2026;
  c.patient_ids = {"p0001", "p0002"};
  c.patient_sites = {"p", "p"};
  c.device_ids = {"p0001-spo2", "p0002-ecg"};
  return c;
}

SutAlarm accepted(std::string_view payload) {
  auto outcome = parse_sut_alarm(payload, MAX_BYTES, context());
  if (auto* bad = std::get_if<ParseFailure>(&outcome)) {
    ADD_FAILURE() << "rejected: " << bad->message;
    return {};
  }
  return std::get<SutAlarm>(outcome);
}

ParseFailure rejected(std::string_view payload) {
  auto outcome = parse_sut_alarm(payload, MAX_BYTES, context());
  if (std::holds_alternative<SutAlarm>(outcome)) {
    ADD_FAILURE() << "accepted: " << payload;
    return {};
  }
  return std::get<ParseFailure>(outcome);
}

// A steady-clock instant `ms` after the clock's epoch, and a pacer at 10 x real time from it.
std::chrono::steady_clock::time_point at_ms(std::int64_t ms) {
  return std::chrono::steady_clock::time_point(std::chrono::milliseconds(ms));
}
sim::Time ten_times(std::chrono::steady_clock::time_point tp) {
  return sim::Time::from_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(tp.time_since_epoch()).count() * 10);
}

// before + i + after (not "literal" + std::to_string: GCC 12 -Wrestrict false positive).
std::string numbered(const char* before, int i, const char* after) {
  std::string text = before;
  text.append(std::to_string(i)).append(after);
  return text;
}

}  // namespace

TEST(SutAlarmParse, EveryField) {
  const SutAlarm a = accepted(
      R"({"patient":"p0002","type":"spo2_low","priority":"high","t":"2026-01-01T03:12:41.200Z","id":"a-91",)"
      R"("device":"p0002-ecg","value":85.5,"detail":"SpO2 85 % for 15 s","vendor_field":[1,2]})");
  EXPECT_EQ(a.alarm.patient, 1u);
  EXPECT_EQ(a.alarm.device, 1u);
  EXPECT_EQ(a.alarm.type, "spo2_low");
  EXPECT_EQ(a.alarm.priority, Priority::high);
  EXPECT_EQ(a.alarm.value, 85.5);
  EXPECT_EQ(a.alarm.detail, "SpO2 85 % for 15 s");
  EXPECT_EQ(a.alarm.time, sim::Time::zero());  // the receiver stamps it
  EXPECT_FALSE(a.alarm.suppressed);
  ASSERT_TRUE(a.sut_time.has_value());
  EXPECT_EQ(*a.sut_time, sim::Time::from_ms((3 * 3600 + 12 * 60 + 41) * 1000 + 200));
  EXPECT_EQ(a.id, "a-91");
}

TEST(SutAlarmParse, RequiredFieldsOnly) {
  const SutAlarm a = accepted(R"({"priority":"low","type":"x","patient":"p0001"})");
  EXPECT_EQ(a.alarm.patient, 0u);
  EXPECT_EQ(a.alarm.device, NO_DEVICE);
  EXPECT_EQ(a.alarm.type, "x");
  EXPECT_EQ(a.alarm.priority, Priority::low);
  EXPECT_TRUE(std::isnan(a.alarm.value));
  EXPECT_EQ(a.alarm.detail, "");
  EXPECT_FALSE(a.sut_time.has_value());
  EXPECT_EQ(a.id, "");
}

TEST(SutAlarmParse, LimitsAndForms) {
  // 64 characters of every allowed kind, a time before the start with "+00:00", the longest id
  // and a detail of 512 two-byte characters (1024 bytes).
  const std::string type = "A-Za_z.0:9" + std::string(54, 'x');
  std::string detail;
  for (int i = 0; i < 512; ++i) detail += "\xC3\xA9";  // é
  const std::string payload = R"({"patient":"p0001","type":")" + type + R"(","priority":"medium","t":"2025-12-31T23:59:59.5+00:00","id":")" +
                              std::string(128, 'i') + R"(","value":-3,"detail":")" + detail + R"("})";
  const SutAlarm a = accepted(payload);
  EXPECT_EQ(a.alarm.type, type);
  EXPECT_EQ(*a.sut_time, sim::Time::from_ms(-500));
  EXPECT_EQ(a.id.size(), 128u);
  EXPECT_EQ(a.alarm.value, -3.0);
  EXPECT_EQ(a.alarm.detail.size(), 1024u);
  // The duplicate key: nlohmann keeps the last.
  EXPECT_EQ(accepted(R"({"patient":"p0009","patient":"p0002","type":"x","priority":"high"})").alarm.patient, 1u);
}

struct Rejection {
  std::string payload;
  MalformedReason reason;
  std::string message;
};

TEST(SutAlarmParse, EachMalformedReasonWithItsMessage) {
  const std::string base = R"("patient":"p0001","type":"spo2_low","priority":"high")";
  const std::string type_allowed = "1-64 characters of A-Z a-z 0-9 _ . : -";
  const std::string time_allowed = "ISO 8601 UTC YYYY-MM-DDThh:mm:ss[.fff]Z (or +00:00), years 1970-2199";
  const std::vector<Rejection> cases{
      {std::string(5000, ' '), MalformedReason::oversized,
       "message: is 5000 bytes; allowed: at most 4096 bytes (live.max_alarm_bytes)"},
      {"[1]", MalformedReason::not_object,
       "message: '[1]' is an array; expected a JSON object with patient, type and priority"},
      {"null", MalformedReason::not_object,
       "message: 'null' is null; expected a JSON object with patient, type and priority"},
      {"\"spo2_low\"", MalformedReason::not_object,
       "message: 'spo2_low' is a string; expected a JSON object with patient, type and priority"},
      {R"({"type":"spo2_low","priority":"high"})", MalformedReason::missing_field,
       "patient: is missing; required: a patient id of the run (a string)"},
      {R"({"patient":"p0001","priority":"high"})", MalformedReason::missing_field,
       "type: is missing; required: an alarm type (a string of 1-64 characters of A-Z a-z 0-9 _ . : -)"},
      {R"({"patient":"p0001","type":"spo2_low"})", MalformedReason::missing_field,
       "priority: is missing; required: low, medium or high (a string)"},
      {R"({"patient":"p0001","type":"spo2_low","priority":2})", MalformedReason::wrong_type,
       "priority: '2' is a number; expected low, medium or high (a string)"},
      {R"({"patient":"p0001","type":7,"priority":"high"})", MalformedReason::wrong_type,
       "type: '7' is a number; expected an alarm type (a string of 1-64 characters of A-Z a-z 0-9 _ . : -)"},
      {"{" + base + R"(,"value":"85"})", MalformedReason::wrong_type, "value: '85' is a string; expected a number"},
      {"{" + base + R"(,"t":null})", MalformedReason::wrong_type,
       "t: 'null' is null; expected an ISO 8601 UTC time (a string, e.g. 2026-01-01T03:12:41.200Z)"},
      {"{" + base + R"(,"device":{"id":"p0001-spo2"}})", MalformedReason::wrong_type,
       "device: '{\"id\":\"p0001-spo2\"}' is an object; expected a device id of the run (a string)"},
      {R"({"patient":"p0001","type":"spo2_low","priority":"urgent"})", MalformedReason::bad_value,
       "priority: 'urgent' is not a priority; allowed: low, medium, high"},
      {R"({"patient":"p0001","type":"spo2_low","priority":"HIGH"})", MalformedReason::bad_value,
       "priority: 'HIGH' is not a priority; allowed: low, medium, high"},
      {"{" + base + R"(,"t":"yesterday"})", MalformedReason::bad_value, "t: 'yesterday' is not a time; allowed: " + time_allowed},
      {"{" + base + R"(,"t":"2026-02-30T00:00:00Z"})", MalformedReason::bad_value,
       "t: '2026-02-30T00:00:00Z' is not a time; allowed: " + time_allowed},
      {"{" + base + R"(,"t":"9999-12-31T23:59:59Z"})", MalformedReason::bad_value,
       "t: '9999-12-31T23:59:59Z' is not a time; allowed: " + time_allowed},
      {"{" + base + R"(,"t":"2026-01-01T03:12:41"})", MalformedReason::bad_value,
       "t: '2026-01-01T03:12:41' is not a time; allowed: " + time_allowed},
      {R"({"patient":"p0009","type":"spo2_low","priority":"high"})", MalformedReason::unknown_patient,
       "patient: 'p0009' is not a patient of the run; allowed: its patient ids (p0001 ... p0002)"},
      {"{" + base + R"(,"device":"p0001-bp"})", MalformedReason::unknown_patient,
       "device: 'p0001-bp' is not a device of the run; allowed: its device ids (<patient id>-<device name>)"},
      {R"({"patient":"p0001","type":")" + std::string(65, 'a') + R"(","priority":"high"})", MalformedReason::bad_value,
       "type: '" + std::string(40, 'a') + "...' is not an alarm type; allowed: " + type_allowed},
      {R"({"patient":"p0001","type":"spo2 low","priority":"high"})", MalformedReason::bad_value,
       "type: 'spo2 low' is not an alarm type; allowed: " + type_allowed},
      {R"({"patient":"p0001","type":"","priority":"high"})", MalformedReason::bad_value,
       "type: is not an alarm type; allowed: " + type_allowed},
      {"{" + base + R"(,"id":")" + std::string(129, 'i') + R"("})", MalformedReason::bad_value,
       "id: '" + std::string(40, 'i') + "...' is too long; allowed: at most 128 characters"},
      {"{" + base + R"(,"detail":")" + std::string(513, 'd') + R"("})", MalformedReason::bad_value,
       "detail: '" + std::string(40, 'd') + "...' is too long; allowed: at most 512 characters"},
      // A non-ASCII id is shown escaped, so the message stays one printable line.
      {R"({"patient":"p\u00e9\n1","type":"x","priority":"low"})", MalformedReason::unknown_patient,
       "patient: 'p\\xC3\\xA9\\x0A1' is not a patient of the run; allowed: its patient ids (p0001 ... p0002)"},
      // Structure before values: the wrong type is reported although the patient is unknown.
      {R"({"patient":"p0009","type":"x","priority":3})", MalformedReason::wrong_type,
       "priority: '3' is a number; expected low, medium or high (a string)"},
  };
  for (const Rejection& c : cases) {
    const ParseFailure failure = rejected(c.payload);
    EXPECT_EQ(malformed_reason_name(failure.reason), malformed_reason_name(c.reason)) << c.payload;
    EXPECT_EQ(failure.message, c.message) << c.payload;
  }
}

TEST(SutAlarmParse, NotJson) {
  // Garbage bytes, invalid UTF-8 inside a string, an unpaired surrogate escape, trailing text and
  // the empty message: nlohmann's own explanation, after ours, escaped to printable ASCII.
  const std::vector<std::pair<std::string, std::string>> cases{
      {"\x01\x02garbage\xFF", "message: '\\x01\\x02garbage\\xFF' is not UTF-8 JSON text (parse error at line 1, column 1:"},
      {"{\"patient\":\"p\xFF" "0001\",\"type\":\"x\",\"priority\":\"low\"}",
       "message: '{\"patient\":\"p\\xFF0001\",\"type\":\"x\",\"priority...' is not UTF-8 JSON text (parse error at line 1, column 14:"},
      {R"({"patient":"\ud800","type":"x","priority":"low"})",
       "message: '{\"patient\":\"\\ud800\",\"type\":\"x\",\"priority...' is not UTF-8 JSON text (parse error at line 1, column 19:"},
      {R"({"patient":"p0001","type":"x","priority":"low"} x)",
       "message: '{\"patient\":\"p0001\",\"type\":\"x\",\"priority\"...' is not UTF-8 JSON text (parse error at line 1, column 49:"},
      {"", "message: is not UTF-8 JSON text (parse error at line 1, column 1:"},
  };
  for (const auto& [payload, prefix] : cases) {
    const ParseFailure failure = rejected(payload);
    EXPECT_EQ(failure.reason, MalformedReason::not_json) << failure.message;
    EXPECT_EQ(failure.message.substr(0, prefix.size()), prefix);
    EXPECT_EQ(failure.message.back(), ')');
  }
  EXPECT_NE(rejected("{\"patient\":\"p\xFF" "0001\"}").message.find("ill-formed UTF-8 byte"), std::string::npos);
}

TEST(SutAlarmParse, OversizedAtTheLimit) {
  // A valid message padded with spaces to exactly max_bytes is parsed; one byte more is not.
  std::string payload = R"({"patient":"p0001","type":"x","priority":"low"})";
  payload.resize(MAX_BYTES, ' ');
  EXPECT_EQ(accepted(payload).alarm.type, "x");
  payload += ' ';
  EXPECT_EQ(rejected(payload).message, "message: is 4097 bytes; allowed: at most 4096 bytes (live.max_alarm_bytes)");
}

TEST(SutAlarmParse, PrintableBytes) {
  EXPECT_EQ(printable_bytes("abc", 40), "abc");
  EXPECT_EQ(printable_bytes(std::string_view("a\0b\n\x7F\x80\xFF", 7), 40), "a\\x00b\\x0A\\x7F\\x80\\xFF");
  EXPECT_EQ(printable_bytes("abcdef", 3), "abc...");
  EXPECT_EQ(printable_bytes("abc", 3), "abc");
}

TEST(SutAlarmReceiver, StampsReceiveTimeAndTrustsTheSutClockOnlyWhenAsked) {
  const std::string with_t = R"({"patient":"p0001","type":"spo2_low","priority":"high","t":"2026-01-01T00:00:05Z","id":"a"})";
  const std::string without_t = R"({"patient":"p0002","type":"hr_high","priority":"medium"})";
  for (const bool trust : {false, true}) {
    SutAlarmReceiver receiver(context(), MAX_BYTES, trust, ten_times);
    receiver.on_message(with_t, at_ms(700));      // received at 7 s simulated
    receiver.on_message(without_t, at_ms(1250));  // 12.5 s
    const std::vector<SutAlarmReceiver::Received> got = receiver.received();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].received, sim::Time::from_s(7));
    EXPECT_EQ(got[0].sut_time, sim::Time::from_s(5));
    EXPECT_EQ(got[0].id, "a");
    EXPECT_EQ(got[0].alarm.time, trust ? sim::Time::from_s(5) : sim::Time::from_s(7));
    EXPECT_EQ(got[1].received, sim::Time::from_ms(12500));
    EXPECT_FALSE(got[1].sut_time.has_value());
    EXPECT_EQ(got[1].alarm.time, sim::Time::from_ms(12500));  // no t: receive time either way
    const std::vector<Alarm> alarms = receiver.alarms();
    ASSERT_EQ(alarms.size(), 2u);
    EXPECT_EQ(alarms[0].time, got[0].alarm.time);
    EXPECT_EQ(alarms[1].type, "hr_high");
    EXPECT_EQ(alarms[1].patient, 1u);
  }
}

TEST(SutAlarmReceiver, SamplesTheFirstFivePerReasonAndCountsAll) {
  SutAlarmReceiver receiver(context(), 256, false, ten_times);
  for (int i = 0; i < 7; ++i) receiver.on_message(numbered("garbage ", i, ""), at_ms(i));
  for (int i = 0; i < 6; ++i) receiver.on_message(numbered("[", i, "]"), at_ms(i));
  for (int i = 0; i < 3; ++i) receiver.on_message(R"({"patient":"p0001","type":"x","priority":"low"})", at_ms(i));
  // 300 bytes: oversized for 256; a newline, a NUL and a non-UTF-8 byte inside.
  std::string big = "line one\nline two";
  big += std::string_view("\0\xFF", 2);
  big.resize(300, 'z');
  receiver.on_message(big, at_ms(9));

  const json summary = receiver.summary(ScoringConfig::defaults());
  EXPECT_EQ(summary["messages"], 17);
  EXPECT_EQ(summary["accepted"], 3);
  EXPECT_EQ(summary["malformed"], 14);
  EXPECT_EQ(summary["malformed_by_reason"],
            (json{{"oversized", 1}, {"not_json", 7}, {"not_object", 6}, {"missing_field", 0}, {"wrong_type", 0},
                  {"bad_value", 0}, {"unknown_patient", 0}}));
  const json& samples = summary["malformed_samples"];
  ASSERT_EQ(samples.size(), 11u);  // 5 + 5 + 1
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(samples[i]["reason"], "not_json");
    EXPECT_EQ(samples[i]["payload"], numbered("garbage ", i, ""));
    EXPECT_EQ(samples[5 + i]["reason"], "not_object");
    EXPECT_EQ(samples[5 + i]["payload"], numbered("[", i, "]"));
    EXPECT_EQ(samples[5 + i]["error"],
              numbered("message: '[", i, "]' is an array; expected a JSON object with patient, type and priority"));
  }
  const json& last = samples[10];
  EXPECT_EQ(last["reason"], "oversized");
  EXPECT_EQ(last["bytes"], 300);
  EXPECT_EQ(last["error"], "message: is 300 bytes; allowed: at most 256 bytes (live.max_alarm_bytes)");
  const std::string expected_payload = "line one\\x0Aline two\\x00\\xFF" + std::string(200 - 19, 'z') + "...";
  EXPECT_EQ(last["payload"], expected_payload);
  // The summary is valid UTF-8 JSON: it dumps (nlohmann throws on invalid UTF-8) and reads back.
  EXPECT_EQ(json::parse(summary.dump()), summary);
}

TEST(SutAlarmReceiver, SummaryExact) {
  SutAlarmReceiver receiver(context(), MAX_BYTES, false, ten_times);
  const std::string p1 = R"({"patient":"p0001","priority":"high",)";
  receiver.on_message(p1 + R"("type":"spo2_low","t":"2026-01-01T00:00:12Z"})", at_ms(1000));  // offset +2 s
  receiver.on_message(p1 + R"("type":"vendor_desat","t":"2026-01-01T00:00:07Z"})", at_ms(1000));  // -3 s
  receiver.on_message(p1 + R"("type":"vendor_desat","t":"2026-01-01T00:00:30Z"})", at_ms(2000));  // +10 s
  receiver.on_message(p1 + R"("type":"Vendor.Apnea:1"})", at_ms(3000));
  receiver.on_message(p1 + R"("type":"hr_high","device":"nope"})", at_ms(4000));
  const json expected = json::parse(R"json({
    "messages": 5, "accepted": 4, "malformed": 1,
    "malformed_by_reason": {"oversized": 0, "not_json": 0, "not_object": 0, "missing_field": 0, "wrong_type": 0,
                            "bad_value": 0, "unknown_patient": 1},
    "malformed_samples": [{"reason": "unknown_patient", "bytes": 70,
      "error": "device: 'nope' is not a device of the run; allowed: its device ids (<patient id>-<device name>)",
      "payload": "{\"patient\":\"p0001\",\"priority\":\"high\",\"type\":\"hr_high\",\"device\":\"nope\"}"}],
    "unknown_types": {"vendor_desat": 2, "Vendor.Apnea:1": 1},
    "sut_clock_offset": {"messages": 3, "p50": 2.0, "max": 10.0}
  })json");
  EXPECT_EQ(receiver.summary(ScoringConfig::defaults()), expected) << receiver.summary(ScoringConfig::defaults()).dump(2);
  // Mapped in the scenario's table, the vendor type is no longer unknown.
  ScoringConfig config = ScoringConfig::defaults();
  config.alarm_classes["vendor_desat"] = {"desaturation"};
  EXPECT_EQ(receiver.summary(config)["unknown_types"], (json{{"Vendor.Apnea:1", 1}}));
}

TEST(SutAlarmReceiver, EmptySummary) {
  const SutAlarmReceiver receiver(context(), MAX_BYTES, false, ten_times);
  const json summary = receiver.summary(ScoringConfig::defaults());
  EXPECT_EQ(summary["messages"], 0);
  EXPECT_EQ(summary["malformed_by_reason"].size(), MALFORMED_REASON_COUNT);
  EXPECT_EQ(summary["malformed_samples"], json::array());
  EXPECT_EQ(summary["unknown_types"], json::object());
  EXPECT_TRUE(summary["sut_clock_offset"].is_null());
}

TEST(SutAlarmReceiver, ClockOffsetPercentile) {
  // Offsets 0.25, -1.5, 4 and 0.75 s: nearest-rank p50 of 4 is the 2nd smallest, 0.25 s.
  SutAlarmReceiver receiver(context(), MAX_BYTES, true, ten_times);
  const std::vector<std::pair<std::string, std::int64_t>> messages{
      {"2026-01-01T00:00:10.250Z", 1000}, {"2026-01-01T00:00:08.500Z", 1000}, {"2026-01-01T00:00:14Z", 1000},
      {"2026-01-01T00:00:10.750Z", 1000}};
  for (const auto& [t, ms] : messages) {
    receiver.on_message(R"({"patient":"p0002","type":"x","priority":"low","t":")" + t + "\"}", at_ms(ms));
  }
  const json offset = receiver.summary(ScoringConfig::defaults())["sut_clock_offset"];
  EXPECT_EQ(offset["messages"], 4);
  EXPECT_DOUBLE_EQ(offset["p50"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(offset["max"].get<double>(), 4.0);
}

TEST(SutAlarmReceiver, TwoThreadsCountsAddUp) {
  // on_message runs on the MQTT client's thread while the run's thread reads: counts must add up.
  SutAlarmReceiver receiver(context(), MAX_BYTES, false, ten_times);
  const std::string good = R"({"patient":"p0001","type":"x","priority":"low"})";
  auto feed = [&](int n) {
    for (int i = 0; i < n; ++i) receiver.on_message(i % 3 == 0 ? std::string_view("{") : std::string_view(good), at_ms(i));
  };
  std::thread a(feed, 3000);
  std::thread b(feed, 3000);
  std::uint64_t seen = 0;
  for (int i = 0; i < 100; ++i) seen = std::max<std::uint64_t>(seen, receiver.received().size());
  a.join();
  b.join();
  const json summary = receiver.summary(ScoringConfig::defaults());
  EXPECT_EQ(summary["messages"], 6000);
  EXPECT_EQ(summary["accepted"], 4000);
  EXPECT_EQ(summary["malformed_by_reason"]["not_json"], 2000);
  EXPECT_EQ(summary["malformed_samples"].size(), 5u);
  EXPECT_LE(seen, 4000u);
}
