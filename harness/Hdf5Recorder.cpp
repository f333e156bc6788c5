#include "harness/Hdf5Recorder.hpp"

#include <H5Cpp.h>

#include <cstddef>
#include <cstring>

#include "harness/Hdf5Writer.hpp"
#include "harness/InputError.hpp"
#include "harness/Version.hpp"
#include "physiology/Signal.hpp"

namespace twinbed::harness {
namespace {

constexpr std::size_t ID_BYTES = 64;  // fixed-length, NUL-padded strings (ids are <= 63 chars)

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

Hdf5Recorder::Hdf5Recorder(const std::filesystem::path& path, const Scenario& scenario, const World& world) {
  H5::Exception::dontPrint();  // errors become RunError messages, not HDF5's stack dump on stderr
  try {
    writer_ = std::make_unique<Hdf5Writer>(path);
    H5::H5File& file = writer_->file();
    telemetry_ = std::make_unique<TableAppender<TelemetryRow>>(
        *writer_, writer_->create_table("/telemetry", telemetry_type(), scenario.record.chunk_bytes,
                                        scenario.record.compression_level));

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
}

Hdf5Recorder::~Hdf5Recorder() = default;

std::uint64_t Hdf5Recorder::rows_recorded() const { return telemetry_ ? telemetry_->added() : 0; }

void Hdf5Recorder::consume(const network::Packet& packet, sim::Time delivered) {
  for (const network::Reading& reading : packet.readings) {
    telemetry_->add(TelemetryRow{reading.sample_time.ns(), delivered.ns(), reading.patient, reading.device,
                                 reading.signal, reading.value, reading.flags});
  }
}

void Hdf5Recorder::close(const RunFacts& facts) {
  telemetry_->flush();
  writer_->stop();
  try {
    H5::Group meta = writer_->file().openGroup("meta");
    write_string_attribute(meta, "run_id", facts.run_id);
    write_string_attribute(meta, "wall_clock_start", facts.wall_clock_start);
    write_scalar_attribute(meta, "wall_time_s", H5::PredType::NATIVE_DOUBLE, facts.wall_time_s);
    write_scalar_attribute(meta, "events", H5::PredType::NATIVE_UINT64, facts.events);
    write_scalar_attribute(meta, "telemetry_rows", H5::PredType::NATIVE_UINT64, rows_recorded());
    writer_->file().close();
  } catch (const H5::Exception& e) {
    throw RunError("cannot finish the HDF5 file: " + e.getDetailMsg());
  }
  writer_.reset();
}

}  // namespace twinbed::harness
