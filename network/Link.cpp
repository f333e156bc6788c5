#include "network/Link.hpp"

#include <utility>

namespace twinbed::network {

Link::Link(std::string name, const LinkParams& params, sim::Simulator& simulator, Ingest& ingest)
    : name_(std::move(name)), params_(params), simulator_(simulator), ingest_(ingest) {}

void Link::transmit(Packet packet, bool lost, DeliveryListener* listener) {
  ++counters_.packets_sent;
  if (lost) {
    ++counters_.packets_lost;
    return;
  }
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(in_flight_.size());
    in_flight_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  in_flight_[slot] = InFlight{std::move(packet), listener};
  simulator_.schedule_in(params_.latency, [this, slot]() { deliver(slot); });
}

void Link::deliver(std::uint32_t slot) {
  ++counters_.packets_delivered;
  InFlight& flight = in_flight_[slot];
  ingest_.deliver(flight.packet, simulator_.now());
  if (flight.listener != nullptr) flight.listener->on_acknowledged(flight.packet.seq, simulator_.now());
  flight.packet.readings.clear();  // keeps capacity: the slot's next packet reuses it
  flight.packet.waveforms.clear();
  free_slots_.push_back(slot);
}

Flow::Flow(Link& link, std::string_view endpoint, std::uint64_t master_seed, std::uint32_t replication)
    : link_(link), loss_stream_(master_seed, replication, std::string(endpoint) + "@" + link.name(), "loss") {}

void Flow::send(Packet packet) {
  // Always draw, even when p = 0, so changing p never shifts the stream's other uses.
  const bool lost = loss_stream_.uniform01() < link_.params().loss_probability;
  link_.transmit(std::move(packet), lost, listener_);
}

}  // namespace twinbed::network
