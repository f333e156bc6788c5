#pragma once
// harness::Hdf5Recorder: writes one run to HDF5 (C++ API). /meta, /patients and /devices are
// written when the file opens; /telemetry rows stream in during the run and are compressed and
// written by a background thread, so the event loop never waits on zlib or the disk unless the
// writer falls more than a few chunks behind. Layout: docs/results-schema.md.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness/AlarmRecorder.hpp"
#include "harness/Scenario.hpp"
#include "harness/Sink.hpp"
#include "harness/NetworkRecorder.hpp"
#include "harness/World.hpp"

namespace twinbed::harness {

class Hdf5Writer;
template <class Row>
class TableAppender;

// One row of /telemetry: a reading as delivered.
struct TelemetryRow {
  std::int64_t sample_time_ns;
  std::int64_t delivery_time_ns;
  std::uint32_t patient;
  std::uint32_t device;
  std::uint8_t signal;
  double value;
  std::uint16_t flags;
};

// Facts known only when the run ends, written as /meta attributes.
struct RunFacts {
  std::string run_id;
  std::string wall_clock_start;  // ISO 8601 UTC
  double wall_time_s = 0.0;
  std::uint64_t events = 0;
};

class Hdf5Recorder final : public Sink {
public:
  // Creates the file and writes /meta (scenario), /patients and /devices. Throws RunError.
  Hdf5Recorder(const std::filesystem::path& path, const Scenario& scenario, const World& world);
  ~Hdf5Recorder() override;
  Hdf5Recorder(const Hdf5Recorder&) = delete;
  Hdf5Recorder& operator=(const Hdf5Recorder&) = delete;

  void consume(const network::Packet& packet, sim::Time delivered) override;

  // Ground truth (docs/results-schema.md): one /ground_truth/vitals row, beats and ECG samples of
  // a patient whose ECG is recorded. Events are written by close() from the patients' logs.
  void record_vitals(std::uint32_t patient, sim::Time t, const physiology::Patient& state);
  void record_beats(std::uint32_t patient, std::span<const physiology::Beat> beats, double sample_rate_hz);
  void record_ecg(std::uint32_t patient, std::span<const float> samples);
  // Flushes, stops the writer, writes the final /meta attributes and closes the file. Throws RunError.
  void close(const RunFacts& facts);
  std::uint64_t rows_recorded() const;
  // A scored monitor's /alarms and /scores tables, written by close().
  void record_alarms(AlarmTables tables) { alarm_tables_.push_back(std::move(tables)); }
  // Where the network's sampled packets go (/network/packets).
  NetworkRecorder& network() { return *network_; }

private:
  struct GroundTruthVitalsRow;
  struct BeatRow;
  struct WaveformBlockRow;
  std::unique_ptr<Hdf5Writer> writer_;
  const World& world_;
  std::unique_ptr<TableAppender<TelemetryRow>> telemetry_;
  std::unique_ptr<TableAppender<GroundTruthVitalsRow>> vitals_;
  std::unique_ptr<TableAppender<BeatRow>> beats_;
  std::vector<std::unique_ptr<TableAppender<float>>> ecg_;  // by patient; null without ECG
  // Waveforms as devices measured and sent them (e.g. the ECG patch), by device; null for others.
  std::vector<std::unique_ptr<TableAppender<float>>> device_waveforms_;
  std::vector<std::uint64_t> device_waveform_samples_;
  std::unique_ptr<TableAppender<WaveformBlockRow>> waveform_blocks_;
  std::unique_ptr<NetworkRecorder> network_;
  std::vector<AlarmTables> alarm_tables_;
};

}  // namespace twinbed::harness
