#include "network/Link.hpp"

#include <utility>

namespace twinbed::network {

Link::Link(std::string name, const LinkParams& params, sim::Simulator& simulator, Ingest& ingest)
    : name_(std::move(name)), params_(params), simulator_(simulator), ingest_(ingest) {}

void Link::transmit(Packet packet, bool lost) {
  ++counters_.packets_sent;
  if (lost) {
    ++counters_.packets_lost;
    return;
  }
  simulator_.schedule_in(params_.latency, [this, packet = std::move(packet)]() {
    ++counters_.packets_delivered;
    ingest_.deliver(packet, simulator_.now());
  });
}

Flow::Flow(Link& link, std::string_view endpoint, std::uint64_t master_seed, std::uint32_t replication)
    : link_(link), loss_stream_(master_seed, replication, std::string(endpoint) + "@" + link.name(), "loss") {}

void Flow::send(Packet packet) {
  // Always draw, even when p = 0, so changing p never shifts the stream's other uses.
  const bool lost = loss_stream_.uniform01() < link_.params().loss_probability;
  link_.transmit(std::move(packet), lost);
}

}  // namespace twinbed::network
