#pragma once
// harness::write_report: report.html for a finished run, regenerated from its folder alone
// (run.h5 + summary.json), so `twinbed report RUN` gives the same page, byte for byte, as the run
// did. The page is self-contained: inline CSS and SVG, no script, font or image from elsewhere.
// harness::export_csv: every table of run.h5 as CSV, for spreadsheets and other tools.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace twinbed::harness {

// The most patients the report draws a timeline for (the page stays readable and under a few MB).
inline constexpr std::size_t REPORT_MAX_PATIENTS = 12;

// Writes <run_dir>/report.html (through a temporary file and a rename) and returns its path.
// `run_dir` is a run folder (or its run.h5). Throws InputError when it is not a run folder (no
// run.h5 or summary.json) and RunError when a file cannot be read or written.
std::filesystem::path write_report(const std::filesystem::path& run_dir);

struct CsvFile {
  std::filesystem::path file;  // DIR/<name>.csv
  std::string source;          // the dataset ("/telemetry"), or "(attributes)"
  std::uint64_t rows = 0;      // data rows, the header not counted
};

struct CsvExport {
  std::filesystem::path directory;
  std::vector<CsvFile> files;         // in dataset-path order, attributes.csv last
  std::vector<std::string> skipped;   // "what: why" for anything CSV cannot hold (none today)
};

// Writes one CSV per dataset of run.h5 into `out_dir` (created; it must not exist or be empty),
// named after the dataset's path: telemetry.csv, ground_truth_events.csv, faults.csv, alarms.csv,
// scores_events.csv, scores_classes.csv, patients.csv, devices.csv, waveforms_ecg_<id>.csv, ...
// Tables keep their columns (header row = HDF5 member names; enums by name; strings unpadded;
// ns times as integers); a one-dimensional numeric dataset (a waveform) gives "sample,value".
// attributes.csv holds object,attribute,value for every attribute (/meta among them). Files are
// written into a hidden temporary folder renamed to `out_dir` at the end. Throws InputError (bad
// RUN or DIR) and RunError (I/O, unreadable file).
CsvExport export_csv(const std::filesystem::path& run_dir, const std::filesystem::path& out_dir);

}  // namespace twinbed::harness
