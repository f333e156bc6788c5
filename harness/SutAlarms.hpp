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

// Parses one message against the run's patient and device ids. Never throws.
std::variant<SutAlarm, ParseFailure> parse_sut_alarm(std::string_view payload, std::uint32_t max_bytes,
                                                     const PayloadContext& context);

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
  // "error", "payload"}] (the first 5 of each reason, payload cut to 200 bytes, non-printable bytes
  // as \xNN), "unknown_types": {type: n} (types not in config.alarm_classes), "sut_clock_offset":
  // {"p50", "max"} (t - receive time in s over messages with t, null without)}.
  nlohmann::json summary(const ScoringConfig& config) const;

private:
  PayloadContext context_;
  std::uint32_t max_bytes_;
  bool trust_sut_clock_;
  std::function<sim::Time(std::chrono::steady_clock::time_point)> to_virtual_;
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  std::uint64_t messages_ = 0;
  std::array<std::uint64_t, MALFORMED_REASON_COUNT> malformed_{};
  std::vector<nlohmann::json> samples_;
};

}  // namespace twinbed::harness
