// The link technologies' parameter tables: every key, default, range and source. The YAML loader
// reads a link's keys from these tables, `twinbed catalog --links` prints them and docs/network.md's
// generated section is technology_catalog_markdown(), so the three never disagree.
//
// Reference figures: /work/shared/spec/network.md (copied into docs/network.md with their sources).
#include <array>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "network/LinkModel.hpp"

namespace twinbed::network {

namespace {
using K = sim::ParamKind;
using namespace sim::literals;

constexpr double MS = 1e-3;
constexpr double HOUR_S = 3600.0;

// The common netem keys of one technology: its defaults and where they come from.
struct CommonDefaults {
  double latency_s = 0.0;
  std::string_view latency_source = "model choice";
  double jitter_s = 0.0;
  std::string_view jitter_source = "model choice";
  DelayDistribution distribution = DelayDistribution::none;
  double loss = 0.0;
  std::string_view loss_source = "model choice";
  double burst_p = 0.0;
  double burst_r = 1.0;
  std::string_view burst_source = "disabled by default";
  double retransmission_delay_s = 0.0;
  std::string_view retransmission_source = "unused unless retransmissions > 0";
  std::string_view retransmissions_description =
      "link-layer retries after a lost first attempt (0 = none); each adds retransmission_delay";
  std::string_view retransmissions_source = "0: measured figures already include the link layer's own retries";
};

std::vector<sim::ParamInfo> common_params(const CommonDefaults& d) {
  return {
      {"latency", K::duration, "", d.latency_s, 0.0, HOUR_S,
       "constant one-way delay; with `empirical` it is added to the table's draw", d.latency_source},
      {"jitter", K::duration, "", d.jitter_s, 0.0, HOUR_S,
       "scale of the random delay variation drawn from `distribution` (netem's jitter)", d.jitter_source},
      {"distribution", K::choice, "", static_cast<double>(d.distribution), 0.0, 5.0,
       "jitter distribution: none (constant), uniform +/-jitter, normal (sd jitter), pareto and paretonormal "
       "(netem's tables), empirical (the delay percentile table)",
       "Linux netem (tc-netem(8)); tables of iproute2 netem/*.c",
       {"none", "uniform", "normal", "pareto", "paretonormal", "empirical"}},
      {"jitter_correlation", K::probability, "", 0.0, 0.0, 0.99,
       "weight of the previous jitter draw in the next (netem's correlation; narrows the spread)", "Linux netem"},
      {"loss", K::probability, "", d.loss, 0.0, 1.0, "independent loss probability of each attempt", d.loss_source},
      {"burst_p", K::probability, "", d.burst_p, 0.0, 1.0,
       "Gilbert-Elliott P(good -> bad) per attempt; 0 disables the burst model", d.burst_source},
      {"burst_r", K::probability, "", d.burst_r, 0.0, 1.0,
       "Gilbert-Elliott P(bad -> good) per attempt: mean burst 1/r attempts", d.burst_source},
      {"burst_loss_good", K::probability, "", 0.0, 0.0, 1.0, "loss probability in the good state (1-k)",
       "Gilbert-Elliott (Elliott 1963; netem `loss gemodel`)"},
      {"burst_loss_bad", K::probability, "", 1.0, 0.0, 1.0, "loss probability in the bad state (1-h)",
       "Gilbert-Elliott (Gilbert 1960: every bad-state packet lost)"},
      {"burst_memory", K::duration, "", 1.0, 0.0, HOUR_S,
       "time over which the burst state is forgotten: between attempts further apart the chain relaxes "
       "towards its stationary share, exp(-gap / burst_memory); 0 = per attempt only (netem)",
       "model choice: radio bursts are correlated in time, not in packet count (on-body channel "
       "correlation 10-1000 ms, spec/network.md); stops sparse retries from sharing one burst"},
      {"duplicate", K::probability, "", 0.0, 0.0, 1.0, "a delivered packet arrives twice (own delay each)",
       "Linux netem"},
      {"reorder", K::probability, "", 0.0, 0.0, 1.0,
       "the packet skips the latency/jitter delay (netem: sent at once, overtaking the others)", "Linux netem"},
      {"corrupt", K::probability, "", 0.0, 0.0, 1.0,
       "the packet arrives with a bad checksum and the receiver discards it", "Linux netem"},
      {"retransmissions", K::count, "", 0.0, 0.0, 100.0, d.retransmissions_description, d.retransmissions_source},
      {"retransmission_delay", K::duration, "", d.retransmission_delay_s, 0.0, 60.0,
       "delay each retry adds (HARQ / MAC retry round trip)", d.retransmission_source},
  };
}

std::vector<sim::ParamInfo> with_own(std::vector<sim::ParamInfo> common, std::vector<sim::ParamInfo> own) {
  common.insert(common.end(), own.begin(), own.end());
  return common;
}

// Radio keys shared by BLE and Wi-Fi: the receiver's PER curve and the RSSI's temporal variation.
std::vector<sim::ParamInfo> radio_params(double tx_power_dbm, std::string_view tx_source, double sensitivity_dbm,
                                         std::string_view sensitivity_source, double fading_sd_db,
                                         std::string_view fading_source, double fading_correlation_s) {
  return {
      {"tx_power", K::number, "dBm", tx_power_dbm, -30.0, 30.0, "transmit power", tx_source},
      {"fading_sd", K::number, "dB", fading_sd_db, 0.0, 30.0,
       "standard deviation of the RSSI's temporal variation (Ornstein-Uhlenbeck process)", fading_source},
      {"fading_correlation_time", K::duration, "", fading_correlation_s, 0.01, 1.0,
       "correlation time of that variation", "IEEE 802.15.6 CM3 / NICTA on-body data: 10-1000 ms"},
      {"sensitivity", K::number, "dBm", sensitivity_dbm, -110.0, -50.0,
       "RSSI at which the packet error rate is 50 %", sensitivity_source},
      {"per_slope", K::number, "dB", 1.0, 0.1, 10.0,
       "width of the PER curve: PER = 1 / (1 + exp((RSSI - sensitivity) / per_slope))",
       "receiver waterfall curves: 10 % -> 90 % PER within ~4 dB (slope ~0.9 dB)"},
  };
}

std::vector<sim::ParamInfo> handover_params(double min_s, double max_s, std::string_view source) {
  return {
      {"handover_interruption_min", K::duration, "", min_s, 0.0, 10.0,
       "shortest interruption of a handover onto this link", source},
      {"handover_interruption_max", K::duration, "", max_s, 0.0, 10.0,
       "longest one (uniform in between)", source},
  };
}

std::vector<sim::ParamInfo> generic_params() {
  return common_params({.latency_s = 50 * MS, .latency_source = "the walking skeleton's link (existing scenarios)",
                        .loss_source = "the walking skeleton's link"});
}

// BLE: the bad-state share ~1 % with mean burst ~3 packets (spec/network.md) gives r = 0.33,
// p = 0.01 r / 0.99 = 0.0034.
std::vector<sim::ParamInfo> ble_params() {
  auto params = with_own(
      common_params({.latency_source = "connection-event wait, airtime and retries are modelled explicitly",
                     .loss_source = "losses come from the PER and the burst model",
                     .burst_p = 0.0034,
                     .burst_r = 0.33,
                     .burst_source = "spec/network.md: bad-state share ~1 %, mean burst ~3 packets",
                     .retransmission_source = "BLE retries at the next connection event instead",
                     .retransmissions_description =
                         "retries, one per connection event; 0 = until the supervision timeout (the BLE link "
                         "layer acknowledges every packet)",
                     .retransmissions_source = "Bluetooth Core 5.3 Vol 6 Part B 4.5.9 (acknowledgement, retransmission)"}),
      {
          {"connection_interval", K::duration, "", 30 * MS, 7.5 * MS, 4.0,
           "time between connection events (1.25 ms units)",
           "Bluetooth Core 5.3 Vol 6 Part B 4.5.1 (7.5 ms-4 s); 30 ms per spec/network.md"},
          {"peripheral_latency", K::count, "", 0.0, 0.0, 499.0,
           "connection events the peripheral may skip with nothing to send (uplink data goes at the next event)",
           "Bluetooth Core 5.3 Vol 6 Part B 4.5.1"},
          {"supervision_timeout", K::duration, "", 2.0, 0.1, 32.0,
           "no acknowledged packet for this long -> disconnect; > 2 (1 + peripheral_latency) connection_interval",
           "Bluetooth Core 5.3 Vol 6 Part B 4.5.2 (100 ms-32 s); 2 s per spec/network.md"},
          {"advertising_interval", K::duration, "", 100 * MS, 20 * MS, 10.24,
           "advertising period while reconnecting", "Bluetooth Core 5.3 Vol 6 Part B 4.4.2.2 (20 ms-10.24 s)"},
          {"advertising_random_delay", K::duration, "", 10 * MS, 0.0, 10 * MS,
           "largest random advDelay added to each advertising period",
           "Bluetooth Core 5.3 Vol 6 Part B 4.4.2.2.1 (0-10 ms)"},
          {"phy", K::choice, "", 0.0, 0.0, 2.0, "PHY: 1M, 2M or coded (S=8, 125 kb/s)",
           "Bluetooth Core 5.3 Vol 6 Part A 3", {"1M", "2M", "coded"}},
          {"path_loss", K::number, "dB", 55.0, 20.0, 100.0, "mean on-body path loss between the two sites",
           "IEEE 802.15.6 CM3 / NICTA on-body data: 40-63 dB between body sites"},
      });
  const auto radio = radio_params(0.0, "typical wearable BLE radio (Core spec allows -20..+20 dBm)", -89.0,
                                  "spec/network.md: receivers -87 to -91 dBm", 7.0,
                                  "IEEE 802.15.6 CM3 / NICTA: variation -31..+11 dB, taken as ~6 sd", 0.1);
  params.insert(params.end(), radio.begin(), radio.end());
  return params;
}

// Wi-Fi: loss 0.5-1 % in bursts of 2-5 (spec/network.md): r = 0.3 (mean burst 3.3),
// p = 0.0023 (bad-state share p / (p + r) = 0.76 %).
std::vector<sim::ParamInfo> wifi_params() {
  auto params = with_own(
      common_params({.latency_source = "added to the empirical table (which holds the whole delay)",
                     .distribution = DelayDistribution::empirical,
                     .loss_source = "losses come from the burst model and the PER",
                     .burst_p = 0.0023,
                     .burst_r = 0.3,
                     .burst_source = "spec/network.md: 0.5-1 % loss in bursts of 2-5",
                     .retransmission_delay_s = 1 * MS,
                     .retransmission_source = "approximate 802.11 retry: DIFS + backoff + frame, ~0.3-1 ms"}),
      {
          {"distance", K::number, "m", 10.0, 0.1, 1000.0, "distance to the access point", "scenario choice"},
          {"path_loss_exponent", K::number, "", 3.0, 1.5, 6.0, "log-distance path-loss exponent n",
           "spec/network.md (indoor, exponent 3)"},
          {"path_loss_at_1m", K::number, "dB", 46.68, 20.0, 80.0, "path loss PL0 at d0 = 1 m",
           "spec/network.md: 46.68 dB (free space at 5.2 GHz)"},
          {"shadowing_sd", K::number, "dB", 6.0, 0.0, 20.0,
           "log-normal shadowing: one static draw per link instance", "spec/network.md: sigma 4-8 dB"},
      });
  const auto radio = radio_params(15.0, "typical Wi-Fi client transmit power (15 dBm)", -82.0,
                                  "IEEE 802.11-2020 17.3.10.2: -82 dBm minimum sensitivity at 6 Mb/s, 20 MHz", 0.0,
                                  "static link; people moving add a few dB (scenario choice)", 1.0);
  params.insert(params.end(), radio.begin(), radio.end());
  const auto handover = handover_params(50 * MS, 200 * MS, "spec/network.md: roaming outage 50-200 ms");
  params.insert(params.end(), handover.begin(), handover.end());
  return params;
}

sim::ParamInfo numerology_param(double mu) {
  return {"numerology", K::count, "", mu, 0.0, 4.0,
          "NR numerology mu: slot 1 / 2^mu ms (1, 0.5, 0.25, 0.125, 0.0625 ms); a packet waits for the next slot",
          "3GPP TS 38.211 4.3.2"};
}

std::vector<sim::ParamInfo> nr_embb_params() {
  auto params = with_own(
      common_params({.latency_source = "added to the empirical table (which holds the whole delay)",
                     .distribution = DelayDistribution::empirical,
                     .loss = 1e-3,
                     .loss_source = "spec/network.md: residual 1e-3..1e-4 after HARQ/RLC (upper end)",
                     .retransmission_delay_s = 2 * MS,
                     .retransmission_source = "NR HARQ round trip ~4 slots of 0.5 ms (3GPP TS 38.214 K1)"}),
      {numerology_param(1.0)});
  const auto handover = handover_params(30 * MS, 60 * MS, "spec/network.md: handover interruption 30-60 ms");
  params.insert(params.end(), handover.begin(), handover.end());
  return params;
}

std::vector<sim::ParamInfo> nr_urllc_params() {
  auto params = with_own(
      common_params({.latency_s = 0.375 * MS,
                     .latency_source = "3GPP TR 38.913 7.5: <= 0.5 ms user plane (with the mean slot wait 0.125 ms)",
                     .loss = 1e-5,
                     .loss_source = "spec/network.md; 3GPP TR 38.913 7.9 (1e-5)",
                     .retransmission_delay_s = 1 * MS,
                     .retransmission_source = "NR HARQ round trip ~4 slots of 0.25 ms (3GPP TS 38.214 K1)"}),
      {numerology_param(2.0)});
  const auto handover = handover_params(0.0, 0.0, "spec/network.md: ~0 with dual connectivity");
  params.insert(params.end(), handover.begin(), handover.end());
  return params;
}

// LTE-M and NB-IoT: the median delay follows the coupling loss from normal coverage (144 dB, the
// GPRS reference) to the 164 dB target of 3GPP TR 45.820 (144 + 20 dB), log-linearly.
sim::ParamInfo coupling_loss_param(std::string_view source) {
  return {"coupling_loss", K::number, "dB", 144.0, 144.0, 164.0,
          "coupling loss (coverage): the median delay interpolates log-linearly from 144 dB to 164 dB", source};
}

std::vector<sim::ParamInfo> lte_m_params() {
  return with_own(common_params({.latency_source = "added to the coverage median (0 = radio only)",
                                 .loss_source = "spec/network.md gives no figure"}),
                  {coupling_loss_param("spec/network.md: ~0.1 s at 144 dB to ~6 s at 164 dB; 3GPP TR 45.820")});
}

std::vector<sim::ParamInfo> nb_iot_params() {
  return with_own(common_params({.latency_source = "added to the coverage median (0 = radio only)",
                                 .loss_source = "spec/network.md gives no figure"}),
                  {coupling_loss_param("spec/network.md: ~0.8 s to 10 s in deep coverage; 3GPP TR 45.820 (<= 10 s)")});
}

std::vector<sim::ParamInfo> wired_params() {
  return common_params({.latency_s = 0.5 * MS,
                        .latency_source = "spec/network.md: LAN 0.1-1 ms",
                        .jitter_s = 0.4 * MS,
                        .jitter_source = "uniform 0.1-0.9 ms: the spec's LAN range",
                        .distribution = DelayDistribution::uniform,
                        .loss = 1e-5,
                        .loss_source = "spec/network.md: <= 1e-5"});
}

std::vector<sim::ParamInfo> wan_params() {
  return common_params({.latency_s = 20 * MS,
                        .latency_source = "spec/network.md: WAN 5-50 ms (20 ms: a national path)",
                        .jitter_s = 2 * MS,
                        .jitter_source = "model choice: a few ms of delay variation (ITU-T Y.1541 class 0: <= 50 ms)",
                        .distribution = DelayDistribution::normal,
                        .loss = 1e-5,
                        .loss_source = "spec/network.md: <= 1e-5"});
}

// Default empirical tables, inverse CDFs through these points (linear in between).
// Wi-Fi on a busy AP (spec/network.md): median 3-10 ms (6 ms), p90 ~20 ms, p99 ~100 ms.
constexpr std::array<DelayPercentile, 7> WIFI_DELAY{{{0.0, 1_ms},
                                                     {0.25, 3_ms},
                                                     {0.5, 6_ms},
                                                     {0.75, 10_ms},
                                                     {0.9, 20_ms},
                                                     {0.99, 100_ms},
                                                     {1.0, 200_ms}}};
// 5G eMBB FR1 (spec/network.md): median ~10 ms, field one-way 7-18 ms (p10, p90), p99 30-50 ms (40 ms).
constexpr std::array<DelayPercentile, 6> NR_EMBB_DELAY{
    {{0.0, 5_ms}, {0.1, 7_ms}, {0.5, 10_ms}, {0.9, 18_ms}, {0.99, 40_ms}, {1.0, 60_ms}}};

std::vector<TechnologyInfo> build_technologies() {
  // The tables live as long as the program: TechnologyInfo holds spans into them.
  static const std::vector<sim::ParamInfo> generic = generic_params(), ble = ble_params(), wifi = wifi_params(),
                                           nr_embb = nr_embb_params(), nr_urllc = nr_urllc_params(),
                                           lte_m = lte_m_params(), nb_iot = nb_iot_params(),
                                           wired = wired_params(), wan = wan_params();
  return {
      {Technology::generic, "generic", "constant latency and netem's blocks, no technology behind them", generic, {}},
      {Technology::ble, "ble",
       "Bluetooth Low Energy connection (wearable -> phone or hub): connection events, link-layer retries until "
       "the supervision timeout, PER from the on-body RSSI",
       ble, {}},
      {Technology::wifi, "wifi",
       "Wi-Fi (hub or bedside monitor -> access point): busy-AP delay table, bursty loss, log-distance path loss, "
       "roaming interruption",
       wifi, WIFI_DELAY},
      {Technology::nr_embb, "nr_embb",
       "5G NR eMBB radio hop (FR1, 30 kHz): field delay table, residual loss after HARQ/RLC, handover interruption",
       nr_embb, NR_EMBB_DELAY},
      {Technology::nr_urllc, "nr_urllc",
       "5G NR URLLC radio hop: sub-millisecond user plane, 1e-5 loss, no handover interruption", nr_urllc, {}},
      {Technology::lte_m, "lte_m", "LTE-M (Cat-M1): delay set by the coverage, ~0.1 s to ~6 s", lte_m, {}},
      {Technology::nb_iot, "nb_iot", "NB-IoT: delay set by the coverage, ~0.8 s to ~10 s; no connected-mode handover",
       nb_iot, {}},
      {Technology::wired, "wired", "wired LAN or backhaul: 0.1-1 ms", wired, {}},
      {Technology::wan, "wan", "internet path to the platform: 5-50 ms", wan, {}},
  };
}

std::string percentiles_text(const TechnologyInfo& info) {
  std::string text;
  for (const DelayPercentile& point : info.default_delay_percentiles) {
    char item[64];
    std::snprintf(item, sizeof item, "%sp%g %s", text.empty() ? "" : ", ", point.quantile * 100.0,
                  sim::to_string(point.delay).c_str());
    text += item;
  }
  return text;
}
}  // namespace

std::string_view drop_reason_name(DropReason reason) {
  switch (reason) {
    case DropReason::none: return "none";
    case DropReason::loss: return "loss";
    case DropReason::outage: return "outage";
    case DropReason::queue_overflow: return "queue_overflow";
    case DropReason::corruption: return "corruption";
    case DropReason::no_route: return "no_route";
  }
  return "?";
}

std::span<const TechnologyInfo> technologies() {
  static const std::vector<TechnologyInfo> all = build_technologies();
  return all;
}

const TechnologyInfo& technology_info(Technology technology) {
  for (const TechnologyInfo& info : technologies()) {
    if (info.technology == technology) return info;
  }
  throw std::logic_error("link technology missing from the table");
}

std::optional<Technology> technology_from_name(std::string_view name) {
  for (const TechnologyInfo& info : technologies()) {
    if (info.name == name) return info.technology;
  }
  return std::nullopt;
}

std::string technology_catalog_markdown() {
  std::string md;
  for (const TechnologyInfo& info : technologies()) {
    md += "### `";
    md += info.name;
    md += "`\n\n";
    md += info.description;
    md += "\n\n";
    if (!info.default_delay_percentiles.empty()) {
      md += "Default delay percentiles (the `empirical` distribution's table): ";
      md += percentiles_text(info);
      md += ".\n\n";
    }
    md += sim::param_table_markdown(info.params);
    md += "\n";
  }
  return md;
}

std::string technology_catalog_text(std::optional<Technology> only) {
  std::string text;
  for (const TechnologyInfo& info : technologies()) {
    if (only && info.technology != *only) continue;
    text += info.name;
    text += ": ";
    text += info.description;
    text += "\n";
    if (!info.default_delay_percentiles.empty()) {
      text += "  delay percentiles: ";
      text += percentiles_text(info);
      text += "\n";
    }
    text += sim::param_table_text(info.params);
    text += "\n";
  }
  return text;
}

}  // namespace twinbed::network
