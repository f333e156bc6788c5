#include "devices/Device.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace twinbed::devices {
namespace {
constexpr std::size_t NO_SPEC = static_cast<std::size_t>(-1);
// Device events run before ground truth (priority 100) and after nothing else in particular.
constexpr sim::Priority DEVICE_PRIORITY = 0;
// Readings that carry a measured value (drift and stuck-sensor faults apply to these only).
bool is_measurement(std::uint8_t signal) {
  using physiology::Signal;
  const auto s = static_cast<Signal>(signal);
  return s != Signal::battery_level && s != Signal::device_alert && s != Signal::insulin_bolus &&
         s != Signal::insulin_basal_rate && s != Signal::infusion_rate;
}
}  // namespace

// --- Output -----------------------------------------------------------------------------------

void Output::reading(physiology::Signal signal, double value, std::uint16_t flags) {
  network::Reading r;
  r.signal = static_cast<std::uint8_t>(signal);
  r.value = value;
  r.flags = flags;
  readings_.push_back(r);
}

void Output::waveform(physiology::Signal signal, sim::Time start, double sample_rate_hz,
                      std::span<const float> samples, std::uint16_t flags) {
  network::Waveform w;
  w.signal = static_cast<std::uint8_t>(signal);
  w.start = start;
  w.sample_rate_hz = sample_rate_hz;
  w.flags = flags;
  w.samples.assign(samples.begin(), samples.end());
  waveforms_.push_back(std::move(w));
}

void Output::alert(AlertCode code, bool urgent) {
  reading(physiology::Signal::device_alert, static_cast<double>(code));
  if (urgent) flush_now_ = true;
}

void Output::clear() {
  readings_.clear();
  waveforms_.clear();
  ready_after_.reset();
  retry_in_.reset();
  flush_now_ = false;
}

// --- pure models --------------------------------------------------------------------------------

sim::Time clock_error(sim::Time t, sim::Time offset, double drift_ppm, sim::Time resync_interval) {
  sim::Time since_sync = t;
  sim::Time base = offset;
  if (resync_interval > sim::Time::zero() && t >= resync_interval) {
    since_sync = sim::Time::from_ns(t.ns() % resync_interval.ns());
    base = sim::Time::zero();  // a resynchronisation (e.g. to the phone's NTP time) zeroes the error
  }
  return base + sim::Time::from_seconds(since_sync.seconds() * drift_ppm * 1e-6);
}

double predicted_battery_life_s(double capacity_mah, double idle_current_ua, double charge_per_sample_uah,
                                double sample_interval_s, double charge_per_packet_uah, double packet_interval_s) {
  double drain_ua = idle_current_ua;  // uAh per hour = uA
  if (sample_interval_s > 0.0) drain_ua += charge_per_sample_uah * 3600.0 / sample_interval_s;
  if (packet_interval_s > 0.0) drain_ua += charge_per_packet_uah * 3600.0 / packet_interval_s;
  if (drain_ua <= 0.0) return std::numeric_limits<double>::infinity();
  return capacity_mah * 1000.0 / drain_ua * 3600.0;
}

// --- Device -------------------------------------------------------------------------------------

Device::Device(DeviceSetup setup)
    : id_(std::move(setup.id)), index_(setup.index), patient_index_(setup.patient_index), type_(setup.type),
      params_(std::move(setup.params)), fault_specs_(std::move(setup.faults)),
      times_of_day_(std::move(setup.times_of_day)), start_clock_time_(setup.start_clock_time),
      patient_(*setup.patient), uplink_(*setup.uplink), fault_sink_(setup.fault_sink),
      bus_(setup.bus != nullptr ? *setup.bus : own_bus_),
      noise_stream_(setup.master_seed, setup.replication, id_, "noise"),
      schedule_stream_(setup.master_seed, setup.replication, id_, "schedule") {
  for (std::size_t i = 0; i < fault_specs_.size(); ++i) {
    fault_streams_.emplace_back(setup.master_seed, setup.replication, id_, "fault" + std::to_string(i));
  }
  std::sort(times_of_day_.begin(), times_of_day_.end());
  sample_interval_ = params_.duration("sample_interval");
  sample_jitter_ = params_.duration("sample_jitter");
  adherence_ = params_.number("adherence");
  delay_max_ = params_.duration("delay_max");
  capacity_uah_ = params_.number("battery_capacity_mah") * 1000.0;
  idle_ua_ = params_.number("idle_current_ua");
  sample_uah_ = params_.number("charge_per_sample_uah");
  packet_uah_ = params_.number("charge_per_packet_uah");
  low_battery_fraction_ = params_.number("low_battery_level");
  battery_report_interval_ = params_.duration("battery_report_interval");
  clock_offset_ = sim::Time::from_seconds(params_.number("clock_offset_s"));
  clock_drift_ppm_ = params_.number("clock_drift_ppm");
  clock_resync_ = params_.duration("clock_resync_interval");
  buffer_capacity_ = params_.count("buffer_capacity");
  drop_newest_ = params_.choice("overflow") == 1;
  batch_readings_ = std::max<std::uint64_t>(1, params_.count("batch_readings"));
  batch_interval_ = params_.duration("batch_interval");
  max_retries_ = params_.count("max_retries");
  ack_timeout_ = params_.duration("ack_timeout");
  header_bytes_ = params_.count("header_bytes");
  bytes_per_reading_ = params_.count("bytes_per_reading");
  bytes_per_sample_ = params_.count("bytes_per_sample");
  motion_artifacts_ = params_.flag("motion_artifacts");
  remaining_uah_ = capacity_uah_;
  uplink_.set_listener(this);  // acknowledgements, and the route's return after an outage
}

SampleContext Device::context() { return SampleContext{simulator_->now(), patient_, faults_, noise_stream_, bus_}; }

sim::Time Device::device_time(sim::Time t) const {
  return t + clock_error(t, clock_offset_, clock_drift_ppm_, clock_resync_);
}

double Device::battery_fraction() const { return capacity_uah_ > 0.0 ? std::max(0.0, remaining_uah_ / capacity_uah_) : 1.0; }

void Device::start(sim::Simulator& simulator) {
  simulator_ = &simulator;
  battery_updated_ = simulator.now();
  next_battery_report_ = simulator.now();
  patient_.advance_to(simulator.now());
  SampleContext ctx = context();
  on_start(ctx);
  schedule_next_sample(true);
  for (std::size_t i = 0; i < fault_specs_.size(); ++i) {
    const FaultSpec& spec = fault_specs_[i];
    if (spec.at) {
      simulator.schedule_at(std::max(*spec.at, simulator.now()), [this, i]() { start_fault_spec(i); }, DEVICE_PRIORITY);
    } else {
      schedule_random_onset(i);
    }
  }
}

// --- schedule -----------------------------------------------------------------------------------

sim::Time Device::next_time_of_day(sim::Time after) const {
  const std::int64_t day = sim::Time::from_days(1).ns();
  const std::int64_t clock = (start_clock_time_ + after).ns();
  const std::int64_t day_start = clock - clock % day;
  for (int d = 0; d < 2; ++d) {
    for (const sim::Time tod : times_of_day_) {
      const std::int64_t candidate = day_start + d * day + tod.ns();
      if (candidate > clock) return sim::Time::from_ns(candidate - start_clock_time_.ns());
    }
  }
  return sim::Time::max();
}

void Device::schedule_next_sample(bool first) {
  const sim::Time now = simulator_->now();
  sim::Time at;
  if (!times_of_day_.empty()) {
    at = next_time_of_day(now);
    if (at == sim::Time::max()) return;
  } else if (sample_interval_ > sim::Time::zero()) {
    if (first) {
      // Devices are not switched on in lockstep: the first sample falls at a uniform phase.
      at = now + sim::Time::from_ns(static_cast<std::int64_t>(
                     schedule_stream_.uniform_int(static_cast<std::uint64_t>(sample_interval_.ns()))));
    } else {
      const double jitter_s = sample_jitter_.seconds() * (2.0 * schedule_stream_.uniform01() - 1.0);
      at = now + std::max(sim::Time::from_ms(1), sample_interval_ + sim::Time::from_seconds(jitter_s));
    }
  } else {
    return;  // on demand only
  }
  simulator_->schedule_at(at, [this]() { scheduled_sample(); }, DEVICE_PRIORITY);
}

void Device::scheduled_sample() {
  if (died_at_) return;
  schedule_next_sample(false);
  // A person at home may skip the measurement or take it late (adherence); always draw both, so
  // changing one parameter does not shift the other's draws.
  const bool taken = schedule_stream_.uniform01() < adherence_;
  const double delay_s = delay_max_.seconds() * schedule_stream_.uniform01();
  if (!taken) {
    ++counters_.skipped;
    return;
  }
  if (delay_s > 0.0) {
    simulator_->schedule_in(sim::Time::from_seconds(delay_s), [this]() { sample(); }, DEVICE_PRIORITY);
  } else {
    sample();
  }
}

void Device::request_measurement() {
  if (simulator_ != nullptr) simulator_->schedule_in(sim::Time::zero(), [this]() { sample(); }, DEVICE_PRIORITY);
}

// --- sampling -----------------------------------------------------------------------------------

void Device::sample() {
  const sim::Time now = simulator_->now();
  patient_.advance_to(now);
  drain_battery(offline() ? 0.0 : sample_uah_);
  if (offline()) return;
  if (motion_artifacts_) track_activity_motion();
  output_.clear();
  SampleContext ctx = context();
  measure(ctx, output_);
  ++counters_.samples;
  if (output_.retry_in_) simulator_->schedule_in(*output_.retry_in_, [this]() { sample(); }, DEVICE_PRIORITY);
  apply_generic_effects(output_);
  if (low_battery_alert_due_) {
    low_battery_alert_due_ = false;
    output_.alert(low_battery_alert());
    output_.reading(physiology::Signal::battery_level, std::round(100.0 * battery_fraction()));
  }
  if (battery_report_interval_ > sim::Time::zero() && capacity_uah_ > 0.0 && now >= next_battery_report_) {
    output_.reading(physiology::Signal::battery_level, std::round(100.0 * battery_fraction()));
    next_battery_report_ = now + battery_report_interval_;
  }
  if (output_.ready_after_ && *output_.ready_after_ > sim::Time::zero()) {
    // Moves the output into the event (too large to capture): hand it over through a queue.
    const sim::Time at = now + *output_.ready_after_;
    Output delayed = std::move(output_);
    output_ = Output{};
    delayed_.push_back(std::move(delayed));
    simulator_->schedule_at(at, [this, at]() {
      Output out = std::move(delayed_.front());
      delayed_.pop_front();
      if (!offline()) enqueue(out, at);
    }, DEVICE_PRIORITY);
  } else {
    enqueue(output_, now);
  }
}

void Device::apply_generic_effects(Output& out) {
  const FaultState::Active& drift = faults_.get(FaultKind::calibration_drift);
  const bool stuck = faults_.active(FaultKind::stuck_sensor);
  if (faults_.active(FaultKind::signal_loss)) {
    std::erase_if(out.readings_, [](const network::Reading& r) { return is_measurement(r.signal); });
    out.waveforms_.clear();
    return;
  }
  const double drift_days = drift.on ? (simulator_->now() - drift.since).seconds() / 86400.0 : 0.0;
  for (network::Reading& r : out.readings_) {
    if (!is_measurement(r.signal) || r.signal >= std::size(stuck_value_)) continue;
    if (drift.on) r.value *= 1.0 + drift.magnitude / 100.0 * drift_days;
    if (stuck && stuck_known_[r.signal]) {
      r.value = stuck_value_[r.signal];
    } else if (!stuck) {
      stuck_value_[r.signal] = r.value;
      stuck_known_[r.signal] = true;
    }
  }
}

void Device::enqueue(Output& out, sim::Time at) {
  const sim::Time stamp = device_time(at);
  for (network::Reading r : out.readings_) {
    r.sample_time = stamp;
    r.patient = patient_index_;
    r.device = index_;
    if (static_cast<physiology::Signal>(r.signal) == physiology::Signal::device_alert) ++counters_.alerts;
    if (pending_readings_.size() + pending_waveforms_.size() >= buffer_capacity_) {
      ++counters_.dropped_overflow;
      if (drop_newest_ || pending_readings_.empty()) continue;
      pending_readings_.pop_front();
    }
    if (pending_readings_.empty() && pending_waveforms_.empty()) first_pending_ = at;
    pending_readings_.push_back(r);
    ++counters_.readings;
  }
  for (network::Waveform& w : out.waveforms_) {
    w.start = device_time(w.start);
    if (pending_readings_.size() + pending_waveforms_.size() >= buffer_capacity_) {
      ++counters_.dropped_overflow;
      if (drop_newest_ || pending_waveforms_.empty()) continue;
      pending_waveforms_.pop_front();
    }
    if (pending_readings_.empty() && pending_waveforms_.empty()) first_pending_ = at;
    pending_waveforms_.push_back(std::move(w));
    ++counters_.waveform_blocks;
  }
  maybe_flush(out.flush_now_);
}

// --- firmware -----------------------------------------------------------------------------------

void Device::maybe_flush(bool force) {
  const std::size_t waiting = pending_readings_.size() + pending_waveforms_.size();
  if (waiting == 0) return;
  const sim::Time now = simulator_->now();
  const bool by_count = waiting >= batch_readings_;
  const bool by_time = batch_interval_ > sim::Time::zero() && now - first_pending_ >= batch_interval_;
  if (force || by_count || by_time) {
    send_packet();
  } else if (batch_interval_ > sim::Time::zero() && !flush_scheduled_) {
    flush_scheduled_ = true;
    simulator_->schedule_at(first_pending_ + batch_interval_, [this]() {
      flush_scheduled_ = false;
      if (!offline()) maybe_flush(true);
    }, DEVICE_PRIORITY);
  }
}

void Device::send_packet() {
  while (!in_flight_ && !offline() && uplink_.connected() && (!pending_readings_.empty() || !pending_waveforms_.empty())) {
    network::Packet packet;
    packet.device = index_;
    packet.seq = next_seq_++;
    packet.sent = simulator_->now();
    packet.readings.assign(pending_readings_.begin(), pending_readings_.end());
    pending_readings_.clear();
    std::size_t samples = 0;
    for (network::Waveform& w : pending_waveforms_) {
      samples += w.samples.size();
      packet.waveforms.push_back(std::move(w));
    }
    pending_waveforms_.clear();
    packet.size_bytes = static_cast<std::uint32_t>(header_bytes_ + bytes_per_reading_ * packet.readings.size() +
                                                   bytes_per_sample_ * samples);
    ++counters_.packets;
    drain_battery(packet_uah_);
    if (offline()) return;  // the transmission emptied the battery
    if (max_retries_ > 0) {
      in_flight_items_ = packet.readings.size() + packet.waveforms.size();
      in_flight_ = packet;
      const std::uint32_t seq = packet.seq;
      ack_timer_ = simulator_->schedule_in(ack_timeout_, [this, seq]() { ack_timeout(seq); }, DEVICE_PRIORITY);
    }
    uplink_.send(std::move(packet));
  }
}

void Device::on_acknowledged(std::uint32_t seq, sim::Time) {
  if (!in_flight_ || in_flight_->seq != seq) return;  // a late acknowledgement of a retransmission
  simulator_->cancel(ack_timer_);
  in_flight_.reset();
  in_flight_items_ = 0;
  send_packet();
}

void Device::on_route_restored(sim::Time) {
  if (offline()) return;
  // Store-and-forward: an unacknowledged packet that timed out while there was no route goes
  // first, then the held readings.
  if (awaiting_route_ && in_flight_) {
    awaiting_route_ = false;
    return retransmit();
  }
  send_packet();
}

void Device::ack_timeout(std::uint32_t seq) {
  if (!in_flight_ || in_flight_->seq != seq) return;
  if (offline()) return;
  if (!uplink_.connected()) {
    // No route: retrying now would be lost for nothing; the retry waits for the route.
    awaiting_route_ = true;
    return;
  }
  retransmit();
}

void Device::retransmit() {
  const std::uint32_t seq = in_flight_->seq;
  if (in_flight_->attempt < max_retries_) {
    ++in_flight_->attempt;
    ++counters_.retransmissions;
    in_flight_->sent = simulator_->now();
    drain_battery(packet_uah_);
    if (offline()) return;
    ack_timer_ = simulator_->schedule_in(ack_timeout_, [this, seq]() { ack_timeout(seq); }, DEVICE_PRIORITY);
    uplink_.send(*in_flight_);
    return;
  }
  counters_.dropped_retries += in_flight_->readings.size();
  in_flight_.reset();
  in_flight_items_ = 0;
  send_packet();
}

// --- battery ------------------------------------------------------------------------------------

void Device::drain_battery(double event_charge_uah) {
  if (capacity_uah_ <= 0.0 || died_at_) return;
  const sim::Time now = simulator_->now();
  const double idle_uah = idle_ua_ * (now - battery_updated_).seconds() / 3600.0;
  const double before = remaining_uah_;
  battery_updated_ = now;
  // Crossing a level by idle drain alone happened between events: date it exactly.
  auto crossing = [&](double level_uah) {
    if (idle_uah <= 0.0 || before - idle_uah > level_uah) return now;
    return now - sim::Time::from_seconds((level_uah - (before - idle_uah)) / idle_ua_ * 3600.0);
  };
  remaining_uah_ = before - idle_uah - event_charge_uah;
  const double low_uah = low_battery_fraction_ * capacity_uah_;
  if (!battery_low_ && remaining_uah_ <= low_uah) {
    battery_low_ = true;
    begin_fault(FaultKind::battery_low, 0.0, crossing(low_uah));
    low_battery_alert_due_ = remaining_uah_ > 0.0;  // sent with the next measurement
  }
  if (remaining_uah_ <= 0.0) die(crossing(0.0));
}

void Device::die(sim::Time at) {
  remaining_uah_ = 0.0;
  end_fault(FaultKind::battery_low, at);
  begin_fault(FaultKind::battery_depleted, 0.0, at);
  // The model's last act (an insulin pump stops delivering) before the device goes silent.
  SampleContext ctx = context();
  on_fault(FaultKind::battery_depleted, true, ctx);
  died_at_ = at;
  if (in_flight_) {
    simulator_->cancel(ack_timer_);
  }
}

// --- faults -------------------------------------------------------------------------------------

void Device::start_fault_spec(std::size_t i) {
  const FaultSpec& spec = fault_specs_[i];
  const sim::Time now = simulator_->now();
  const bool random = !spec.at.has_value();
  if (random && spec.during != FaultDuring::any) {
    patient_.advance_to(now);
    const auto want = static_cast<physiology::Activity>(static_cast<int>(spec.during) - 1);
    if (patient_.activity() != want) {  // thinning: onsets count only in the wanted state
      schedule_random_onset(i);
      return;
    }
  }
  sim::Time duration = spec.duration;
  if (random && duration > sim::Time::zero()) {
    duration = std::max(sim::Time::from_s(1), sim::Time::from_seconds(fault_streams_[i].exponential(duration.seconds())));
  }
  open_.push_back(OpenInterval{i, spec.kind, random ? FaultOrigin::random : FaultOrigin::scheduled, now, spec.magnitude});
  FaultState::Active& state = faults_.get(spec.kind);
  if (state.depth++ == 0) {
    state.on = true;
    state.since = now;
    state.origin = open_.back().origin;
    state.magnitude = spec.magnitude;
    fault_changed(spec.kind, true);
  }
  if (duration == sim::Time::zero()) return;  // lasts to the end of the run
  simulator_->schedule_in(duration, [this, i]() {
    const sim::Time end = simulator_->now();
    const auto it = std::find_if(open_.begin(), open_.end(), [i](const OpenInterval& o) { return o.spec == i; });
    if (it == open_.end()) return;
    const OpenInterval interval = *it;
    open_.erase(it);
    record(interval, end);
    FaultState::Active& state = faults_.get(interval.kind);
    if (--state.depth == 0) {
      state.on = false;
      fault_changed(interval.kind, false);
    }
    if (!fault_specs_[i].at) schedule_random_onset(i);
  }, DEVICE_PRIORITY);
}

void Device::schedule_random_onset(std::size_t i) {
  const FaultSpec& spec = fault_specs_[i];
  if (spec.every <= sim::Time::zero()) return;
  const double wait_s = fault_streams_[i].exponential(spec.every.seconds());
  simulator_->schedule_in(std::max(sim::Time::from_s(1), sim::Time::from_seconds(wait_s)), [this, i]() { start_fault_spec(i); },
                          DEVICE_PRIORITY);
}

void Device::fault_changed(FaultKind kind, bool active) {
  const sim::Time now = simulator_->now();
  if (kind == FaultKind::crash && active) {
    // A crash loses what the firmware held in RAM; the reboot (the fault's end) starts afresh.
    counters_.lost_in_crash += pending_readings_.size() + pending_waveforms_.size() + in_flight_items_;
    pending_readings_.clear();
    pending_waveforms_.clear();
    if (in_flight_) simulator_->cancel(ack_timer_);
    in_flight_.reset();
    in_flight_items_ = 0;
  }
  if (died_at_) return;
  patient_.advance_to(now);
  SampleContext ctx = context();
  on_fault(kind, active, ctx);
}

void Device::begin_fault(FaultKind kind, double magnitude, std::optional<sim::Time> at) {
  const sim::Time start = at.value_or(simulator_->now());
  FaultState::Active& state = faults_.get(kind);
  open_.push_back(OpenInterval{NO_SPEC, kind, FaultOrigin::model, start, magnitude});
  if (state.depth++ == 0) {
    state.on = true;
    state.since = start;
    state.origin = FaultOrigin::model;
    state.magnitude = magnitude;
  }
}

void Device::end_fault(FaultKind kind, std::optional<sim::Time> at) {
  const auto it = std::find_if(open_.begin(), open_.end(), [kind](const OpenInterval& o) {
    return o.spec == NO_SPEC && o.kind == kind;
  });
  if (it == open_.end()) return;
  const OpenInterval interval = *it;
  open_.erase(it);
  record(interval, at.value_or(simulator_->now()));
  FaultState::Active& state = faults_.get(kind);
  if (--state.depth == 0) state.on = false;
}

void Device::track_activity_motion() {
  const bool active = patient_.activity() == physiology::Activity::active;
  const auto it = std::find_if(open_.begin(), open_.end(), [](const OpenInterval& o) {
    return o.origin == FaultOrigin::activity;
  });
  FaultState::Active& state = faults_.get(FaultKind::motion);
  if (active && it == open_.end()) {
    open_.push_back(OpenInterval{NO_SPEC, FaultKind::motion, FaultOrigin::activity, patient_.activity_since(), 1.0});
    if (state.depth++ == 0) {
      state.on = true;
      state.since = patient_.activity_since();
      state.origin = FaultOrigin::activity;
      state.magnitude = 1.0;
    }
  } else if (!active && it != open_.end()) {
    const OpenInterval interval = *it;
    open_.erase(it);
    record(interval, patient_.activity_since());
    if (--state.depth == 0) state.on = false;
  }
}

void Device::record(const OpenInterval& interval, sim::Time end) {
  if (fault_sink_ == nullptr) return;
  fault_sink_->on_fault(FaultRecord{index_, patient_index_, interval.kind, interval.origin, interval.start, end,
                                    interval.magnitude});
}

void Device::finish(sim::Time end) {
  for (const OpenInterval& interval : open_) record(interval, std::max(end, interval.start));
  open_.clear();
}

sim::Time Device::report_interval() const {
  if (!times_of_day_.empty() || sample_interval_ <= sim::Time::zero()) return sim::Time::zero();
  sim::Time report = sim::Time::from_ns(sample_interval_.ns() * static_cast<std::int64_t>(batch_readings_));
  if (batch_interval_ > sim::Time::zero() && batch_interval_ < report) report = batch_interval_;
  return report;
}

}  // namespace twinbed::devices
