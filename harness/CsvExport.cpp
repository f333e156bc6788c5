// harness::export_csv (declared in Report.hpp): `twinbed export RUN --csv DIR`. Every dataset of
// run.h5 becomes one CSV file named after its path ("/ground_truth/events" ->
// ground_truth_events.csv), and the attributes of every group and dataset go to attributes.csv.
// Cells are the stored values: enums by name, strings without padding, integers (ns times among
// them) in full, floats in their shortest round-trip form. A dataset of a shape CSV cannot hold
// is listed in CsvExport::skipped with the reason, never dropped silently.
#include <H5Cpp.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>

#include "harness/H5Table.hpp"
#include "harness/InputError.hpp"
#include "harness/Report.hpp"
#include "harness/RunFolder.hpp"

namespace twinbed::harness {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t READ_ROWS = 1u << 18;  // rows per HDF5 read, to bound memory

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
void append_field(std::string& line, const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    line += field;
    return;
  }
  line += '"';
  for (const char c : field) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    append_field(line, fields[i]);
  }
  line += '\n';
  return line;
}

// "/waveforms/ecg/p0001" -> "waveforms_ecg_p0001.csv"; characters outside [A-Za-z0-9_.-] become '_'.
std::string file_name(const std::string& dataset) {
  std::string name;
  for (const char c : dataset.substr(1)) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                       c == '.' || c == '-';
    name += c == '/' ? '_' : (plain ? c : '_');
  }
  return name + ".csv";
}

class CsvFileWriter {
public:
  explicit CsvFileWriter(const fs::path& path) : path_(path), out_(path, std::ios::binary | std::ios::trunc) {
    if (!out_) throw RunError("cannot write " + path.string());
  }
  void write(const std::string& text) {
    out_ << text;
    if (!out_) throw RunError("cannot write " + path_.string());
  }
  void close() {
    out_.close();
    if (!out_) throw RunError("cannot write " + path_.string());
  }

private:
  fs::path path_;
  std::ofstream out_;
};

std::uint64_t write_table(const H5::H5File& file, const std::string& dataset, const fs::path& target) {
  H5Table table(file, dataset);
  CsvFileWriter out(target);
  std::vector<std::string> header;
  for (const H5Column& column : table.columns()) header.push_back(column.name);
  out.write(csv_line(header));
  std::vector<std::string> cells(table.columns().size());
  std::string block;
  for (std::uint64_t first = 0; first < table.rows(); first += READ_ROWS) {
    table.load(first, READ_ROWS);
    block.clear();
    for (std::size_t row = 0; row < table.loaded(); ++row) {
      for (std::size_t c = 0; c < cells.size(); ++c) cells[c] = table.text(row, c);
      block += csv_line(cells);
    }
    out.write(block);
  }
  out.close();
  return table.rows();
}

// A one-dimensional numeric dataset (a waveform): "sample,value", one row per sample.
std::uint64_t write_series(const H5::DataSet& dataset, const fs::path& target) {
  H5::DataSpace file_space = dataset.getSpace();
  hsize_t samples = 0;
  file_space.getSimpleExtentDims(&samples);
  const H5T_class_t type_class = dataset.getTypeClass();
  const bool is_float = type_class == H5T_FLOAT && dataset.getFloatType().getSize() == sizeof(float);
  const bool is_unsigned = type_class == H5T_INTEGER && dataset.getIntType().getSign() == H5T_SGN_NONE;
  CsvFileWriter out(target);
  out.write("sample,value\n");
  std::vector<double> doubles;
  std::vector<float> floats;
  std::vector<std::int64_t> signed_values;
  std::vector<std::uint64_t> unsigned_values;
  std::string block;
  for (hsize_t first = 0; first < samples; first += READ_ROWS) {
    const hsize_t count = std::min<hsize_t>(READ_ROWS, samples - first);
    file_space.selectHyperslab(H5S_SELECT_SET, &count, &first);
    const H5::DataSpace memory_space(1, &count);
    block.clear();
    auto emit = [&](hsize_t i, const std::string& value) {
      block += std::to_string(first + i);
      block += ',';
      block += value;
      block += '\n';
    };
    if (type_class == H5T_FLOAT && is_float) {
      floats.resize(count);
      dataset.read(floats.data(), H5::PredType::NATIVE_FLOAT, memory_space, file_space);
      for (hsize_t i = 0; i < count; ++i) emit(i, shortest_number(floats[i]));
    } else if (type_class == H5T_FLOAT) {
      doubles.resize(count);
      dataset.read(doubles.data(), H5::PredType::NATIVE_DOUBLE, memory_space, file_space);
      for (hsize_t i = 0; i < count; ++i) emit(i, shortest_number(doubles[i]));
    } else if (is_unsigned) {
      unsigned_values.resize(count);
      dataset.read(unsigned_values.data(), H5::PredType::NATIVE_UINT64, memory_space, file_space);
      for (hsize_t i = 0; i < count; ++i) emit(i, std::to_string(unsigned_values[i]));
    } else {
      signed_values.resize(count);
      dataset.read(signed_values.data(), H5::PredType::NATIVE_INT64, memory_space, file_space);
      for (hsize_t i = 0; i < count; ++i) emit(i, std::to_string(signed_values[i]));
    }
    out.write(block);
  }
  out.close();
  return samples;
}

void collect_objects(const H5::Group& group, const std::string& path, std::vector<std::string>& out) {
  out.push_back(path.empty() ? "/" : path);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < group.getNumObjs(); ++i) names.push_back(group.getObjnameByIdx(i));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const H5O_type_t type = group.childObjType(name);
    if (type == H5O_TYPE_GROUP) collect_objects(group.openGroup(name), path + "/" + name, out);
    if (type == H5O_TYPE_DATASET) out.push_back(path + "/" + name);
  }
}

// attributes.csv: object,attribute,value for every attribute of every group and dataset.
std::uint64_t write_attributes(const H5::H5File& file, const fs::path& target, std::vector<std::string>& skipped) {
  std::vector<std::string> objects;
  collect_objects(file.openGroup("/"), "", objects);
  CsvFileWriter out(target);
  out.write("object,attribute,value\n");
  std::uint64_t rows = 0;
  auto write_object = [&](const std::string& path, const H5::H5Object& object) {
    std::vector<std::string> names;
    for (int i = 0; i < object.getNumAttrs(); ++i) names.push_back(object.openAttribute(static_cast<unsigned>(i)).getName());
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::optional<std::string> value = attribute_text(object.openAttribute(name));
      if (!value) {
        skipped.push_back(path + " attribute " + name + ": not a single number or string");
        continue;
      }
      out.write(csv_line({path, name, *value}));
      ++rows;
    }
  };
  for (const std::string& path : objects) {
    if (path == "/" || file.childObjType(path.substr(1)) == H5O_TYPE_GROUP) {
      write_object(path, file.openGroup(path));
    } else {
      write_object(path, file.openDataSet(path));
    }
  }
  out.close();
  return rows;
}

}  // namespace

CsvExport export_csv(const fs::path& run_dir, const fs::path& out_dir) {
  H5::Exception::dontPrint();
  const fs::path run_file = locate_run_file(run_dir);
  fs::path target = out_dir;
  if (!target.has_filename()) target = target.parent_path();  // "out/" names the folder "out"
  if (target.empty()) throw InputError({"command line", 0, 0}, "--csv", out_dir.string(), "is not a folder name");
  std::error_code error;
  if (fs::exists(target, error)) {
    if (!fs::is_directory(target, error))
      throw InputError({"command line", 0, 0}, "--csv", target.string(), "exists and is not a folder");
    if (!fs::is_empty(target, error)) {
      throw InputError({"command line", 0, 0}, "--csv", target.string(),
                       "is not empty; give a new folder (export never overwrites files)");
    }
  }
  const fs::path temporary = make_temporary_sibling(target);

  CsvExport result;
  result.directory = target;
  try {
    const H5::H5File file(run_file.string(), H5F_ACC_RDONLY);
    std::set<std::string> names{"attributes.csv"};
    for (const std::string& path : dataset_paths(file)) {
      const H5::DataSet dataset = file.openDataSet(path.substr(1));
      const H5T_class_t type_class = dataset.getTypeClass();
      const int rank = dataset.getSpace().getSimpleExtentNdims();
      const bool table = type_class == H5T_COMPOUND && rank == 1;
      const bool series = (type_class == H5T_FLOAT || type_class == H5T_INTEGER) && rank == 1;
      if (!table && !series) {
        result.skipped.push_back(path + ": " + std::to_string(rank) +
                                 "-dimensional dataset that is neither a table nor a numeric series");
        continue;
      }
      const std::string name = file_name(path);
      if (!names.insert(name).second)
        throw RunError("two datasets of " + run_file.string() + " map to the same CSV file " + name);
      const std::uint64_t rows = table ? write_table(file, path, temporary / name) : write_series(dataset, temporary / name);
      result.files.push_back(CsvFile{target / name, path, rows});
    }
    const std::uint64_t attributes = write_attributes(file, temporary / "attributes.csv", result.skipped);
    result.files.push_back(CsvFile{target / "attributes.csv", "(attributes)", attributes});
  } catch (const H5::Exception& e) {
    fs::remove_all(temporary, error);
    throw RunError(run_file.string() + " cannot be read: " + e.getDetailMsg());
  } catch (...) {
    fs::remove_all(temporary, error);
    throw;
  }
  // rename() is atomic and replaces an empty folder; it fails if DIR has been filled meanwhile.
  fs::rename(temporary, target, error);
  if (error) {
    const std::string message = error.message();
    fs::remove_all(temporary, error);
    throw RunError("cannot move the CSV files to " + target.string() + ": " + message);
  }
  return result;
}

}  // namespace twinbed::harness
