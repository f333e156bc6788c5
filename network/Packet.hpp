#pragma once
// network::Packet: what a device hands to the network. The network never interprets the readings;
// it only delays, drops or delivers the packet that carries them.
#include <cstdint>
#include <vector>

#include "sim/Time.hpp"

namespace twinbed::network {

// Quality flags on a reading (bit mask). Devices set them; the monitor and scorer read them.
enum ReadingFlag : std::uint16_t {
  READING_OK = 0,
  READING_CLAMPED = 1u << 0,       // the measurement hit the device's display range
  READING_LOW_QUALITY = 1u << 1,   // the device's own signal-quality indicator is low
  READING_SENSOR_OFF = 1u << 2,    // the device detects probe off / lead off
  READING_LOW_PERFUSION = 1u << 3, // the device's low-perfusion indicator (pulse oximetry)
  READING_MOTION = 1u << 4,        // the device detected motion (accelerometer)
  READING_RETRIED = 1u << 5,       // a measurement that succeeded after a failed attempt (NIBP)
};

// One measurement as it travels. `signal` carries a physiology::Signal code; the network layer
// does not depend on physiology and treats it as opaque.
struct Reading {
  sim::Time sample_time;
  std::uint32_t patient = 0;  // index in the run's patient table
  std::uint32_t device = 0;   // index in the run's device table
  std::uint8_t signal = 0;
  std::uint16_t flags = READING_OK;
  double value = 0.0;
};

// A block of waveform samples (e.g. the ECG patch's 250 Hz lead), timestamped by its first sample.
struct Waveform {
  std::uint8_t signal = 0;
  sim::Time start;          // the first sample's time (device clock)
  double sample_rate_hz = 0.0;
  std::uint16_t flags = READING_OK;
  std::vector<float> samples;
};

struct Packet {
  std::uint32_t device = 0;  // source device index
  std::uint32_t seq = 0;     // per-device sequence number, starting at 0; a retransmission keeps it
  std::uint16_t attempt = 0; // 0 = first transmission
  std::uint32_t size_bytes = 0;  // payload size on the air (header + readings + samples)
  sim::Time sent;            // when the device handed it to the network
  std::vector<Reading> readings;
  std::vector<Waveform> waveforms;
};

// Told when a packet reached the ingest (the acknowledgement a device's firmware waits for).
class DeliveryListener {
public:
  virtual ~DeliveryListener() = default;
  virtual void on_acknowledged(std::uint32_t seq, sim::Time at) = 0;
  // The device's route to the ingest is back after connected() said false: send what is held.
  virtual void on_route_restored(sim::Time at) { (void)at; }
};

// Where a device sends its packets: its attachment to the network.
class Uplink {
public:
  virtual ~Uplink() = default;
  virtual void send(Packet packet) = 0;
  // Whether a route to the ingest exists now; while false, firmware keeps data in its buffer.
  virtual bool connected() const { return true; }
  // The device's firmware, to be acknowledged (nullptr: nobody listens).
  virtual void set_listener(DeliveryListener* listener) { (void)listener; }
};

// Where the network hands delivered packets (the platform's ingest).
class Ingest {
public:
  virtual ~Ingest() = default;
  virtual void deliver(const Packet& packet, sim::Time delivered) = 0;
};

}  // namespace twinbed::network
