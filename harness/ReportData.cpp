#include "harness/ReportData.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <tuple>

#include "harness/H5Table.hpp"
#include "harness/InputError.hpp"
#include "harness/Report.hpp"
#include "harness/RunFolder.hpp"

namespace twinbed::harness {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t READ_ROWS = 1u << 18;  // rows per HDF5 read, to bound memory
constexpr std::int64_t SENSOR_OFF_FLAG = 4;     // /telemetry.flags bit 2 (results-schema.md): no value

constexpr std::array<StripInfo, STRIP_COUNT> STRIPS{{
    {"HR", "/min", "heart_rate_bpm"},
    {"SpO2", "%", "spo2_percent"},
    {"RR", "/min", "respiration_rate_per_min"},
    {"SBP", "mmHg", "systolic_mmhg"},
    {"Temp", "°C", "core_temperature_c"},
    {"Glucose", "mg/dL", "glucose_mg_dl"},
}};

bool has_dataset(const H5::H5File& file, const std::string& path) {
  // nameExists fails on a missing intermediate group, so walk the path one level at a time.
  std::string prefix;
  std::stringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty()) continue;
    prefix += (prefix.empty() ? "" : "/") + part;
    if (!file.nameExists(prefix)) return false;
  }
  return !prefix.empty() && file.childObjType(prefix) == H5O_TYPE_DATASET;
}

std::string meta_text(const H5::Group& meta, const std::string& name) {
  if (!meta.attrExists(name)) return {};
  return attribute_text(meta.openAttribute(name)).value_or("");
}

void read_patients_and_devices(const H5::H5File& file, ReportData& data) {
  H5Table patients(file, "/patients");
  patients.load_all();
  const std::size_t id = patients.column("id"), cohort = patients.column("cohort"), profile = patients.column("profile");
  for (std::size_t r = 0; r < patients.loaded(); ++r) {
    data.patients.push_back(ReportPatient{static_cast<std::uint32_t>(r), patients.text(r, id), patients.text(r, cohort),
                                          patients.text(r, profile), 0, 0});
  }
  H5Table devices(file, "/devices");
  devices.load_all();
  const std::size_t device_id = devices.column("id"), type = devices.column("type"), owner = devices.column("patient");
  for (std::size_t r = 0; r < devices.loaded(); ++r) {
    data.devices.push_back(ReportDevice{devices.text(r, device_id), devices.text(r, type),
                                        static_cast<std::uint32_t>(devices.integer(r, owner))});
  }
}

void read_events(const H5::H5File& file, ReportData& data) {
  if (has_dataset(file, "/ground_truth/events")) {
    H5Table events(file, "/ground_truth/events");
    events.load_all();
    const std::size_t patient = events.column("patient"), event_class = events.column("event_class"),
                      onset = events.column("onset_ns"), offset = events.column("offset_ns");
    for (std::size_t r = 0; r < events.loaded(); ++r) {
      data.events.push_back(ReportEvent{static_cast<std::uint32_t>(events.integer(r, patient)),
                                        events.text(r, event_class), events.integer(r, onset),
                                        events.integer(r, offset), false, std::nullopt});
    }
  }
  if (!has_dataset(file, "/scores/events")) return;
  data.scored_events = true;
  H5Table scored(file, "/scores/events");
  scored.load_all();
  const std::size_t patient = scored.column("patient"), event_class = scored.column("event_class"),
                    onset = scored.column("onset_ns"), offset = scored.column("offset_ns"),
                    is_scored = scored.column("scored"), technical = scored.column("technical"),
                    detected = scored.column("detected");
  // Ground-truth rows by (patient, onset, offset, class), to mark the scored ones.
  std::map<std::tuple<std::uint32_t, std::int64_t, std::int64_t, std::string>, std::size_t> truth_row;
  for (std::size_t i = 0; i < data.events.size(); ++i) {
    const ReportEvent& e = data.events[i];
    truth_row.emplace(std::make_tuple(e.patient, e.onset_ns, e.offset_ns, e.event_class), i);
  }
  for (std::size_t r = 0; r < scored.loaded(); ++r) {
    const ReportEvent event{static_cast<std::uint32_t>(scored.integer(r, patient)),
                            scored.text(r, event_class),
                            scored.integer(r, onset),
                            scored.integer(r, offset),
                            scored.integer(r, technical) != 0,
                            scored.integer(r, is_scored) != 0 ? std::optional<bool>(scored.integer(r, detected) != 0)
                                                              : std::nullopt};
    if (event.technical) {
      data.events.push_back(event);
      continue;
    }
    // A physiological scored event is a ground-truth row: mark that row detected or missed.
    const auto found = truth_row.find(std::make_tuple(event.patient, event.onset_ns, event.offset_ns, event.event_class));
    if (found != truth_row.end()) data.events[found->second].detected = event.detected;
  }
}

void read_alarms_and_scores(const H5::H5File& file, ReportData& data) {
  if (has_dataset(file, "/alarms")) {
    data.has_alarms = true;
    H5Table alarms(file, "/alarms");
    alarms.load_all();
    const std::size_t time = alarms.column("time_ns"), patient = alarms.column("patient"), type = alarms.column("type"),
                      priority = alarms.column("priority"), suppressed = alarms.column("suppressed"),
                      value = alarms.column("value"), outcome = alarms.column("outcome"), cause = alarms.column("cause"),
                      event_class = alarms.column("event_class"), detail = alarms.column("detail");
    for (std::size_t r = 0; r < alarms.loaded(); ++r) {
      ReportAlarm alarm;
      alarm.time_ns = alarms.integer(r, time);
      alarm.patient = static_cast<std::uint32_t>(alarms.integer(r, patient));
      alarm.type = alarms.text(r, type);
      alarm.priority = alarms.text(r, priority);
      alarm.suppressed = alarms.integer(r, suppressed) != 0;
      alarm.value = alarms.number(r, value);
      alarm.outcome = alarms.text(r, outcome);
      alarm.cause = alarms.text(r, cause);
      alarm.event_class = alarms.text(r, event_class);
      alarm.detail = alarms.text(r, detail);
      data.alarms.push_back(std::move(alarm));
    }
  }
  if (has_dataset(file, "/scores/classes")) {
    data.has_scores = true;
    H5Table classes(file, "/scores/classes");
    classes.load_all();
    const std::size_t name = classes.column("name");
    for (std::size_t r = 0; r < classes.loaded(); ++r) {
      std::map<std::string, double> values;
      for (std::size_t c = 0; c < classes.columns().size(); ++c) {
        const ColumnKind kind = classes.columns()[c].kind;
        if (kind == ColumnKind::fixed_string || kind == ColumnKind::variable_string) continue;
        values[classes.columns()[c].name] = classes.number(r, c);
      }
      data.scores.emplace_back(classes.text(r, name), std::move(values));
    }
  }
}

// One pass over /telemetry: latency of every row, vitals of the drawn patients.
void read_telemetry(const H5::H5File& file, ReportData& data, const std::vector<std::ptrdiff_t>& slot_of_patient) {
  H5Table telemetry(file, "/telemetry");
  data.telemetry_rows = telemetry.rows();
  const std::size_t sample = telemetry.column("sample_time_ns"), delivery = telemetry.column("delivery_time_ns"),
                    patient = telemetry.column("patient"), device = telemetry.column("device"),
                    signal = telemetry.column("signal"), value = telemetry.column("value"),
                    flags = telemetry.column("flags");
  const std::map<std::int64_t, std::string>& signal_names = telemetry.columns()[signal].enum_names;
  std::map<std::int64_t, std::optional<Strip>> strip_of_code;
  for (const auto& [code, name] : signal_names) strip_of_code[code] = strip_of_signal(name);
  // (slot, strip) -> (device, signal) -> index into that strip's series
  std::vector<std::array<std::map<std::pair<std::int64_t, std::int64_t>, std::size_t>, STRIP_COUNT>> series_index(
      data.timelines.size());
  for (std::uint64_t first = 0; first < telemetry.rows(); first += READ_ROWS) {
    telemetry.load(first, READ_ROWS);
    for (std::size_t r = 0; r < telemetry.loaded(); ++r) {
      const std::int64_t sample_ns = telemetry.integer(r, sample);
      const std::int64_t latency_ns = telemetry.integer(r, delivery) - sample_ns;
      const std::int64_t device_index = telemetry.integer(r, device);
      if (latency_ns < 0) ++data.negative_latency;
      data.latency_all.add(sim::Time::from_ns(latency_ns));
      if (device_index >= 0 && static_cast<std::size_t>(device_index) < data.devices.size())
        data.latency_by_type[data.devices[static_cast<std::size_t>(device_index)].type].add(sim::Time::from_ns(latency_ns));

      const std::int64_t patient_index = telemetry.integer(r, patient);
      if (patient_index < 0 || static_cast<std::size_t>(patient_index) >= slot_of_patient.size()) continue;
      const std::ptrdiff_t slot = slot_of_patient[static_cast<std::size_t>(patient_index)];
      if (slot < 0 || (telemetry.integer(r, flags) & SENSOR_OFF_FLAG) != 0) continue;
      const std::int64_t code = telemetry.integer(r, signal);
      const auto strip = strip_of_code.find(code);
      if (strip == strip_of_code.end() || !strip->second) continue;
      const auto s = static_cast<std::size_t>(*strip->second);
      auto& index = series_index[static_cast<std::size_t>(slot)][s];
      auto& series = data.timelines[static_cast<std::size_t>(slot)].measured[s];
      const auto key = std::make_pair(device_index, code);
      auto found = index.find(key);
      if (found == index.end()) {
        // The device's own name ("monitor" of "icu0001-monitor"): the strip already belongs to the patient.
        std::string label = "device ";
        if (device_index >= 0 && static_cast<std::size_t>(device_index) < data.devices.size())
          label = data.devices[static_cast<std::size_t>(device_index)].id;
        else
          label += std::to_string(device_index);
        const std::string& owner = data.patients[static_cast<std::size_t>(patient_index)].id;
        if (label.rfind(owner + "-", 0) == 0) label.erase(0, owner.size() + 1);
        label += " " + signal_names.at(code);
        found = index.emplace(key, series.size()).first;
        series.push_back(ReportSeries{label, MinMaxSeries(data.duration_ns)});
      }
      series[found->second].values.add(sample_ns, telemetry.number(r, value));
    }
  }
  // Series in (device, signal) order, whatever order their first rows were delivered in.
  for (std::size_t slot = 0; slot < data.timelines.size(); ++slot) {
    for (std::size_t s = 0; s < STRIP_COUNT; ++s) {
      std::vector<ReportSeries> ordered;
      for (const auto& [key, i] : series_index[slot][s]) ordered.push_back(std::move(data.timelines[slot].measured[s][i]));
      data.timelines[slot].measured[s] = std::move(ordered);
    }
  }
}

void read_truth(const H5::H5File& file, ReportData& data, const std::vector<std::ptrdiff_t>& slot_of_patient) {
  if (!has_dataset(file, "/ground_truth/vitals")) return;
  H5Table vitals(file, "/ground_truth/vitals");
  const std::size_t time = vitals.column("time_ns"), patient = vitals.column("patient");
  std::array<std::size_t, STRIP_COUNT> columns{};
  for (std::size_t s = 0; s < STRIP_COUNT; ++s) columns[s] = vitals.column(STRIPS[s].truth_column);
  for (PatientTimeline& timeline : data.timelines) {
    for (std::size_t s = 0; s < STRIP_COUNT; ++s) {
      if (!timeline.measured[s].empty()) timeline.truth[s].emplace(data.duration_ns);  // reference for what was measured
    }
  }
  for (std::uint64_t first = 0; first < vitals.rows(); first += READ_ROWS) {
    vitals.load(first, READ_ROWS);
    for (std::size_t r = 0; r < vitals.loaded(); ++r) {
      const std::int64_t patient_index = vitals.integer(r, patient);
      if (patient_index < 0 || static_cast<std::size_t>(patient_index) >= slot_of_patient.size()) continue;
      const std::ptrdiff_t slot = slot_of_patient[static_cast<std::size_t>(patient_index)];
      if (slot < 0) continue;
      PatientTimeline& timeline = data.timelines[static_cast<std::size_t>(slot)];
      for (std::size_t s = 0; s < STRIP_COUNT; ++s) {
        if (timeline.truth[s]) timeline.truth[s]->add(vitals.integer(r, time), vitals.number(r, columns[s]));
      }
    }
  }
}

}  // namespace

const StripInfo& strip_info(Strip strip) { return STRIPS[static_cast<std::size_t>(strip)]; }

std::optional<Strip> strip_of_signal(std::string_view signal) {
  if (signal == "heart_rate") return Strip::heart_rate;
  if (signal == "spo2") return Strip::spo2;
  if (signal == "respiration_rate") return Strip::respiration_rate;
  if (signal == "systolic_bp") return Strip::systolic_bp;
  if (signal == "core_temperature" || signal == "skin_temperature") return Strip::temperature;
  if (signal == "glucose" || signal == "interstitial_glucose") return Strip::glucose;
  return std::nullopt;
}

std::optional<Strip> strip_of_class(std::string_view c) {
  if (c == "desaturation") return Strip::spo2;
  if (c == "bradycardia" || c == "tachycardia" || c == "extreme_bradycardia" || c == "extreme_tachycardia" ||
      c == "ventricular_tachycardia" || c == "ventricular_fibrillation" || c == "asystole" || c == "atrial_fibrillation")
    return Strip::heart_rate;
  if (c == "bradypnoea" || c == "tachypnoea") return Strip::respiration_rate;
  if (c == "hypotension" || c == "hypertensive_crisis") return Strip::systolic_bp;
  if (c == "fever" || c == "hypothermia") return Strip::temperature;
  if (c.rfind("hypoglycaemia", 0) == 0 || c.rfind("hyperglycaemia", 0) == 0) return Strip::glucose;
  return std::nullopt;
}

std::vector<std::size_t> select_patients(const std::vector<ReportPatient>& patients, std::size_t limit) {
  std::vector<std::size_t> order(patients.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const std::uint64_t weight_a = patients[a].events + patients[a].alarms;
    const std::uint64_t weight_b = patients[b].events + patients[b].alarms;
    if (weight_a != weight_b) return weight_a > weight_b;
    return patients[a].id < patients[b].id;
  });
  if (order.size() > limit) order.resize(limit);
  return order;
}

ReportData read_report_data(const fs::path& run) {
  H5::Exception::dontPrint();
  const fs::path run_file = locate_run_file(run);
  const fs::path folder = run_file.has_parent_path() ? run_file.parent_path() : fs::path(".");
  ReportData data;
  {
    std::ifstream in(folder / "summary.json", std::ios::binary);
    if (!in) {
      throw InputError({"command line", 0, 0}, "RUN", folder.string(),
                       "has no summary.json; expected a finished run folder written by twinbed run");
    }
    try {
      data.summary = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw RunError((folder / "summary.json").string() + " is not valid JSON: " + e.what());
    }
  }
  try {
    const H5::H5File file(run_file.string(), H5F_ACC_RDONLY);
    if (!file.nameExists("meta")) throw RunError(run_file.string() + " has no /meta; this is not a twinbed run");
    const H5::Group meta = file.openGroup("meta");
    data.scenario_name = meta_text(meta, "scenario_name");
    data.scenario_file = meta_text(meta, "scenario_file");
    data.scenario_text = meta_text(meta, "scenario_text");
    data.overrides = meta_text(meta, "overrides");
    data.run_id = meta_text(meta, "run_id");
    data.version = meta_text(meta, "twinbed_version");
    data.seed = meta_text(meta, "seed");
    const std::string duration = meta_text(meta, "duration_ns");
    data.duration_ns = duration.empty() ? 0 : std::stoll(duration);

    read_patients_and_devices(file, data);
    read_events(file, data);
    read_alarms_and_scores(file, data);
    for (const ReportEvent& e : data.events) {
      if (e.patient < data.patients.size()) ++data.patients[e.patient].events;
    }
    for (const ReportAlarm& a : data.alarms) {
      if (!a.suppressed && a.patient < data.patients.size()) ++data.patients[a.patient].alarms;
    }
    std::vector<std::ptrdiff_t> slot_of_patient(data.patients.size(), -1);
    for (const std::size_t p : select_patients(data.patients, REPORT_MAX_PATIENTS)) {
      slot_of_patient[p] = static_cast<std::ptrdiff_t>(data.timelines.size());
      data.timelines.push_back(PatientTimeline{p, {}, {}});
    }
    read_telemetry(file, data, slot_of_patient);
    read_truth(file, data, slot_of_patient);
  } catch (const H5::Exception& e) {
    throw RunError(run_file.string() + " cannot be read: " + e.getDetailMsg());
  } catch (const std::invalid_argument&) {
    throw RunError(run_file.string() + ": /meta/duration_ns is not an integer");
  }
  return data;
}

}  // namespace twinbed::harness
