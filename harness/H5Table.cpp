#include "harness/H5Table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "harness/InputError.hpp"

namespace twinbed::harness {
namespace {

std::int64_t read_signed(const std::byte* at, std::size_t size) {
  switch (size) {
    case 1: { std::int8_t v; std::memcpy(&v, at, 1); return v; }
    case 2: { std::int16_t v; std::memcpy(&v, at, 2); return v; }
    case 4: { std::int32_t v; std::memcpy(&v, at, 4); return v; }
    default: { std::int64_t v; std::memcpy(&v, at, 8); return v; }
  }
}

std::uint64_t read_unsigned(const std::byte* at, std::size_t size) {
  switch (size) {
    case 1: { std::uint8_t v; std::memcpy(&v, at, 1); return v; }
    case 2: { std::uint16_t v; std::memcpy(&v, at, 2); return v; }
    case 4: { std::uint32_t v; std::memcpy(&v, at, 4); return v; }
    default: { std::uint64_t v; std::memcpy(&v, at, 8); return v; }
  }
}

double read_float(const std::byte* at, std::size_t size) {
  if (size == sizeof(float)) {
    float v;
    std::memcpy(&v, at, sizeof v);
    return v;
  }
  double v;
  std::memcpy(&v, at, sizeof v);
  return v;
}

// Fixed-length strings end at their first NUL; space padding (H5T_STR_SPACEPAD) is trimmed too.
std::string trimmed(const char* text, std::size_t size) {
  std::string value(text, strnlen(text, size));
  while (!value.empty() && value.back() == ' ') value.pop_back();
  return value;
}

std::string member_name(hid_t type, unsigned index) {
  char* raw = H5Tget_member_name(type, index);
  if (raw == nullptr) return {};
  std::string name(raw);
  H5free_memory(raw);
  return name;
}

template <class T>
std::string shortest(T value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[64];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

void collect_datasets(const H5::Group& group, const std::string& prefix, std::vector<std::string>& out) {
  for (hsize_t i = 0; i < group.getNumObjs(); ++i) {
    const std::string name = group.getObjnameByIdx(i);
    const std::string path = prefix + "/" + name;
    const H5O_type_t type = group.childObjType(name);
    if (type == H5O_TYPE_DATASET) out.push_back(path);
    if (type == H5O_TYPE_GROUP) collect_datasets(group.openGroup(name), path, out);
  }
}

}  // namespace

std::string shortest_number(double value) { return shortest(value); }
std::string shortest_number(float value) { return shortest(value); }

H5Table::H5Table(const H5::H5File& file, const std::string& path) : path_(path) {
  const std::string relative = path.size() > 1 && path[0] == '/' ? path.substr(1) : path;
  if (!file.nameExists(relative)) throw RunError(path + " is missing from the run file");
  dataset_ = file.openDataSet(relative);
  const H5::DataSpace space = dataset_.getSpace();
  if (dataset_.getTypeClass() != H5T_COMPOUND || space.getSimpleExtentNdims() != 1)
    throw RunError(path + " is not a one-dimensional compound table");
  hsize_t rows = 0;
  space.getSimpleExtentDims(&rows);
  rows_ = rows;
  const H5::DataType file_type = dataset_.getDataType();
  memory_type_ = H5Tget_native_type(file_type.getId(), H5T_DIR_ASCEND);
  if (memory_type_ < 0) throw RunError(path + ": HDF5 cannot derive a native row type");
  row_bytes_ = H5Tget_size(memory_type_);
  const int members = H5Tget_nmembers(memory_type_);
  for (int i = 0; i < members; ++i) {
    const auto index = static_cast<unsigned>(i);
    H5Column column;
    column.name = member_name(memory_type_, index);
    column.offset = H5Tget_member_offset(memory_type_, index);
    const hid_t type = H5Tget_member_type(memory_type_, index);
    column.size = H5Tget_size(type);
    switch (H5Tget_class(type)) {
      case H5T_INTEGER:
        column.kind = H5Tget_sign(type) == H5T_SGN_NONE ? ColumnKind::unsigned_integer : ColumnKind::signed_integer;
        break;
      case H5T_FLOAT: column.kind = ColumnKind::floating; break;
      case H5T_ENUM: {
        column.kind = ColumnKind::enumeration;
        const hid_t base = H5Tget_super(type);
        column.enum_signed = H5Tget_sign(base) != H5T_SGN_NONE;
        H5Tclose(base);
        std::vector<std::byte> value(column.size);
        for (int k = 0; k < H5Tget_nmembers(type); ++k) {
          H5Tget_member_value(type, static_cast<unsigned>(k), value.data());
          const std::int64_t code = column.enum_signed ? read_signed(value.data(), column.size)
                                                       : static_cast<std::int64_t>(read_unsigned(value.data(), column.size));
          column.enum_names[code] = member_name(type, static_cast<unsigned>(k));
        }
        break;
      }
      case H5T_STRING:
        column.kind = H5Tis_variable_str(type) > 0 ? ColumnKind::variable_string : ColumnKind::fixed_string;
        has_variable_strings_ = has_variable_strings_ || column.kind == ColumnKind::variable_string;
        break;
      default:
        H5Tclose(type);
        H5Tclose(memory_type_);
        throw RunError(path + " column '" + column.name +
                       "' has a type twinbed cannot read as a cell (not an integer, float, enum or string)");
    }
    H5Tclose(type);
    columns_.push_back(std::move(column));
  }
}

H5Table::~H5Table() {
  reclaim();
  if (memory_type_ >= 0) H5Tclose(memory_type_);
}

void H5Table::reclaim() {
  if (!has_variable_strings_ || loaded_ == 0) return;
  const hsize_t count = loaded_;
  const hid_t space = H5Screate_simple(1, &count, nullptr);
  H5Dvlen_reclaim(memory_type_, space, H5P_DEFAULT, buffer_.data());
  H5Sclose(space);
  loaded_ = 0;
}

std::optional<std::size_t> H5Table::find(std::string_view name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return i;
  }
  return std::nullopt;
}

std::size_t H5Table::column(std::string_view name) const {
  const std::optional<std::size_t> index = find(name);
  if (!index) {
    std::string message = path_ + " has no column '";
    message += name;
    message += "'";
    throw RunError(message);
  }
  return *index;
}

void H5Table::load(std::uint64_t first, std::uint64_t count) {
  reclaim();
  first = std::min(first, rows_);
  count = std::min(count, rows_ - first);
  buffer_.assign(count * row_bytes_, std::byte{0});
  if (count == 0) return;
  H5::DataSpace file_space = dataset_.getSpace();
  const hsize_t start = first;
  const hsize_t size = count;
  file_space.selectHyperslab(H5S_SELECT_SET, &size, &start);
  const H5::DataSpace memory_space(1, &size);
  if (H5Dread(dataset_.getId(), memory_type_, memory_space.getId(), file_space.getId(), H5P_DEFAULT, buffer_.data()) < 0)
    throw RunError(path_ + ": cannot read rows " + std::to_string(first) + " to " + std::to_string(first + count));
  loaded_ = count;
}

const std::byte* H5Table::cell(std::size_t row, std::size_t column) const {
  return buffer_.data() + row * row_bytes_ + columns_[column].offset;
}

std::int64_t H5Table::integer(std::size_t row, std::size_t column) const {
  const H5Column& c = columns_[column];
  const std::byte* at = cell(row, column);
  switch (c.kind) {
    case ColumnKind::signed_integer: return read_signed(at, c.size);
    case ColumnKind::unsigned_integer: return static_cast<std::int64_t>(read_unsigned(at, c.size));
    case ColumnKind::enumeration:
      return c.enum_signed ? read_signed(at, c.size) : static_cast<std::int64_t>(read_unsigned(at, c.size));
    case ColumnKind::floating: return static_cast<std::int64_t>(read_float(at, c.size));
    default: throw RunError(path_ + " column '" + c.name + "' is text, not a number");
  }
}

double H5Table::number(std::size_t row, std::size_t column) const {
  const H5Column& c = columns_[column];
  const std::byte* at = cell(row, column);
  switch (c.kind) {
    case ColumnKind::floating: return read_float(at, c.size);
    case ColumnKind::unsigned_integer: return static_cast<double>(read_unsigned(at, c.size));
    default: return static_cast<double>(integer(row, column));
  }
}

std::string H5Table::text(std::size_t row, std::size_t column) const {
  const H5Column& c = columns_[column];
  const std::byte* at = cell(row, column);
  switch (c.kind) {
    case ColumnKind::signed_integer: return std::to_string(read_signed(at, c.size));
    case ColumnKind::unsigned_integer: return std::to_string(read_unsigned(at, c.size));
    case ColumnKind::floating: {
      if (c.size == sizeof(float)) {
        float v;
        std::memcpy(&v, at, sizeof v);
        return shortest_number(v);
      }
      return shortest_number(read_float(at, c.size));
    }
    case ColumnKind::enumeration: {
      const std::int64_t code = integer(row, column);
      const auto name = c.enum_names.find(code);
      return name != c.enum_names.end() ? name->second : std::to_string(code);  // a code with no name: as stored
    }
    case ColumnKind::fixed_string: return trimmed(reinterpret_cast<const char*>(at), c.size);
    case ColumnKind::variable_string: {
      const char* text = nullptr;
      std::memcpy(&text, at, sizeof text);
      return text != nullptr ? std::string(text) : std::string();
    }
  }
  return {};  // unreachable: every ColumnKind is handled above
}

std::vector<std::string> dataset_paths(const H5::H5File& file) {
  std::vector<std::string> paths;
  collect_datasets(file.openGroup("/"), "", paths);
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::optional<std::string> attribute_text(const H5::Attribute& attribute) {
  const H5::DataSpace space = attribute.getSpace();
  if (space.getSimpleExtentNpoints() != 1) return std::nullopt;
  switch (attribute.getTypeClass()) {
    case H5T_STRING: {
      std::string value;
      attribute.read(attribute.getStrType(), value);
      return trimmed(value.c_str(), value.size());
    }
    case H5T_INTEGER: {
      if (attribute.getIntType().getSign() == H5T_SGN_NONE) {
        std::uint64_t value = 0;
        attribute.read(H5::PredType::NATIVE_UINT64, &value);
        return std::to_string(value);
      }
      std::int64_t value = 0;
      attribute.read(H5::PredType::NATIVE_INT64, &value);
      return std::to_string(value);
    }
    case H5T_FLOAT: {
      if (attribute.getFloatType().getSize() == sizeof(float)) {
        float value = 0;
        attribute.read(H5::PredType::NATIVE_FLOAT, &value);
        return shortest_number(value);
      }
      double value = 0;
      attribute.read(H5::PredType::NATIVE_DOUBLE, &value);
      return shortest_number(value);
    }
    default: return std::nullopt;
  }
}

}  // namespace twinbed::harness
