#pragma once
// network::Link: the walking-skeleton link model: a constant one-way latency and independent
// (Bernoulli) packet loss. Each device attaches through its own Flow, which owns the device's
// loss stream, so one device's losses never depend on other devices' traffic.
#include <cstdint>
#include <string>
#include <vector>

#include "network/Packet.hpp"
#include "sim/RandomStream.hpp"
#include "sim/Simulator.hpp"

namespace twinbed::network {

struct LinkParams {
  sim::Time latency = sim::Time::from_ms(50);
  double loss_probability = 0.0;
};

struct LinkCounters {
  std::uint64_t packets_sent = 0;
  std::uint64_t packets_lost = 0;
  std::uint64_t packets_delivered = 0;
};

class Link {
public:
  Link(std::string name, const LinkParams& params, sim::Simulator& simulator, Ingest& ingest);
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  const std::string& name() const { return name_; }
  const LinkParams& params() const { return params_; }
  const LinkCounters& counters() const { return counters_; }

  // Transmits a packet whose loss was already decided by the sender's flow; `listener` (nullable)
  // is acknowledged on delivery. The acknowledgement's own trip is not modelled here.
  void transmit(Packet packet, bool lost, DeliveryListener* listener);

private:
  // Packets on the wire, in reusable slots: a packet is too big to travel inside an event handler.
  struct InFlight {
    Packet packet;
    DeliveryListener* listener = nullptr;
  };
  void deliver(std::uint32_t slot);

  std::string name_;
  LinkParams params_;
  std::vector<InFlight> in_flight_;
  std::vector<std::uint32_t> free_slots_;
  sim::Simulator& simulator_;
  Ingest& ingest_;
  LinkCounters counters_;
};

// A device's attachment to a link.
class Flow final : public Uplink {
public:
  // `endpoint` is the sender's stable id (the device id): it keys the loss stream.
  Flow(Link& link, std::string_view endpoint, std::uint64_t master_seed, std::uint32_t replication);
  void send(Packet packet) override;
  void set_listener(DeliveryListener* listener) override { listener_ = listener; }

private:
  Link& link_;
  DeliveryListener* listener_ = nullptr;
  sim::RandomStream loss_stream_;
};

}  // namespace twinbed::network
