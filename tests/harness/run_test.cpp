// End-to-end through harness::Run, reading the HDF5 file back with the HDF5 C++ API (by member
// name, independently of the recorder's own types).
#include "harness/Run.hpp"

#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <tuple>
#include <vector>

#include "harness/InputError.hpp"
#include "harness/Scenario.hpp"
#include "TelemetryReader.hpp"

using namespace twinbed;
using namespace twinbed::harness;
namespace fs = std::filesystem;
using testkit::Row;
using testkit::read_telemetry;

namespace {

const char* const SCENARIO = R"(twinbed: 1
name: determinism
seed: 5
duration: 10min
links:
  - name: wifi
    latency: 30ms
    loss: 5%
cohort:
  - count: 1
    devices:
      - type: pulse_oximeter
        sample_interval: 2s
)";

class RunTest : public ::testing::Test {
protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("twinbed-run-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  RunResult run(const LoadOptions& options, const std::string& run_id, const std::string& text = SCENARIO) {
    RunOptions run_options;
    run_options.out_root = root_;
    run_options.progress = false;
    run_options.run_id = run_id;
    return harness::Run(parse_scenario(text, "determinism.yaml", options), run_options).execute();
  }

  fs::path root_;
};

}  // namespace

TEST_F(RunTest, SameSeedGivesIdenticalTelemetry) {
  const RunResult a = run({}, "a");
  const RunResult b = run({}, "b");
  const std::vector<Row> rows_a = read_telemetry(a.directory / "run.h5");
  const std::vector<Row> rows_b = read_telemetry(b.directory / "run.h5");
  // 10 min at 0.5 Hz = 300 samples x 3 readings (SpO2, pulse rate, perfusion index); 5 % loss
  // leaves about 855.
  ASSERT_GT(rows_a.size(), 780u);
  ASSERT_LT(rows_a.size(), 900u);
  EXPECT_EQ(rows_a, rows_b);
  EXPECT_EQ(rows_a.size(), a.summary["telemetry"]["received"].get<std::size_t>());
}

TEST_F(RunTest, DifferentSeedGivesDifferentValues) {
  LoadOptions other;
  other.seed = 6;
  const std::vector<Row> rows_a = read_telemetry(run({}, "a").directory / "run.h5");
  const std::vector<Row> rows_b = read_telemetry(run(other, "b").directory / "run.h5");
  ASSERT_FALSE(rows_a.empty());
  ASSERT_FALSE(rows_b.empty());
  EXPECT_NE(rows_a, rows_b);
  // Not only a shifted phase: the measured values themselves differ.
  double sum_a = 0, sum_b = 0;
  for (const Row& r : rows_a) sum_a += r.value;
  for (const Row& r : rows_b) sum_b += r.value;
  EXPECT_NE(sum_a, sum_b);
}

TEST_F(RunTest, AddingPatientsDoesNotChangeTheFirstPatient) {
  LoadOptions more;
  more.overrides = {"cohort.0.count=3"};
  const RunResult one = run({}, "one");
  const RunResult three = run(more, "three");
  const std::vector<Row> rows_one = read_telemetry(one.directory / "run.h5");
  std::vector<Row> first_of_three;
  std::size_t others = 0;
  for (const Row& row : read_telemetry(three.directory / "run.h5")) {
    if (row.patient == 0) {
      first_of_three.push_back(row);
    } else {
      ++others;
    }
  }
  ASSERT_GT(others, 1000u);  // the other two patients really produced telemetry
  EXPECT_EQ(rows_one, first_of_three);
}

// A full cohort: conditions drawn by prevalence, paroxysmal AF, T1D glucose with a meal plan, ECG.
const char* const FULL_COHORT = R"(twinbed: 1
name: full_cohort
seed: 21
duration: 6h
cohort:
  - prefix: w
    count: 1
    profile: elderly
    conditions:
      - {type: sepsis, prevalence: 50%, onset: 1h, onset_latest: 3h}
      - {type: copd, prevalence: 50%}
    rhythm: {af_burden: 0.2, af_median_episode: 20min, pvc_per_hour: 60}
    ecg: true
  - prefix: t
    count: 1
    glucose: {model: uva_padova, patient: all, therapy: basal_bolus, meal_plan: [{time: 2h, grams: 60, grams_sd: 10}],
              boluses: [{at: 3h, units: 8}]}
record:
  ground_truth_interval: 1min
)";

struct EventRecord {
  std::uint32_t patient;
  std::uint8_t event_class;
  std::int64_t onset_ns;
  std::int64_t offset_ns;
  double severity;
  double peak;
  auto key() const { return std::tie(event_class, onset_ns, offset_ns, severity, peak); }
  bool operator==(const EventRecord& o) const { return key() == o.key(); }
};

// Events of the patient with `id`, read back by member name.
std::vector<EventRecord> events_of(const fs::path& file, const std::string& id) {
  H5::H5File h5(file.string(), H5F_ACC_RDONLY);
  H5::DataSet patients = h5.openDataSet("patients");
  hsize_t n = 0;
  patients.getSpace().getSimpleExtentDims(&n);
  std::vector<std::array<char, 64>> ids(n);
  H5::CompType id_type(std::size_t{64});
  H5::StrType str(H5::PredType::C_S1, 64);
  id_type.insertMember("id", 0, str);
  patients.read(ids.data(), id_type);
  std::uint32_t index = UINT32_MAX;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (std::string(ids[i].data()) == id) index = i;
  }
  H5::DataSet dataset = h5.openDataSet("ground_truth/events");
  H5::CompType type(sizeof(EventRecord));
  type.insertMember("patient", offsetof(EventRecord, patient), H5::PredType::NATIVE_UINT32);
  type.insertMember("event_class", offsetof(EventRecord, event_class),
                    dataset.getCompType().getMemberEnumType(1).getSuper());
  type.insertMember("onset_ns", offsetof(EventRecord, onset_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("offset_ns", offsetof(EventRecord, offset_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("severity", offsetof(EventRecord, severity), H5::PredType::NATIVE_DOUBLE);
  type.insertMember("peak", offsetof(EventRecord, peak), H5::PredType::NATIVE_DOUBLE);
  hsize_t rows = 0;
  dataset.getSpace().getSimpleExtentDims(&rows);
  std::vector<EventRecord> all(rows);
  if (rows > 0) dataset.read(all.data(), type);
  std::vector<EventRecord> mine;
  for (const EventRecord& e : all) {
    if (e.patient == index) mine.push_back(e);
  }
  return mine;
}

TEST_F(RunTest, FullCohortPatientsAreIndependentOfTheirNeighbours) {
  LoadOptions more;
  more.overrides = {"cohort.0.count=4", "cohort.1.count=3"};
  const RunResult small = run({}, "small", FULL_COHORT);
  const RunResult large = run(more, "large", FULL_COHORT);
  const RunResult again = run(more, "again", FULL_COHORT);
  for (const std::string id : {"w0001", "t0001"}) {
    const std::vector<EventRecord> a = events_of(small.directory / "run.h5", id);
    ASSERT_FALSE(a.empty()) << id;
    EXPECT_EQ(a, events_of(large.directory / "run.h5", id)) << id;
  }
  EXPECT_EQ(read_telemetry(large.directory / "run.h5"), read_telemetry(again.directory / "run.h5"));
  for (const std::string id : {"w0001", "w0002", "w0003", "w0004", "t0001", "t0002", "t0003"}) {
    EXPECT_EQ(events_of(large.directory / "run.h5", id), events_of(again.directory / "run.h5", id)) << id;
  }
}

TEST_F(RunTest, ResultsFolderHoldsExactlyTheFinishedFiles) {
  const RunResult result = run({}, "fixed");
  EXPECT_EQ(result.directory, root_ / "determinism" / "fixed");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root_ / "determinism")) names.push_back(entry.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"fixed"});  // no temporary folder left
  EXPECT_TRUE(fs::exists(result.directory / "run.h5"));
  std::ifstream summary(result.directory / "summary.json");
  const nlohmann::json json = nlohmann::json::parse(summary);
  EXPECT_EQ(json["seed"], 5);
  EXPECT_EQ(json["telemetry"]["generated"], 900);
}

TEST_F(RunTest, GeneratedRunIdsNeverOverwriteAndAgreeEverywhere) {
  RunOptions options;
  options.out_root = root_;
  options.progress = false;
  const Scenario scenario = parse_scenario(SCENARIO, "d.yaml");
  const RunResult first = harness::Run(scenario, options).execute();
  const RunResult second = harness::Run(scenario, options).execute();  // same second: name is taken
  ASSERT_NE(first.directory, second.directory);
  const std::string id = second.summary["run_id"];
  EXPECT_EQ(second.directory.filename().string(), id);
  EXPECT_EQ(second.summary["files"]["hdf5"], (second.directory / "run.h5").string());
  std::ifstream on_disk(second.directory / "summary.json");
  EXPECT_EQ(nlohmann::json::parse(on_disk), second.summary);
  H5::H5File h5((second.directory / "run.h5").string(), H5F_ACC_RDONLY);
  std::string stored;
  h5.openGroup("meta").openAttribute("run_id").read(H5::StrType(H5::PredType::C_S1, H5T_VARIABLE), stored);
  EXPECT_EQ(stored, id);
}

TEST_F(RunTest, SilentDeviceShowsAsAGapAsLongAsTheRun) {
  LoadOptions all_lost;
  all_lost.overrides = {"links.0.loss=1"};
  const RunResult result = run(all_lost, "silent");
  EXPECT_EQ(result.summary["telemetry"]["received"], 0);
  EXPECT_DOUBLE_EQ(result.summary["telemetry"]["max_gap_s"].get<double>(), 600.0);
  EXPECT_DOUBLE_EQ(result.summary["telemetry"]["completeness"].get<double>(), 0.0);
  EXPECT_TRUE(read_telemetry(result.directory / "run.h5").empty());
}

TEST_F(RunTest, FailedRunLeavesNothingBehind) {
  // The output root is a regular file: the results folder cannot be created.
  fs::create_directories(root_);
  std::ofstream(root_ / "file") << "x";
  RunOptions options;
  options.out_root = root_ / "file";
  options.progress = false;
  EXPECT_THROW(harness::Run(parse_scenario(SCENARIO, "d.yaml"), options).execute(), RunError);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(root_)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(RunTest, SummaryCountsAreConsistent) {
  const RunResult result = run({}, "counts");
  const nlohmann::json& t = result.summary["telemetry"];
  const nlohmann::json& network = result.summary["network"];
  const nlohmann::json& link = network["links"][0];
  EXPECT_EQ(t["generated"].get<std::uint64_t>(), t["received"].get<std::uint64_t>() + t["missing"].get<std::uint64_t>());
  EXPECT_EQ(network["packets_sent"].get<std::uint64_t>(), 300u);
  EXPECT_EQ(link["packets_offered"].get<std::uint64_t>(), 300u);
  EXPECT_EQ(network["packets_sent"].get<std::uint64_t>(),
            network["packets_dropped"].get<std::uint64_t>() + network["packets_delivered"].get<std::uint64_t>() +
                network["packets_in_flight_at_end"].get<std::uint64_t>());
  EXPECT_EQ(network["dropped_by_reason"]["loss"].get<std::uint64_t>(), network["packets_dropped"].get<std::uint64_t>());
  EXPECT_EQ(link["packets_dropped"].get<std::uint64_t>(), network["packets_dropped"].get<std::uint64_t>());
  EXPECT_EQ(3 * network["packets_delivered"].get<std::uint64_t>(), t["received"].get<std::uint64_t>());
  // Constant 30 ms latency: every percentile is 30 ms (histogram error < 0.8 %).
  EXPECT_NEAR(t["latency"]["p50"].get<double>(), 0.030, 0.030 * 0.008);
  EXPECT_DOUBLE_EQ(t["latency"]["max"].get<double>(), 0.030);
  EXPECT_EQ(t["duplicates"], 0);
  // 2 s sampling with 5 % loss: gaps are whole multiples of 2 s, and some packets were lost.
  const double gap = t["max_gap_s"].get<double>();
  EXPECT_GE(gap, 4.0);
  EXPECT_DOUBLE_EQ(gap / 2.0, std::round(gap / 2.0));
  EXPECT_EQ(t["out_of_order"], 0);
}
