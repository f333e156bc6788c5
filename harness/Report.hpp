#pragma once
// harness::write_report: report.html for a finished run, regenerated from its folder alone
// (run.h5 + summary.json), so `twinbed report RUN` gives the same page as the run did. The page is
// self-contained: inline CSS and SVG, no script or font from elsewhere.
// harness::export_csv: every table of run.h5 as CSV, for spreadsheets and other tools.
#include <filesystem>

namespace twinbed::harness {

// Writes <run_dir>/report.html (through a temporary file and a rename). Throws RunError.
void write_report(const std::filesystem::path& run_dir);

// Writes one CSV per table of run.h5 into `out_dir` (created; it must not exist or be empty):
// telemetry.csv, ground_truth_events.csv, faults.csv, alarms.csv, scored_events.csv, scores.csv,
// patients.csv, devices.csv, ... Throws RunError.
void export_csv(const std::filesystem::path& run_dir, const std::filesystem::path& out_dir);

}  // namespace twinbed::harness
