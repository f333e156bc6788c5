// harness::export_fhir (declared in Payload.hpp): `twinbed export RUN --fhir FILE.ndjson`. Every
// row of /telemetry and every block of /waveforms/device_blocks as FHIR R4 Observations, one per
// line (FHIR Bulk Data Access, "ndjson" output files), written through the same functions as
// the MQTT sink's `payload: fhir` so a resource is the same text in both (docs/fhir.md).
#include <H5Cpp.h>

#include <fstream>

#include "harness/H5Table.hpp"
#include "harness/InputError.hpp"
#include "harness/Payload.hpp"
#include "harness/RunFolder.hpp"

namespace twinbed::harness {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t READ_ROWS = 1u << 16;  // rows per HDF5 read, to bound memory
// Scenario::start_unix_ms's default (2026-01-01T00:00:00Z), for runs written before /meta had it.
constexpr std::int64_t DEFAULT_START_UNIX_MS = 1767225600000;

class NdjsonWriter {
public:
  explicit NdjsonWriter(const fs::path& path) : path_(path), out_(path, std::ios::binary | std::ios::trunc) {
    if (!out_) throw RunError("cannot write " + path.string());
  }
  void line(const std::string& resource) {
    out_.write(resource.data(), static_cast<std::streamsize>(resource.size()));
    out_.put('\n');
    ++lines_;
    if (!out_) throw RunError("cannot write " + path_.string());
  }
  void close() {
    out_.close();
    if (!out_) throw RunError("cannot write " + path_.string());
  }
  std::uint64_t lines() const { return lines_; }

private:
  fs::path path_;
  std::ofstream out_;
  std::uint64_t lines_ = 0;
};

PayloadContext read_context(const H5::H5File& file) {
  PayloadContext context;
  const H5::Group meta = file.openGroup("meta");
  context.start_unix_ms = DEFAULT_START_UNIX_MS;
  if (meta.attrExists("start_unix_ms")) meta.openAttribute("start_unix_ms").read(H5::PredType::NATIVE_INT64, &context.start_unix_ms);
  if (meta.attrExists("run_id")) context.run = attribute_text(meta.openAttribute("run_id")).value_or("");
  H5Table patients(file, "/patients");
  patients.load_all();
  const std::size_t patient_id = patients.column("id"), cohort = patients.column("cohort");
  for (std::size_t row = 0; row < patients.loaded(); ++row) {
    context.patient_ids.push_back(patients.text(row, patient_id));
    context.patient_sites.push_back(patients.text(row, cohort));
  }
  H5Table devices(file, "/devices");
  devices.load_all();
  const std::size_t device_id = devices.column("id"), patient = devices.column("patient");
  for (std::size_t row = 0; row < devices.loaded(); ++row) {
    context.device_ids.push_back(devices.text(row, device_id));
    context.device_patients.push_back(static_cast<std::uint32_t>(devices.integer(row, patient)));
  }
  return context;
}

// The readings delivered at one instant, by device in order of first appearance: what the sink
// got as that instant's packets.
class DeliveryGroups {
public:
  DeliveryGroups(const PayloadContext& context, NdjsonWriter& out) : context_(context), out_(out) {}
  void add(std::int64_t delivered, const network::Reading& reading) {
    if (delivered != delivered_) flush();
    delivered_ = delivered;
    readings_.push_back(reading);
  }
  void flush() {
    std::vector<bool> done(readings_.size(), false);
    std::vector<network::Reading> device;
    for (std::size_t i = 0; i < readings_.size(); ++i) {
      if (done[i]) continue;
      device.clear();
      for (std::size_t j = i; j < readings_.size(); ++j) {
        if (done[j] || readings_[j].device != readings_[i].device) continue;
        device.push_back(readings_[j]);
        done[j] = true;
      }
      resources_.clear();
      fhir_measurements(context_, readings_[i].device, device, resources_);
      for (const FhirResource& resource : resources_) out_.line(resource.text);
    }
    readings_.clear();
  }

private:
  const PayloadContext& context_;
  NdjsonWriter& out_;
  std::int64_t delivered_ = 0;
  std::vector<network::Reading> readings_;
  std::vector<FhirResource> resources_;
};

void write_telemetry(const H5::H5File& file, const PayloadContext& context, NdjsonWriter& out) {
  H5Table table(file, "/telemetry");
  const std::size_t sample = table.column("sample_time_ns"), delivery = table.column("delivery_time_ns"),
                    patient = table.column("patient"), device = table.column("device"),
                    signal = table.column("signal"), value = table.column("value"), flags = table.column("flags");
  DeliveryGroups groups(context, out);
  for (std::uint64_t first = 0; first < table.rows(); first += READ_ROWS) {
    table.load(first, READ_ROWS);
    for (std::size_t row = 0; row < table.loaded(); ++row) {
      network::Reading reading;
      reading.sample_time = sim::Time::from_ns(table.integer(row, sample));
      reading.patient = static_cast<std::uint32_t>(table.integer(row, patient));
      reading.device = static_cast<std::uint32_t>(table.integer(row, device));
      reading.signal = static_cast<std::uint8_t>(table.integer(row, signal));
      reading.flags = static_cast<std::uint16_t>(table.integer(row, flags));
      reading.value = table.number(row, value);
      groups.add(table.integer(row, delivery), reading);
    }
  }
  groups.flush();
}

void write_waveforms(const H5::H5File& file, const PayloadContext& context, NdjsonWriter& out) {
  if (!file.nameExists("waveforms") || !file.openGroup("waveforms").nameExists("device_blocks")) return;
  H5Table blocks(file, "/waveforms/device_blocks");
  const std::size_t device = blocks.column("device"), signal = blocks.column("signal"),
                    start = blocks.column("start_time_ns"), first_sample = blocks.column("first_sample"),
                    count = blocks.column("count"), rate = blocks.column("sample_rate_hz"), flags = blocks.column("flags");
  std::uint32_t open_device = UINT32_MAX;
  H5::DataSet samples;
  for (std::uint64_t first = 0; first < blocks.rows(); first += READ_ROWS) {
    blocks.load(first, READ_ROWS);
    for (std::size_t row = 0; row < blocks.loaded(); ++row) {
      const auto index = static_cast<std::uint32_t>(blocks.integer(row, device));
      if (index >= context.device_ids.size()) {
        throw RunError("/waveforms/device_blocks row " + std::to_string(first + row) + " names device " +
                       std::to_string(index) + ", which /devices does not have");
      }
      if (index != open_device) {
        samples = file.openDataSet("waveforms/device/" + context.device_ids[index]);
        open_device = index;
      }
      network::Waveform block;
      block.signal = static_cast<std::uint8_t>(blocks.integer(row, signal));
      block.start = sim::Time::from_ns(blocks.integer(row, start));
      block.sample_rate_hz = blocks.number(row, rate);
      block.flags = static_cast<std::uint16_t>(blocks.integer(row, flags));
      block.samples.resize(static_cast<std::size_t>(blocks.integer(row, count)));
      if (!block.samples.empty()) {
        H5::DataSpace space = samples.getSpace();
        const hsize_t offset = static_cast<hsize_t>(blocks.integer(row, first_sample));
        const hsize_t size = block.samples.size();
        space.selectHyperslab(H5S_SELECT_SET, &size, &offset);
        samples.read(block.samples.data(), H5::PredType::NATIVE_FLOAT, H5::DataSpace(1, &size), space);
      }
      out.line(fhir_waveform(context, context.device_patients[index], index, block));
    }
  }
}

}  // namespace

std::uint64_t export_fhir(const fs::path& run_folder, const fs::path& file) {
  H5::Exception::dontPrint();
  const fs::path run_file = locate_run_file(run_folder);
  std::error_code error;
  if (!file.has_filename() || fs::is_directory(file, error))
    throw InputError({"command line", 0, 0}, "--fhir", file.string(), "is not a file name");
  if (fs::exists(file, error)) {
    throw InputError({"command line", 0, 0}, "--fhir", file.string(),
                     "exists; give a new file name (export never overwrites files)");
  }
  const fs::path temporary = make_temporary_sibling(file);
  std::uint64_t written = 0;
  try {
    NdjsonWriter out(temporary / file.filename());
    try {
      const H5::H5File h5(run_file.string(), H5F_ACC_RDONLY);
      const PayloadContext context = read_context(h5);
      write_telemetry(h5, context, out);
      write_waveforms(h5, context, out);
    } catch (const H5::Exception& e) {
      throw RunError(run_file.string() + " cannot be read: " + e.getDetailMsg());
    }
    out.close();
    written = out.lines();
    fs::rename(temporary / file.filename(), file, error);  // atomic: FILE is whole or absent
    if (error) throw RunError("cannot write " + file.string() + ": " + error.message());
  } catch (...) {
    fs::remove_all(temporary, error);
    throw;
  }
  fs::remove_all(temporary, error);
  return written;
}

}  // namespace twinbed::harness
