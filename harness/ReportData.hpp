#pragma once
// harness::ReportData: everything the HTML report shows, read from a run folder (run.h5 and
// summary.json) in one pass over each table. The big tables (/telemetry, /ground_truth/vitals)
// are streamed and reduced on the way: latency histograms per device type and min/max-binned
// vitals of the patients the report draws, so memory stays bounded for a day of a full ward.
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/LatencyHistogram.hpp"
#include "harness/ReportPlot.hpp"

namespace twinbed::harness {

// The vital-sign strips of a patient's timeline, top to bottom.
enum class Strip : std::size_t { heart_rate, spo2, respiration_rate, systolic_bp, temperature, glucose };
inline constexpr std::size_t STRIP_COUNT = 6;

struct StripInfo {
  std::string_view title;  // "HR"
  std::string_view unit;   // "/min"
  std::string_view truth_column;  // the /ground_truth/vitals column drawn as the reference line
};
const StripInfo& strip_info(Strip strip);
// The strip a /telemetry signal name is drawn in, if any (SBP only for blood pressure; core and
// skin temperature share one strip, as do plasma and interstitial glucose).
std::optional<Strip> strip_of_signal(std::string_view signal);
// The strip whose band shows a ground-truth event class, if any (desaturation -> SpO2, ...).
std::optional<Strip> strip_of_class(std::string_view event_class);

struct ReportPatient {
  std::uint32_t index = 0;
  std::string id, cohort, profile;
  std::uint64_t events = 0;  // ground-truth events, plus technical scored events
  std::uint64_t alarms = 0;  // annunciated alarms
};

struct ReportDevice {
  std::string id, type;
  std::uint32_t patient = 0;
};

struct ReportEvent {
  std::uint32_t patient = 0;
  std::string event_class;
  std::int64_t onset_ns = 0, offset_ns = 0;
  bool technical = false;
  std::optional<bool> detected;  // from /scores/events, for scored events
};

struct ReportAlarm {
  std::int64_t time_ns = 0;
  std::uint32_t patient = 0;
  std::string type, priority, outcome, cause, event_class, detail;
  bool suppressed = false;
  double value = 0.0;
};

struct ReportSeries {
  std::string label;  // the device id (and signal when the strip has several)
  MinMaxSeries values;
};

struct PatientTimeline {
  std::size_t patient = 0;  // index into ReportData::patients
  std::array<std::vector<ReportSeries>, STRIP_COUNT> measured;
  std::array<std::optional<MinMaxSeries>, STRIP_COUNT> truth;
};

struct ReportData {
  // /meta
  std::string scenario_name, scenario_file, scenario_text, overrides, run_id, version;
  std::string seed;
  std::int64_t duration_ns = 0;
  nlohmann::json summary;  // summary.json as written by the run
  std::vector<ReportPatient> patients;
  std::vector<ReportDevice> devices;
  std::vector<ReportEvent> events;  // ground truth, then technical events of /scores/events
  bool scored_events = false;       // /scores/events present
  std::vector<ReportAlarm> alarms;
  bool has_alarms = false;          // /alarms present
  // /scores/classes: one row per class then overall etc.; numbers by column name (NaN = undefined)
  std::vector<std::pair<std::string, std::map<std::string, double>>> scores;
  bool has_scores = false;
  std::vector<PatientTimeline> timelines;  // the drawn patients, in display order
  std::uint64_t telemetry_rows = 0;
  std::map<std::string, LatencyHistogram> latency_by_type;  // device type -> delivery - sample
  LatencyHistogram latency_all;
  std::uint64_t negative_latency = 0;  // rows delivered "before" their sample time (device clock ahead)
};

// Reads a run folder (or its run.h5, whose folder is used). Throws InputError when it is not a
// run folder, RunError when a file cannot be read.
ReportData read_report_data(const std::filesystem::path& run);

// The patients the report draws: most events + alarms first, then by id; at most `limit`.
std::vector<std::size_t> select_patients(const std::vector<ReportPatient>& patients, std::size_t limit);

}  // namespace twinbed::harness
