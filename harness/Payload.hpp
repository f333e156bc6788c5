#pragma once
// harness::Payload: delivered telemetry as the messages a platform receives (spec harness.md
// "Telemetry out"): one JSON document per reading, a FHIR R4 Observation per reading (a blood
// pressure panel per systolic/diastolic pair), a batch message per store-and-forward upload, a
// waveform block per ECG block. `twinbed export --fhir` writes the same FHIR resources.
// docs/live-harness.md shows every message shape.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/LiveSpec.hpp"
#include "network/Packet.hpp"
#include "sim/Time.hpp"

namespace twinbed::harness {

class World;

// What the encoders know of the run: names instead of the simulator's indices.
struct PayloadContext {
  std::string run;                         // run id, the {run} placeholder and the "run" field
  std::int64_t start_unix_ms = 0;          // calendar time of simulated time 0 (Scenario::start_unix_ms)
  std::vector<std::string> patient_ids;    // by patient index
  std::vector<std::string> patient_sites;  // by patient index: the cohort prefix ({site})
  std::vector<std::string> device_ids;     // by device index
  std::vector<std::uint32_t> device_patients;  // by device index: its patient (waveform blocks carry none)
};
PayloadContext payload_context(const World& world, std::string run, std::int64_t start_unix_ms);

// "2026-01-01T03:12:05.000Z": start + t, to the millisecond (truncated toward minus infinity).
std::string iso_time(std::int64_t start_unix_ms, sim::Time t);
// The inverse for "YYYY-MM-DDThh:mm:ss[.fraction]Z" (also "+00:00"); nullopt when not that form.
// Returns the simulated time (may be negative or past the run).
std::optional<sim::Time> parse_iso_time(std::string_view text, std::int64_t start_unix_ms);

// Quality flag names, in bit order: "clamped", "low_quality", "sensor_off", "low_perfusion",
// "motion", "retried". (network::ReadingFlag)
std::vector<std::string_view> quality_names(std::uint16_t flags);
// The bit of a quality name, 0 when unknown.
std::uint16_t quality_flag(std::string_view name);

struct Message {
  std::string topic;
  std::string payload;
  std::uint32_t device = 0;    // source device index (picks the connection)
  std::uint32_t readings = 0;  // readings it carries (a waveform block counts 1)
};

// Turns delivered packets into messages. Not thread-safe; one per publishing thread.
class PayloadEncoder {
public:
  PayloadEncoder(PayloadContext context, const LiveSpec& spec);
  // Appends the packet's messages to `out`: waveform blocks, then heart-rate readings, then the
  // other readings in packet order (the order ReferenceMonitor::consume uses a packet's parts).
  void encode(const network::Packet& packet, std::vector<Message>& out);
  const PayloadContext& context() const { return context_; }

private:
  // What never changes for one (device, signal): its topic and the JSON text around the value.
  struct Slot {
    bool ready = false;
    std::string topic;
    std::string head;    // {"run":..,"patient":..,"device":.. and ,"signal":.. but for the batch slot
    std::string signal;  // the signal's name as a JSON string
    std::string unit;    // its unit as a JSON string
  };
  Slot& slot(std::uint32_t patient, std::uint32_t device, std::uint32_t index);  // index: a signal, unknown, batch
  void append_time(sim::Time t);
  void append_value(const Slot& s, const network::Reading& reading);
  void encode_json(const network::Packet& packet, std::vector<Message>& out);
  void encode_reading(const network::Packet& packet, const network::Reading& reading, std::vector<Message>& out);
  void encode_batch(const network::Packet& packet, std::vector<Message>& out);
  void encode_fhir(const network::Packet& packet, bool batch, std::vector<Message>& out);
  void encode_waveform(const network::Packet& packet, const network::Waveform& block, std::vector<Message>& out);

  PayloadContext context_;
  PayloadFormat format_;
  bool batch_uploads_;
  std::string topic_template_;
  std::vector<Slot> topic_cache_;  // by device x signal (+ "batch"), rendered on first use
  std::string buffer_;             // the message being written, reused (its capacity stays)
  // The ISO text of the last whole second written: most messages in a row share it.
  std::int64_t cached_second_ = INT64_MIN;
  std::string cached_second_text_;  // "2026-01-01T03:12:05"
};

// FHIR R4 resources, compact JSON text. The readings must share device and sample time (one
// measurement); a systolic + diastolic pair becomes one blood-pressure panel (85354-9).
void fhir_observations(const PayloadContext& context, std::uint32_t patient, std::uint32_t device,
                       std::span<const network::Reading> readings, std::vector<std::string>& out);
// One resource of a packet's readings: its text, the signal it is filed under (the systolic one
// for a blood-pressure panel) and how many readings it carries.
struct FhirResource {
  std::string text;
  std::uint8_t signal = 0;
  std::uint32_t readings = 0;
};
// Every measurement of `readings` (one device): readings with equal sample time are one
// measurement (fhir_observations), measurements in order of first appearance. The MQTT sink
// (per packet) and export_fhir (per device and delivery time) both go through it, so they write
// the same resources.
void fhir_measurements(const PayloadContext& context, std::uint32_t device,
                       std::span<const network::Reading> readings, std::vector<FhirResource>& out);
// A twinbed id as a FHIR id ([A-Za-z0-9.-]{1,64}): '_' becomes '.', which twinbed names never
// contain, so distinct ids stay distinct ("icd_vt0001" -> "icd.vt0001").
std::string fhir_id(std::string_view twinbed_id);

// A waveform block as an Observation with valueSampledData.
std::string fhir_waveform(const PayloadContext& context, std::uint32_t patient, std::uint32_t device,
                          const network::Waveform& waveform);

// `twinbed export RUN --fhir FILE.ndjson`: every reading of run.h5 /telemetry and every block of
// /waveforms/device_blocks as FHIR R4 resources, one per line (FHIR bulk data NDJSON). Readings
// of one device with equal sample and delivery time are one measurement. Written to a temporary
// file renamed on success. Returns the number of resources. Throws InputError / RunError.
std::uint64_t export_fhir(const std::filesystem::path& run_folder, const std::filesystem::path& file);

}  // namespace twinbed::harness
