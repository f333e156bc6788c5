// `expect:` lines: parsing (metric, comparison, value with unit), evaluation against a summary,
// the exact messages users read, and their path through the scenario loader and a run.
#include "harness/Expect.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include <unistd.h>

#include "harness/InputError.hpp"
#include "harness/Run.hpp"
#include "harness/Scenario.hpp"

using namespace twinbed;
using namespace twinbed::harness;
namespace fs = std::filesystem;

namespace {

// The std::invalid_argument message of parse_expectation; fails the test when it parses.
std::string parse_error(const std::string& text) {
  try {
    parse_expectation(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "'" << text << "' parsed";
  return "";
}

AssertionResult check(const std::string& text, const nlohmann::json& summary) {
  return evaluate({parse_expectation(text)}, summary).at(0);
}

const std::string VALUE_FORM =
    "expected a number with an optional unit: ns, us, ms, s, min, h, d (converted to seconds) or % (divided by 100)";
const std::string METRIC_FORM =
    "expected a dotted path into summary.json of names made of a-z, 0-9 and _, e.g. telemetry.completeness";

// A summary shaped like Run's (telemetry, network with a list of links, a null ratio).
nlohmann::json summary() {
  return {{"scenario", "ward"},
          {"assertions_passed", true},
          {"telemetry",
           {{"completeness", 0.995},
            {"completeness_worst_device", 0.9},
            {"duplicates", 0},
            {"generated", 1234567},
            {"latency", {{"p50", 0.04}, {"p99", 1.5}}}}},
          {"network", {{"links", {{{"name", "wifi"}, {"packets_dropped", 7}}, {{"name", "lte"}, {"packets_dropped", 0}}}}}},
          {"alarms", {{"overall", {{"sensitivity", nullptr}}}, {"empty", nlohmann::json::object()}}}};
}

}  // namespace

TEST(Expect, ParsesMetricOperatorAndValue) {
  const Expectation e = parse_expectation("  alarms.overall.sensitivity >= 0.95 ");
  EXPECT_EQ(e.text, "alarms.overall.sensitivity >= 0.95");
  EXPECT_EQ(e.metric, "alarms.overall.sensitivity");
  EXPECT_EQ(e.op, CompareOp::ge);
  EXPECT_EQ(e.value, 0.95);
  EXPECT_EQ(e.value_text, "0.95");
  // Spaces around the comparison are optional; digits and _ are allowed in names.
  const Expectation tight = parse_expectation("telemetry.latency.p99<=2s");
  EXPECT_EQ(tight.metric, "telemetry.latency.p99");
  EXPECT_EQ(tight.op, CompareOp::le);
  EXPECT_EQ(tight.value, 2.0);
  EXPECT_EQ(tight.value_text, "2s");
}

TEST(Expect, EveryOperator) {
  EXPECT_EQ(parse_expectation("a >= 1").op, CompareOp::ge);
  EXPECT_EQ(parse_expectation("a <= 1").op, CompareOp::le);
  EXPECT_EQ(parse_expectation("a > 1").op, CompareOp::gt);
  EXPECT_EQ(parse_expectation("a < 1").op, CompareOp::lt);
  EXPECT_EQ(parse_expectation("a == 1").op, CompareOp::eq);
  EXPECT_EQ(parse_expectation("a != 1").op, CompareOp::ne);
  for (const CompareOp op : {CompareOp::ge, CompareOp::le, CompareOp::gt, CompareOp::lt, CompareOp::eq, CompareOp::ne}) {
    EXPECT_EQ(parse_expectation(std::string("a ").append(compare_op_text(op)).append(" 1")).op, op);
  }
}

TEST(Expect, UnitsConvertToSecondsAndRatios) {
  EXPECT_EQ(parse_expectation("d <= 30s").value, 30.0);
  EXPECT_EQ(parse_expectation("d <= 500ms").value, 0.5);
  EXPECT_EQ(parse_expectation("d <= 250us").value, 250e-6);
  EXPECT_EQ(parse_expectation("d <= 40ns").value, 40e-9);
  EXPECT_EQ(parse_expectation("d <= 2min").value, 120.0);
  EXPECT_EQ(parse_expectation("d <= 1.5h").value, 5400.0);
  EXPECT_EQ(parse_expectation("d <= 2d").value, 172800.0);
  EXPECT_EQ(parse_expectation("d <= 2 min").value, 120.0);
  EXPECT_DOUBLE_EQ(parse_expectation("r >= 99.9%").value, 0.999);
  EXPECT_EQ(parse_expectation("r >= 50 %").value, 0.5);
  // No unit: the number as it is, with sign and exponent.
  EXPECT_EQ(parse_expectation("n <= 5").value, 5.0);
  EXPECT_EQ(parse_expectation("n >= -2.5").value, -2.5);
  EXPECT_EQ(parse_expectation("n >= +3").value, 3.0);
  EXPECT_EQ(parse_expectation("n <= 1e-3").value, 0.001);
}

TEST(Expect, ParseErrorsSayWhatIsWrongAndWhatIsAllowed) {
  EXPECT_EQ(parse_error("   "), "is empty; expected 'metric op value', e.g. 'alarms.overall.sensitivity >= 0.95'");
  EXPECT_EQ(parse_error("telemetry.completeness 0.99"),
            "has no comparison; expected 'metric op value', e.g. 'alarms.overall.sensitivity >= 0.95', with op one "
            "of >=, <=, >, <, ==, !=");
  EXPECT_EQ(parse_error("a = 1"), "has the comparison '='; allowed: >=, <=, >, <, ==, !=");
  EXPECT_EQ(parse_error("a => 1"), "has the comparison '=>'; allowed: >=, <=, >, <, ==, !=");
  EXPECT_EQ(parse_error("a ! 1"), "has the comparison '!'; allowed: >=, <=, >, <, ==, !=");
  EXPECT_EQ(parse_error(">= 1"), "has no metric before '>='; " + METRIC_FORM);
  EXPECT_EQ(parse_error("Telemetry.completeness >= 1"),
            "has metric 'Telemetry.completeness' with the character 'T'; " + METRIC_FORM);
  EXPECT_EQ(parse_error("telemetry completeness >= 1"),
            "has metric 'telemetry completeness' with the character ' '; " + METRIC_FORM);
  EXPECT_EQ(parse_error("a-b >= 1"), "has metric 'a-b' with the character '-'; " + METRIC_FORM);
  EXPECT_EQ(parse_error("a..b >= 1"), "has metric 'a..b' with an empty name between dots; " + METRIC_FORM);
  EXPECT_EQ(parse_error(".a >= 1"), "has metric '.a' with an empty name between dots; " + METRIC_FORM);
  EXPECT_EQ(parse_error("a. >= 1"), "has metric 'a.' with an empty name between dots; " + METRIC_FORM);
  EXPECT_EQ(parse_error("a >="), "has no value after '>='; " + VALUE_FORM);
  EXPECT_EQ(parse_error("a >= fast"), "has value 'fast' that is not a finite number; " + VALUE_FORM);
  EXPECT_EQ(parse_error("a >= nan"), "has value 'nan' that is not a finite number; " + VALUE_FORM);
  EXPECT_EQ(parse_error("a >= inf"), "has value 'inf' that is not a finite number; " + VALUE_FORM);
  EXPECT_EQ(parse_error("a >= +-1"), "has value '+-1' that is not a finite number; " + VALUE_FORM);
  EXPECT_EQ(parse_error("a <= 5 parsecs"), "has an unknown unit 'parsecs' in '5 parsecs'; " + VALUE_FORM);
  EXPECT_EQ(parse_error("a <= 5 s s"), "has an unknown unit 's s' in '5 s s'; " + VALUE_FORM);
  EXPECT_EQ(parse_error("a <= 1day"), "has an unknown unit 'day' in '1day'; " + VALUE_FORM);
}

TEST(Expect, EveryOperatorPassesAndFails) {
  const nlohmann::json s{{"x", 0.5}};
  struct Case {
    const char* text;
    bool passed;
  };
  for (const Case& c : {Case{"x >= 0.5", true}, Case{"x >= 0.6", false}, Case{"x <= 0.5", true},
                        Case{"x <= 0.4", false}, Case{"x > 0.4", true}, Case{"x > 0.5", false}, Case{"x < 0.6", true},
                        Case{"x < 0.5", false}, Case{"x == 0.5", true}, Case{"x == 50%", true},
                        Case{"x == 0.6", false}, Case{"x != 0.6", true}, Case{"x != 0.5", false}}) {
    const AssertionResult r = check(c.text, s);
    EXPECT_EQ(r.passed, c.passed) << c.text << ": " << r.message;
    ASSERT_TRUE(r.actual.has_value()) << c.text;
    EXPECT_EQ(*r.actual, 0.5);
  }
}

TEST(Expect, ComparisonsAllowARelativeToleranceOfOneInABillion) {
  // 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
  const nlohmann::json s{{"x", 0.1 + 0.2}, {"big", 1e12 + 500.0}, {"zero", 0.0}};
  EXPECT_TRUE(check("x == 0.3", s).passed);
  EXPECT_FALSE(check("x != 0.3", s).passed);
  EXPECT_FALSE(check("x > 0.3", s).passed);
  EXPECT_TRUE(check("x <= 0.3", s).passed);
  // 500 in 1e12 is 5e-10 relative: equal. 2500 in 1e12 is not.
  EXPECT_TRUE(check("big == 1e12", s).passed);
  EXPECT_FALSE(check("big == 999999998000", s).passed);
  // Relative to zero nothing is close but zero itself.
  EXPECT_TRUE(check("zero == 0", s).passed);
  EXPECT_FALSE(check("zero == 1e-300", s).passed);
  EXPECT_TRUE(check("zero < 1e-300", s).passed);
}

TEST(Expect, MessagesShowTheActualValueAndTheBoundAsWritten) {
  const nlohmann::json s = summary();
  const AssertionResult pass = check("telemetry.completeness >= 99%", s);
  EXPECT_TRUE(pass.passed);
  EXPECT_EQ(pass.message, "telemetry.completeness = 0.995, expected >= 99%");
  const AssertionResult fail = check("telemetry.completeness >= 1.01", s);
  EXPECT_FALSE(fail.passed);
  EXPECT_EQ(fail.message, "telemetry.completeness = 0.995, expected >= 1.01");
  EXPECT_EQ(check("telemetry.latency.p99 <= 1s", s).message, "telemetry.latency.p99 = 1.5, expected <= 1s");
  // Whole numbers stay whole, however large.
  EXPECT_EQ(check("telemetry.generated <= 1000000", s).message, "telemetry.generated = 1234567, expected <= 1000000");
  // More digits when 6 would make the value look as if it passed.
  const AssertionResult close = check("x >= 1", {{"x", 0.99999996}});
  EXPECT_FALSE(close.passed);
  EXPECT_EQ(close.message, "x = 0.99999996, expected >= 1");
  // Lists are indexed by number.
  EXPECT_EQ(check("network.links.0.packets_dropped == 7", s).message,
            "network.links.0.packets_dropped = 7, expected == 7");
}

TEST(Expect, UnknownMetricsNameTheNearestKeys) {
  const nlohmann::json s = summary();
  const AssertionResult typo = check("telemetry.completness >= 0.99", s);
  EXPECT_FALSE(typo.passed);
  EXPECT_FALSE(typo.actual.has_value());
  EXPECT_EQ(typo.message,
            "unknown metric 'telemetry.completness': no key 'completness' in 'telemetry'; nearest: completeness, "
            "duplicates, generated");
  EXPECT_EQ(check("telemetri.completeness >= 0.99", s).message,
            "unknown metric 'telemetri.completeness': no key 'telemetri' in summary.json; nearest: telemetry, "
            "network, scenario");
  EXPECT_EQ(check("alarms.empty.sensitivity >= 1", s).message,
            "unknown metric 'alarms.empty.sensitivity': no key 'sensitivity' in 'alarms.empty', which is empty");
  EXPECT_EQ(check("telemetry.completeness.p50 >= 1", s).message,
            "unknown metric 'telemetry.completeness.p50': 'telemetry.completeness' is a number, not a group; it has no "
            "'p50'");
  EXPECT_EQ(check("network.links.2.packets_dropped <= 1", s).message,
            "unknown metric 'network.links.2.packets_dropped': 'network.links' is a list of 2 entries; index it with a "
            "number from 0 to 1");
  EXPECT_EQ(check("network.links.wifi.packets_dropped <= 1", s).message,
            "unknown metric 'network.links.wifi.packets_dropped': 'network.links' is a list of 2 entries; index it "
            "with a number from 0 to 1");
}

TEST(Expect, UndefinedAndNonNumericMetricsFail) {
  const nlohmann::json s = summary();
  const AssertionResult undefined = check("alarms.overall.sensitivity >= 0.95", s);
  EXPECT_FALSE(undefined.passed);
  EXPECT_FALSE(undefined.actual.has_value());
  EXPECT_EQ(undefined.message, "alarms.overall.sensitivity is undefined (no events / no alarms), expected >= 0.95");
  // Before summary.json is written an undefined ratio may still be NaN in memory.
  const AssertionResult nan = check("r != 0", {{"r", std::numeric_limits<double>::quiet_NaN()}});
  EXPECT_FALSE(nan.passed);
  EXPECT_FALSE(nan.actual.has_value());
  EXPECT_EQ(nan.message, "r is undefined (no events / no alarms), expected != 0");

  EXPECT_EQ(check("assertions_passed == 1", s).message, "assertions_passed is a boolean (true), not a number");
  EXPECT_EQ(check("scenario == 1", s).message, "scenario is text ('ward'), not a number");
  EXPECT_EQ(check("telemetry >= 1", s).message,
            "telemetry is a group of metrics, not a number; name one of its metrics, e.g. telemetry.completeness");
  EXPECT_EQ(check("network.links >= 1", s).message,
            "network.links is a list of 2 entries, not a number; index one, e.g. network.links.0");
  for (const char* text : {"assertions_passed == 1", "scenario == 1", "telemetry >= 1", "network.links >= 1"}) {
    const AssertionResult r = check(text, s);
    EXPECT_FALSE(r.passed) << text;
    EXPECT_FALSE(r.actual.has_value()) << text;
  }
}

TEST(Expect, AssertionsJson) {
  Expectation e = parse_expectation("telemetry.completeness >= 1.01");
  e.location = "s.yaml:9:5";
  const std::vector<AssertionResult> results =
      evaluate({e, parse_expectation("alarms.overall.sensitivity >= 0.95")}, summary());
  const nlohmann::json expected = nlohmann::json::parse(R"([
    {"expect": "telemetry.completeness >= 1.01", "passed": false, "actual": 0.995,
     "message": "telemetry.completeness = 0.995, expected >= 1.01", "location": "s.yaml:9:5"},
    {"expect": "alarms.overall.sensitivity >= 0.95", "passed": false, "actual": null,
     "message": "alarms.overall.sensitivity is undefined (no events / no alarms), expected >= 0.95",
     "location": ""}])");
  EXPECT_EQ(assertions_json(results), expected);
  EXPECT_EQ(assertions_json({}), nlohmann::json::array());
}

namespace {

const char* const SCENARIO = R"(twinbed: 1
name: expect_test
seed: 3
duration: 2min
links:
  - name: wifi
    latency: 30ms
cohort:
  - count: 1
    devices:
      - type: pulse_oximeter
        sample_interval: 2s
expect:
  - telemetry.completeness >= 50%
  - telemetry.completeness >= 1.01
)";

}  // namespace

TEST(Expect, ScenarioLoaderReadsTheListWithLocations) {
  const Scenario scenario = parse_scenario(SCENARIO, "e.yaml");
  ASSERT_EQ(scenario.expect.size(), 2u);
  EXPECT_EQ(scenario.expect[0].text, "telemetry.completeness >= 50%");
  EXPECT_EQ(scenario.expect[0].value, 0.5);
  EXPECT_EQ(scenario.expect[0].location, "e.yaml:14:5");
  EXPECT_EQ(scenario.expect[1].location, "e.yaml:15:5");
  EXPECT_TRUE(parse_scenario("twinbed: 1\nname: n\nduration: 1h\ncohort:\n  - count: 1\n", "e.yaml").expect.empty());
}

TEST(Expect, ScenarioLoaderErrorsNameFileLineAndColumn) {
  std::string text = SCENARIO;
  text += "  - telemetry.completeness >= 5 parsecs\n";
  try {
    parse_scenario(text, "e.yaml");
    FAIL() << "parsed";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "e.yaml:16:5: expect[2]: 'telemetry.completeness >= 5 parsecs' has an unknown unit 'parsecs' in "
              "'5 parsecs'; " + VALUE_FORM);
  }
  try {
    parse_scenario(std::string(SCENARIO) + "  - {metric: x}\n", "e.yaml");
    FAIL() << "parsed";
  } catch (const InputError& e) {
    EXPECT_EQ(e.location().to_string(), "e.yaml:16:5");
    EXPECT_EQ(e.key(), "expect[2]");
  }
}

TEST(Expect, RunPutsTheVerdictsIntoTheSummary) {
  std::string folder = "twinbed-expect-test-";
  folder += std::to_string(::getpid());
  const fs::path root = fs::temp_directory_path() / folder;
  fs::remove_all(root);
  RunOptions options;
  options.out_root = root;
  options.progress = false;
  options.run_id = "r";
  const RunResult result = harness::Run(parse_scenario(SCENARIO, "e.yaml"), options).execute();
  const nlohmann::json& s = result.summary;
  fs::remove_all(root);
  ASSERT_EQ(s["assertions"].size(), 2u);
  EXPECT_TRUE(s["assertions"][0]["passed"].get<bool>());
  EXPECT_FALSE(s["assertions"][1]["passed"].get<bool>());
  EXPECT_EQ(s["assertions"][1]["location"], "e.yaml:15:5");
  EXPECT_EQ(s["assertions_passed"], false);
  EXPECT_EQ(s["assertions_failed"], 1);
  // A lossless link for 2 minutes: every reading arrives.
  EXPECT_EQ(s["telemetry"]["completeness"].get<double>(), 1.0);
  const std::string text = format_summary(result);
  EXPECT_NE(text.find("\nPASS        telemetry.completeness = 1, expected >= 50%\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nFAIL        telemetry.completeness = 1, expected >= 1.01\n"), std::string::npos) << text;
  // The verdicts come after every other line.
  EXPECT_LT(text.find("results     "), text.find("PASS"));
}
