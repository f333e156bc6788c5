#include "harness/Wfdb.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "harness/InputError.hpp"

namespace twinbed::harness {
namespace {

// signal(5): format 16 is a 16-bit two's-complement amplitude, least significant byte first;
// format 212 packs two 12-bit two's-complement amplitudes into 3 bytes.
constexpr int FORMAT_16 = 16;
constexpr int FORMAT_212 = 212;

// annot(5), MIT format: each annotation is a 16-bit little-endian word whose 6 high bits are the
// code (A) and 10 low bits the time since the previous annotation in samples (I).
constexpr unsigned CODE_SHIFT = 10;          // lib/annot.c: CS
constexpr std::int64_t MAX_INTERVAL = 1023;  // lib/annot.c: MAXRR, the largest I that fits in 10 bits
// A = 59 (SKIP): the interval does not fit in I; the next 4 bytes hold it as a 32-bit integer in
// PDP-11 order (high 16-bit word first, each word little-endian), and the annotation that follows
// has I = 0. lib/annot.c putann() writes exactly "SKIP, p32(delta), code << CS".
constexpr unsigned SKIP_CODE = 59;
// A = 0 with I = 0: the end-of-file word.
constexpr std::uint16_t END_OF_FILE = 0x0000;

// ecgcodes.h codes 1..41 and their mnemonics (lib/annot.c cstring[]), the single-character ones:
// the beat labels of the MIT-BIH and AHA databases and the common non-beat labels.
struct CodeMnemonic {
  char mnemonic;
  int code;
};
constexpr std::array<CodeMnemonic, 37> MNEMONICS{{
    {'N', 1},  {'L', 2},  {'R', 3},  {'a', 4},  {'V', 5},  {'F', 6},  {'J', 7},  {'A', 8},  {'S', 9},  {'E', 10},
    {'j', 11}, {'/', 12}, {'Q', 13}, {'~', 14}, {'|', 16}, {'s', 18}, {'T', 19}, {'*', 20}, {'D', 21}, {'"', 22},
    {'=', 23}, {'p', 24}, {'B', 25}, {'^', 26}, {'t', 27}, {'+', 28}, {'u', 29}, {'?', 30}, {'!', 31}, {'[', 32},
    {']', 33}, {'e', 34}, {'n', 35}, {'@', 36}, {'x', 37}, {'f', 38}, {'r', 41},
}};

void require_format(int format) {
  if (!is_supported_wfdb_format(format)) {
    throw std::invalid_argument("WFDB format " + std::to_string(format) + " is not supported; expected 16 or 212");
  }
}

void put16(std::vector<std::uint8_t>& bytes, std::uint16_t word) {
  bytes.push_back(static_cast<std::uint8_t>(word & 0xff));
  bytes.push_back(static_cast<std::uint8_t>(word >> 8));
}

// %.12g: enough digits for any sampling frequency, and "250" rather than "250.000000".
std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", value);
  return text;
}

void write_bytes(const std::filesystem::path& path, const char* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(data, static_cast<std::streamsize>(size));
  if (out) out.close();
  if (!out) throw RunError("cannot write " + path.string());
}

}  // namespace

bool is_supported_wfdb_format(int format) { return format == FORMAT_16 || format == FORMAT_212; }

int wfdb_min_sample(int format) {
  require_format(format);
  return format == FORMAT_16 ? -32767 : -2047;
}

int wfdb_max_sample(int format) {
  require_format(format);
  return format == FORMAT_16 ? 32767 : 2047;
}

// lib/signal.c getskewedframe(): a format 16 sample of -1 << 15 and a format 212 sample of
// -1 << 11 are returned as WFDB_INVALID_SAMPLE.
std::int16_t wfdb_invalid_sample(int format) {
  require_format(format);
  return static_cast<std::int16_t>(format == FORMAT_16 ? -32768 : -2048);
}

std::int16_t mv_to_adu(double mv, const WfdbSignalSpec& spec, int format) {
  if (std::isnan(mv)) return wfdb_invalid_sample(format);
  const double adu = mv * spec.gain_adu_per_mv + spec.baseline;
  const double low = wfdb_min_sample(format);
  const double high = wfdb_max_sample(format);
  if (!(adu > low)) return static_cast<std::int16_t>(low);  // also -inf
  if (!(adu < high)) return static_cast<std::int16_t>(high);
  return static_cast<std::int16_t>(std::lround(adu));  // half away from zero
}

std::vector<std::int16_t> mv_to_adu(std::span<const float> mv, const WfdbSignalSpec& spec, int format) {
  std::vector<std::int16_t> adu;
  adu.reserve(mv.size());
  for (const float value : mv) adu.push_back(mv_to_adu(value, spec, format));
  return adu;
}

// header(5): "a 16-bit signed checksum of all samples in the signal".
std::int16_t wfdb_checksum(std::span<const std::int16_t> samples) {
  std::uint16_t sum = 0;  // unsigned arithmetic wraps modulo 2^16 by definition
  for (const std::int16_t sample : samples) sum = static_cast<std::uint16_t>(sum + static_cast<std::uint16_t>(sample));
  return static_cast<std::int16_t>(sum);
}

std::vector<std::uint8_t> encode_wfdb_samples(std::span<const std::int16_t> samples, int format) {
  require_format(format);
  std::vector<std::uint8_t> bytes;
  if (format == FORMAT_16) {
    bytes.reserve(2 * samples.size());
    for (const std::int16_t sample : samples) put16(bytes, static_cast<std::uint16_t>(sample));
    return bytes;
  }
  // signal(5), format 212: "The first sample is obtained from the 12 least significant bits of the
  // first byte pair (stored least significant byte first). The second sample is formed from the 4
  // remaining bits of the first byte pair (which are the 4 high bits of the 12-bit sample) and the
  // next byte (which contains the remaining 8 bits of the second sample)."
  bytes.reserve(3 * (samples.size() / 2) + 2);
  std::size_t i = 0;
  for (; i + 1 < samples.size(); i += 2) {
    const unsigned first = static_cast<std::uint16_t>(samples[i]) & 0xfffu;
    const unsigned second = static_cast<std::uint16_t>(samples[i + 1]) & 0xfffu;
    bytes.push_back(static_cast<std::uint8_t>(first & 0xffu));
    bytes.push_back(static_cast<std::uint8_t>((first >> 8) | ((second >> 8) << 4)));
    bytes.push_back(static_cast<std::uint8_t>(second & 0xffu));
  }
  // An odd count ends with the first byte pair only (high nibble of the pair 0): what lib/signal.c
  // w212() flushes and wfdb-python's wr_dat_file writes ("remove the last byte").
  if (i < samples.size()) {
    const unsigned last = static_cast<std::uint16_t>(samples[i]) & 0xfffu;
    bytes.push_back(static_cast<std::uint8_t>(last & 0xffu));
    bytes.push_back(static_cast<std::uint8_t>(last >> 8));
  }
  return bytes;
}

std::string wfdb_header_text(const std::string& record_name, double sampling_frequency_hz,
                             std::span<const std::int16_t> samples, const WfdbSignalSpec& spec, int format,
                             std::span<const std::string> info) {
  require_format(format);
  // header(5) record line: record name, number of signals, sampling frequency, samples per signal.
  std::string text =
      record_name + " 1 " + format_number(sampling_frequency_hz) + " " + std::to_string(samples.size()) + "\n";
  // header(5) signal line: file name, format, ADC gain(baseline)/units, ADC resolution, ADC zero,
  // initial value, checksum, block size, description. ADC zero is 0 (a bipolar ADC); the initial
  // value is the first sample (read only for difference formats, written as the library does).
  const int initial_value = samples.empty() ? 0 : samples.front();
  text += record_name + ".dat " + std::to_string(format) + " " + format_number(spec.gain_adu_per_mv) + "(" +
          std::to_string(spec.baseline) + ")/" + spec.units + " " + std::to_string(spec.adc_resolution_bits) + " 0 " +
          std::to_string(initial_value) + " " + std::to_string(wfdb_checksum(samples)) + " 0";
  if (!spec.description.empty()) text += " " + spec.description;
  text += "\n";
  // header(5): comment lines after the last signal line are the record's info strings.
  for (const std::string& line : info) text += "#" + line + "\n";
  return text;
}

void write_wfdb_record(const std::filesystem::path& dir, const std::string& record_name, double sampling_frequency_hz,
                       std::span<const std::int16_t> samples, const WfdbSignalSpec& spec, int format,
                       std::span<const std::string> info) {
  const std::vector<std::uint8_t> bytes = encode_wfdb_samples(samples, format);
  write_bytes(dir / (record_name + ".dat"), reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const std::string header = wfdb_header_text(record_name, sampling_frequency_hz, samples, spec, format, info);
  write_bytes(dir / (record_name + ".hea"), header.data(), header.size());
}

int mit_annotation_code(char beat_class) {
  for (const CodeMnemonic& entry : MNEMONICS) {
    if (entry.mnemonic == beat_class) return entry.code;
  }
  return 0;
}

std::vector<std::uint8_t> encode_mit_annotations(std::span<const WfdbAnnotation> annotations) {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(2 * annotations.size() + 2);
  std::int64_t previous = 0;  // annot(5): the first interval counts from the start of the record
  for (const WfdbAnnotation& annotation : annotations) {
    const int code = mit_annotation_code(annotation.beat_class);
    if (code == 0) {
      throw std::invalid_argument(std::string("no MIT annotation code for class '") + annotation.beat_class + "'");
    }
    std::int64_t interval = annotation.sample - previous;
    // The SKIP interval is a signed 32-bit number (lib/annot.c wfdb_p32 of a long).
    if (annotation.sample < 0 || interval < 0 || interval > 0x7fffffff) {
      throw std::invalid_argument("annotations must be sorted, at samples >= 0, less than 2^31 apart; got " +
                                  std::to_string(annotation.sample) + " after " + std::to_string(previous));
    }
    if (interval > MAX_INTERVAL) {
      put16(bytes, static_cast<std::uint16_t>(SKIP_CODE << CODE_SHIFT));
      put16(bytes, static_cast<std::uint16_t>(interval >> 16));     // PDP-11 order: high word first
      put16(bytes, static_cast<std::uint16_t>(interval & 0xffff));  // then the low word
      interval = 0;
    }
    put16(bytes,
          static_cast<std::uint16_t>((static_cast<unsigned>(code) << CODE_SHIFT) | static_cast<unsigned>(interval)));
    previous = annotation.sample;
  }
  put16(bytes, END_OF_FILE);
  return bytes;
}

void write_wfdb_annotations(const std::filesystem::path& dir, const std::string& record_name,
                            const std::string& annotator, std::span<const WfdbAnnotation> annotations) {
  const std::vector<std::uint8_t> bytes = encode_mit_annotations(annotations);
  write_bytes(dir / (record_name + "." + annotator), reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::string wfdb_record_name(const std::string& id) {
  std::string name = id;
  for (char& c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!keep) c = '_';
  }
  return name;
}

}  // namespace twinbed::harness
