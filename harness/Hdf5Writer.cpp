#include "harness/Hdf5Writer.hpp"

#include <algorithm>
#include <cstring>

#include "harness/InputError.hpp"

namespace twinbed::harness {
namespace {
constexpr std::size_t MAX_QUEUED_BATCHES = 4;
}  // namespace

void write_string_attribute(H5::H5Object& object, const std::string& name, const std::string& value) {
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  H5::Attribute attribute = object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  attribute.write(type, value);
}

Hdf5Writer::Hdf5Writer(const std::filesystem::path& path) : file_(path.string(), H5F_ACC_TRUNC) {}

Hdf5Writer::~Hdf5Writer() {
  try {
    stop();
  } catch (...) {  // NOLINT(bugprone-empty-catch): destruction after a failure that was reported
  }
}

H5::Group Hdf5Writer::group(const std::string& path) {
  std::string partial;
  std::size_t begin = 0;
  while (begin < path.size()) {
    std::size_t end = path.find('/', begin);
    if (end == std::string::npos) end = path.size();
    if (end > begin) {
      partial.append("/").append(path, begin, end - begin);
      if (!file_.nameExists(partial)) file_.createGroup(partial);
    }
    begin = end + 1;
  }
  return partial.empty() ? file_.openGroup("/") : file_.openGroup(partial);
}

Hdf5Writer::TableId Hdf5Writer::create_table(const std::string& path, const H5::DataType& memory_type,
                                             std::uint64_t chunk_bytes, int compression) {
  const std::size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) group(path.substr(0, slash));
  Table table;
  table.memory_type.copy(memory_type);
  table.memory_row_bytes = memory_type.getSize();
  H5::DataType file_type;
  file_type.copy(memory_type);  // a real copy: packing must not change the memory layout
  if (memory_type.getClass() == H5T_COMPOUND) {
    H5::CompType packed(file_type.getId());
    packed.pack();
  }
  table.chunk_rows = std::max<std::size_t>(1, chunk_bytes / file_type.getSize());
  const hsize_t dims[1] = {0};
  const hsize_t max_dims[1] = {H5S_UNLIMITED};
  H5::DSetCreatPropList properties;
  const hsize_t chunk[1] = {table.chunk_rows};
  properties.setChunk(1, chunk);
  if (compression > 0) {
    properties.setShuffle();
    properties.setDeflate(compression);
  }
  table.dataset = file_.createDataSet(path, file_type, H5::DataSpace(1, dims, max_dims), properties);
  tables_.push_back(std::move(table));
  return tables_.size() - 1;
}

void Hdf5Writer::start() { thread_ = std::thread([this]() { loop(); }); }

void Hdf5Writer::append(TableId table, std::vector<std::byte> rows, std::size_t count) {
  std::unique_lock lock(mutex_);
  space_.wait(lock, [this]() { return queue_.size() < MAX_QUEUED_BATCHES || !error_.empty(); });
  if (!error_.empty()) throw RunError("writing to HDF5 failed: " + error_);
  queue_.push_back(Batch{table, std::move(rows), count});
  work_.notify_one();
}

void Hdf5Writer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_one();
  if (thread_.joinable()) thread_.join();
  if (!error_.empty()) throw RunError("writing to HDF5 failed: " + error_);
}

void Hdf5Writer::loop() {
  while (true) {
    Batch batch;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [this]() { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;
      batch = std::move(queue_.front());
      queue_.pop_front();
    }
    space_.notify_one();
    try {
      write(batch);
    } catch (const H5::Exception& e) {
      std::lock_guard lock(mutex_);
      error_ = e.getDetailMsg();
      space_.notify_all();
      return;
    }
  }
}

void Hdf5Writer::write(const Batch& batch) {
  if (batch.count == 0) return;
  Table& table = tables_[batch.table];
  const hsize_t offset[1] = {table.rows_written};
  const hsize_t count[1] = {batch.count};
  const hsize_t new_size[1] = {table.rows_written + batch.count};
  table.dataset.extend(new_size);
  H5::DataSpace file_space = table.dataset.getSpace();
  file_space.selectHyperslab(H5S_SELECT_SET, count, offset);
  const H5::DataSpace memory_space(1, count);
  table.dataset.write(batch.rows.data(), table.memory_type, memory_space, file_space);
  table.rows_written += batch.count;
}

H5::StrType fixed_string() {
  H5::StrType type(H5::PredType::C_S1, ID_BYTES);
  type.setStrpad(H5T_STR_NULLPAD);
  return type;
}

void copy_id(char (&target)[ID_BYTES], const std::string& text) {
  std::memset(target, 0, ID_BYTES);
  std::memcpy(target, text.data(), std::min(text.size(), ID_BYTES - 1));
}

H5::EnumType enum_type(const std::vector<std::string>& names) {
  H5::EnumType type(H5::PredType::NATIVE_UINT8);
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto code = static_cast<std::uint8_t>(i);
    type.insert(names[i], &code);
  }
  return type;
}

}  // namespace twinbed::harness
