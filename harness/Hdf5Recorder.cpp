#include "harness/Hdf5Recorder.hpp"

#include <H5Cpp.h>

#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "harness/InputError.hpp"
#include "harness/Version.hpp"
#include "physiology/Signal.hpp"

namespace twinbed::harness {
namespace {

constexpr std::size_t ID_BYTES = 64;  // fixed-length, NUL-padded strings (ids are <= 63 chars)
constexpr std::size_t MAX_QUEUED_BATCHES = 4;

struct PatientRow {
  std::uint32_t index;
  char id[ID_BYTES];
  char cohort[ID_BYTES];
  double heart_rate_baseline_bpm;
  double spo2_baseline_percent;
};

struct DeviceRow {
  std::uint32_t index;
  char id[ID_BYTES];
  char type[ID_BYTES];
  std::uint32_t patient;
  char link[ID_BYTES];
  std::int64_t sample_interval_ns;
};

void copy_id(char (&target)[ID_BYTES], const std::string& text) {
  std::memset(target, 0, ID_BYTES);
  std::memcpy(target, text.data(), std::min(text.size(), ID_BYTES - 1));
}

H5::StrType fixed_string() {
  H5::StrType type(H5::PredType::C_S1, ID_BYTES);
  type.setStrpad(H5T_STR_NULLPAD);
  return type;
}

H5::EnumType signal_enum() {
  H5::EnumType type(H5::PredType::NATIVE_UINT8);
  for (const physiology::Signal signal : physiology::ALL_SIGNALS) {
    auto code = static_cast<std::uint8_t>(signal);
    type.insert(std::string(physiology::signal_name(signal)), &code);
  }
  return type;
}

H5::CompType telemetry_type() {
  H5::CompType type(sizeof(TelemetryRow));
  type.insertMember("sample_time_ns", offsetof(TelemetryRow, sample_time_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("delivery_time_ns", offsetof(TelemetryRow, delivery_time_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("patient", offsetof(TelemetryRow, patient), H5::PredType::NATIVE_UINT32);
  type.insertMember("device", offsetof(TelemetryRow, device), H5::PredType::NATIVE_UINT32);
  type.insertMember("signal", offsetof(TelemetryRow, signal), signal_enum());
  type.insertMember("value", offsetof(TelemetryRow, value), H5::PredType::NATIVE_DOUBLE);
  type.insertMember("flags", offsetof(TelemetryRow, flags), H5::PredType::NATIVE_UINT16);
  return type;
}

void write_string_attribute(H5::H5Object& object, const std::string& name, const std::string& value) {
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  H5::Attribute attribute = object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  attribute.write(type, value);
}

template <class T>
void write_scalar_attribute(H5::H5Object& object, const std::string& name, const H5::PredType& type, T value) {
  H5::Attribute attribute = object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  attribute.write(type, &value);
}

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

}  // namespace

// Owns the HDF5 file. The constructor and close() run on the caller's thread; in between, only the
// writer thread touches HDF5 (thread start and join order the accesses).
class Hdf5Recorder::Writer {
public:
  Writer(const std::filesystem::path& path, std::uint64_t chunk_bytes, int compression)
      : file_(path.string(), H5F_ACC_TRUNC), memory_type_(telemetry_type()) {
    file_type_.copy(memory_type_);  // a real copy: packing must not change the memory layout
    file_type_.pack();
    // record.chunk_size is the size of a chunk on disk (before compression), in packed rows.
    chunk_rows_ = std::max<std::size_t>(1, chunk_bytes / file_type_.getSize());
    const hsize_t dims[1] = {0};
    const hsize_t max_dims[1] = {H5S_UNLIMITED};
    H5::DSetCreatPropList properties;
    const hsize_t chunk[1] = {chunk_rows_};
    properties.setChunk(1, chunk);
    if (compression > 0) {
      properties.setShuffle();
      properties.setDeflate(compression);
    }
    telemetry_ = file_.createDataSet("telemetry", file_type_, H5::DataSpace(1, dims, max_dims), properties);
  }

  H5::H5File& file() { return file_; }
  std::size_t chunk_rows() const { return chunk_rows_; }

  void start() { thread_ = std::thread([this]() { loop(); }); }

  // Blocks while MAX_QUEUED_BATCHES are waiting (back-pressure bounds memory). Throws RunError if
  // the writer failed.
  void push(std::vector<TelemetryRow> batch) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [this]() { return queue_.size() < MAX_QUEUED_BATCHES || !error_.empty(); });
    if (!error_.empty()) throw RunError("writing telemetry to HDF5 failed: " + error_);
    queue_.push_back(std::move(batch));
    work_.notify_one();
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_.notify_one();
    if (thread_.joinable()) thread_.join();
    if (!error_.empty()) throw RunError("writing telemetry to HDF5 failed: " + error_);
  }

  ~Writer() {
    try {
      stop();
    } catch (...) {  // NOLINT(bugprone-empty-catch): destruction after a failure; the error was reported
    }
  }

private:
  void loop() {
    while (true) {
      std::vector<TelemetryRow> batch;
      {
        std::unique_lock lock(mutex_);
        work_.wait(lock, [this]() { return !queue_.empty() || stopping_; });
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
      }
      space_.notify_one();
      try {
        append(batch);
      } catch (const H5::Exception& e) {
        std::lock_guard lock(mutex_);
        error_ = e.getDetailMsg();
        space_.notify_all();
        return;
      }
    }
  }

  void append(const std::vector<TelemetryRow>& rows) {
    if (rows.empty()) return;
    const hsize_t offset[1] = {rows_written_};
    const hsize_t count[1] = {rows.size()};
    const hsize_t new_size[1] = {rows_written_ + rows.size()};
    telemetry_.extend(new_size);
    H5::DataSpace file_space = telemetry_.getSpace();
    file_space.selectHyperslab(H5S_SELECT_SET, count, offset);
    const H5::DataSpace memory_space(1, count);
    telemetry_.write(rows.data(), memory_type_, memory_space, file_space);
    rows_written_ += rows.size();
  }

  H5::H5File file_;
  H5::CompType memory_type_;
  H5::CompType file_type_;
  H5::DataSet telemetry_;
  hsize_t rows_written_ = 0;
  std::size_t chunk_rows_ = 1;

  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable space_;
  std::deque<std::vector<TelemetryRow>> queue_;
  bool stopping_ = false;
  std::string error_;
};

Hdf5Recorder::Hdf5Recorder(const std::filesystem::path& path, const Scenario& scenario, const World& world) {
  H5::Exception::dontPrint();  // errors become RunError messages, not HDF5's stack dump on stderr
  try {
    writer_ = std::make_unique<Writer>(path, scenario.record.chunk_bytes, scenario.record.compression_level);
    batch_rows_ = writer_->chunk_rows();  // hand over whole chunks
    H5::H5File& file = writer_->file();

    H5::Group meta = file.createGroup("meta");
    write_string_attribute(meta, "twinbed_version", std::string(version()));
    write_string_attribute(meta, "scenario_name", scenario.name);
    write_string_attribute(meta, "scenario_file", scenario.source_file);
    write_string_attribute(meta, "scenario_text", scenario.source_text);
    std::string overrides;
    for (const std::string& o : scenario.overrides) overrides += (overrides.empty() ? "" : "\n") + o;
    write_string_attribute(meta, "overrides", overrides);
    write_scalar_attribute(meta, "seed", H5::PredType::NATIVE_UINT64, scenario.seed);
    write_scalar_attribute(meta, "replication", H5::PredType::NATIVE_UINT32, scenario.replication);
    write_scalar_attribute(meta, "duration_ns", H5::PredType::NATIVE_INT64, scenario.duration.ns());
    unsigned major = 0, minor = 0, release = 0;
    H5::H5Library::getLibVersion(major, minor, release);
    write_string_attribute(meta, "hdf5_version",
                           std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release));

    std::vector<PatientRow> patients;
    for (std::size_t i = 0; i < world.patients().size(); ++i) {
      PatientRow row{};
      row.index = static_cast<std::uint32_t>(i);
      copy_id(row.id, world.patient_info()[i].id);
      copy_id(row.cohort, world.patient_info()[i].cohort);
      row.heart_rate_baseline_bpm = world.patients()[i]->params().heart_rate.baseline;
      row.spo2_baseline_percent = world.patients()[i]->params().spo2.baseline;
      patients.push_back(row);
    }
    H5::CompType patient_type(sizeof(PatientRow));
    patient_type.insertMember("index", offsetof(PatientRow, index), H5::PredType::NATIVE_UINT32);
    patient_type.insertMember("id", offsetof(PatientRow, id), fixed_string());
    patient_type.insertMember("cohort", offsetof(PatientRow, cohort), fixed_string());
    patient_type.insertMember("heart_rate_baseline_bpm", offsetof(PatientRow, heart_rate_baseline_bpm),
                              H5::PredType::NATIVE_DOUBLE);
    patient_type.insertMember("spo2_baseline_percent", offsetof(PatientRow, spo2_baseline_percent),
                              H5::PredType::NATIVE_DOUBLE);
    write_table(file, "patients", patient_type, patients);

    std::vector<DeviceRow> devices;
    for (std::size_t i = 0; i < world.device_info().size(); ++i) {
      const DeviceInfo& info = world.device_info()[i];
      DeviceRow row{};
      row.index = static_cast<std::uint32_t>(i);
      copy_id(row.id, info.id);
      copy_id(row.type, info.type);
      row.patient = info.patient;
      copy_id(row.link, info.link);
      row.sample_interval_ns = info.sample_interval.ns();
      devices.push_back(row);
    }
    H5::CompType device_type(sizeof(DeviceRow));
    device_type.insertMember("index", offsetof(DeviceRow, index), H5::PredType::NATIVE_UINT32);
    device_type.insertMember("id", offsetof(DeviceRow, id), fixed_string());
    device_type.insertMember("type", offsetof(DeviceRow, type), fixed_string());
    device_type.insertMember("patient", offsetof(DeviceRow, patient), H5::PredType::NATIVE_UINT32);
    device_type.insertMember("link", offsetof(DeviceRow, link), fixed_string());
    device_type.insertMember("sample_interval_ns", offsetof(DeviceRow, sample_interval_ns), H5::PredType::NATIVE_INT64);
    write_table(file, "devices", device_type, devices);
  } catch (const H5::Exception& e) {
    throw RunError("cannot create " + path.string() + ": " + e.getDetailMsg());
  }
  writer_->start();
  batch_.reserve(batch_rows_);
}

Hdf5Recorder::~Hdf5Recorder() = default;

void Hdf5Recorder::consume(const network::Packet& packet, sim::Time delivered) {
  for (const network::Reading& reading : packet.readings) {
    batch_.push_back(TelemetryRow{reading.sample_time.ns(), delivered.ns(), reading.patient, reading.device,
                                  reading.signal, reading.value, reading.flags});
    if (batch_.size() == batch_rows_) {
      writer_->push(std::move(batch_));
      batch_ = {};
      batch_.reserve(batch_rows_);
    }
  }
  rows_recorded_ += packet.readings.size();
}

void Hdf5Recorder::close(const RunFacts& facts) {
  if (!batch_.empty()) writer_->push(std::move(batch_));
  batch_ = {};
  writer_->stop();
  try {
    H5::Group meta = writer_->file().openGroup("meta");
    write_string_attribute(meta, "run_id", facts.run_id);
    write_string_attribute(meta, "wall_clock_start", facts.wall_clock_start);
    write_scalar_attribute(meta, "wall_time_s", H5::PredType::NATIVE_DOUBLE, facts.wall_time_s);
    write_scalar_attribute(meta, "events", H5::PredType::NATIVE_UINT64, facts.events);
    write_scalar_attribute(meta, "telemetry_rows", H5::PredType::NATIVE_UINT64, rows_recorded_);
    writer_->file().close();
  } catch (const H5::Exception& e) {
    throw RunError("cannot finish the HDF5 file: " + e.getDetailMsg());
  }
  writer_.reset();
}

}  // namespace twinbed::harness
