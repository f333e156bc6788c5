#include "harness/Export.hpp"

#include <H5Cpp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "harness/InputError.hpp"
#include "harness/RunFolder.hpp"
#include "harness/Wfdb.hpp"

namespace twinbed::harness {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t ID_BYTES = 64;      // /patients.id: fixed-length, NUL-padded (results-schema.md)
constexpr hsize_t READ_ROWS = 1u << 20;   // rows or samples per HDF5 read, to bound memory
constexpr const char* ANNOTATOR = "atr";  // WFDB's name for reference (true) annotations
constexpr const char* NO_ECG =
    "the run has no ECG waveforms (/waveforms/ecg is missing or empty); ECG is recorded for cohorts "
    "with ecg: true (e.g. scenarios/validation/ecg_rhythms.yaml)";

struct PatientIdRow {
  std::uint32_t index;
  char id[ID_BYTES];
};

struct BeatRow {
  std::uint32_t patient;
  std::int64_t sample;
  std::int8_t beat_class;
};

// One /waveforms/ecg/<patient id> dataset, attributes read.
struct EcgWaveform {
  std::string dataset;  // the name in /waveforms/ecg
  std::uint32_t patient = 0;
  double sampling_frequency_hz = 0.0;
  std::int64_t start_time_ns = 0;
  std::string record_name;
};

InputError file_error(const fs::path& file, const std::string& key, const std::string& value,
                      const std::string& problem) {
  return InputError({file.string(), 0, 0}, key, value, problem);
}

InputError command_line_error(const std::string& key, const std::string& value, const std::string& problem) {
  return InputError({"command line", 0, 0}, key, value, problem);
}

std::vector<std::string> read_patient_ids(const H5::H5File& file, const fs::path& path) {
  if (!file.nameExists("patients")) throw file_error(path, "/patients", "", "is missing; this is not a twinbed run");
  const H5::DataSet dataset = file.openDataSet("patients");
  H5::StrType id_type(H5::PredType::C_S1, ID_BYTES);
  id_type.setStrpad(H5T_STR_NULLPAD);
  H5::CompType type(sizeof(PatientIdRow));  // only the members needed; HDF5 matches them by name
  type.insertMember("index", offsetof(PatientIdRow, index), H5::PredType::NATIVE_UINT32);
  type.insertMember("id", offsetof(PatientIdRow, id), id_type);
  const H5::DataSpace space = dataset.getSpace();
  hsize_t rows = 0;
  if (space.getSimpleExtentNdims() != 1) throw file_error(path, "/patients", "", "is not a one-dimensional table");
  space.getSimpleExtentDims(&rows);
  std::vector<PatientIdRow> table(rows);
  if (rows > 0) dataset.read(table.data(), type);
  std::vector<std::string> ids(rows);
  for (hsize_t i = 0; i < rows; ++i) {
    if (table[i].index != i) {
      throw file_error(path, "/patients", "",
                       "row " + std::to_string(i) + " has index " + std::to_string(table[i].index) +
                           "; rows must be in index order");
    }
    ids[i] = std::string(table[i].id, strnlen(table[i].id, ID_BYTES));
  }
  return ids;
}

template <class T>
T read_attribute(const H5::DataSet& dataset, const std::string& name, const H5::PredType& type, const fs::path& path,
                 const std::string& where) {
  if (!dataset.attrExists(name)) throw file_error(path, where, "", "has no attribute '" + name + "'");
  T value{};
  dataset.openAttribute(name).read(type, &value);
  return value;
}

std::string read_string_attribute(const H5::DataSet& dataset, const std::string& name, const fs::path& path,
                                  const std::string& where) {
  if (!dataset.attrExists(name)) throw file_error(path, where, "", "has no attribute '" + name + "'");
  const H5::Attribute attribute = dataset.openAttribute(name);
  if (attribute.getTypeClass() != H5T_STRING)
    throw file_error(path, where, "", "attribute '" + name + "' is not a string");
  std::string value;
  attribute.read(attribute.getStrType(), value);
  return std::string(value.c_str());  // drop NUL padding of fixed-length strings
}

// The ECG datasets with their attributes, in patient order. Throws InputError when there are none.
std::vector<EcgWaveform> read_waveform_list(const H5::H5File& file, const fs::path& path,
                                            const std::vector<std::string>& patient_ids) {
  if (!file.nameExists("waveforms") || file.childObjType("waveforms") != H5O_TYPE_GROUP)
    throw file_error(path, "", "", NO_ECG);
  const H5::Group waveforms = file.openGroup("waveforms");
  if (!waveforms.nameExists("ecg") || waveforms.childObjType("ecg") != H5O_TYPE_GROUP)
    throw file_error(path, "", "", NO_ECG);
  const H5::Group ecg = waveforms.openGroup("ecg");
  std::vector<EcgWaveform> list;
  for (hsize_t i = 0; i < ecg.getNumObjs(); ++i) {
    const std::string name = ecg.getObjnameByIdx(i);
    if (ecg.childObjType(name) != H5O_TYPE_DATASET) continue;
    const std::string where = "/waveforms/ecg/" + name;
    const H5::DataSet dataset = ecg.openDataSet(name);
    const H5T_class_t type_class = dataset.getTypeClass();
    if ((type_class != H5T_FLOAT && type_class != H5T_INTEGER) || dataset.getSpace().getSimpleExtentNdims() != 1) {
      throw file_error(path, where, "", "is not a one-dimensional numeric dataset");
    }
    EcgWaveform waveform;
    waveform.dataset = name;
    waveform.sampling_frequency_hz =
        read_attribute<double>(dataset, "sampling_frequency_hz", H5::PredType::NATIVE_DOUBLE, path, where);
    waveform.start_time_ns =
        read_attribute<std::int64_t>(dataset, "start_time_ns", H5::PredType::NATIVE_INT64, path, where);
    waveform.patient = read_attribute<std::uint32_t>(dataset, "patient", H5::PredType::NATIVE_UINT32, path, where);
    const std::string units = read_string_attribute(dataset, "units", path, where);
    if (!(waveform.sampling_frequency_hz > 0.0) || !std::isfinite(waveform.sampling_frequency_hz)) {
      throw file_error(path, where + ".sampling_frequency_hz", std::to_string(waveform.sampling_frequency_hz),
                       "is not a sampling frequency; expected a positive number of Hz");
    }
    if (units != "mV") throw file_error(path, where + ".units", units, "is not supported; expected mV");
    if (waveform.patient >= patient_ids.size()) {
      throw file_error(path, where + ".patient", std::to_string(waveform.patient),
                       "is not a row of /patients (" + std::to_string(patient_ids.size()) + " rows)");
    }
    list.push_back(waveform);
  }
  if (list.empty()) throw file_error(path, "", "", NO_ECG);
  std::sort(list.begin(), list.end(), [](const EcgWaveform& a, const EcgWaveform& b) { return a.patient < b.patient; });
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string& id = patient_ids[list[i].patient];
    if (i > 0 && list[i].patient == list[i - 1].patient) {
      throw file_error(path, "/waveforms/ecg/" + list[i].dataset, "",
                       "is a second ECG of patient " + id + "; one per patient is supported");
    }
    list[i].record_name = wfdb_record_name(id);
    if (list[i].record_name.empty() || !names.insert(list[i].record_name).second) {
      throw file_error(
          path, "/patients", id,
          "gives the WFDB record name '" + list[i].record_name + "', which is empty or also another patient's");
    }
  }
  return list;
}

// The true beats of the exported patients, sorted by sample; empty map if the run has no
// /ground_truth/beats (then `present` is false).
std::map<std::uint32_t, std::vector<WfdbAnnotation>> read_beats(const H5::H5File& file, const fs::path& path,
                                                                const std::vector<EcgWaveform>& waveforms,
                                                                bool& present) {
  std::map<std::uint32_t, std::vector<WfdbAnnotation>> beats;
  for (const EcgWaveform& waveform : waveforms) beats[waveform.patient];
  present = file.nameExists("ground_truth") && file.childObjType("ground_truth") == H5O_TYPE_GROUP &&
            file.openGroup("ground_truth").nameExists("beats");
  if (!present) return beats;
  const H5::DataSet dataset = file.openDataSet("ground_truth/beats");
  H5::CompType type(sizeof(BeatRow));
  type.insertMember("patient", offsetof(BeatRow, patient), H5::PredType::NATIVE_UINT32);
  type.insertMember("sample", offsetof(BeatRow, sample), H5::PredType::NATIVE_INT64);
  type.insertMember("beat_class", offsetof(BeatRow, beat_class), H5::PredType::NATIVE_INT8);
  H5::DataSpace file_space = dataset.getSpace();
  if (file_space.getSimpleExtentNdims() != 1)
    throw file_error(path, "/ground_truth/beats", "", "is not a one-dimensional table");
  hsize_t rows = 0;
  file_space.getSimpleExtentDims(&rows);
  std::vector<BeatRow> batch;
  for (hsize_t offset = 0; offset < rows; offset += READ_ROWS) {
    const hsize_t count = std::min(READ_ROWS, rows - offset);
    batch.resize(count);
    file_space.selectHyperslab(H5S_SELECT_SET, &count, &offset);
    const H5::DataSpace memory_space(1, &count);
    dataset.read(batch.data(), type, memory_space, file_space);
    for (hsize_t i = 0; i < count; ++i) {
      const BeatRow& row = batch[i];
      const auto bucket = beats.find(row.patient);
      if (bucket == beats.end()) continue;  // a patient without ECG
      const char beat_class = static_cast<char>(row.beat_class);
      const std::string where = "/ground_truth/beats row " + std::to_string(offset + i);
      if (mit_annotation_code(beat_class) == 0) {
        throw file_error(
            path, where, std::to_string(row.beat_class),
            "is not a beat class; expected the ASCII code of an ecgcodes.h mnemonic such as N, V, A, F, Q");
      }
      if (row.sample < 0)
        throw file_error(path, where, std::to_string(row.sample), "is not a sample index; expected >= 0");
      bucket->second.push_back(WfdbAnnotation{row.sample, beat_class});
    }
  }
  for (auto& [patient, list] : beats) {
    std::stable_sort(list.begin(), list.end(),
                     [](const WfdbAnnotation& a, const WfdbAnnotation& b) { return a.sample < b.sample; });
  }
  return beats;
}

// The ECG in adu, read in slices so only the 16-bit result is held in full.
std::vector<std::int16_t> read_ecg_adu(const H5::H5File& file, const EcgWaveform& waveform, const WfdbSignalSpec& spec,
                                       int format, std::uint64_t& clipped) {
  const H5::DataSet dataset = file.openDataSet("waveforms/ecg/" + waveform.dataset);
  H5::DataSpace file_space = dataset.getSpace();
  hsize_t samples = 0;
  file_space.getSimpleExtentDims(&samples);
  std::vector<std::int16_t> adu;
  adu.reserve(samples);
  std::vector<float> batch;
  const double low = wfdb_min_sample(format);
  const double high = wfdb_max_sample(format);
  for (hsize_t offset = 0; offset < samples; offset += READ_ROWS) {
    const hsize_t count = std::min(READ_ROWS, samples - offset);
    batch.resize(count);
    file_space.selectHyperslab(H5S_SELECT_SET, &count, &offset);
    const H5::DataSpace memory_space(1, &count);
    dataset.read(batch.data(), H5::PredType::NATIVE_FLOAT, memory_space, file_space);
    for (const float mv : batch) {
      const double exact = mv * spec.gain_adu_per_mv + spec.baseline;
      if (exact < low - 0.5 || exact > high + 0.5) ++clipped;
      adu.push_back(mv_to_adu(mv, spec, format));
    }
  }
  return adu;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << text;
  if (out) out.close();
  if (!out) throw RunError("cannot write " + path.string());
}

}  // namespace

ExportSummary export_wfdb(const fs::path& run, const fs::path& out_dir, int format) {
  if (!is_supported_wfdb_format(format)) {
    throw command_line_error("--format", std::to_string(format),
                             "is not a WFDB format twinbed writes; expected 16 or 212");
  }
  H5::Exception::dontPrint();  // HDF5 errors become one-line messages, not a stack dump on stderr
  const fs::path path = locate_run_file(run);

  // DIR: new, or an empty folder. An export never overwrites files.
  fs::path target = out_dir;
  if (!target.has_filename()) target = target.parent_path();  // "out/" names the folder "out"
  if (target.empty()) throw command_line_error("--wfdb", out_dir.string(), "is not a folder name");
  std::error_code error;
  if (fs::exists(target, error)) {
    if (!fs::is_directory(target, error))
      throw command_line_error("--wfdb", target.string(), "exists and is not a folder");
    if (!fs::is_empty(target, error)) {
      throw command_line_error("--wfdb", target.string(),
                               "is not empty; give a new folder (export never overwrites files)");
    }
  }

  ExportSummary summary;
  summary.directory = target;
  summary.format = format;
  WfdbSignalSpec spec;
  spec.description = "ECG";
  spec.gain_adu_per_mv = WFDB_EXPORT_GAIN_ADU_PER_MV;
  spec.baseline = 0;
  spec.adc_resolution_bits = format == 16 ? 16 : 12;
  spec.units = "mV";

  // Read and check everything small first: an input error then leaves nothing on disk.
  std::unique_ptr<H5::H5File> file;
  std::vector<std::string> patient_ids;
  std::vector<EcgWaveform> waveforms;
  std::map<std::uint32_t, std::vector<WfdbAnnotation>> beats;
  try {
    file = std::make_unique<H5::H5File>(path.string(), H5F_ACC_RDONLY);
    patient_ids = read_patient_ids(*file, path);
    waveforms = read_waveform_list(*file, path, patient_ids);
    beats = read_beats(*file, path, waveforms, summary.annotations);
  } catch (const H5::Exception& e) {
    throw file_error(path, "", "", "cannot be read as a twinbed run: " + e.getDetailMsg());
  }

  const fs::path temporary = make_temporary_sibling(target);

  try {
    std::string records_list;
    for (const EcgWaveform& waveform : waveforms) {
      ExportedRecord record;
      record.patient_id = patient_ids[waveform.patient];
      record.record_name = waveform.record_name;
      record.sampling_frequency_hz = waveform.sampling_frequency_hz;
      std::vector<std::int16_t> adu;
      try {
        adu = read_ecg_adu(*file, waveform, spec, format, record.clipped);
      } catch (const H5::Exception& e) {
        throw file_error(path, "/waveforms/ecg/" + waveform.dataset, "", "cannot be read: " + e.getDetailMsg());
      }
      record.samples = adu.size();
      const std::vector<std::string> info{" twinbed patient=" + record.patient_id +
                                          " index=" + std::to_string(waveform.patient) +
                                          " start_time_ns=" + std::to_string(waveform.start_time_ns)};
      write_wfdb_record(temporary, record.record_name, waveform.sampling_frequency_hz, adu, spec, format, info);
      if (summary.annotations) {
        const std::vector<WfdbAnnotation>& list = beats.at(waveform.patient);
        write_wfdb_annotations(temporary, record.record_name, ANNOTATOR, list);
        record.beats = list.size();
      }
      records_list += record.record_name + "\n";
      summary.records.push_back(record);
    }
    // PhysioNet databases list their records in a file named RECORDS, one name per line.
    write_text(temporary / "RECORDS", records_list);
    file->close();
    // rename() is atomic and replaces an empty folder; it fails if DIR has been filled meanwhile.
    fs::rename(temporary, target, error);
    if (error) throw RunError("cannot move the records to " + target.string() + ": " + error.message());
  } catch (...) {
    fs::remove_all(temporary, error);
    throw;
  }
  return summary;
}

}  // namespace twinbed::harness
