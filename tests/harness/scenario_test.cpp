#include "harness/Scenario.hpp"

#include <gtest/gtest.h>

#include "harness/InputError.hpp"

using namespace twinbed;
using namespace twinbed::harness;

namespace {

const char* const VALID = R"(twinbed: 1
name: ward
seed: 9
duration: 2h
links:
  - name: wifi
    latency: 40ms
    loss: 1%
  - name: lte
    latency: 120ms
cohort:
  - prefix: icu
    count: 3
    profile: elderly
    devices:
      - type: pulse_oximeter
        link: lte
        sample_interval: 500ms
        spo2_error_sd: 1.5
  - count: 2
    devices:
      - type: pulse_oximeter
        name: ox
        link: wifi
)";

// Parses `text` and returns the InputError's message; fails the test when it parses.
std::string error_of(const std::string& text, const LoadOptions& options = {}) {
  try {
    parse_scenario(text, "bad.yaml", options);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError for:\n" << text;
  return "";
}

}  // namespace

TEST(Scenario, ParsesEveryKeyWithDefaults) {
  const Scenario s = parse_scenario(VALID, "ward.yaml");
  EXPECT_EQ(s.name, "ward");
  EXPECT_EQ(s.seed, 9u);
  EXPECT_EQ(s.duration, sim::Time::from_h(2));
  // The skeleton's links keep their meaning: generic links device -> ingest, constant latency
  // (distribution none, no jitter) and independent loss.
  ASSERT_EQ(s.network.links.size(), 2u);
  const network::LinkSpec& wifi = s.network.links[0];
  EXPECT_EQ(wifi.name, "wifi");
  EXPECT_EQ(wifi.technology, network::Technology::generic);
  EXPECT_EQ(wifi.from, "device");
  EXPECT_EQ(wifi.to, "ingest");
  EXPECT_EQ(wifi.params.duration("latency"), sim::Time::from_ms(40));
  EXPECT_EQ(wifi.params.duration("jitter"), sim::Time::zero());
  EXPECT_EQ(wifi.params.choice("distribution"), 0u);  // none
  EXPECT_DOUBLE_EQ(wifi.params.number("loss"), 0.01);
  EXPECT_DOUBLE_EQ(wifi.params.number("burst_p"), 0.0);
  EXPECT_TRUE(wifi.delay_percentiles.empty());
  EXPECT_EQ(s.network.links[1].params.duration("latency"), sim::Time::from_ms(120));
  EXPECT_DOUBLE_EQ(s.network.links[1].params.number("loss"), 0.0);
  EXPECT_TRUE(s.network.nodes.empty());
  EXPECT_TRUE(s.network.outages.empty());
  EXPECT_TRUE(s.network.mobility.empty());
  EXPECT_DOUBLE_EQ(s.record.network.packet_sample, 0.1);
  EXPECT_EQ(s.record.network.link_interval, sim::Time::from_min(1));
  ASSERT_EQ(s.cohorts.size(), 2u);
  EXPECT_EQ(s.cohorts[0].prefix, "icu");
  EXPECT_EQ(s.cohorts[0].count, 3u);
  EXPECT_EQ(s.cohorts[0].patient.profile.kind, physiology::ProfileKind::elderly);
  EXPECT_EQ(s.cohorts[1].patient.profile.kind, physiology::ProfileKind::adult);  // default
  EXPECT_EQ(s.cohorts[1].patient.glucose.kind, physiology::GlucoseKind::non_diabetic);
  EXPECT_FALSE(s.cohorts[1].patient.ecg);
  EXPECT_EQ(s.cohorts[0].devices[0].name, "spo2");              // default name
  EXPECT_EQ(s.cohorts[0].devices[0].link, "lte");
  EXPECT_EQ(s.cohorts[0].devices[0].params.duration("sample_interval"), sim::Time::from_ms(500));
  EXPECT_DOUBLE_EQ(s.cohorts[0].devices[0].params.number("spo2_error_sd"), 1.5);
  EXPECT_EQ(s.cohorts[1].prefix, "p");
  EXPECT_EQ(s.cohorts[1].devices[0].name, "ox");
  EXPECT_EQ(s.record.chunk_bytes, 1u << 20);
  EXPECT_EQ(s.source_text, VALID);
}

TEST(Scenario, OverridesAndSeedFlag) {
  LoadOptions options;
  options.overrides = {"duration=30min", "cohort.0.count=7", "links[1].loss=0.25", "cohort.1.glucose.model=uva_padova"};
  options.seed = 1234;
  const Scenario s = parse_scenario(VALID, "ward.yaml", options);
  EXPECT_EQ(s.duration, sim::Time::from_min(30));
  EXPECT_EQ(s.cohorts[0].count, 7u);
  EXPECT_DOUBLE_EQ(s.network.links[1].params.number("loss"), 0.25);
  EXPECT_EQ(s.cohorts[1].patient.glucose.kind, physiology::GlucoseKind::type1_diabetes);
  EXPECT_EQ(s.seed, 1234u);
  EXPECT_EQ(s.overrides, options.overrides);
}

TEST(Scenario, UnknownKeyNamesLineColumnAndSuggests) {
  const std::string text = std::string(VALID) + "recrod:\n  telemetry: false\n";
  EXPECT_EQ(error_of(text),
            "bad.yaml:25:1: recrod: 'recrod' is not a known key (did you mean 'record'?); allowed: twinbed, name, "
            "description, seed, replication, duration, cohort, nodes, links, outages, mobility, record, monitor, baselines, scoring, expect, "
            "start, live");
}

TEST(Scenario, NestedErrorsPointAtTheValue) {
  std::string text = VALID;
  text.replace(text.find("count: 3"), 8, "count: three");
  EXPECT_EQ(error_of(text),
            "bad.yaml:13:12: cohort[0].count: 'three' is not a whole number; expected a whole number in [1, 9999]");
}

TEST(Scenario, DurationProblems) {
  std::string text = VALID;
  text.replace(text.find("latency: 40ms"), 13, "latency: 40");
  EXPECT_NE(error_of(text).find("bad.yaml:7:14: links[0].latency: '40' is not a valid duration: missing unit"),
            std::string::npos)
      << error_of(text);
  text = VALID;
  text.replace(text.find("duration: 2h"), 12, "duration: -2h");
  EXPECT_NE(error_of(text).find("bad.yaml:4:11: duration: '-2h' is not a valid duration: negative duration"),
            std::string::npos);
  text = VALID;
  text.replace(text.find("duration: 2h"), 12, "duration: 0s");
  EXPECT_NE(error_of(text).find("is too short"), std::string::npos);
}

TEST(Scenario, WrongTypes) {
  std::string text = VALID;
  text.replace(text.find("duration: 2h"), 12, "duration: [2h]");
  EXPECT_NE(error_of(text).find("bad.yaml:4:11: duration: '<list>' is a list; expected a duration"), std::string::npos)
      << error_of(text);
  EXPECT_NE(error_of("twinbed: 1\nname: x\nduration: 1h\nlinks: wifi\ncohort: []\n").find("links: 'wifi' is not a list"),
            std::string::npos);
}

TEST(Scenario, ValueChecks) {
  std::string text = VALID;
  text.replace(text.find("loss: 1%"), 8, "loss: 1.2");
  EXPECT_NE(error_of(text).find("bad.yaml:8:11: links[0].loss: '1.2' is outside [0, 1]"), std::string::npos);
  text = VALID;
  text.replace(text.find("type: pulse_oximeter"), 20, "type: pulse_oxymeter");
  EXPECT_NE(error_of(text).find("'pulse_oxymeter' is not a device type (did you mean 'pulse_oximeter'?)"),
            std::string::npos);
  text = VALID;
  text.replace(text.find("link: lte"), 9, "link: lt");
  EXPECT_NE(error_of(text).find("'lt' is not a link of this scenario (did you mean 'lte'?); allowed: wifi, lte"),
            std::string::npos);
}

TEST(Scenario, StructuralChecks) {
  EXPECT_NE(error_of("twinbed: 1\nname: x\nduration: 1h\nlinks: [{name: a}]\ncohort: []\n")
                .find("bad.yaml:5:9: cohort: '<list>' is empty"),
            std::string::npos);
  EXPECT_NE(error_of("twinbed: 2\nname: x\n").find("bad.yaml:1:10: twinbed: '2' is not a supported scenario version"),
            std::string::npos);
  EXPECT_NE(error_of("name: x\n").find("bad.yaml:1:1: twinbed: is missing; this key is required"), std::string::npos);
  EXPECT_NE(error_of("twinbed: 1\ntwinbed: 1\n").find("is a duplicate key"), std::string::npos);
  EXPECT_NE(error_of("twinbed: 1\nname: [x\n").find("bad.yaml:3:1: is not valid YAML"), std::string::npos)
      << error_of("twinbed: 1\nname: [x\n");
  EXPECT_NE(error_of("").find("bad.yaml:1:1: is empty; expected a mapping"), std::string::npos) << error_of("");
}

TEST(Scenario, OverrideErrorsNameTheFlag) {
  LoadOptions options;
  options.overrides = {"cohort.0.count=0"};
  EXPECT_EQ(error_of(VALID, options),
            "--set cohort.0.count=0: cohort[0].count: '0' is out of range; expected a whole number in [1, 9999]");
  options.overrides = {"cohort.5.count=1"};
  EXPECT_NE(error_of(VALID, options).find("names a list element that does not exist; valid indices are 0 to 1"),
            std::string::npos);
  options.overrides = {"links.0.name=a"};
  EXPECT_NE(error_of("twinbed: 1\nlinks: []\n", options).find("names a list element that does not exist; the list is "
                                                              "empty"),
            std::string::npos);
  options.overrides = {"durration=1h"};
  EXPECT_NE(error_of(VALID, options).find("--set durration=1h: durration: 'durration' is not a known key (did you "
                                          "mean 'duration'?)"),
            std::string::npos)
      << error_of(VALID, options);
  options.overrides = {"no-equals-sign"};
  EXPECT_NE(error_of(VALID, options).find("expected --set key.path=value"), std::string::npos);
}

TEST(Scenario, EmptyValuesAreErrorsNotDefaults) {
  std::string text = VALID;
  text.replace(text.find("seed: 9"), 7, "seed:");
  EXPECT_EQ(error_of(text), "bad.yaml:3:1: seed: is empty; expected a whole number >= 0");
  LoadOptions options;
  options.overrides = {"links.0.latency="};
  EXPECT_EQ(error_of(VALID, options), "--set links.0.latency=: links[0].latency: is empty; expected a duration with a "
                                      "unit, e.g. 250ms, 15min, 24h");
}

TEST(Scenario, NamesAndLimits) {
  std::string text = VALID;
  text.replace(text.find("prefix: icu"), 11, "prefix: ic-u");
  EXPECT_EQ(error_of(text), "bad.yaml:12:13: cohort[0].prefix: 'ic-u' is not a valid patient id prefix; expected 1-16 "
                            "letters, digits, '_'");
  text = VALID;
  text.replace(text.find("name: ox"), 8, "name: o/x");
  EXPECT_NE(error_of(text).find("cohort[1].devices[0].name: 'o/x' is not a valid device name"), std::string::npos);
  text = VALID;
  text.replace(text.find("duration: 2h"), 12, "duration: 36501d");
  EXPECT_EQ(error_of(text), "bad.yaml:4:11: duration: '36501d' is too long; expected at most 36500d");
  text = VALID;
  text.replace(text.find("latency: 120ms"), 14, "latency: 106000d");
  EXPECT_EQ(error_of(text), "bad.yaml:10:14: links[1].latency: '106000d' is too long; expected at most 36500d");
  text = VALID;
  text.replace(text.find("profile: elderly"), 16, "profile:");
  EXPECT_EQ(error_of(text), "bad.yaml:14:5: cohort[0].profile: is empty; expected a text value");
  EXPECT_EQ(error_of("twinbed: 99999999999999999999\n"),
            "bad.yaml:1:10: twinbed: '99999999999999999999' is not a supported scenario version; allowed: 1");
  text = VALID;
  text.replace(text.find("spo2_error_sd: 1.5"), 18, "spo2_error_sd: 1.5%");
  EXPECT_EQ(error_of(text), "bad.yaml:19:24: cohort[0].devices[0].spo2_error_sd: '1.5%' is not a plain number; "
                            "expected a number in [0, 20]");
}

TEST(Scenario, MissingFileIsAnInputError) {
  try {
    load_scenario("/nonexistent/scenario.yaml");
    FAIL() << "no exception";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/scenario.yaml: cannot be read: no such file or not readable");
  }
}

TEST(Scenario, EditDistanceAndSuggestions) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(closest_match("duraton", {"name", "duration", "seed"}), "duration");
  EXPECT_EQ(closest_match("zzzzzz", {"name", "duration", "seed"}), "");
}

TEST(Scenario, PhysiologyKeys) {
  const char* const text = R"(twinbed: 1
name: physio
duration: 12h
cohort:
  - prefix: w
    count: 2
    profile: child
    conditions:
      - {type: sepsis, prevalence: 25%, onset: 1h, onset_latest: 3h, severity: 0.5, severity_max: 0.9}
      - {type: copd}
    rhythm:
      pvc_per_hour: 12
      af_burden: 10%
      episodes:
        - {rhythm: ventricular_tachycardia, start: 2h, duration: 30s, rate: 180}
        - {rhythm: asystole, start: 3h, duration: 5s}
    glucose: {model: uva_padova, patient: child#004, therapy: basal_bolus, meals: [{at: 7h, grams: 40}],
              boluses: [{at: 9h, units: 2}]}
    ecg: true
record: {ground_truth_interval: 30s}
)";
  const Scenario s = parse_scenario(text, "physio.yaml");
  const physiology::PatientSpec& p = s.cohorts[0].patient;
  EXPECT_EQ(p.profile.kind, physiology::ProfileKind::child);
  ASSERT_EQ(p.conditions.size(), 2u);
  EXPECT_DOUBLE_EQ(p.conditions[0].prevalence, 0.25);
  EXPECT_EQ(p.conditions[0].onset_latest, sim::Time::from_h(3));
  EXPECT_DOUBLE_EQ(p.conditions[0].severity_max, 0.9);
  EXPECT_EQ(p.conditions[1].type, physiology::ConditionType::copd);
  EXPECT_DOUBLE_EQ(p.rhythm.paroxysmal_af.burden, 0.1);
  ASSERT_EQ(p.rhythm.episodes.size(), 2u);
  EXPECT_EQ(p.rhythm.episodes[0].end, sim::Time::from_h(2) + sim::Time::from_s(30));
  EXPECT_DOUBLE_EQ(p.rhythm.episodes[0].rate_bpm, 180.0);
  EXPECT_EQ(p.glucose.kind, physiology::GlucoseKind::type1_diabetes);
  EXPECT_EQ(p.glucose.uva_padova_patient, "child#004");
  EXPECT_TRUE(p.glucose.meal_plan.empty());  // T1D: only the meals it lists
  ASSERT_EQ(p.boluses_u.size(), 1u);
  EXPECT_TRUE(p.ecg);
  EXPECT_EQ(s.record.ground_truth_interval, sim::Time::from_s(30));
  EXPECT_TRUE(s.network.links.empty());
  EXPECT_TRUE(s.cohorts[0].devices.empty());
}

TEST(Scenario, PhysiologyErrors) {
  const std::string head = "twinbed: 1\nname: x\nduration: 6h\ncohort:\n  - count: 1\n";
  EXPECT_EQ(error_of(head + "    conditions: [{type: sepis}]\n"),
            "bad.yaml:6:25: cohort[0].conditions[0].type: 'sepis' is not a condition type (did you mean 'sepsis'?); "
            "allowed: sepsis, covid_silent_hypoxaemia, copd, copd_exacerbation, heart_failure_decompensation, "
            "opioid_respiratory_depression, hypertensive_crisis");
  EXPECT_NE(error_of(head + "    conditions: [{type: sepsis, onset: 7h}]\n")
                .find("cohort[0].conditions[0].onset: '7h' is at or after the end of the run (6h)"),
            std::string::npos);
  EXPECT_NE(error_of(head + "    rhythm: {episodes: [{rhythm: asystole, start: 1h, duration: 10s}, "
                            "{rhythm: ventricular_fibrillation, start: 1h, duration: 5s}]}\n")
                .find("overlaps an earlier episode"),
            std::string::npos);
  EXPECT_NE(error_of(head + "    glucose: {model: uva_padova, patient: adult#011}\n")
                .find("'adult#011' is not a UVA/Padova virtual patient (did you mean"),
            std::string::npos);
  EXPECT_NE(error_of(head + "    glucose: {therapy: basal_bolus}\n").find("therapy: 'basal_bolus' needs model: uva_padova"),
            std::string::npos);
  EXPECT_NE(error_of(head + "    devices: [{type: pulse_oximeter, link: wifi}]\n")
                .find("names a link, but the scenario has no links"),
            std::string::npos);
  EXPECT_NE(error_of(head + "    heart_rate: {baseline: 80}\n").find("'heart_rate' is not a known key"),
            std::string::npos);
}
