#pragma once
// harness::Wfdb: writers for PhysioNet's WFDB record format, so twinbed's ECG can be read by the
// WFDB tools (rdsamp, rdann, gqrs, bxb) and by wfdb-python unchanged. Pure functions: bytes and
// text in, files out; no HDF5 here (harness/Export.cpp reads the run).
//
// Followed, field by field (cited next to each constant in Wfdb.cpp):
//   header(5)  "WFDB header format": record line and signal specification lines
//              (PhysioNet WFDB Applications Guide; wfdb/wfdb-spec spec/HEADERS.md).
//   signal(5)  formats 16 and 212 (wfdb-spec spec/SIGNALS.md).
//   annot(5)   MIT annotation format, with the codes of <wfdb/ecgcodes.h>; the byte-level
//              behaviour matches putann() in the WFDB library's lib/annot.c.
// Layout and usage: docs/wfdb-export.md.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace twinbed::harness {

// One signal's calibration, as written in its header signal line.
struct WfdbSignalSpec {
  std::string description;         // the signal name, e.g. "ECG"
  double gain_adu_per_mv = 200.0;  // ADC units per physical unit (the units below)
  int baseline = 0;                // sample value of 0 physical units
  int adc_resolution_bits = 16;    // 16 for format 16, 12 for format 212
  std::string units = "mV";
};

// One annotation: the sample it marks (0-based, in the record's samples) and its class as the
// ASCII mnemonic of ecgcodes.h ('N', 'V', 'A', 'F', 'Q', ...).
struct WfdbAnnotation {
  std::int64_t sample;
  char beat_class;
  bool operator==(const WfdbAnnotation&) const = default;
};

// The storage formats written: 16 (16-bit little-endian) and 212 (two 12-bit samples in 3 bytes).
bool is_supported_wfdb_format(int format);
// The smallest and largest *valid* sample of a format. One step short of the two's-complement
// minimum, because the WFDB library reads that value as "no sample" (WFDB_INVALID_SAMPLE).
int wfdb_min_sample(int format);
int wfdb_max_sample(int format);
// The value the WFDB library reads as an invalid (missing) sample: -32768 or -2048.
std::int16_t wfdb_invalid_sample(int format);

// mV to ADC units: round(mv * gain) + baseline, rounding half away from zero, clipped to the
// format's valid range. NaN becomes the format's invalid sample, so gaps stay gaps.
std::int16_t mv_to_adu(double mv, const WfdbSignalSpec& spec, int format);
std::vector<std::int16_t> mv_to_adu(std::span<const float> mv, const WfdbSignalSpec& spec, int format);

// The header checksum: the sum of all samples as a 16-bit two's-complement number (header(5)).
std::int16_t wfdb_checksum(std::span<const std::int16_t> samples);

// The .dat bytes of one signal in format 16 or 212.
std::vector<std::uint8_t> encode_wfdb_samples(std::span<const std::int16_t> samples, int format);

// The .hea text of a one-signal record whose samples are in "<record_name>.dat". `info` lines are
// appended as comment lines ("#" + line), which WFDB calls info strings.
std::string wfdb_header_text(const std::string& record_name, double sampling_frequency_hz,
                             std::span<const std::int16_t> samples, const WfdbSignalSpec& spec, int format,
                             std::span<const std::string> info = {});

// Writes <dir>/<record_name>.hea and <dir>/<record_name>.dat. Throws RunError on I/O failure.
void write_wfdb_record(const std::filesystem::path& dir, const std::string& record_name, double sampling_frequency_hz,
                       std::span<const std::int16_t> samples, const WfdbSignalSpec& spec, int format,
                       std::span<const std::string> info = {});

// MIT annotation code of ecgcodes.h for a mnemonic ('N' -> 1, 'V' -> 5, ...); 0 if it has none.
int mit_annotation_code(char beat_class);
// The MIT-format bytes for annotations sorted by sample (non-decreasing, >= 0), on channel 0 with
// no subtype, num or aux, ending with the 0x0000 end-of-file word.
std::vector<std::uint8_t> encode_mit_annotations(std::span<const WfdbAnnotation> annotations);
// Writes <dir>/<record_name>.<annotator> (annotator "atr" for reference annotations). Throws
// RunError on I/O failure.
void write_wfdb_annotations(const std::filesystem::path& dir, const std::string& record_name,
                            const std::string& annotator, std::span<const WfdbAnnotation> annotations);

// A valid WFDB record name from any id: letters, digits and '_' are kept, every other character
// (such as '-') becomes '_' (header(5): "letters, digits and underscores only").
std::string wfdb_record_name(const std::string& id);

}  // namespace twinbed::harness
