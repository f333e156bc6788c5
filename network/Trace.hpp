#pragma once
// network trace: what the network emits for the recorder (STYLE 5: models emit, the scenario
// decides what is recorded). Packets (sampled), per-element load samples and outage intervals.
#include <cstdint>
#include <string_view>

#include "network/LinkModel.hpp"
#include "sim/Time.hpp"

namespace twinbed::network {

inline constexpr std::uint32_t NONE = UINT32_MAX;

// One packet's fate. `id` numbers the packets in the order devices sent them (from 0).
struct PacketTrace {
  std::uint64_t id = 0;
  std::uint32_t device = 0;
  std::uint32_t seq = 0;
  std::uint16_t attempt = 0;   // the device firmware's retransmission number
  std::uint32_t size_bytes = 0;
  sim::Time sent;
  sim::Time end;               // delivery or drop time
  DropReason drop = DropReason::none;
  std::uint8_t hops = 0;       // links crossed (including the one it was dropped on)
  std::uint32_t last_link = NONE;  // link role it was on last (delivered: the ingest's link)
  bool duplicate = false;      // a netem duplicate
};

// Load over one sampling interval, summed over the element's instances. Elements are numbered
// links first (link role index), then nodes with a capacity (link_count + node role index).
struct LoadSample {
  sim::Time time;              // end of the interval
  std::uint32_t element = 0;
  std::uint64_t offered_packets = 0;
  std::uint64_t offered_bytes = 0;
  std::uint64_t delivered_packets = 0;   // links: arrived at the far end; nodes: served
  std::uint64_t dropped_packets = 0;
  double utilisation = 0.0;    // nodes with a capacity: busy share of the interval (mean over instances)
  std::uint32_t queue_length = 0;      // nodes: packets in the system at `time` (all instances)
  std::uint32_t queue_max = 0;         // nodes: the most any instance held during the interval
};

enum class OutageKind : std::uint8_t {
  node_outage = 0,     // a node is down
  link_outage = 1,     // a link is down (BLE: blocked; see ble_disconnect)
  ble_disconnect = 2,  // a BLE blockage outlasted the supervision timeout: disconnected until re-advertising succeeds
  coverage_hole = 3,   // a mobility path leaves every link of the mobility
  handover = 4,        // a mobility path moves to another link: the handover interruption
};
inline constexpr std::size_t OUTAGE_KIND_COUNT = 5;
std::string_view outage_kind_name(OutageKind kind);

enum class OutageOrigin : std::uint8_t { scheduled = 0, random = 1, mobility = 2, model = 3 };

struct OutageRecord {
  std::uint32_t element = 0;   // as in LoadSample: link role, or link_count + node role
  std::uint32_t patient = NONE;  // instance's patient (patient and device scope)
  std::uint32_t device = NONE;   // instance's device (device scope)
  OutageKind kind = OutageKind::link_outage;
  OutageOrigin origin = OutageOrigin::scheduled;
  sim::Time start;
  sim::Time end;
};

class NetworkObserver {
public:
  virtual ~NetworkObserver() = default;
  virtual void on_packet(const PacketTrace& trace) = 0;
  virtual void on_load(const LoadSample& sample) = 0;
  virtual void on_outage(const OutageRecord& record) = 0;
};

}  // namespace twinbed::network
