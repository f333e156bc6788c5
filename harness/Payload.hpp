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
  // Appends the packet's messages to `out`, readings in packet order, then waveform blocks.
  void encode(const network::Packet& packet, std::vector<Message>& out);
  const PayloadContext& context() const { return context_; }

private:
  PayloadContext context_;
  PayloadFormat format_;
  bool batch_uploads_;
  std::string topic_template_;
  std::vector<std::string> topic_cache_;  // by device x signal, rendered on first use
};

// FHIR R4 resources, compact JSON text. The readings must share device and sample time (one
// measurement); a systolic + diastolic pair becomes one blood-pressure panel (85354-9).
void fhir_observations(const PayloadContext& context, std::uint32_t patient, std::uint32_t device,
                       std::span<const network::Reading> readings, std::vector<std::string>& out);
// A waveform block as an Observation with valueSampledData.
std::string fhir_waveform(const PayloadContext& context, std::uint32_t patient, std::uint32_t device,
                          const network::Waveform& waveform);

// `twinbed export RUN --fhir FILE.ndjson`: every reading of run.h5 /telemetry and every block of
// /waveforms/device_blocks as FHIR R4 resources, one per line (FHIR bulk data NDJSON). Readings
// of one device with equal sample and delivery time are one measurement. Written to a temporary
// file renamed on success. Returns the number of resources. Throws InputError / RunError.
std::uint64_t export_fhir(const std::filesystem::path& run_folder, const std::filesystem::path& file);

}  // namespace twinbed::harness
