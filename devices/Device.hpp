#pragma once
// devices::Device: something worn by, implanted in or placed beside a patient. The base class runs
// what every device has - its schedule (periodic with jitter, times of day, on demand, adherence),
// its battery, its clock, its injected faults and its firmware (store-and-forward buffer, batching,
// acknowledgement and retransmission) - and asks the type's measurement model, measure(), for the
// readings of each sampling instant. See docs/devices.md.
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "devices/Catalog.hpp"
#include "devices/Faults.hpp"
#include "sim/Params.hpp"
#include "network/Packet.hpp"
#include "physiology/Signal.hpp"
#include "sim/RandomStream.hpp"
#include "sim/Simulator.hpp"

namespace twinbed::devices {

// The value of a device_alert reading. Stored in /telemetry as a number; append new codes.
enum class AlertCode : std::uint8_t {
  low_battery = 1,
  occlusion = 2,
  reservoir_low = 3,
  reservoir_empty = 4,
  vt_episode = 5,          // implant: ventricular tachycardia episode detected
  vf_episode = 6,          // implant: ventricular fibrillation episode detected
  shock_delivered = 7,     // ICD therapy
  lead_impedance = 8,      // implant: lead impedance out of range
  battery_eri = 9,         // implant: battery at elective replacement indicator
  dose_limit = 10,         // infusion pump: a programmed rate beyond the drug library's limit
  sensor_expired = 11,     // CGM sensor life over
  irregular_rhythm = 12,   // smartwatch irregular-rhythm notification
  measurement_failed = 13, // NIBP gave up after its retries
  infusion_started = 14,
  infusion_stopped = 15,
  rate_changed = 16,
};

// Shared by the devices on one patient (a pump's bolus calculator reads the CGM).
struct PatientBus {
  double cgm_mg_dl = std::numeric_limits<double>::quiet_NaN();  // the CGM's latest reading
  sim::Time cgm_time;
};

struct DeviceCounters {
  std::uint64_t samples = 0;              // measurements made
  std::uint64_t readings = 0;             // readings produced (a sample may produce several)
  std::uint64_t waveform_blocks = 0;
  std::uint64_t packets = 0;              // packets handed to the uplink (first transmissions)
  std::uint64_t retransmissions = 0;
  std::uint64_t skipped = 0;              // scheduled measurements the patient skipped (adherence)
  std::uint64_t dropped_overflow = 0;     // readings the full buffer discarded
  std::uint64_t dropped_retries = 0;      // readings given up after the last retransmission
  std::uint64_t lost_in_crash = 0;        // readings in RAM when the firmware crashed
  std::uint64_t alerts = 0;
};

// Everything a device is built from. The World fills it from the scenario.
struct DeviceSetup {
  std::string id;                 // "<patient id>-<name>": keys every stream of the device
  std::uint32_t index = 0;        // in the run's device table
  std::uint32_t patient_index = 0;
  DeviceType type = DeviceType::pulse_oximeter;
  sim::ParamSet params;
  std::vector<FaultSpec> faults;
  std::vector<sim::Time> times_of_day;  // scheduled measurements (clock time); empty = periodic
  sim::Time start_clock_time;           // clock time at the start of the run
  physiology::SignalSource* patient = nullptr;
  network::Uplink* uplink = nullptr;
  FaultSink* fault_sink = nullptr;       // nullable
  PatientBus* bus = nullptr;             // nullable
  std::uint64_t master_seed = 1;
  std::uint32_t replication = 0;
};

// What a measurement model sees at a sampling instant.
struct SampleContext {
  sim::Time now;                      // true time; the patient is advanced to it
  physiology::SignalSource& patient;
  const FaultState& faults;
  sim::RandomStream& noise;           // the device's measurement stream
  PatientBus& bus;
};

// What a measurement produces.
class Output {
public:
  void reading(physiology::Signal signal, double value, std::uint16_t flags = network::READING_OK);
  // A waveform block whose first sample is at true time `start`.
  void waveform(physiology::Signal signal, sim::Time start, double sample_rate_hz, std::span<const float> samples,
                std::uint16_t flags = network::READING_OK);
  // A device-side alert; urgent alerts are sent at once, whatever the batching.
  void alert(AlertCode code, bool urgent = true);
  // The readings become available `delay` after the sampling instant (a cuff inflating).
  void ready_after(sim::Time delay) { ready_after_ = delay; }
  // Measure again after `delay` (a failed NIBP attempt), besides the regular schedule.
  void retry_in(sim::Time delay) { retry_in_ = delay; }
  void flush_now() { flush_now_ = true; }

private:
  friend class Device;
  void clear();
  std::vector<network::Reading> readings_;
  std::vector<network::Waveform> waveforms_;
  std::optional<sim::Time> ready_after_;
  std::optional<sim::Time> retry_in_;
  bool flush_now_ = false;
};

// Device clock error (device time - true time) at true time t: `offset` until the first
// resynchronisation, plus drift_ppm * 1e-6 times the time since the last one (every
// `resync_interval`; zero = never). Pure: the timestamp model, testable alone.
sim::Time clock_error(sim::Time t, sim::Time offset, double drift_ppm, sim::Time resync_interval);

// Battery lifetime (s) at a constant load: capacity over idle current plus the per-sample and
// per-packet charges spread over their intervals. Infinity when nothing drains.
double predicted_battery_life_s(double capacity_mah, double idle_current_ua, double charge_per_sample_uah,
                                double sample_interval_s, double charge_per_packet_uah, double packet_interval_s);

class Device : private network::DeliveryListener {
public:
  // The longest gap between its packets in normal operation, for a platform's "no data" watch:
  // the sample interval, or the batching period when it batches (batch_readings x interval or
  // batch_interval, whichever is shorter). Zero: no regular reporting (scheduled spot checks at
  // times of day, on-demand devices, devices that report only on events).
  virtual sim::Time report_interval() const;
  explicit Device(DeviceSetup setup);
  ~Device() override = default;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  // Schedules the device's sampling and faults on `simulator`; called once, before the run starts.
  void start(sim::Simulator& simulator);
  // Closes the fault intervals still open at the end of the run.
  void finish(sim::Time end);
  // A measurement now, besides the schedule (on-demand NIBP, a clinician's spot check).
  void request_measurement();

  const std::string& id() const { return id_; }
  std::uint32_t index() const { return index_; }
  std::uint32_t patient_index() const { return patient_index_; }
  DeviceType type() const { return type_; }
  const sim::ParamSet& params() const { return params_; }
  const DeviceCounters& counters() const { return counters_; }
  // Readings and blocks still in the firmware's buffer (not yet acknowledged, when acknowledged).
  std::size_t buffered() const { return pending_readings_.size() + pending_waveforms_.size() + in_flight_items_; }
  double battery_fraction() const;
  std::optional<sim::Time> died_at() const { return died_at_; }
  sim::Time device_time(sim::Time t) const;

protected:
  // The model's measurement at ctx.now. Not called while the device is dead, crashed or off schedule.
  virtual void measure(SampleContext& ctx, Output& out) = 0;
  // Called once when the run starts (an insulin pump takes over the basal rate).
  virtual void on_start(SampleContext& ctx) { (void)ctx; }
  // Called when any fault starts or ends, for models that act on it at once.
  virtual void on_fault(FaultKind kind, bool active, SampleContext& ctx) {
    (void)kind, (void)active, (void)ctx;
  }
  // The alert the device sends when its battery reaches low_battery_level (an implant: ERI).
  virtual AlertCode low_battery_alert() const { return AlertCode::low_battery; }
  // Model faults (battery, warm-up, reservoir...): one interval at a time per kind.
  void begin_fault(FaultKind kind, double magnitude = 0.0, std::optional<sim::Time> at = std::nullopt);
  void end_fault(FaultKind kind, std::optional<sim::Time> at = std::nullopt);
  sim::Simulator& simulator() { return *simulator_; }
  physiology::SignalSource& patient() { return patient_; }
  const FaultState& faults() const { return faults_; }

private:
  struct OpenInterval {
    std::size_t spec = 0;  // index into faults_spec_ (or SIZE_MAX for model/activity)
    FaultKind kind = FaultKind::detachment;
    FaultOrigin origin = FaultOrigin::model;
    sim::Time start;
    double magnitude = 0.0;
  };

  void on_acknowledged(std::uint32_t seq, sim::Time at) override;
  void on_route_restored(sim::Time at) override;
  void retransmit();
  SampleContext context();
  void schedule_next_sample(bool first);
  sim::Time next_time_of_day(sim::Time after) const;
  void scheduled_sample();
  void sample();
  void apply_generic_effects(Output& out);
  void enqueue(Output& out, sim::Time at);
  void maybe_flush(bool force);
  void send_packet();
  void ack_timeout(std::uint32_t seq);
  void drain_battery(double event_charge_uah);
  void die(sim::Time at);
  void start_fault_spec(std::size_t spec_index);
  void schedule_random_onset(std::size_t spec_index);
  void fault_changed(FaultKind kind, bool active);
  void record(const OpenInterval& interval, sim::Time end);
  void track_activity_motion();
  bool offline() const { return died_at_.has_value() || faults_.active(FaultKind::crash); }

  std::string id_;
  std::uint32_t index_;
  std::uint32_t patient_index_;
  DeviceType type_;
  sim::ParamSet params_;
  std::vector<FaultSpec> fault_specs_;
  std::vector<sim::Time> times_of_day_;
  sim::Time start_clock_time_;
  physiology::SignalSource& patient_;
  network::Uplink& uplink_;
  FaultSink* fault_sink_;
  PatientBus own_bus_;
  PatientBus& bus_;
  sim::Simulator* simulator_ = nullptr;
  sim::RandomStream noise_stream_, schedule_stream_;
  std::vector<sim::RandomStream> fault_streams_;  // one per `faults:` entry

  // Cached parameters (read once from params_).
  sim::Time sample_interval_, sample_jitter_, delay_max_, clock_offset_, clock_resync_, ack_timeout_,
      batch_interval_, battery_report_interval_;
  double adherence_ = 1.0, clock_drift_ppm_ = 0.0;
  std::uint64_t buffer_capacity_ = 0, batch_readings_ = 1, max_retries_ = 0;
  std::uint64_t header_bytes_ = 0, bytes_per_reading_ = 0, bytes_per_sample_ = 0;
  bool drop_newest_ = false, motion_artifacts_ = false;
  double capacity_uah_ = 0.0, idle_ua_ = 0.0, sample_uah_ = 0.0, packet_uah_ = 0.0, low_battery_fraction_ = 0.0;

  FaultState faults_;
  std::vector<OpenInterval> open_;
  double stuck_value_[std::size(physiology::ALL_SIGNALS)] = {};
  bool stuck_known_[std::size(physiology::ALL_SIGNALS)] = {};

  // Battery.
  double remaining_uah_ = 0.0;
  sim::Time battery_updated_;
  bool battery_low_ = false;
  std::optional<sim::Time> died_at_;
  sim::Time next_battery_report_;

  // Firmware.
  std::deque<network::Reading> pending_readings_;
  std::deque<network::Waveform> pending_waveforms_;
  sim::Time first_pending_;
  bool flush_scheduled_ = false;
  std::uint32_t next_seq_ = 0;
  std::optional<network::Packet> in_flight_;  // awaiting acknowledgement (max_retries > 0)
  std::size_t in_flight_items_ = 0;
  bool awaiting_route_ = false;  // the in-flight packet timed out with no route: retry when it returns
  sim::EventId ack_timer_{};
  Output output_;
  std::deque<Output> delayed_;  // outputs waiting for ready_after, oldest first
  bool low_battery_alert_due_ = false;
  DeviceCounters counters_;
};

}  // namespace twinbed::devices
