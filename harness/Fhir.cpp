// FHIR R4 resources of delivered telemetry (declared in Payload.hpp): one Observation per reading,
// a blood-pressure panel per systolic + diastolic pair, valueSampledData per waveform block.
// Codes follow spec harness.md "Telemetry out"; every choice and its source is in docs/fhir.md.
// The MQTT sink and `twinbed export --fhir` both write through here, so a resource has the same
// text whichever wrote it (the Observation id is derived from the reading, not from the packet).
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "harness/JsonText.hpp"
#include "harness/Payload.hpp"
#include "physiology/Signal.hpp"

namespace twinbed::harness {
namespace {

using physiology::Signal;

constexpr std::string_view LOINC = "http://loinc.org";
constexpr std::string_view UCUM = "http://unitsofmeasure.org";
// ISO/IEEE 11073-10101 nomenclature (MDC) as FHIR names it (R4 terminologies page, "MDC").
constexpr std::string_view MDC = "urn:oid:2.16.840.1.113883.6.24";
// twinbed's own code systems for what LOINC has no code for (device-side quantities).
constexpr std::string_view TWINBED_SIGNAL = "https://twinbed.dev/fhir/CodeSystem/signal";
constexpr std::string_view TWINBED_ALERT = "https://twinbed.dev/fhir/CodeSystem/device-alert";
constexpr std::string_view QUALITY_EXTENSION = "https://twinbed.dev/fhir/StructureDefinition/reading-quality";
// FHIR R4 code systems: observation-category and data-absent-reason.
constexpr std::string_view CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category";
constexpr std::string_view ABSENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/data-absent-reason";

struct Coding {
  std::string_view system;
  std::string_view code;
  std::string_view display;
};

enum class Category { none, vital_signs, laboratory, procedure };

struct SignalCode {
  Category category = Category::none;
  Coding coding;
  Coding second;          // a second coding of the same concept (SpO2), empty code when none
  std::string_view ucum;  // UCUM code when it is not physiology::signal_unit (insulin)
};

constexpr Coding twinbed(std::string_view code, std::string_view display) { return {TWINBED_SIGNAL, code, display}; }

// By physiology::Signal code. LOINC codes and displays (Long Common Names) from loinc.org; the
// vital signs ones are those of the FHIR R4 vital signs profiles (hl7.org/fhir/R4/observation-vitalsigns.html).
constexpr std::array<SignalCode, std::size(physiology::ALL_SIGNALS)> CODES = {{
    {Category::vital_signs, {LOINC, "8867-4", "Heart rate"}, {}, {}},
    // FHIR R4 oxygen saturation profile: 2708-6 required, 59408-5 for pulse oximetry.
    {Category::vital_signs,
     {LOINC, "2708-6", "Oxygen saturation in Arterial blood"},
     {LOINC, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"},
     {}},
    {Category::vital_signs, {LOINC, "9279-1", "Respiratory rate"}, {}, {}},
    // Systolic and diastolic alone only when the other half is missing; paired, they are the
    // components of the 85354-9 panel (FHIR R4 blood pressure profile).
    {Category::vital_signs, {LOINC, "8480-6", "Systolic blood pressure"}, {}, {}},
    {Category::vital_signs, {LOINC, "8462-4", "Diastolic blood pressure"}, {}, {}},
    // 8478-0 Mean blood pressure, vital-signs: as in the FHIR R4 example Observation "mbp".
    {Category::vital_signs, {LOINC, "8478-0", "Mean blood pressure"}, {}, {}},
    {Category::vital_signs, {LOINC, "8310-5", "Body temperature"}, {}, {}},
    // 39106-0 Temperature of Skin (LOINC); the body temperature profile's 8310-5 is core.
    {Category::vital_signs, {LOINC, "39106-0", "Temperature of Skin"}, {}, {}},
    {Category::vital_signs, {LOINC, "29463-7", "Body weight"}, {}, {}},
    // 2345-7 Glucose [Mass/volume] in Serum or Plasma (LOINC): a laboratory result.
    {Category::laboratory, {LOINC, "2345-7", "Glucose [Mass/volume] in Serum or Plasma"}, {}, {}},
    // HL7 CGM IG (hl7.org/fhir/uv/cgm), CGM sensor reading (mass per volume): 99504-3, laboratory.
    {Category::laboratory, {LOINC, "99504-3", "Glucose [Mass/volume] in Interstitial fluid"}, {}, {}},
    {Category::none, twinbed("perfusion_index", "Perfusion index"), {}, {}},
    {Category::none, twinbed("battery_level", "Battery level"), {}, {}},
    {Category::none, twinbed("device_alert", "Device alert"), {}, {}},
    // Insulin doses are international units, UCUM "[IU]" ("U" is the enzyme unit, umol/min).
    {Category::none, twinbed("insulin_basal_rate", "Insulin basal rate delivered"), {}, "[IU]/h"},
    {Category::none, twinbed("insulin_bolus", "Insulin bolus delivered"), {}, "[IU]"},
    {Category::none, twinbed("infusion_rate", "Infusion rate"), {}, {}},
    {Category::none, twinbed("lead_impedance", "Lead impedance"), {}, {}},
    {Category::none, twinbed("af_burden", "Atrial fibrillation burden"), {}, {}},
    // MDC_ECG_ELEC_POTL, as in the FHIR R4 ECG example (Observation/ekg), category procedure.
    {Category::procedure, {MDC, "131328", "MDC_ECG_ELEC_POTL"}, {}, {}},
}};
constexpr SignalCode UNKNOWN_CODE{Category::none, {TWINBED_SIGNAL, "unknown", "Unknown signal"}, {}, {}};
constexpr Coding BP_PANEL{LOINC, "85354-9", "Blood pressure panel with all children optional"};

// devices::AlertCode by value (docs/results-schema.md, alert codes).
constexpr std::array<std::string_view, 17> ALERT_NAMES = {
    "",           "low_battery",  "occlusion",        "reservoir_low",      "reservoir_empty",  "vt_episode",
    "vf_episode", "shock_delivered", "lead_impedance", "battery_eri",       "dose_limit",       "sensor_expired",
    "irregular_rhythm", "measurement_failed", "infusion_started", "infusion_stopped", "rate_changed"};

const SignalCode& code_of(std::uint8_t signal) { return signal < CODES.size() ? CODES[signal] : UNKNOWN_CODE; }

std::string_view name_of(std::uint8_t signal) {
  return signal < CODES.size() ? physiology::signal_name(static_cast<Signal>(signal)) : "unknown";
}

std::string_view unit_of(std::uint8_t signal) {
  return signal < CODES.size() ? physiology::signal_unit(static_cast<Signal>(signal)) : "";
}

std::string name_at(const std::vector<std::string>& names, std::uint32_t index) {
  return index < names.size() ? names[index] : std::to_string(index);
}

// FNV-1a, 64 bit (Fowler, Noll, Vo; IETF draft-eastlake-fnv): a fixed, portable hash, so ids do
// not change between builds or platforms as std::hash may.
struct Fnv1a {
  std::uint64_t state = 14695981039346656037ULL;
  void add(std::string_view text) {
    for (const char c : text) {
      state ^= static_cast<unsigned char>(c);
      state *= 1099511628211ULL;
    }
    state ^= 0x1f;  // a separator no field contains
    state *= 1099511628211ULL;
  }
};

// "<device>-<16 hex digits>": the hash of run, device, sample time (ns), signal and values. The same
// reading always gets the same id (a retransmitted or duplicated packet repeats it, so a FHIR
// server that PUTs by id stores it once); any other difference gives another id.
std::string observation_id(const PayloadContext& context, std::uint32_t device, sim::Time t, std::string_view signal,
                           std::initializer_list<double> values) {
  const std::string device_id = name_at(context.device_ids, device);
  Fnv1a hash;
  hash.add(context.run);
  hash.add(device_id);
  hash.add(std::to_string(t.ns()));
  hash.add(signal);
  for (const double value : values) {
    std::string text;
    json::append_number(text, value);
    if (text == "null") text = std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
    hash.add(text);
  }
  std::string id = fhir_id(device_id).substr(0, 46);  // + 17 stays within FHIR's 64
  id += '-';
  char hex[17];
  for (int i = 0; i < 16; ++i) hex[i] = "0123456789abcdef"[(hash.state >> (60 - 4 * i)) & 0xf];
  id.append(hex, 16);
  return id;
}

void append_coding(std::string& out, const Coding& coding) {
  out += "{\"system\":";
  json::append_string(out, coding.system);
  out += ",\"code\":";
  json::append_string(out, coding.code);
  out += ",\"display\":";
  json::append_string(out, coding.display);
  out += '}';
}

// "code":{"coding":[...],"text":"<signal>"}
void append_code(std::string& out, const SignalCode& code, std::string_view text) {
  out += "\"code\":{\"coding\":[";
  append_coding(out, code.coding);
  if (!code.second.code.empty()) {
    out += ',';
    append_coding(out, code.second);
  }
  out += "],\"text\":";
  json::append_string(out, text);
  out += '}';
}

// Resource start up to and including "status": id, quality extension, status, category.
void append_head(std::string& out, std::string_view id, std::uint16_t flags, Category category) {
  out += "{\"resourceType\":\"Observation\",\"id\":";
  json::append_string(out, id);
  const std::vector<std::string_view> quality = quality_names(flags);
  if (!quality.empty()) {
    out += ",\"extension\":[";
    for (std::size_t i = 0; i < quality.size(); ++i) {
      out += i == 0 ? "{\"url\":" : ",{\"url\":";
      json::append_string(out, QUALITY_EXTENSION);
      out += ",\"valueCode\":";
      json::append_string(out, quality[i]);
      out += '}';
    }
    out += ']';
  }
  out += ",\"status\":\"final\"";
  if (category == Category::none) return;
  static constexpr std::array<Coding, 4> CATEGORIES = {{{},
                                                        {CATEGORY_SYSTEM, "vital-signs", "Vital Signs"},
                                                        {CATEGORY_SYSTEM, "laboratory", "Laboratory"},
                                                        {CATEGORY_SYSTEM, "procedure", "Procedure"}}};
  out += ",\"category\":[{\"coding\":[";
  append_coding(out, CATEGORIES[static_cast<std::size_t>(category)]);
  out += "]}]";
}

void append_subject_time(std::string& out, const PayloadContext& context, std::uint32_t patient, sim::Time t) {
  out += ",\"subject\":{\"reference\":";
  json::append_string(out, "Patient/" + fhir_id(name_at(context.patient_ids, patient)));
  out += "},\"effectiveDateTime\":";
  json::append_string(out, iso_time(context.start_unix_ms, t));
}

void append_device(std::string& out, const PayloadContext& context, std::uint32_t device) {
  out += ",\"device\":{\"reference\":";
  json::append_string(out, "Device/" + fhir_id(name_at(context.device_ids, device)));
  out += '}';
}

// Why a reading has no value, or empty: JSON has no NaN or infinity, and a device with its sensor
// off reports 0 meaning "no value" (docs/results-schema.md /telemetry.value), which a platform
// must not read as a heart rate of 0. Codes of FHIR R4 data-absent-reason.
std::optional<Coding> absent_reason(const network::Reading& reading) {
  if (std::isnan(reading.value)) return Coding{ABSENT_SYSTEM, "not-a-number", "Not a Number (NaN)"};
  if (std::isinf(reading.value)) {
    return reading.value > 0 ? Coding{ABSENT_SYSTEM, "positive-infinity", "Positive Infinity (PINF)"}
                             : Coding{ABSENT_SYSTEM, "negative-infinity", "Negative Infinity (NINF)"};
  }
  if ((reading.flags & network::READING_SENSOR_OFF) != 0 && reading.value == 0.0)
    return Coding{ABSENT_SYSTEM, "error", "Error"};
  return std::nullopt;
}

// ,"unit":..,"system":UCUM,"code":.. of a Quantity (nothing for a signal without a unit).
void append_unit(std::string& out, std::string_view unit, const SignalCode& code) {
  if (unit.empty()) return;
  out += ",\"unit\":";
  json::append_string(out, unit);
  out += ",\"system\":";
  json::append_string(out, UCUM);
  out += ",\"code\":";
  json::append_string(out, code.ucum.empty() ? unit : code.ucum);
}

// ,"valueQuantity":{...} / ,"valueCodeableConcept":{...} / ,"dataAbsentReason":{...}
void append_value(std::string& out, const network::Reading& reading) {
  if (const std::optional<Coding> absent = absent_reason(reading)) {
    out += ",\"dataAbsentReason\":{\"coding\":[";
    append_coding(out, *absent);
    out += "]}";
    return;
  }
  if (reading.signal == static_cast<std::uint8_t>(Signal::device_alert)) {
    // An alert is a code, not a quantity: its name in twinbed's alert code system.
    const double code = reading.value;
    std::string name;
    if (code >= 1 && code < static_cast<double>(ALERT_NAMES.size()) && code == std::floor(code)) {
      name = ALERT_NAMES[static_cast<std::size_t>(code)];
    } else {
      json::append_number(name, code);
    }
    out += ",\"valueCodeableConcept\":{\"coding\":[{\"system\":";
    json::append_string(out, TWINBED_ALERT);
    out += ",\"code\":";
    json::append_string(out, name);
    out += "}],\"text\":";
    json::append_string(out, name);
    out += '}';
    return;
  }
  const SignalCode& code = code_of(reading.signal);
  const std::string_view unit = unit_of(reading.signal);
  out += ",\"valueQuantity\":{\"value\":";
  json::append_number(out, reading.value);
  append_unit(out, unit, code);
  out += '}';
}

FhirResource single_observation(const PayloadContext& context, std::uint32_t patient, std::uint32_t device,
                                const network::Reading& reading) {
  const SignalCode& code = code_of(reading.signal);
  const std::string_view name = name_of(reading.signal);
  FhirResource resource;
  resource.signal = reading.signal;
  resource.readings = 1;
  std::string& out = resource.text;
  out.reserve(640);
  append_head(out, observation_id(context, device, reading.sample_time, name, {reading.value}), reading.flags,
              code.category);
  out += ',';
  append_code(out, code, name);
  append_subject_time(out, context, patient, reading.sample_time);
  append_value(out, reading);
  append_device(out, context, device);
  out += '}';
  return resource;
}

// FHIR R4 blood pressure profile: code 85354-9, no value, components 8480-6 and 8462-4.
FhirResource pressure_panel(const PayloadContext& context, std::uint32_t patient, std::uint32_t device,
                            const network::Reading& systolic, const network::Reading& diastolic) {
  FhirResource resource;
  resource.signal = systolic.signal;
  resource.readings = 2;
  std::string& out = resource.text;
  out.reserve(900);
  append_head(out,
              observation_id(context, device, systolic.sample_time, "blood_pressure",
                             {systolic.value, diastolic.value}),
              static_cast<std::uint16_t>(systolic.flags | diastolic.flags), Category::vital_signs);
  out += ",\"code\":{\"coding\":[";
  append_coding(out, BP_PANEL);
  out += "],\"text\":\"blood_pressure\"}";
  append_subject_time(out, context, patient, systolic.sample_time);
  append_device(out, context, device);
  out += ",\"component\":[";
  for (const network::Reading* part : {&systolic, &diastolic}) {
    out += part == &systolic ? "{" : ",{";
    append_code(out, code_of(part->signal), name_of(part->signal));
    append_value(out, *part);
    out += '}';
  }
  out += "]}";
  return resource;
}

constexpr auto SYSTOLIC = static_cast<std::uint8_t>(Signal::systolic_bp);
constexpr auto DIASTOLIC = static_cast<std::uint8_t>(Signal::diastolic_bp);

// One measurement: the k-th systolic and the k-th diastolic form a panel, written where the
// first of the two stands; everything else is one Observation per reading, in order.
void measurement(const PayloadContext& context, std::uint32_t patient, std::uint32_t device,
                 std::span<const network::Reading> readings, std::vector<FhirResource>& out) {
  std::vector<std::size_t> systolic, diastolic;
  for (std::size_t i = 0; i < readings.size(); ++i) {
    if (readings[i].signal == SYSTOLIC) systolic.push_back(i);
    if (readings[i].signal == DIASTOLIC) diastolic.push_back(i);
  }
  const std::size_t pairs = std::min(systolic.size(), diastolic.size());
  std::vector<std::size_t> partner(readings.size(), readings.size());
  for (std::size_t k = 0; k < pairs; ++k) {
    partner[systolic[k]] = diastolic[k];
    partner[diastolic[k]] = systolic[k];
  }
  for (std::size_t i = 0; i < readings.size(); ++i) {
    const std::size_t other = partner[i];
    if (other == readings.size()) {
      out.push_back(single_observation(context, patient, device, readings[i]));
    } else if (other > i) {
      const bool first_is_systolic = readings[i].signal == SYSTOLIC;
      out.push_back(pressure_panel(context, patient, device, readings[first_is_systolic ? i : other],
                                   readings[first_is_systolic ? other : i]));
    }
  }
}

}  // namespace

std::string fhir_id(std::string_view twinbed_id) {
  std::string id(twinbed_id);
  std::replace(id.begin(), id.end(), '_', '.');
  return id;
}

void fhir_observations(const PayloadContext& context, std::uint32_t patient, std::uint32_t device,
                       std::span<const network::Reading> readings, std::vector<std::string>& out) {
  std::vector<FhirResource> resources;
  measurement(context, patient, device, readings, resources);
  for (FhirResource& resource : resources) out.push_back(std::move(resource.text));
}

void fhir_measurements(const PayloadContext& context, std::uint32_t device,
                       std::span<const network::Reading> readings, std::vector<FhirResource>& out) {
  // Measurements in sample-time order, readings of one in their given order.
  std::vector<std::size_t> order(readings.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return readings[a].sample_time < readings[b].sample_time;
  });
  std::vector<network::Reading> group;
  for (std::size_t i = 0; i < order.size();) {
    group.clear();
    const sim::Time t = readings[order[i]].sample_time;
    for (; i < order.size() && readings[order[i]].sample_time == t; ++i) group.push_back(readings[order[i]]);
    measurement(context, group.front().patient, device, group, out);
  }
}

std::string fhir_waveform(const PayloadContext& context, std::uint32_t patient, std::uint32_t device,
                          const network::Waveform& waveform) {
  const SignalCode& code = code_of(waveform.signal);
  const std::string_view name = name_of(waveform.signal);
  const std::string_view unit = unit_of(waveform.signal);
  std::string out;
  out.reserve(512 + waveform.samples.size() * 8);
  append_head(out, observation_id(context, device, waveform.start, name, {}), waveform.flags, code.category);
  out += ',';
  append_code(out, code, name);
  append_subject_time(out, context, patient, waveform.start);
  // SampledData: origin (the zero of the data, with its unit), period between samples in ms,
  // one dimension, samples separated by single spaces, "E" where there is no value (FHIR R4
  // datatypes, SampledData).
  out += ",\"valueSampledData\":{\"origin\":{\"value\":0";
  append_unit(out, unit, code);
  out += "},\"period\":";
  const double period_ms = waveform.sample_rate_hz > 0 ? 1000.0 / waveform.sample_rate_hz : 0.0;
  json::append_number(out, std::isfinite(period_ms) ? period_ms : 0.0);
  out += ",\"dimensions\":1";
  if (!waveform.samples.empty()) {
    out += ",\"data\":\"";
    for (std::size_t i = 0; i < waveform.samples.size(); ++i) {
      if (i > 0) out += ' ';
      if (std::isfinite(waveform.samples[i])) {
        json::append_number(out, waveform.samples[i]);
      } else {
        out += 'E';
      }
    }
    out += '"';
  }
  out += '}';
  append_device(out, context, device);
  out += '}';
  return out;
}

}  // namespace twinbed::harness
