#pragma once
// harness::NetworkRecorder: the network's part of run.h5. /network/packets streams in during the
// run (sampled packets); /network/elements and /network/links (load per interval) and the
// network rows of /faults are written when the run closes. Layout: docs/results-schema.md.
#include <memory>

#include "harness/Scenario.hpp"
#include "harness/World.hpp"
#include "network/Trace.hpp"

namespace twinbed::harness {

class Hdf5Writer;
template <class Row>
class TableAppender;

class NetworkRecorder final : public network::NetworkObserver {
public:
  NetworkRecorder(Hdf5Writer& writer, const Scenario& scenario, const World& world);
  ~NetworkRecorder() override;
  NetworkRecorder(const NetworkRecorder&) = delete;
  NetworkRecorder& operator=(const NetworkRecorder&) = delete;

  void on_packet(const network::PacketTrace& trace) override;
  void on_load(const network::LoadSample&) override {}      // World's NetworkLog keeps them
  void on_outage(const network::OutageRecord&) override {}  // World's FaultLog keeps them
  // Hands the last packet rows to the writer (before it stops).
  void flush();
  // /network/elements and /network/links; the writer has stopped.
  void write_tables(Hdf5Writer& writer);
  std::uint64_t packets_recorded() const;

private:
  struct PacketRow;
  const World& world_;
  std::unique_ptr<TableAppender<PacketRow>> packets_;
};

// /faults: every device fault interval and every network outage, handover and coverage hole.
void write_faults(Hdf5Writer& writer, const World& world);

}  // namespace twinbed::harness
