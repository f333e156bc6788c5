#pragma once
// harness::SutAlarms: alarms coming back from an external system under test (spec harness.md
// "Alarms back from the SUT"). Each message is parsed strictly; a good one becomes a harness::Alarm
// stamped with its receive time (or the SUT's `t` when the scenario trusts the SUT's clock), a bad
// one is counted by reason with a sample. SUT input never throws out of here.
//
// The contract (docs/live-harness.md): one JSON object per message, at most max_alarm_bytes,
//   {"patient":"p0007","type":"spo2_low","priority":"high","t":"2026-01-01T03:12:41.200Z","id":"a-91"}
// required: patient (a patient id of the run), type (1-64 characters of [A-Za-z0-9_.:-]),
// priority ("low" | "medium" | "high"); optional: t (ISO 8601 UTC), id (string, at most 128
// characters), device (a device id of the run), value (number), detail (string, at most 512
// characters). Other keys are ignored. The type is mapped to event classes by the scenario's
// scoring.alarm_types; unknown types are kept (the scorer reports them as unmapped).
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/Alarm.hpp"
#include "harness/Payload.hpp"
#include "harness/Scorer.hpp"

namespace twinbed::harness {

enum class MalformedReason : std::uint8_t {
  oversized = 0,        // longer than max_alarm_bytes (not parsed)
  not_json = 1,         // not valid UTF-8 JSON text
  not_object = 2,       // JSON, but not an object
  missing_field = 3,    // patient, type or priority absent
  wrong_type = 4,       // a field of the wrong JSON type (e.g. "priority": 2)
  bad_value = 5,        // right type, value not allowed (unknown priority, bad timestamp, empty type, ...)
  unknown_patient = 6,  // patient (or device) id not in the run
};
inline constexpr std::size_t MALFORMED_REASON_COUNT = 7;
std::string_view malformed_reason_name(MalformedReason reason);

// One parsed alarm message. `alarm.time` is left zero: the receiver stamps it.
struct SutAlarm {
  Alarm alarm;                      // patient, device, type, priority, value, detail
  std::optional<sim::Time> sut_time;  // `t`, as simulated time
  std::string id;
};

struct ParseFailure {
  MalformedReason reason = MalformedReason::not_json;
  std::string message;  // one line: which key, the bad value, what is allowed
};

// Parses messages against the run's patient and device ids, looked up in O(1) (a run may have
// thousands of devices and a SUT may send an alarm storm). parse() never throws and is const, so
// one parser serves any thread. Checks in this order, the first failure wins: size, JSON, object,
// presence of patient/type/priority, the JSON type of every known key, then the values (patient,
// device, type, priority, t, id, detail).
class SutAlarmParser {
public:
  SutAlarmParser(const PayloadContext& context, std::uint32_t max_bytes);
  std::variant<SutAlarm, ParseFailure> parse(std::string_view payload) const;

private:
  std::uint32_t max_bytes_;
  std::int64_t start_unix_ms_;
  std::unordered_map<std::string, std::uint32_t> patients_;  // id -> index
  std::unordered_map<std::string, std::uint32_t> devices_;
  std::string patient_range_;  // "p0001 ... p0004", for messages
};

// One message, with a parser built for it (O(patients + devices)): for tools and tests; a stream
// of messages goes through one SutAlarmParser. Never throws.
std::variant<SutAlarm, ParseFailure> parse_sut_alarm(std::string_view payload, std::uint32_t max_bytes,
                                                     const PayloadContext& context);

// The text of `bytes` safe for a one-line log or a JSON string: every byte outside printable
// ASCII (0x20-0x7E) as \xNN. Cut to `max_bytes` of the input first ("..." marks the cut).
std::string printable_bytes(std::string_view bytes, std::size_t max_bytes);

// Collects the alarms of a live run. on_message() is called from the MQTT client's thread; the
// rest from the run's thread. Thread-safe.
class SutAlarmReceiver {
public:
  // `to_virtual` maps a wall receive instant to simulated time (the run's pacer).
  SutAlarmReceiver(PayloadContext context, std::uint32_t max_bytes, bool trust_sut_clock,
                   std::function<sim::Time(std::chrono::steady_clock::time_point)> to_virtual);

  void on_message(std::string_view payload, std::chrono::steady_clock::time_point received);

  struct Received {
    Alarm alarm;                        // time = what it is scored on (receive time, or t if trusted and given)
    sim::Time received;                 // receive time as simulated time
    std::optional<sim::Time> sut_time;  // the message's t
    std::string id;
  };
  // In arrival order.
  std::vector<Received> received() const;
  std::vector<Alarm> alarms() const;  // received()[i].alarm

  // summary.json "live.alarms_back": {"messages", "accepted", "malformed",
  // "malformed_by_reason": {reason: n} (every reason, 0 included), "malformed_samples": [{"reason",
  // "error", "payload", "bytes"}] (the first 5 of each reason in arrival order, payload cut to 200
  // bytes with "..." marking the cut, non-printable bytes as \xNN, bytes = the message's length),
  // "unknown_types": {type: n} (accepted alarms whose type is not in config.alarm_classes),
  // "sut_clock_offset": {"messages", "p50", "max"} (t - receive time in s over the messages with t,
  // nearest-rank p50; null when no message had t)}.
  nlohmann::json summary(const ScoringConfig& config) const;

  // Samples kept per malformed reason.
  static constexpr std::size_t SAMPLES_PER_REASON = 5;
  // Payload bytes kept in a sample: enough to see what a SUT sent, small enough for summary.json.
  static constexpr std::size_t SAMPLE_PAYLOAD_BYTES = 200;

private:
  SutAlarmParser parser_;
  bool trust_sut_clock_;
  std::function<sim::Time(std::chrono::steady_clock::time_point)> to_virtual_;
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  std::uint64_t messages_ = 0;
  std::array<std::uint64_t, MALFORMED_REASON_COUNT> malformed_{};
  std::vector<nlohmann::json> samples_;
};

}  // namespace twinbed::harness
