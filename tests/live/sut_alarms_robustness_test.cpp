// SUT input never crashes the harness (spec harness.md "Alarms back from the SUT"): 10,000 random
// byte strings and 10,000 mutations of valid messages through parse_sut_alarm and the receiver.
// Every outcome is an alarm or a one-line failure, and the counts add up. A fixed seed keeps the
// inputs reproducible with one standard library (std::mt19937_64 is specified exactly, the
// distributions are not), so the assertions are bounds and exact sums.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>

#include "harness/SutAlarms.hpp"

using namespace twinbed;
using namespace twinbed::harness;
using nlohmann::json;

namespace {

constexpr std::uint32_t MAX_BYTES = 256;
constexpr int CASES = 10'000;

PayloadContext context() {
  PayloadContext c;
  c.run = "fuzz";
  c.start_unix_ms = 1767225600000;
  c.patient_ids = {"p0001", "p0002", "p0003"};
  c.patient_sites = {"p", "p", "p"};
  c.device_ids = {"p0001-spo2", "p0002-spo2", "p0003-ecg"};
  return c;
}

const std::vector<std::string> VALID{
    R"({"patient":"p0001","type":"spo2_low","priority":"high","t":"2026-01-01T03:12:41.200Z","id":"a-91"})",
    R"({"patient":"p0003","type":"asystole","priority":"high","device":"p0003-ecg","value":0,"detail":"no beats"})",
    R"({"patient":"p0002","type":"hr_high","priority":"medium"})",
};

// Pieces that steer mutations toward the parser's edges: JSON structure, escapes, numbers that
// overflow, wrong types, ill-formed UTF-8.
const std::vector<std::string> TOKENS{"{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "-0", "\\u0000",
                                      "\\ud800", "\\\"", "\xFF", "\xC3", "\xE2\x82", "\"priority\":2",
                                      "\"t\":\"2026-02-30T00:00:00Z\"", "\"patient\":\"p9999\"", "\n", " "};

// Values that are valid JSON but of the wrong type or not allowed for some key.
const std::vector<std::string> VALUES{"2",          "null",        "true",      "[1]",     "{}",
                                      "\"urgent\"", "\"p9999\"",   "\"\"",      "-1.5e3",  "\"x y\"",
                                      "\"2026-02-30T00:00:00Z\"",    "\"p0002-spo2\"", "\"low\""};
const std::vector<std::string> KEYS{"patient", "type", "priority", "t", "id", "device", "value", "detail"};

template <typename T>
const T& pick(const std::vector<T>& items, std::mt19937_64& rng) {
  return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
}

std::string mutate(std::string text, std::mt19937_64& rng) {
  const int mutations = std::uniform_int_distribution<int>(1, 4)(rng);
  for (int m = 0; m < mutations; ++m) {
    const std::size_t pos = text.empty() ? 0 : std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng);
    switch (std::uniform_int_distribution<int>(0, 7)(rng)) {
      case 5: {  // replace a key's value with another JSON value
        const std::string key = "\"" + pick(KEYS, rng) + "\":";
        const std::size_t at = text.find(key);
        if (at == std::string::npos) break;
        const std::size_t begin = at + key.size();
        const std::size_t end = text.find_first_of(",}", begin);
        text.replace(begin, end == std::string::npos ? std::string::npos : end - begin, pick(VALUES, rng));
        break;
      }
      case 6:  // pad with whitespace (valid JSON, toward oversized)
        text.append(std::uniform_int_distribution<std::size_t>(0, 200)(rng), ' ');
        break;
      case 7:  // another JSON value around it
        text = "[" + text + "]";
        break;
      case 0:  // flip a byte
        if (!text.empty()) text[pos] = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
        break;
      case 1:  // delete a run
        if (!text.empty()) text.erase(pos, std::uniform_int_distribution<std::size_t>(1, 8)(rng));
        break;
      case 2:  // insert a token
        text.insert(pos, pick(TOKENS, rng));
        break;
      case 3: {  // duplicate a run (grows toward oversized)
        const std::string run = text.substr(pos, std::uniform_int_distribution<std::size_t>(1, 64)(rng));
        text.insert(pos, run);
        break;
      }
      default:  // swap two bytes
        if (!text.empty()) std::swap(text[pos], text[std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng)]);
        break;
    }
  }
  return text;
}

struct Tally {
  std::uint64_t accepted = 0;
  std::array<std::uint64_t, MALFORMED_REASON_COUNT> by_reason{};
};

// Classifies one payload and checks the outcome's invariants.
void check(const std::string& payload, const SutAlarmParser& parser, Tally& tally) {
  const auto outcome = parser.parse(payload);
  if (const auto* alarm = std::get_if<SutAlarm>(&outcome)) {
    ++tally.accepted;
    ASSERT_LT(alarm->alarm.patient, 3u);
    ASSERT_TRUE(alarm->alarm.device == NO_DEVICE || alarm->alarm.device < 3u);
    ASSERT_FALSE(alarm->alarm.type.empty());
    ASSERT_LE(alarm->alarm.type.size(), 64u);
    return;
  }
  const auto& failure = std::get<ParseFailure>(outcome);
  ++tally.by_reason[static_cast<std::size_t>(failure.reason)];
  ASSERT_FALSE(failure.message.empty());
  // One line of printable ASCII, whatever the payload held.
  ASSERT_TRUE(std::all_of(failure.message.begin(), failure.message.end(),
                          [](char c) { return c >= 0x20 && c <= 0x7E; }))
      << printable_bytes(failure.message, 400);
}

std::uint64_t total(const Tally& tally) {
  std::uint64_t n = tally.accepted;
  for (const std::uint64_t k : tally.by_reason) n += k;
  return n;
}

void feed_and_compare(const std::vector<std::string>& payloads, const Tally& tally) {
  SutAlarmReceiver receiver(context(), MAX_BYTES, true, [](std::chrono::steady_clock::time_point) {
    return sim::Time::from_s(1);
  });
  for (const std::string& payload : payloads) receiver.on_message(payload, std::chrono::steady_clock::now());
  const json summary = receiver.summary(ScoringConfig::defaults());
  EXPECT_EQ(summary["messages"], payloads.size());
  EXPECT_EQ(summary["accepted"], tally.accepted);
  EXPECT_EQ(summary["malformed"].get<std::uint64_t>() + summary["accepted"].get<std::uint64_t>(), payloads.size());
  std::size_t samples_expected = 0;
  for (std::size_t i = 0; i < MALFORMED_REASON_COUNT; ++i) {
    const std::string name(malformed_reason_name(static_cast<MalformedReason>(i)));
    EXPECT_EQ(summary["malformed_by_reason"][name], tally.by_reason[i]) << name;
    samples_expected += std::min<std::uint64_t>(tally.by_reason[i], SutAlarmReceiver::SAMPLES_PER_REASON);
  }
  EXPECT_EQ(summary["malformed_samples"].size(), samples_expected);
  // Whatever the SUT sent, summary.json is valid UTF-8 JSON.
  EXPECT_EQ(json::parse(summary.dump()), summary);
}

// The outcome counts, for the record (docs and reports quote them).
void print_figures(const Tally& tally) {
  std::string figures = "accepted ";
  figures += std::to_string(tally.accepted);
  for (std::size_t i = 0; i < MALFORMED_REASON_COUNT; ++i) {
    figures += ", ";
    figures += malformed_reason_name(static_cast<MalformedReason>(i));
    figures += ' ';
    figures += std::to_string(tally.by_reason[i]);
  }
  std::cout << "[ figures  ] " << figures << "\n";
}

}  // namespace

TEST(SutAlarmRobustness, RandomBytes) {
  std::mt19937_64 rng(20260101);
  const SutAlarmParser parser(context(), MAX_BYTES);
  std::vector<std::string> payloads;
  Tally tally;
  for (int i = 0; i < CASES; ++i) {
    std::string payload(std::uniform_int_distribution<std::size_t>(0, 300)(rng), '\0');
    for (char& c : payload) c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    ASSERT_NO_FATAL_FAILURE(check(payload, parser, tally));
    payloads.push_back(std::move(payload));
  }
  EXPECT_EQ(total(tally), static_cast<std::uint64_t>(CASES));
  // Lengths are uniform in 0-300 against a limit of 256: 44 of 301 lengths are oversized (1,462
  // expected, sd 35); nearly all the rest is not JSON (a lone digit is JSON, but not an object),
  // and none is an alarm.
  EXPECT_EQ(tally.accepted, 0u);
  EXPECT_GT(tally.by_reason[0], 1300u);
  EXPECT_LT(tally.by_reason[0], 1630u);
  EXPECT_GT(tally.by_reason[1], 8300u);
  feed_and_compare(payloads, tally);
  print_figures(tally);
}

TEST(SutAlarmRobustness, MutatedValidMessages) {
  std::mt19937_64 rng(7);
  const SutAlarmParser parser(context(), MAX_BYTES);
  std::vector<std::string> payloads;
  Tally tally;
  for (int i = 0; i < CASES; ++i) {
    std::string payload = mutate(VALID[static_cast<std::size_t>(i) % VALID.size()], rng);
    ASSERT_NO_FATAL_FAILURE(check(payload, parser, tally));
    payloads.push_back(std::move(payload));
  }
  EXPECT_EQ(total(tally), static_cast<std::uint64_t>(CASES));
  // Mutations reach every stage of the parser: each reason occurs, and some mutants (a changed
  // id, detail or time digit) are still valid alarms.
  for (std::size_t i = 0; i < MALFORMED_REASON_COUNT; ++i) {
    EXPECT_GT(tally.by_reason[i], 0u) << malformed_reason_name(static_cast<MalformedReason>(i));
  }
  EXPECT_GT(tally.accepted, 0u);
  feed_and_compare(payloads, tally);
  print_figures(tally);
}

TEST(SutAlarmRobustness, DeepNestingAtTheLargestLimit) {
  // 524,288 nested arrays in the largest message live.max_alarm_bytes allows (1 MiB). nlohmann's
  // parser and destructor are iterative but json::dump() recurses per level and overflowed the
  // stack here: the error line's preview of the value must not use it. Unbalanced: not_json.
  constexpr std::uint32_t LIMIT = 1'048'576;
  const SutAlarmParser parser(context(), LIMIT);
  const std::string nested = std::string(LIMIT / 2, '[') + std::string(LIMIT / 2, ']');
  const auto outcome = parser.parse(nested);
  ASSERT_TRUE(std::holds_alternative<ParseFailure>(outcome));
  EXPECT_EQ(std::get<ParseFailure>(outcome).reason, MalformedReason::not_object);
  EXPECT_EQ(std::get<ParseFailure>(outcome).message,
            "message: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...' is an array; expected a JSON object with patient, "
            "type and priority");
  const auto open = parser.parse(std::string(LIMIT, '{'));
  ASSERT_TRUE(std::holds_alternative<ParseFailure>(open));
  EXPECT_EQ(std::get<ParseFailure>(open).reason, MalformedReason::not_json);
  // The same depth as the value of a key: a wrong_type, previewed within 40 bytes.
  const std::string deep_type = R"({"patient":"p0001","priority":"low","type":{"a":)" + std::string(LIMIT / 2 - 40, '[') +
                                std::string(LIMIT / 2 - 40, ']') + "}}";
  const auto typed = parser.parse(deep_type);
  ASSERT_TRUE(std::holds_alternative<ParseFailure>(typed));
  EXPECT_EQ(std::get<ParseFailure>(typed).message,
            "type: '{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...' is an object; expected an alarm type (a string of 1-64 "
            "characters of A-Z a-z 0-9 _ . : -)");
}
