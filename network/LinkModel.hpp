#pragma once
// network::LinkModel: what one hop does to a packet, as pure functions over an explicit state.
// A technology (BLE, Wi-Fi, 5G, LTE-M, NB-IoT, wired, WAN, generic) is a parameter table with
// its defaults and sources (docs/network.md); the scenario overrides any of them. The blocks are
// those of Linux netem: delay + jitter distribution (with correlation, or an empirical table),
// independent loss, Gilbert-Elliott bursts, duplication, reordering, corruption; plus link-layer
// retransmission, BLE connection events and PER from RSSI.
//
// The runtime (network::Network) owns one LinkState and one RandomStream per link instance and
// calls transit() for every packet that crosses it; outages, handovers and capacity are its job.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "network/Spec.hpp"
#include "sim/Params.hpp"
#include "sim/RandomStream.hpp"
#include "sim/Time.hpp"

namespace twinbed::network {

// Why a packet did not arrive. Stored as a HDF5 enum in /network/packets: append at the end.
enum class DropReason : std::uint8_t {
  none = 0,            // delivered
  loss = 1,            // every link-layer attempt lost (independent, burst or PER)
  outage = 2,          // a node or link on its way went down while it was there
  queue_overflow = 3,  // a shared server's queue (cell, AP) was full
  corruption = 4,      // arrived with a bad checksum and was discarded by the receiver
  no_route = 5,        // no route to the ingest from where it was
};
inline constexpr std::size_t DROP_REASON_COUNT = 6;
std::string_view drop_reason_name(DropReason reason);

enum class DelayDistribution : std::uint8_t { none = 0, uniform = 1, normal = 2, pareto = 3, paretonormal = 4, empirical = 5 };

// One technology: its parameter table (the common netem keys first, then its own) and defaults.
struct TechnologyInfo {
  Technology technology = Technology::generic;
  std::string_view name;         // YAML value of `technology`: "ble", "wifi", "nr_embb", ...
  std::string_view description;  // one line
  std::span<const sim::ParamInfo> params;
  std::span<const DelayPercentile> default_delay_percentiles;  // empty unless its default is empirical
};
const TechnologyInfo& technology_info(Technology technology);
std::optional<Technology> technology_from_name(std::string_view name);
std::span<const TechnologyInfo> technologies();
// The tables as Markdown (docs/network.md's generated section) and as text (`twinbed catalog`).
std::string technology_catalog_markdown();
std::string technology_catalog_text(std::optional<Technology> only = std::nullopt);

// A link's parameters compiled for speed (no name lookups per packet).
struct LinkModel {
  Technology technology = Technology::generic;
  // Delay: latency + jitter drawn from `distribution` (scale `jitter`), correlated with the last
  // draw as netem does; `empirical` draws the whole delay from the percentile table instead.
  std::int64_t latency_ns = 0;
  std::int64_t jitter_ns = 0;
  DelayDistribution distribution = DelayDistribution::none;
  double jitter_correlation = 0.0;
  std::vector<DelayPercentile> delay_percentiles;
  // Per-attempt loss: independent, Gilbert-Elliott (p = P(G->B), r = P(B->G), loss in each state),
  // and for BLE and Wi-Fi the PER from RSSI.
  double loss = 0.0;
  double burst_p = 0.0, burst_r = 1.0, burst_loss_good = 0.0, burst_loss_bad = 1.0;
  std::int64_t burst_memory_ns = 0;  // the chain relaxes to stationarity over gaps of this order
  double duplicate = 0.0, reorder = 0.0, corrupt = 0.0;
  std::uint32_t retransmissions = 0;       // retries after the first attempt (BLE: until supervision timeout)
  std::int64_t retransmission_delay_ns = 0;  // added per retry (non-BLE: HARQ / MAC retry time)
  // BLE
  std::int64_t connection_interval_ns = 0;
  std::int64_t supervision_timeout_ns = 0;
  std::int64_t advertising_interval_ns = 0;
  std::int64_t advertising_random_delay_ns = 0;
  double phy_rate_bps = 1e6;
  std::uint32_t max_attempts = 1;  // 1 + retransmissions; BLE with retransmissions 0: ceil(timeout / CI)
  // Radio (BLE, Wi-Fi): mean RSSI, its temporal variation (an Ornstein-Uhlenbeck process in dB)
  // and the receiver's PER curve around its sensitivity.
  bool has_radio = false;
  double mean_rssi_dbm = 0.0;
  double fading_sd_db = 0.0;
  double fading_correlation_s = 1.0;
  double sensitivity_dbm = -90.0;
  double per_slope_db = 1.0;
  double shadowing_sd_db = 0.0;  // Wi-Fi: static log-normal shadowing, one draw per link instance
  // 5G: slot alignment (numerology) and handover interruption; Wi-Fi roaming uses the latter too.
  std::int64_t slot_ns = 0;
  std::int64_t handover_interruption_min_ns = 0;
  std::int64_t handover_interruption_max_ns = 0;

  static LinkModel compile(const LinkSpec& spec);
  // Mean one-way delay of a successful packet: the routing weight.
  sim::Time expected_latency() const;
};

// Per link instance; small, because there is one per device for device links (< 1 KB with all
// the runtime's per-device state, docs/performance.md).
struct LinkState {
  std::int64_t ble_anchor_ns = 0;      // phase of the connection events: anchor + k * CI
  std::int64_t fading_time_ns = 0;     // when fading_db was last advanced
  double fading_db = 0.0;              // current deviation from the mean RSSI
  double last_jitter = 0.0;            // netem correlation memory (in units of jitter; empirical: the uniform)
  double shadowing_db = 0.0;           // this instance's static shadowing (Wi-Fi)
  std::int64_t burst_time_ns = 0;      // last Gilbert-Elliott step
  bool burst_bad = false;              // Gilbert-Elliott state
};

// Draws the instance's initial state (BLE anchor phase, fading start, burst state from its
// stationary distribution).
LinkState initial_link_state(const LinkModel& model, sim::RandomStream& random);

struct Transit {
  sim::Time delay;                 // from `now` to arrival at the far end (when delivered), or to
                                   // when the drop happened (last failed attempt, corrupt arrival)
  DropReason drop = DropReason::none;
  std::uint16_t attempts = 1;      // link-layer attempts made
  bool supervision_timeout = false;  // BLE: lost because no attempt got through before the timeout
                                     // (the connection is gone: the runtime reconnects)
  bool duplicate = false;          // netem duplication: a second copy arrives too
  sim::Time duplicate_delay;
};

// One packet of `size_bytes` entering the link at `now`.
Transit transit(const LinkModel& model, LinkState& state, sim::RandomStream& random, sim::Time now,
                std::uint32_t size_bytes);

// BLE: time on air of a packet of `size_bytes` (fragments, headers and the acknowledgements between
// fragments included; docs/network.md).
sim::Time ble_airtime(const LinkModel& model, std::uint32_t size_bytes);

// Interruption of a handover onto this link: uniform in [min, max].
sim::Time handover_interruption(const LinkModel& model, sim::RandomStream& random);
// BLE: time from the end of a blockage to the reconnection (advertising: interval + 0-10 ms).
sim::Time reconnect_delay(const LinkModel& model, sim::RandomStream& random);

}  // namespace twinbed::network
