#pragma once
// harness::Sink: where delivered telemetry goes (HDF5 recorder, statistics, later the reference
// monitor and MQTT/HTTP publishers). One interface, many implementations; the scenario decides
// which are attached.
#include <vector>

#include "network/Packet.hpp"

namespace twinbed::harness {

class Sink {
public:
  virtual ~Sink() = default;
  // Called for every packet the network delivers, in delivery order.
  virtual void consume(const network::Packet& packet, sim::Time delivered) = 0;
};

// The platform's ingest point: fans each delivered packet out to the attached sinks.
class Dispatcher final : public network::Ingest {
public:
  void attach(Sink& sink) { sinks_.push_back(&sink); }
  void deliver(const network::Packet& packet, sim::Time delivered) override {
    for (Sink* sink : sinks_) sink->consume(packet, delivered);
  }

private:
  std::vector<Sink*> sinks_;
};

}  // namespace twinbed::harness
