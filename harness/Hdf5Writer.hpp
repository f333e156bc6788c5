#pragma once
// harness::Hdf5Writer: an HDF5 file whose extendible tables are appended to by a background thread.
// The event loop hands over whole chunks of rows; the writer thread extends the dataset, and HDF5
// shuffles, deflates and writes them. At most a few chunks wait in the queue: when the disk or zlib
// falls behind, the producer waits (back-pressure) instead of growing memory without bound.
//
// Thread rule: before start() and after stop() the caller may use file() and dataset() freely;
// in between, only the writer thread touches HDF5.
#include <H5Cpp.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace twinbed::harness {

class Hdf5Writer {
public:
  using TableId = std::size_t;

  explicit Hdf5Writer(const std::filesystem::path& path);
  ~Hdf5Writer();
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  H5::H5File& file() { return file_; }
  // Creates (and returns) the group at `path`, and any missing parents.
  H5::Group group(const std::string& path);

  // An extendible 1-D table of `memory_type` rows, stored packed, chunked to about `chunk_bytes`
  // (in packed rows), with shuffle + deflate at `compression` (0 = none). Parents are created.
  TableId create_table(const std::string& path, const H5::DataType& memory_type, std::uint64_t chunk_bytes,
                       int compression);
  std::size_t chunk_rows(TableId table) const { return tables_[table].chunk_rows; }
  std::size_t row_bytes(TableId table) const { return tables_[table].memory_row_bytes; }
  H5::DataSet& dataset(TableId table) { return tables_[table].dataset; }
  std::uint64_t rows_written(TableId table) const { return tables_[table].rows_written; }

  void start();
  // Queues `count` rows (memory layout) for `table`. Blocks while the queue is full. Throws RunError
  // when the writer thread failed.
  void append(TableId table, std::vector<std::byte> rows, std::size_t count);
  // Drains the queue and joins the thread. Throws RunError when a write failed.
  void stop();

private:
  struct Table {
    H5::DataSet dataset;
    H5::DataType memory_type;
    std::size_t memory_row_bytes = 0;
    std::size_t chunk_rows = 1;
    hsize_t rows_written = 0;
  };
  struct Batch {
    TableId table;
    std::vector<std::byte> rows;
    std::size_t count;
  };
  void loop();
  void write(const Batch& batch);

  H5::H5File file_;
  std::vector<Table> tables_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable space_;
  std::deque<Batch> queue_;
  bool stopping_ = false;
  std::string error_;
};

// Row-typed appender: collects rows and hands the writer one chunk at a time.
template <class Row>
class TableAppender {
public:
  TableAppender(Hdf5Writer& writer, Hdf5Writer::TableId table)
      : writer_(&writer), table_(table), rows_per_batch_(writer.chunk_rows(table)) {}

  void add(const Row& row) {
    if (batch_.empty()) batch_.reserve(rows_per_batch_ * sizeof(Row));
    const std::size_t at = batch_.size();
    batch_.resize(at + sizeof(Row));
    std::memcpy(batch_.data() + at, &row, sizeof(Row));
    ++added_;
    if (batch_.size() == rows_per_batch_ * sizeof(Row)) flush();
  }
  void flush() {
    if (batch_.empty()) return;
    const std::size_t count = batch_.size() / sizeof(Row);
    writer_->append(table_, std::move(batch_), count);
    batch_ = {};
  }
  std::uint64_t added() const { return added_; }

private:
  Hdf5Writer* writer_;
  Hdf5Writer::TableId table_;
  std::size_t rows_per_batch_;
  std::vector<std::byte> batch_;
  std::uint64_t added_ = 0;
};

// Small helpers shared by the recorders.
inline constexpr std::size_t ID_BYTES = 64;  // fixed-length, NUL-padded strings (ids are <= 63 chars)
H5::StrType fixed_string();
// Copies `text` into a fixed-length field, NUL-padded (cut at ID_BYTES - 1 bytes).
void copy_id(char (&target)[ID_BYTES], const std::string& text);
// A uint8 enum whose codes are the positions of `names`.
H5::EnumType enum_type(const std::vector<std::string>& names);
// A compound table written in one go; the file type is packed (no padding on disk).
template <class Row>
void write_table(H5::H5File& file, const std::string& name, const H5::CompType& memory_type,
                 const std::vector<Row>& rows) {
  H5::CompType file_type;
  file_type.copy(memory_type);  // the copy constructor would share the id, and pack() both
  file_type.pack();
  const hsize_t dims[1] = {rows.size()};
  H5::DataSet dataset = file.createDataSet(name, file_type, H5::DataSpace(1, dims));
  if (!rows.empty()) dataset.write(rows.data(), memory_type);
}
void write_string_attribute(H5::H5Object& object, const std::string& name, const std::string& value);
template <class T>
void write_scalar_attribute(H5::H5Object& object, const std::string& name, const H5::PredType& type, T value) {
  H5::Attribute attribute = object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  attribute.write(type, &value);
}

}  // namespace twinbed::harness
