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
  READING_CLAMPED = 1u << 0,  // the measurement hit the device's display range
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

struct Packet {
  std::uint32_t device = 0;  // source device index
  std::uint32_t seq = 0;     // per-device sequence number, starting at 0
  sim::Time sent;            // when the device handed it to the network
  std::vector<Reading> readings;
};

// Where a device sends its packets: its attachment to the network.
class Uplink {
public:
  virtual ~Uplink() = default;
  virtual void send(Packet packet) = 0;
};

// Where the network hands delivered packets (the platform's ingest).
class Ingest {
public:
  virtual ~Ingest() = default;
  virtual void deliver(const Packet& packet, sim::Time delivered) = 0;
};

}  // namespace twinbed::network
