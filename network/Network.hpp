#pragma once
// network::Network: the runtime of the scenario's network. It instantiates the topology's roles
// (per device, per patient, shared), gives every device its Uplink, moves packets hop by hop
// (link model, shared server queues at nodes with a capacity), reroutes around failed nodes and
// links, and runs the scheduled and random outages and the mobility paths. Everything it does is
// emitted to a NetworkObserver (packets, load samples, outage intervals).
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "network/LinkModel.hpp"
#include "network/Packet.hpp"
#include "network/ServerQueue.hpp"
#include "network/Spec.hpp"
#include "network/Topology.hpp"
#include "network/Trace.hpp"
#include "sim/RandomStream.hpp"
#include "sim/Simulator.hpp"

namespace twinbed::network {

struct DeviceEndpoint {
  std::string id;         // stable device id: keys the device-link's random stream
  std::uint32_t patient = 0;
  std::string link;       // name of its first link (from `device`)
};

struct NetworkOptions {
  std::uint64_t master_seed = 1;
  std::uint32_t replication = 0;
  NetworkRecordSpec record;
  NetworkObserver* observer = nullptr;  // nullable
};

// Totals over the run, by link role.
struct LinkCounters {
  std::uint64_t offered = 0;     // packets that entered the link
  std::uint64_t delivered = 0;   // arrived at the far end
  std::uint64_t dropped = 0;
  std::uint64_t offered_bytes = 0;
};

struct NetworkCounters {
  std::uint64_t packets_sent = 0;       // handed over by devices
  std::uint64_t packets_delivered = 0;  // reached the ingest (duplicates included)
  std::uint64_t duplicates = 0;
  std::array<std::uint64_t, DROP_REASON_COUNT> dropped{};  // by reason
  std::uint64_t reroutes = 0;           // route recomputations that changed a device's route
};

// One generic link named `link` straight from every device to the ingest, with a constant
// `latency` and independent `loss`: the simplest network (tests, benchmarks).
NetworkSpec direct_network(const std::string& link, sim::Time latency, double loss);

class Network {
public:
  Network(const NetworkSpec& spec, std::vector<std::string> patient_ids, std::vector<DeviceEndpoint> devices,
          sim::Simulator& simulator, Ingest& ingest, const NetworkOptions& options);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  Uplink& uplink(std::uint32_t device);
  // Schedules outages, mobility and load sampling up to `end`.
  void start(sim::Time end);
  // Closes the outage intervals still open at `end` and emits the last load sample.
  void finish(sim::Time end);

  const Topology& topology() const { return topology_; }
  const NetworkCounters& counters() const { return counters_; }
  const LinkCounters& link_counters(std::uint32_t link) const { return link_totals_[link]; }
  std::uint64_t packets_in_flight() const { return in_flight_count_; }
  // The device's current route (link role indices), for tests; empty when disconnected.
  std::vector<std::uint32_t> current_route(std::uint32_t device);
  std::uint32_t element_count() const { return topology_.link_count() + topology_.node_count(); }
  std::string element_name(std::uint32_t element) const;
  // Number of instances of a link role or node role (per device, per patient or one).
  std::uint32_t link_instances(std::uint32_t link) const;
  std::uint32_t node_instances(std::uint32_t node) const;

private:
  class Attachment;
  struct LinkInstance;
  struct NodeInstance;
  struct InFlight;
  struct OpenOutage;
  struct MobilityStep;

  // --- instances ---
  std::uint32_t link_instance(std::uint32_t link, std::uint32_t device, std::uint32_t patient) const;
  std::uint32_t node_instance(std::uint32_t node, std::uint32_t patient) const;
  bool link_usable(std::uint32_t link, std::uint32_t device, std::uint32_t patient) const;
  // --- routing ---
  const Route* device_route(std::uint32_t device);
  bool next_link(std::uint32_t slot, std::uint32_t node, std::uint32_t& link);
  void bump_version(Scope scope, std::uint32_t patient);
  // --- packets ---
  std::uint32_t allocate_slot();
  void send(std::uint32_t device, Packet packet, DeliveryListener* listener);
  void forward(std::uint32_t slot);
  void arrive(std::uint32_t slot, std::uint32_t link_instance, std::uint32_t epoch);
  void finish_packet(std::uint32_t slot, DropReason reason);
  // --- outages and mobility ---
  void set_down(bool node, std::uint32_t instance, int delta);
  void begin_outage(bool node, std::uint32_t role, std::uint32_t instance, std::uint32_t patient,
                    std::uint32_t device, sim::Time duration, OutageOrigin origin);
  void schedule_random_outage(std::uint32_t outage, sim::Time from);
  void supervision_timeout(std::uint32_t instance, sim::Time lost, std::uint32_t device, std::uint32_t patient);
  void start_mobility(const MobilitySpec& spec, std::uint32_t patient);
  void move(std::uint32_t step);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> mobility_instances(std::uint32_t link, std::uint32_t patient) const;
  void emit_outage(std::uint32_t element, std::uint32_t patient, std::uint32_t device, OutageKind kind,
                   OutageOrigin origin, sim::Time start, sim::Time end);
  void sample_load(sim::Time interval_start);
  void notify_restored();

  const NetworkSpec spec_;
  Topology topology_;
  std::vector<std::string> patient_ids_;
  std::vector<DeviceEndpoint> endpoints_;
  sim::Simulator& simulator_;
  Ingest& ingest_;
  NetworkOptions options_;
  sim::Time end_;

  std::vector<std::unique_ptr<Attachment>> attachments_;
  std::vector<LinkInstance> links_;
  std::vector<std::uint32_t> link_base_;  // first instance of each link role
  std::vector<std::uint32_t> device_link_;       // per device: its first link role
  std::vector<std::uint32_t> device_link_slot_;  // per device: its instance offset within its link role
  std::vector<NodeInstance> nodes_;
  std::vector<std::uint32_t> node_base_;
  std::vector<InFlight> in_flight_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t in_flight_count_ = 0;
  std::uint64_t next_packet_id_ = 0;
  std::uint64_t global_version_ = 0;
  std::vector<std::uint64_t> patient_version_;
  std::vector<std::uint32_t> waiting_devices_;  // devices told "not connected", to notify on restore
  std::vector<std::unique_ptr<OpenOutage>> open_outages_;
  std::vector<MobilityStep> mobility_steps_;
  std::vector<sim::RandomStream> mobility_streams_;
  NetworkCounters counters_;
  std::vector<LinkCounters> link_totals_;
  std::vector<LinkCounters> link_interval_;   // this sampling interval's counters, by link role
  std::vector<LinkCounters> node_interval_;   // by node role (servers)
  std::vector<std::uint32_t> node_queue_max_;
  std::vector<std::int64_t> node_busy_at_last_sample_;
};

}  // namespace twinbed::network
