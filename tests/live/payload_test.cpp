// harness::PayloadEncoder and the FHIR writers: the exact text of each message kind for exact
// packets (spec harness.md "Telemetry out"), topic rendering, quality names, the FHIR code of
// every signal, the blood-pressure panel, and that the MQTT sink and `twinbed export --fhir` write
// the same resources for the same readings (a whole run through both).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "harness/Hdf5Recorder.hpp"
#include "harness/InputError.hpp"
#include "harness/Payload.hpp"
#include "harness/Scenario.hpp"
#include "harness/World.hpp"
#include "physiology/Signal.hpp"
#include "sim/Simulator.hpp"

using namespace twinbed;
using namespace twinbed::harness;
using physiology::Signal;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::int64_t JAN_1_2026_MS = 1767225600000;  // 2026-01-01T00:00:00Z

PayloadContext context() {
  PayloadContext c;
  c.run = "r1";
  c.start_unix_ms = JAN_1_2026_MS;
  c.patient_ids = {"p0007", "icd_vt0001"};
  c.patient_sites = {"p", "icd_vt"};
  c.device_ids = {"p0007-spo2", "p0007-patch", "icd_vt0001-icd", "p0007-cuff"};
  c.device_patients = {0, 0, 1, 0};
  return c;
}

LiveSpec spec(PayloadFormat format = PayloadFormat::json, bool batch = true) {
  LiveSpec s;
  s.payload = format;
  s.batch_uploads = batch;
  return s;
}

network::Reading reading(Signal signal, double value, sim::Time t, std::uint16_t flags = 0,
                         std::uint32_t device = 0, std::uint32_t patient = 0) {
  return {.sample_time = t, .patient = patient, .device = device, .signal = static_cast<std::uint8_t>(signal), .flags = flags, .value = value};
}

const sim::Time T_031205 = sim::Time::from_s(3 * 3600 + 12 * 60 + 5);  // 03:12:05 after the start

std::vector<Message> encode(const network::Packet& packet, const LiveSpec& live = spec()) {
  PayloadEncoder encoder(context(), live);
  std::vector<Message> out;
  encoder.encode(packet, out);
  return out;
}

TEST(PayloadJson, OneReadingIsTheSpecExample) {
  network::Packet packet;
  packet.seq = 1234;
  packet.readings = {reading(Signal::spo2, 94.0, T_031205, network::READING_MOTION)};
  const std::vector<Message> out = encode(packet);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "twinbed/r1/p/p0007/p0007-spo2/spo2");
  // The spec's example; 94.0 is written in its shortest form.
  EXPECT_EQ(out[0].payload,
            R"({"run":"r1","patient":"p0007","device":"p0007-spo2","signal":"spo2","value":94,"unit":"%",)"
            R"("t":"2026-01-01T03:12:05.000Z","seq":1234,"quality":["motion"]})");
  EXPECT_EQ(out[0].device, 0u);
  EXPECT_EQ(out[0].readings, 1u);
}

TEST(PayloadJson, QualityFlagsInBitOrderAndEmptyList) {
  network::Packet packet;
  packet.seq = 5;
  packet.readings = {reading(Signal::heart_rate, 61.5, sim::Time::from_ms(1500),
                             network::READING_MOTION | network::READING_LOW_QUALITY | network::READING_RETRIED),
                     reading(Signal::perfusion_index, 1.4, sim::Time::from_ms(1500))};
  const std::vector<Message> out = encode(packet);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload,
            R"({"run":"r1","patient":"p0007","device":"p0007-spo2","signal":"heart_rate","value":61.5,"unit":"/min",)"
            R"("t":"2026-01-01T00:00:01.500Z","seq":5,"quality":["low_quality","motion","retried"]})");
  EXPECT_EQ(out[1].payload,
            R"({"run":"r1","patient":"p0007","device":"p0007-spo2","signal":"perfusion_index","value":1.4,"unit":"%",)"
            R"("t":"2026-01-01T00:00:01.500Z","seq":5,"quality":[]})");
}

TEST(PayloadJson, ReadingsOfOneMeasurementAreOneMessageEachWithThePacketSeq) {
  network::Packet packet;
  packet.device = 3;
  packet.seq = 77;
  const sim::Time t = sim::Time::from_s(60);
  packet.readings = {reading(Signal::systolic_bp, 121, t, 0, 3), reading(Signal::diastolic_bp, 79, t, 0, 3),
                     reading(Signal::mean_bp, 93, t, 0, 3)};
  // One sample time: not a batch even with batch_uploads.
  const std::vector<Message> out = encode(packet);
  ASSERT_EQ(out.size(), 3u);
  const char* signals[] = {"systolic_bp", "diastolic_bp", "mean_bp"};
  const char* values[] = {"121", "79", "93"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i].topic, std::string("twinbed/r1/p/p0007/p0007-cuff/") + signals[i]);
    std::string expected = R"({"run":"r1","patient":"p0007","device":"p0007-cuff","signal":")";
    expected += signals[i];
    expected += R"(","value":)";
    expected += values[i];
    expected += R"(,"unit":"mm[Hg]","t":"2026-01-01T00:01:00.000Z","seq":77,"quality":[]})";
    EXPECT_EQ(out[i].payload, expected);
    EXPECT_EQ(out[i].device, 3u);
    EXPECT_EQ(out[i].readings, 1u);
  }
}

TEST(PayloadJson, StoreAndForwardUploadIsOneBatchMessage) {
  network::Packet packet;
  packet.device = 2;
  packet.seq = 9;
  packet.readings = {reading(Signal::heart_rate, 64, sim::Time::from_s(86400), 0, 2, 1),
                     reading(Signal::af_burden, 0.5, sim::Time::from_s(86400), 0, 2, 1),
                     reading(Signal::device_alert, 5, sim::Time::from_ms(86400500), network::READING_CLAMPED, 2, 1)};
  const std::vector<Message> out = encode(packet);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "twinbed/r1/icd_vt/icd_vt0001/icd_vt0001-icd/batch");
  EXPECT_EQ(out[0].payload,
            R"({"run":"r1","patient":"icd_vt0001","device":"icd_vt0001-icd","seq":9,"readings":[)"
            R"({"signal":"heart_rate","value":64,"unit":"/min","t":"2026-01-02T00:00:00.000Z","quality":[]},)"
            R"({"signal":"af_burden","value":0.5,"unit":"%","t":"2026-01-02T00:00:00.000Z","quality":[]},)"
            R"({"signal":"device_alert","value":5,"unit":"1","t":"2026-01-02T00:00:00.500Z","quality":["clamped"]}]})");
  EXPECT_EQ(out[0].readings, 3u);

  // Without batch_uploads the same packet is one message per reading.
  const std::vector<Message> single = encode(packet, spec(PayloadFormat::json, false));
  ASSERT_EQ(single.size(), 3u);
  EXPECT_EQ(single[2].topic, "twinbed/r1/icd_vt/icd_vt0001/icd_vt0001-icd/device_alert");
  EXPECT_EQ(single[2].payload,
            R"({"run":"r1","patient":"icd_vt0001","device":"icd_vt0001-icd","signal":"device_alert","value":5,)"
            R"("unit":"1","t":"2026-01-02T00:00:00.500Z","seq":9,"quality":["clamped"]})");
}

// Parts in the order an in-process monitor uses them (ReferenceMonitor::consume): the ECG block,
// then the heart rate, then the rest in packet order.
TEST(PayloadJson, WaveformBlockFirstThenHeartRateAndNonFiniteValuesAreNull) {
  network::Packet packet;
  packet.device = 1;
  packet.seq = 42;
  packet.readings = {reading(Signal::battery_level, std::numeric_limits<double>::infinity(), sim::Time::from_s(2), 0, 1),
                     reading(Signal::heart_rate, std::numeric_limits<double>::quiet_NaN(), sim::Time::from_s(2), 0, 1)};
  network::Waveform block;
  block.signal = static_cast<std::uint8_t>(Signal::ecg);
  block.start = sim::Time::from_ms(1004);
  block.sample_rate_hz = 250;
  block.flags = network::READING_SENSOR_OFF;
  block.samples = {0.5F, -0.25F, 0.1F, std::numeric_limits<float>::quiet_NaN()};
  packet.waveforms = {block};
  const std::vector<Message> out = encode(packet);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].topic, "twinbed/r1/p/p0007/p0007-patch/ecg");
  EXPECT_EQ(out[0].payload,
            R"({"run":"r1","patient":"p0007","device":"p0007-patch","signal":"ecg","unit":"mV",)"
            R"("t":"2026-01-01T00:00:01.004Z","seq":42,"sample_rate":250,"values":[0.5,-0.25,0.1,null],)"
            R"("quality":["sensor_off"]})");
  EXPECT_EQ(out[0].readings, 1u);
  EXPECT_EQ(out[1].payload,
            R"({"run":"r1","patient":"p0007","device":"p0007-patch","signal":"heart_rate","value":null,"unit":"/min",)"
            R"("t":"2026-01-01T00:00:02.000Z","seq":42,"quality":[]})");
  EXPECT_EQ(out[2].payload,
            R"({"run":"r1","patient":"p0007","device":"p0007-patch","signal":"battery_level","value":null,"unit":"%",)"
            R"("t":"2026-01-01T00:00:02.000Z","seq":42,"quality":[]})");
  for (const Message& m : out) EXPECT_TRUE(json::accept(m.payload)) << m.payload;
}

TEST(PayloadJson, IdsAreEscaped) {
  PayloadContext c = context();
  c.run = "a\"b\\c\x01";
  PayloadEncoder encoder(c, spec());
  network::Packet packet;
  packet.readings = {reading(Signal::weight, 70.25, sim::Time::zero())};
  std::vector<Message> out;
  encoder.encode(packet, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.substr(0, 28), R"({"run":"a\"b\\c\u0001","pati)");
  EXPECT_EQ(json::parse(out[0].payload)["run"], c.run);
}

TEST(PayloadJson, TimestampsEqualIsoTimeAcrossSecondsAndBeforeTheStart) {
  // The encoder reuses the date and time of day while the second stays the same; every `t` must
  // still be iso_time() of its sample time, in any order, negative times included.
  PayloadEncoder encoder(context(), spec());
  const std::int64_t ns[] = {0, 999'999'999, 1'000'000'000, -1, -1'000'000, -999'999'999'999, 86'399'999'000'000,
                             86'400'000'000'000, 1'234'567'891'234, 1'234'000'000'000, 5'000'001};
  for (const std::int64_t t : ns) {
    network::Packet packet;
    packet.readings = {reading(Signal::spo2, 97, sim::Time::from_ns(t))};
    std::vector<Message> out;
    encoder.encode(packet, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(json::parse(out[0].payload)["t"], iso_time(JAN_1_2026_MS, sim::Time::from_ns(t))) << t;
  }
}

TEST(PayloadJson, UnknownSignalCodeIsNamedUnknownNotBatch) {
  // A code past physiology::ALL_SIGNALS (a newer recorder) must not take the batch topic.
  network::Packet packet;
  packet.seq = 1;
  network::Reading r = reading(Signal::heart_rate, 3, sim::Time::zero());
  r.signal = 42;
  packet.readings = {r};
  const std::vector<Message> out = encode(packet);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "twinbed/r1/p/p0007/p0007-spo2/unknown");
  EXPECT_EQ(out[0].payload,
            R"({"run":"r1","patient":"p0007","device":"p0007-spo2","signal":"unknown","value":3,"unit":"",)"
            R"("t":"2026-01-01T00:00:00.000Z","seq":1,"quality":[]})");
  const json o = json::parse(encode(packet, spec(PayloadFormat::fhir)).at(0).payload);
  EXPECT_EQ(o["code"]["coding"][0]["code"], "unknown");
  EXPECT_EQ(o["valueQuantity"], json::parse(R"({"value":3})"));
}

TEST(PayloadTopic, EveryPlaceholderAndOtherTextKept) {
  LiveSpec live = spec();
  live.topic = "site/{site}/{patient}/{device}/{signal}/{run}/{other}/x{";
  network::Packet packet;
  packet.device = 2;
  packet.readings = {reading(Signal::lead_impedance, 512, sim::Time::zero(), 0, 2, 1)};
  const std::vector<Message> out = encode(packet, live);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "site/icd_vt/icd_vt0001/icd_vt0001-icd/lead_impedance/r1/{other}/x{");
}

TEST(PayloadQuality, NamesRoundTrip) {
  const std::vector<std::string_view> all = quality_names(0x3f);
  const std::vector<std::string_view> expected = {"clamped",       "low_quality", "sensor_off",
                                                  "low_perfusion", "motion",      "retried"};
  EXPECT_EQ(all, expected);
  for (std::size_t bit = 0; bit < expected.size(); ++bit) {
    EXPECT_EQ(quality_flag(expected[bit]), 1u << bit);
    EXPECT_EQ(quality_names(static_cast<std::uint16_t>(1u << bit)), std::vector<std::string_view>{expected[bit]});
  }
  EXPECT_TRUE(quality_names(0).empty());
  EXPECT_EQ(quality_flag("Motion"), 0);
  EXPECT_EQ(quality_flag(""), 0);
  // The names are those of network::ReadingFlag.
  EXPECT_EQ(quality_flag("clamped"), network::READING_CLAMPED);
  EXPECT_EQ(quality_flag("sensor_off"), network::READING_SENSOR_OFF);
  EXPECT_EQ(quality_flag("low_perfusion"), network::READING_LOW_PERFUSION);
  EXPECT_EQ(quality_flag("retried"), network::READING_RETRIED);
}

// ---- FHIR ----

json one_observation(const network::Reading& r, std::uint32_t device = 0) {
  std::vector<std::string> out;
  fhir_observations(context(), r.patient, device, std::span(&r, 1), out);
  EXPECT_EQ(out.size(), 1u);
  return json::parse(out.at(0));
}

TEST(PayloadFhir, SpO2ObservationExactText) {
  std::vector<std::string> texts;
  const network::Reading r = reading(Signal::spo2, 94, T_031205, network::READING_MOTION);
  fhir_observations(context(), 0, 0, std::span(&r, 1), texts);
  EXPECT_EQ(texts.at(0),
            R"({"resourceType":"Observation","id":"p0007-spo2-ab81e30003c4cd22",)"
                R"("extension":[{"url":"https://twinbed.dev/fhir/StructureDefinition/reading-quality","valueCode":"motion"}],)"
                R"("status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category",)"
                R"("code":"vital-signs","display":"Vital Signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"2708-6",)"
                R"("display":"Oxygen saturation in Arterial blood"},{"system":"http://loinc.org","code":"59408-5",)"
                R"("display":"Oxygen saturation in Arterial blood by Pulse oximetry"}],"text":"spo2"},)"
                R"("subject":{"reference":"Patient/p0007"},"effectiveDateTime":"2026-01-01T03:12:05.000Z",)"
                R"("valueQuantity":{"value":94,"unit":"%","system":"http://unitsofmeasure.org","code":"%"},)"
                R"("device":{"reference":"Device/p0007-spo2"}})");
  // The id's hash: FNV-1a 64 of "r1", "p0007-spo2", "11525000000000" (ns), "spo2", "94", each
  // followed by 0x1f (docs/fhir.md); the value was computed independently in Python.
}

struct ExpectedCode {
  Signal signal;
  const char* system;
  const char* code;
  const char* ucum;      // valueQuantity.code ("" for the alert)
  const char* category;  // "" when none
};

TEST(PayloadFhir, EverySignalHasItsCodeUnitAndCategory) {
  const char* LOINC = "http://loinc.org";
  const char* TB = "https://twinbed.dev/fhir/CodeSystem/signal";
  const std::vector<ExpectedCode> table = {
      {Signal::heart_rate, LOINC, "8867-4", "/min", "vital-signs"},
      {Signal::spo2, LOINC, "2708-6", "%", "vital-signs"},
      {Signal::respiration_rate, LOINC, "9279-1", "/min", "vital-signs"},
      {Signal::systolic_bp, LOINC, "8480-6", "mm[Hg]", "vital-signs"},
      {Signal::diastolic_bp, LOINC, "8462-4", "mm[Hg]", "vital-signs"},
      {Signal::mean_bp, LOINC, "8478-0", "mm[Hg]", "vital-signs"},
      {Signal::core_temperature, LOINC, "8310-5", "Cel", "vital-signs"},
      {Signal::skin_temperature, LOINC, "39106-0", "Cel", "vital-signs"},
      {Signal::weight, LOINC, "29463-7", "kg", "vital-signs"},
      {Signal::glucose, LOINC, "2345-7", "mg/dL", "laboratory"},
      {Signal::interstitial_glucose, LOINC, "99504-3", "mg/dL", "laboratory"},
      {Signal::perfusion_index, TB, "perfusion_index", "%", ""},
      {Signal::battery_level, TB, "battery_level", "%", ""},
      {Signal::device_alert, TB, "device_alert", "", ""},
      {Signal::insulin_basal_rate, TB, "insulin_basal_rate", "[IU]/h", ""},
      {Signal::insulin_bolus, TB, "insulin_bolus", "[IU]", ""},
      {Signal::infusion_rate, TB, "infusion_rate", "mL/h", ""},
      {Signal::lead_impedance, TB, "lead_impedance", "Ohm", ""},
      {Signal::af_burden, TB, "af_burden", "%", ""},
  };
  ASSERT_EQ(table.size() + 1, std::size(physiology::ALL_SIGNALS));  // every reading signal; ecg below
  std::set<std::string> ids;
  for (const ExpectedCode& e : table) {
    const json o = one_observation(reading(e.signal, 5, sim::Time::from_s(10)));
    const std::string name(physiology::signal_name(e.signal));
    EXPECT_EQ(o["resourceType"], "Observation") << name;
    EXPECT_EQ(o["status"], "final") << name;
    EXPECT_EQ(o["code"]["coding"][0]["system"], e.system) << name;
    EXPECT_EQ(o["code"]["coding"][0]["code"], e.code) << name;
    EXPECT_EQ(o["code"]["text"], name);
    EXPECT_EQ(o["subject"]["reference"], "Patient/p0007");
    EXPECT_EQ(o["device"]["reference"], "Device/p0007-spo2");
    EXPECT_EQ(o["effectiveDateTime"], "2026-01-01T00:00:10.000Z");
    if (*e.category == '\0') {
      EXPECT_FALSE(o.contains("category")) << name;
    } else {
      EXPECT_EQ(o["category"][0]["coding"][0]["code"], e.category) << name;
    }
    if (e.signal == Signal::device_alert) {
      EXPECT_EQ(o["valueCodeableConcept"]["coding"][0]["system"], "https://twinbed.dev/fhir/CodeSystem/device-alert");
      EXPECT_EQ(o["valueCodeableConcept"]["coding"][0]["code"], "vt_episode");  // devices::AlertCode 5
    } else {
      EXPECT_EQ(o["valueQuantity"]["value"], 5) << name;
      EXPECT_EQ(o["valueQuantity"]["system"], "http://unitsofmeasure.org") << name;
      EXPECT_EQ(o["valueQuantity"]["code"], e.ucum) << name;
      EXPECT_EQ(o["valueQuantity"]["unit"], physiology::signal_unit(e.signal)) << name;
    }
    ids.insert(o["id"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), table.size());  // the signal is part of the id
}


TEST(PayloadFhir, BloodPressurePairIsOnePanelWithComponents) {
  const sim::Time t = sim::Time::from_s(600);
  // Diastolic first: the panel stands where the first of the pair stands; mean stays on its own.
  const std::vector<network::Reading> readings = {reading(Signal::diastolic_bp, 78, t, 0, 3),
                                                  reading(Signal::mean_bp, 92, t, 0, 3),
                                                  reading(Signal::systolic_bp, 122, t, network::READING_RETRIED, 3)};
  std::vector<std::string> out;
  fhir_observations(context(), 0, 3, readings, out);
  ASSERT_EQ(out.size(), 2u);
  const json panel = json::parse(out[0]);
  EXPECT_EQ(panel["code"]["coding"][0]["system"], "http://loinc.org");
  EXPECT_EQ(panel["code"]["coding"][0]["code"], "85354-9");
  EXPECT_EQ(panel["category"][0]["coding"][0]["code"], "vital-signs");
  EXPECT_FALSE(panel.contains("valueQuantity"));
  ASSERT_EQ(panel["component"].size(), 2u);
  EXPECT_EQ(panel["component"][0]["code"]["coding"][0]["code"], "8480-6");
  EXPECT_EQ(panel["component"][0]["valueQuantity"]["value"], 122);
  EXPECT_EQ(panel["component"][0]["valueQuantity"]["code"], "mm[Hg]");
  EXPECT_EQ(panel["component"][1]["code"]["coding"][0]["code"], "8462-4");
  EXPECT_EQ(panel["component"][1]["valueQuantity"]["value"], 78);
  EXPECT_EQ(panel["component"][1]["valueQuantity"]["unit"], "mm[Hg]");
  EXPECT_EQ(panel["extension"][0]["valueCode"], "retried");  // the flags of both halves
  EXPECT_EQ(panel["device"]["reference"], "Device/p0007-cuff");
  const json mean = json::parse(out[1]);
  EXPECT_EQ(mean["code"]["coding"][0]["code"], "8478-0");
  EXPECT_EQ(mean["valueQuantity"]["value"], 92);

  // A systolic without its diastolic is an 8480-6 Observation of its own; two pairs, two panels.
  out.clear();
  fhir_observations(context(), 0, 3, std::span(readings).subspan(1), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(json::parse(out[1])["code"]["coding"][0]["code"], "8480-6");
  out.clear();
  const std::vector<network::Reading> two = {readings[2], readings[0], readings[2], readings[0]};
  fhir_observations(context(), 0, 3, two, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], out[1]);  // the same reading twice: the same resource, id included
}

TEST(PayloadFhir, MissingValuesHaveADataAbsentReason) {
  const std::pair<double, const char*> cases[] = {{std::numeric_limits<double>::quiet_NaN(), "not-a-number"},
                                                  {std::numeric_limits<double>::infinity(), "positive-infinity"},
                                                  {-std::numeric_limits<double>::infinity(), "negative-infinity"}};
  for (const auto& [value, code] : cases) {
    const json o = one_observation(reading(Signal::heart_rate, value, sim::Time::zero()));
    EXPECT_FALSE(o.contains("valueQuantity"));
    EXPECT_EQ(o["dataAbsentReason"]["coding"][0]["system"], "http://terminology.hl7.org/CodeSystem/data-absent-reason");
    EXPECT_EQ(o["dataAbsentReason"]["coding"][0]["code"], code);
  }
  // Sensor off with 0 means "no value" (docs/results-schema.md), not a heart rate of 0.
  const json off = one_observation(reading(Signal::heart_rate, 0, sim::Time::zero(), network::READING_SENSOR_OFF));
  EXPECT_EQ(off["dataAbsentReason"]["coding"][0]["code"], "error");
  EXPECT_EQ(off["extension"][0]["valueCode"], "sensor_off");
  // A zero without the flag is a value.
  EXPECT_EQ(one_observation(reading(Signal::heart_rate, 0, sim::Time::zero()))["valueQuantity"]["value"], 0);
}

TEST(PayloadFhir, IdsAreFhirIds) {
  // '_' is not allowed in FHIR ids; it becomes '.', which twinbed names never contain.
  EXPECT_EQ(fhir_id("icd_vt0001-icd"), "icd.vt0001-icd");
  const json o = one_observation(reading(Signal::heart_rate, 60, sim::Time::zero(), 0, 2, 1), 2);
  EXPECT_EQ(o["subject"]["reference"], "Patient/icd.vt0001");
  EXPECT_EQ(o["device"]["reference"], "Device/icd.vt0001-icd");
  const std::string id = o["id"];
  EXPECT_EQ(id.substr(0, 15), "icd.vt0001-icd-");
  EXPECT_EQ(id.size(), 15u + 16u);
  EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-."), std::string::npos);
}

TEST(PayloadFhir, WaveformBlockIsSampledData) {
  network::Waveform block;
  block.signal = static_cast<std::uint8_t>(Signal::ecg);
  block.start = sim::Time::from_ms(2000);
  block.sample_rate_hz = 250;
  block.samples = {0.5F, -0.25F, std::numeric_limits<float>::quiet_NaN(), 1.0F};
  const json o = json::parse(fhir_waveform(context(), 0, 1, block));
  EXPECT_EQ(o["code"]["coding"][0]["system"], "urn:oid:2.16.840.1.113883.6.24");
  EXPECT_EQ(o["code"]["coding"][0]["code"], "131328");
  EXPECT_EQ(o["category"][0]["coding"][0]["code"], "procedure");
  EXPECT_EQ(o["effectiveDateTime"], "2026-01-01T00:00:02.000Z");
  const json& data = o["valueSampledData"];
  EXPECT_EQ(data["origin"]["value"], 0);
  EXPECT_EQ(data["origin"]["code"], "mV");
  EXPECT_EQ(data["period"], 4);  // ms between samples at 250 Hz
  EXPECT_EQ(data["dimensions"], 1);
  EXPECT_EQ(data["data"], "0.5 -0.25 E 1");
  EXPECT_EQ(o["device"]["reference"], "Device/p0007-patch");
}

TEST(PayloadFhir, SinkMessagesAreTheMeasurementsAndIgnoreTheSeq) {
  network::Packet packet;
  packet.device = 3;
  packet.seq = 12;
  const sim::Time t = sim::Time::from_s(900);
  packet.readings = {reading(Signal::systolic_bp, 130, t, 0, 3), reading(Signal::diastolic_bp, 85, t, 0, 3),
                     reading(Signal::mean_bp, 100, t, 0, 3)};
  const std::vector<Message> out = encode(packet, spec(PayloadFormat::fhir));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].topic, "twinbed/r1/p/p0007/p0007-cuff/systolic_bp");  // the panel is filed under systolic
  EXPECT_EQ(out[0].readings, 2u);
  EXPECT_EQ(out[1].topic, "twinbed/r1/p/p0007/p0007-cuff/mean_bp");
  EXPECT_EQ(out[1].readings, 1u);
  std::vector<FhirResource> direct;
  fhir_measurements(context(), 3, packet.readings, direct);
  ASSERT_EQ(direct.size(), 2u);
  EXPECT_EQ(out[0].payload, direct[0].text);
  EXPECT_EQ(out[1].payload, direct[1].text);
  // A retransmission (another attempt, the same seq) or a later packet with the same readings:
  // byte-identical resources, so a server that PUTs by id stores them once.
  packet.seq = 13;
  packet.attempt = 2;
  const std::vector<Message> again = encode(packet, spec(PayloadFormat::fhir));
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].payload, out[0].payload);
  EXPECT_EQ(again[1].payload, out[1].payload);
}

TEST(PayloadFhir, BatchUploadIsOneCollectionBundle) {
  network::Packet packet;
  packet.device = 2;
  packet.seq = 3;
  packet.readings = {reading(Signal::heart_rate, 64, sim::Time::from_s(100), 0, 2, 1),
                     reading(Signal::lead_impedance, 480, sim::Time::from_s(100), 0, 2, 1),
                     reading(Signal::heart_rate, 66, sim::Time::from_s(50), 0, 2, 1)};
  const std::vector<Message> out = encode(packet, spec(PayloadFormat::fhir));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "twinbed/r1/icd_vt/icd_vt0001/icd_vt0001-icd/batch");
  EXPECT_EQ(out[0].readings, 3u);
  const json bundle = json::parse(out[0].payload);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "collection");
  ASSERT_EQ(bundle["entry"].size(), 3u);
  // Measurements in sample-time order: the reading at 50 s first.
  EXPECT_EQ(bundle["entry"][0]["resource"]["valueQuantity"]["value"], 66);
  EXPECT_EQ(bundle["entry"][1]["resource"]["code"]["coding"][0]["code"], "8867-4");
  EXPECT_EQ(bundle["entry"][2]["resource"]["code"]["coding"][0]["code"], "lead_impedance");
  std::vector<FhirResource> direct;
  fhir_measurements(context(), 2, packet.readings, direct);
  ASSERT_EQ(direct.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(bundle["entry"][i]["resource"].dump(), json::parse(direct[i].text).dump());
  // Without batch_uploads: one message per resource.
  EXPECT_EQ(encode(packet, spec(PayloadFormat::fhir, false)).size(), 3u);
}

// A whole run through both writers: every packet the network delivers goes to the HDF5 recorder
// and to a FHIR encoder; `export_fhir` of the run.h5 must give exactly the encoder's messages.
class FhirCapture final : public Sink {
public:
  explicit FhirCapture(PayloadEncoder& encoder) : encoder_(encoder) {}
  void consume(const network::Packet& packet, sim::Time) override { encoder_.encode(packet, messages); }
  std::vector<Message> messages;

private:
  PayloadEncoder& encoder_;
};

TEST(PayloadFhir, SinkAndExportWriteTheSameResources) {
  const fs::path root = fs::temp_directory_path() / ("twinbed-fhir-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  Scenario scenario = parse_scenario(R"(twinbed: 1
name: fhir_same
seed: 11
duration: 12min
links:
  - {name: lan, latency: 20ms, loss: 2%}
cohort:
  - prefix: bed_a
    count: 2
    devices:
      - {type: pulse_oximeter, name: ox, link: lan, sample_interval: 5s}
      - {type: nibp_cuff, name: cuff, link: lan, sample_interval: 2min}
      - {type: ecg_patch, name: patch, link: lan, battery_report_interval: 4min}
      - {type: smartwatch, name: watch, link: lan}
)",
                                     "fhir_same.yaml");
  scenario.start_unix_ms = JAN_1_2026_MS + 3'600'000;  // not the default: export must read /meta
  {
    sim::Simulator simulator;
    Dispatcher dispatcher;
    World world(scenario, simulator, dispatcher);
    Hdf5Recorder recorder(root / "run.h5", scenario, world);
    dispatcher.attach(recorder);
    LiveSpec live = spec(PayloadFormat::fhir, false);
    PayloadEncoder encoder(payload_context(world, "run-7", scenario.start_unix_ms), live);
    FhirCapture capture(encoder);
    dispatcher.attach(capture);
    world.start();
    simulator.run_until(scenario.duration);
    world.finish(scenario.duration);
    recorder.close(RunFacts{"run-7", "2026-01-01T00:00:00Z", 0.0, simulator.events_executed()});

    const std::uint64_t written = export_fhir(root, root / "out" / "run.ndjson");
    std::ifstream in(root / "out" / "run.ndjson");
    std::multiset<std::string> exported;
    for (std::string line; std::getline(in, line);) exported.insert(line);
    EXPECT_EQ(exported.size(), written);
    std::multiset<std::string> published;
    std::map<std::string, int> codes;
    for (const Message& m : capture.messages) {
      published.insert(m.payload);
      ++codes[json::parse(m.payload)["code"]["coding"][0]["code"].get<std::string>()];
    }
    EXPECT_GT(published.size(), 500u);
    EXPECT_TRUE(published == exported) << published.size() << " published, " << exported.size() << " exported";
    // The run had what this is meant to cover: a panel, SpO2, heart rates, ECG blocks, batteries.
    for (const char* code : {"85354-9", "8478-0", "2708-6", "8867-4", "131328", "battery_level", "perfusion_index"})
      EXPECT_GT(codes[code], 0) << code;
    EXPECT_EQ(codes.count("8480-6"), 0u);  // never an unpaired systolic
    const json first = json::parse(*exported.begin());
    EXPECT_EQ(first["effectiveDateTime"].get<std::string>().substr(0, 13), "2026-01-01T01");

    // Export never overwrites.
    EXPECT_THROW(export_fhir(root, root / "out" / "run.ndjson"), InputError);
    std::vector<fs::path> left;
    for (const auto& entry : fs::directory_iterator(root / "out")) left.push_back(entry.path().filename());
    EXPECT_EQ(left, std::vector<fs::path>{"run.ndjson"});  // no temporary folder left behind
  }
  fs::remove_all(root);
}

}  // namespace
