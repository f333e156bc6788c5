#pragma once
// harness::H5Table: any one-dimensional compound dataset of a run.h5, read in slices in the native
// layout HDF5 derives from the file's type, with each cell available by column as an integer, a
// number or text. The report and the CSV export read every table through it, so neither needs a
// struct per table, and both keep working when a writer appends a column or a new table appears.
#include <H5Cpp.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twinbed::harness {

enum class ColumnKind { signed_integer, unsigned_integer, floating, enumeration, fixed_string, variable_string };

struct H5Column {
  std::string name;
  ColumnKind kind = ColumnKind::signed_integer;
  std::size_t offset = 0;                           // in the native row
  std::size_t size = 0;                             // bytes (for enums: of the base integer)
  bool enum_signed = false;                         // enums: signedness of the base integer
  std::map<std::int64_t, std::string> enum_names;   // enums: code -> name
};

class H5Table {
public:
  // Throws RunError when `path` is missing or not a one-dimensional compound dataset, or when a
  // column has a type other than integer, float, enum or string (the error names the column).
  H5Table(const H5::H5File& file, const std::string& path);
  ~H5Table();
  H5Table(const H5Table&) = delete;
  H5Table& operator=(const H5Table&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t rows() const { return rows_; }
  const std::vector<H5Column>& columns() const { return columns_; }
  std::optional<std::size_t> find(std::string_view name) const;
  // The column's index; throws RunError naming the table when it has no such column.
  std::size_t column(std::string_view name) const;

  // Loads rows [first, first + count) (clamped to the table); the accessors below address the
  // loaded slice, row 0 being `first`.
  void load(std::uint64_t first, std::uint64_t count);
  void load_all() { load(0, rows_); }
  std::size_t loaded() const { return loaded_; }

  // Integers and enum codes as stored (uint64 above INT64_MAX wraps); floats truncated.
  std::int64_t integer(std::size_t row, std::size_t column) const;
  // Any numeric column as a double (enum codes included).
  double number(std::size_t row, std::size_t column) const;
  // The cell as CSV shows it: strings without their padding, enums by name, integers in full,
  // floats in their shortest round-trip form ("nan", "inf" for the special values).
  std::string text(std::size_t row, std::size_t column) const;

private:
  void reclaim();
  const std::byte* cell(std::size_t row, std::size_t column) const;

  std::string path_;
  H5::DataSet dataset_;
  hid_t memory_type_ = -1;
  std::size_t row_bytes_ = 0;
  std::uint64_t rows_ = 0;
  std::vector<H5Column> columns_;
  bool has_variable_strings_ = false;
  std::vector<std::byte> buffer_;
  std::size_t loaded_ = 0;
};

// Shortest text that reads back as the same value (std::to_chars); "nan", "inf", "-inf".
std::string shortest_number(double value);
std::string shortest_number(float value);

// Every dataset of the file by full path ("/telemetry", "/waveforms/ecg/p0001"), sorted by name.
std::vector<std::string> dataset_paths(const H5::H5File& file);

// An attribute of any object as text: strings as read, numbers via shortest_number or in full.
// Returns nullopt for a type that has no text form here (arrays of more than one value, compounds).
std::optional<std::string> attribute_text(const H5::Attribute& attribute);

}  // namespace twinbed::harness
