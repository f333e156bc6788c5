#pragma once
// harness::export_wfdb: `twinbed export RUN --wfdb DIR`. Reads the ECG waveforms and the true
// beats of a finished run (run.h5) and writes one WFDB record per patient with an ECG: header
// <name>.hea, signal <name>.dat (format 16 or 212, 200 adu/mV) and reference annotations
// <name>.atr (MIT format), plus a RECORDS list. Layout and choices: docs/wfdb-export.md.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace twinbed::harness {

struct ExportedRecord {
  std::string patient_id;   // as in /patients, e.g. "p0001"
  std::string record_name;  // the WFDB record name: the id with '-' (and any other character
                            // WFDB does not allow) replaced by '_'
  std::uint64_t samples = 0;
  double sampling_frequency_hz = 0.0;
  std::uint64_t beats = 0;    // annotations written to <record_name>.atr
  std::uint64_t clipped = 0;  // samples outside the format's range, written as its limit
};

struct ExportSummary {
  std::filesystem::path directory;  // DIR, now holding the records
  int format = 16;
  bool annotations = false;             // false when the run has no /ground_truth/beats (no .atr written)
  std::vector<ExportedRecord> records;  // in /patients order
};

// The WFDB gain: 200 adu/mV, the MIT-BIH Arrhythmia Database's (its headers read "200 11 1024").
// With format 212 (-2047..2047) that is a range of +-10.2 mV at a resolution of 5 uV.
inline constexpr double WFDB_EXPORT_GAIN_ADU_PER_MV = 200.0;

// `run` is a run folder (containing run.h5) or the .h5 file itself. Writes into a hidden temporary
// folder next to `out_dir` and renames it to `out_dir` only when every file is written, so a
// failure leaves nothing behind. Throws InputError (missing run, not HDF5, no ECG, `out_dir` not
// empty, format not 16 or 212, malformed tables) and RunError (I/O).
ExportSummary export_wfdb(const std::filesystem::path& run, const std::filesystem::path& out_dir, int format);

}  // namespace twinbed::harness
