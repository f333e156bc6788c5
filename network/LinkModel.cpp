// network::LinkModel: one hop's delay and loss as pure functions over (model, state, stream).
// Models and their sources: docs/network.md; defaults: network/Technologies.cpp.
#include "network/LinkModel.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace twinbed::network {

namespace {

constexpr double NS_PER_S = 1e9;
// expected_latency() has no packet: BLE's airtime is that of a typical 100-byte reading packet.
constexpr std::uint32_t NOMINAL_PACKET_BYTES = 100;

// LTE-M and NB-IoT median delay at the reference coupling losses (spec/network.md): normal
// coverage 144 dB (the GPRS reference of 3GPP TR 45.820) and its +20 dB target, 164 dB.
constexpr double MCL_NORMAL_DB = 144.0;
constexpr double MCL_EXTREME_DB = 164.0;
constexpr double LTE_M_DELAY_NORMAL_S = 0.1, LTE_M_DELAY_EXTREME_S = 6.0;
constexpr double NB_IOT_DELAY_NORMAL_S = 0.8, NB_IOT_DELAY_EXTREME_S = 10.0;

// BLE link-layer framing (Bluetooth Core 5.3 Vol 6 Part B 2.1 and 2.4): per LL data PDU a
// preamble (1 octet), access address (4), header (2), MIC (4, the link is encrypted) and CRC (3);
// payloads up to 251 octets with the Data Length Extension (Core 4.2+). The packet travels as one
// ATT notification (opcode + handle, 3 octets) in one L2CAP PDU (basic header, 4 octets). Between
// fragments the central's empty acknowledgement PDU (10 octets) is framed by two T_IFS of 150 us.
constexpr double BLE_LL_OVERHEAD_BYTES = 14.0;
constexpr double BLE_UPPER_OVERHEAD_BYTES = 7.0;
constexpr std::uint32_t BLE_MAX_LL_PAYLOAD = 251;
constexpr double BLE_EMPTY_PDU_BYTES = 10.0;
constexpr double BLE_T_IFS_S = 150e-6;
// PHY bit rates (Core 5.3 Vol 6 Part A 3): 1M, 2M and the coded PHY with S=8 (125 kb/s; its
// preamble and access address are longer, which we ignore).
constexpr double BLE_PHY_RATE_BPS[] = {1e6, 2e6, 125e3};

// Standard normal quantile: Acklam's rational approximation (relative error < 1.2e-9), which needs
// one uniform per draw, so that paretonormal can use the same uniform for both of its parts.
double normal_quantile(double p) {
  constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                          1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                          6.680131188771972e+01, -1.328068155288572e+01};
  constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                          -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                          3.754408661907416e+00};
  constexpr double P_LOW = 0.02425;
  if (p < P_LOW) {
    const double q = std::sqrt(-2.0 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  if (p > 1.0 - P_LOW) {
    const double q = std::sqrt(-2.0 * std::log(1.0 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

// netem's Pareto table (iproute2 netem/pareto.c, shape a = 3): x = (4/3) (U^(-1/3) - 1.5), mean 0,
// minimum -2/3. netem clips its 16-bit table at +4; we do not.
double pareto_quantile(double p) { return (4.0 / 3.0) * (std::exp(-std::log1p(-p) / 3.0) - 1.5); }

// netem's Pareto-normal table (iproute2 netem/paretonormal.c): 1/4 of the normal quantile plus 3/4
// of the Pareto one at the same uniform.
double paretonormal_quantile(double p) { return 0.25 * normal_quantile(p) + 0.75 * pareto_quantile(p); }

// A uniform in (0, 1): the quantile functions are infinite at 0.
double open_uniform(sim::RandomStream& random) {
  const double u = random.uniform01();
  return u > 0.0 ? u : 0x1p-54;
}

double jitter_quantile(DelayDistribution distribution, double p) {
  switch (distribution) {
    case DelayDistribution::uniform: return 2.0 * p - 1.0;
    case DelayDistribution::normal: return normal_quantile(p);
    case DelayDistribution::pareto: return pareto_quantile(p);
    case DelayDistribution::paretonormal: return paretonormal_quantile(p);
    default: return 0.0;
  }
}

// The empirical table's inverse CDF at p, in ns (piecewise linear through the points).
double empirical_quantile_ns(const std::vector<DelayPercentile>& table, double p) {
  if (table.empty()) return 0.0;
  std::size_t i = 1;
  while (i + 1 < table.size() && table[i].quantile < p) ++i;
  const DelayPercentile& lo = table[i - 1];
  const DelayPercentile& hi = table[std::min(i, table.size() - 1)];
  const double span = hi.quantile - lo.quantile;
  const double f = span > 0.0 ? std::clamp((p - lo.quantile) / span, 0.0, 1.0) : 0.0;
  return static_cast<double>(lo.delay.ns()) + f * static_cast<double>(hi.delay.ns() - lo.delay.ns());
}

// The delay block (netem's latency + jitter, or the empirical table), in ns, clamped at 0.
// Correlation as netem's get_crandom: next = (1 - rho) fresh + rho last. netem applies it to the
// uniform before its table lookup; we apply it to the jitter variate (its mean is kept, its spread
// narrows to sqrt((1 - rho) / (1 + rho)) of the uncorrelated one for normal jitter) and, for the
// empirical table, to the uniform as netem does.
double draw_delay_ns(const LinkModel& m, LinkState& state, sim::RandomStream& random) {
  const double rho = m.jitter_correlation;
  if (m.distribution == DelayDistribution::empirical) {
    double u = random.uniform01();
    if (rho > 0.0) state.last_jitter = u = (1.0 - rho) * u + rho * state.last_jitter;
    return static_cast<double>(m.latency_ns) + empirical_quantile_ns(m.delay_percentiles, u);
  }
  if (m.distribution == DelayDistribution::none || m.jitter_ns == 0) return static_cast<double>(m.latency_ns);
  double x = jitter_quantile(m.distribution, open_uniform(random));
  if (rho > 0.0) state.last_jitter = x = (1.0 - rho) * x + rho * state.last_jitter;
  return std::max(0.0, static_cast<double>(m.latency_ns) + static_cast<double>(m.jitter_ns) * x);
}

// The RSSI's deviation from its mean at time t: an Ornstein-Uhlenbeck process advanced with its
// exact transition x' = x e^(-dt/tau) + sd sqrt(1 - e^(-2 dt/tau)) N(0, 1). An attempt earlier than
// the last advance (another packet's retries went further) sees the current value.
double fading_at(const LinkModel& m, LinkState& state, sim::RandomStream& random, std::int64_t t_ns) {
  if (m.fading_sd_db <= 0.0 || t_ns <= state.fading_time_ns) return state.fading_db;
  const double decay = std::exp(-static_cast<double>(t_ns - state.fading_time_ns) / NS_PER_S / m.fading_correlation_s);
  state.fading_db = state.fading_db * decay + m.fading_sd_db * std::sqrt(1.0 - decay * decay) * random.normal(0.0, 1.0);
  state.fading_time_ns = t_ns;
  return state.fading_db;
}

double packet_error_rate(const LinkModel& m, double rssi_dbm) {
  return 1.0 / (1.0 + std::exp((rssi_dbm - m.sensitivity_dbm) / m.per_slope_db));
}

// One link-layer attempt at t_ns: independent loss, then the Gilbert-Elliott chain (one step per
// attempt, then the loss of the state it is in, as netem's loss_gilb_ell), then the PER.
bool attempt_lost(const LinkModel& m, LinkState& state, sim::RandomStream& random, std::int64_t t_ns) {
  bool lost = m.loss > 0.0 && random.bernoulli(m.loss);
  if (m.burst_p > 0.0) {
    if (m.burst_memory_ns > 0 && t_ns > state.burst_time_ns) {
      // Time since the last attempt: P(bad) relaxes towards the stationary share p / (p + r).
      const double bad_share = m.burst_p / (m.burst_p + m.burst_r);
      const double keep = std::exp(-static_cast<double>(t_ns - state.burst_time_ns) / static_cast<double>(m.burst_memory_ns));
      state.burst_bad = random.bernoulli(state.burst_bad ? bad_share + (1.0 - bad_share) * keep : bad_share * (1.0 - keep));
    }
    state.burst_time_ns = std::max(state.burst_time_ns, t_ns);
    state.burst_bad = state.burst_bad ? !random.bernoulli(m.burst_r) : random.bernoulli(m.burst_p);
    const double p = state.burst_bad ? m.burst_loss_bad : m.burst_loss_good;
    if (p >= 1.0) {
      lost = true;
    } else if (p > 0.0 && random.bernoulli(p)) {
      lost = true;
    }
  }
  if (m.has_radio) {
    const double rssi = m.mean_rssi_dbm + state.shadowing_db + fading_at(m, state, random, t_ns);
    if (random.bernoulli(packet_error_rate(m, rssi))) lost = true;
  }
  return lost;
}

std::int64_t to_ns(double seconds) { return std::llround(seconds * NS_PER_S); }

// Share of attempts lost in the long run with the chain stationary and the RSSI at its mean: the
// routing weight's retry count only.
double mean_attempt_loss(const LinkModel& m) {
  double delivered = 1.0 - m.loss;
  if (m.burst_p > 0.0) {
    const double bad = m.burst_p / (m.burst_p + m.burst_r);
    delivered *= 1.0 - (bad * m.burst_loss_bad + (1.0 - bad) * m.burst_loss_good);
  }
  if (m.has_radio) delivered *= 1.0 - packet_error_rate(m, m.mean_rssi_dbm);
  return 1.0 - delivered;
}

// Mean of the delay block over its distribution, the clamp at 0 included (correlation ignored).
double mean_delay_block_ns(const LinkModel& m) {
  const double latency = static_cast<double>(m.latency_ns);
  const double jitter = static_cast<double>(m.jitter_ns);
  switch (m.distribution) {
    case DelayDistribution::none: return latency;
    case DelayDistribution::empirical: {
      double mean = 0.0;
      for (std::size_t i = 1; i < m.delay_percentiles.size(); ++i) {
        const DelayPercentile& lo = m.delay_percentiles[i - 1];
        const DelayPercentile& hi = m.delay_percentiles[i];
        mean += (hi.quantile - lo.quantile) * 0.5 * static_cast<double>(lo.delay.ns() + hi.delay.ns());
      }
      return latency + mean;
    }
    case DelayDistribution::uniform:
      if (jitter <= latency) return latency;
      return (latency + jitter) * (latency + jitter) / (4.0 * jitter);
    case DelayDistribution::normal: {
      if (jitter == 0.0) return latency;
      const double z = latency / jitter;
      const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
      const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
      return latency * cdf + jitter * pdf;
    }
    case DelayDistribution::pareto:
    case DelayDistribution::paretonormal: {
      // Midpoint rule over the quantile function; its Pareto tail (shape 3) is integrable.
      constexpr int N = 20000;
      double sum = 0.0;
      for (int i = 0; i < N; ++i) {
        const double x = jitter_quantile(m.distribution, (i + 0.5) / N);
        sum += std::max(0.0, latency + jitter * x);
      }
      return sum / N;
    }
  }
  return latency;
}

}  // namespace

LinkModel LinkModel::compile(const LinkSpec& spec) {
  const TechnologyInfo& info = technology_info(spec.technology);
  // An empty ParamSet means the technology's defaults.
  const sim::ParamSet params = spec.params.table().empty() ? sim::ParamSet(info.params) : spec.params;
  if (params.table().data() != info.params.data()) {
    throw std::logic_error("link parameters are not the table of the link's technology");
  }
  const auto seconds = [&params](std::string_view key) { return params.duration(key).ns(); };

  LinkModel m;
  m.technology = spec.technology;
  m.latency_ns = seconds("latency");
  m.jitter_ns = seconds("jitter");
  m.distribution = static_cast<DelayDistribution>(params.choice("distribution"));
  m.jitter_correlation = params.number("jitter_correlation");
  if (m.distribution == DelayDistribution::empirical) {
    if (spec.delay_percentiles.empty()) {
      m.delay_percentiles.assign(info.default_delay_percentiles.begin(), info.default_delay_percentiles.end());
    } else {
      m.delay_percentiles = spec.delay_percentiles;
    }
    if (m.delay_percentiles.empty()) {
      throw std::logic_error("empirical delay distribution without a percentile table");
    }
  }
  m.loss = params.number("loss");
  m.burst_p = params.number("burst_p");
  m.burst_r = params.number("burst_r");
  m.burst_loss_good = params.number("burst_loss_good");
  m.burst_loss_bad = params.number("burst_loss_bad");
  m.burst_memory_ns = seconds("burst_memory");
  m.duplicate = params.number("duplicate");
  m.reorder = params.number("reorder");
  m.corrupt = params.number("corrupt");
  m.retransmissions = static_cast<std::uint32_t>(params.count("retransmissions"));
  m.retransmission_delay_ns = seconds("retransmission_delay");
  m.max_attempts = 1 + m.retransmissions;

  switch (spec.technology) {
    case Technology::ble: {
      m.connection_interval_ns = seconds("connection_interval");
      m.supervision_timeout_ns = seconds("supervision_timeout");
      m.advertising_interval_ns = seconds("advertising_interval");
      m.advertising_random_delay_ns = seconds("advertising_random_delay");
      m.phy_rate_bps = BLE_PHY_RATE_BPS[std::min<std::size_t>(params.choice("phy"), 2)];
      if (m.retransmissions == 0) {
        // Until the supervision timeout: attempts at k * CI after the first while k * CI < timeout.
        const std::int64_t ci = std::max<std::int64_t>(m.connection_interval_ns, 1);
        m.max_attempts = static_cast<std::uint32_t>((m.supervision_timeout_ns + ci - 1) / ci);
        m.max_attempts = std::max<std::uint32_t>(m.max_attempts, 1);
      }
      m.has_radio = true;
      m.mean_rssi_dbm = params.number("tx_power") - params.number("path_loss");
      break;
    }
    case Technology::wifi: {
      m.has_radio = true;
      // Log-distance path loss: PL(d) = PL0 + 10 n log10(d / 1 m) (spec/network.md).
      const double path_loss =
          params.number("path_loss_at_1m") + 10.0 * params.number("path_loss_exponent") * std::log10(params.number("distance"));
      m.mean_rssi_dbm = params.number("tx_power") - path_loss;
      m.shadowing_sd_db = params.number("shadowing_sd");
      break;
    }
    case Technology::nr_embb:
    case Technology::nr_urllc:
      // Slot of numerology mu: 1 ms / 2^mu (3GPP TS 38.211 4.3.2).
      m.slot_ns = 1'000'000 >> std::min<std::uint64_t>(params.count("numerology"), 4);
      break;
    case Technology::lte_m:
    case Technology::nb_iot: {
      // Log-linear interpolation of the median between the two reference coupling losses.
      const bool lte = spec.technology == Technology::lte_m;
      const double normal = lte ? LTE_M_DELAY_NORMAL_S : NB_IOT_DELAY_NORMAL_S;
      const double extreme = lte ? LTE_M_DELAY_EXTREME_S : NB_IOT_DELAY_EXTREME_S;
      const double f = (params.number("coupling_loss") - MCL_NORMAL_DB) / (MCL_EXTREME_DB - MCL_NORMAL_DB);
      m.latency_ns += to_ns(normal * std::pow(extreme / normal, f));
      break;
    }
    default: break;
  }
  if (m.has_radio) {
    m.fading_sd_db = params.number("fading_sd");
    m.fading_correlation_s = params.duration("fading_correlation_time").seconds();
    m.sensitivity_dbm = params.number("sensitivity");
    m.per_slope_db = params.number("per_slope");
  }
  if (params.find("handover_interruption_min") != nullptr) {
    m.handover_interruption_min_ns = seconds("handover_interruption_min");
    m.handover_interruption_max_ns = std::max(m.handover_interruption_min_ns, seconds("handover_interruption_max"));
  }
  return m;
}

sim::Time LinkModel::expected_latency() const {
  const double q = mean_attempt_loss(*this);
  // Mean retries of a delivered packet with independent attempts: the geometric law truncated at
  // max_attempts (sum_k k q^k (1 - q) / (1 - q^n) over k < n).
  double retries = 0.0;
  if (q > 0.0 && max_attempts > 1) {
    double weight = 1.0, sum = 0.0, norm = 0.0;
    for (std::uint32_t k = 0; k < max_attempts && weight > 1e-15; ++k) {
      sum += k * weight;
      norm += weight;
      weight *= q;
    }
    retries = sum / norm;
  }
  double ns = (1.0 - reorder) * mean_delay_block_ns(*this);
  if (technology == Technology::ble) {
    ns += 0.5 * static_cast<double>(connection_interval_ns) + static_cast<double>(ble_airtime(*this, NOMINAL_PACKET_BYTES).ns()) +
          retries * static_cast<double>(connection_interval_ns);
  } else {
    ns += retries * static_cast<double>(retransmission_delay_ns);
    if (slot_ns > 0 && distribution != DelayDistribution::empirical) ns += 0.5 * static_cast<double>(slot_ns);
  }
  return sim::Time::from_ns(std::llround(ns));
}

sim::Time ble_airtime(const LinkModel& model, std::uint32_t size_bytes) {
  const std::uint32_t upper = size_bytes + static_cast<std::uint32_t>(BLE_UPPER_OVERHEAD_BYTES);
  const std::uint32_t fragments = std::max<std::uint32_t>(1, (upper + BLE_MAX_LL_PAYLOAD - 1) / BLE_MAX_LL_PAYLOAD);
  const double bits = 8.0 * (upper + fragments * BLE_LL_OVERHEAD_BYTES);
  const double between = (fragments - 1) * (2.0 * BLE_T_IFS_S + 8.0 * BLE_EMPTY_PDU_BYTES / model.phy_rate_bps);
  return sim::Time::from_ns(to_ns(bits / model.phy_rate_bps + between));
}

LinkState initial_link_state(const LinkModel& model, sim::RandomStream& random) {
  LinkState state;
  if (model.connection_interval_ns > 0) {
    state.ble_anchor_ns = static_cast<std::int64_t>(random.uniform_int(static_cast<std::uint64_t>(model.connection_interval_ns)));
  }
  if (model.has_radio) {
    state.fading_db = model.fading_sd_db > 0.0 ? random.normal(0.0, model.fading_sd_db) : 0.0;
    state.shadowing_db = model.shadowing_sd_db > 0.0 ? random.normal(0.0, model.shadowing_sd_db) : 0.0;
  }
  if (model.burst_p > 0.0) state.burst_bad = random.bernoulli(model.burst_p / (model.burst_p + model.burst_r));
  // Start the correlation memory from the uncorrelated law, so the first packets are not biased.
  if (model.jitter_correlation > 0.0) {
    state.last_jitter = model.distribution == DelayDistribution::empirical
                            ? random.uniform01()
                            : jitter_quantile(model.distribution, open_uniform(random));
  }
  return state;
}

Transit transit(const LinkModel& m, LinkState& state, sim::RandomStream& random, sim::Time now,
                std::uint32_t size_bytes) {
  Transit result;
  const std::int64_t t0 = now.ns();
  // Link layer: when the first attempt goes, the gap between attempts, and the time on air.
  std::int64_t first_ns = t0, gap_ns = m.retransmission_delay_ns, air_ns = 0;
  if (m.technology == Technology::ble && m.connection_interval_ns > 0) {
    // The next connection event at or after now: anchor + k CI.
    const std::int64_t ci = m.connection_interval_ns;
    const std::int64_t phase = ((t0 - state.ble_anchor_ns) % ci + ci) % ci;
    first_ns = t0 + (phase == 0 ? 0 : ci - phase);
    gap_ns = ci;
    air_ns = ble_airtime(m, size_bytes).ns();
  } else if (m.slot_ns > 0 && m.distribution != DelayDistribution::empirical) {
    // 5G: the next slot boundary. An empirical table is a measured end-to-end delay that already
    // holds the slot wait, so it is not added again.
    const std::int64_t phase = t0 % m.slot_ns;
    first_ns = t0 + (phase == 0 ? 0 : m.slot_ns - phase);
  }
  std::uint32_t attempt = 0;
  std::int64_t attempt_ns = first_ns;
  while (attempt_lost(m, state, random, attempt_ns)) {
    if (++attempt >= m.max_attempts) {
      result.drop = DropReason::loss;
      result.attempts = static_cast<std::uint16_t>(std::min<std::uint32_t>(attempt, 65535));
      result.supervision_timeout = m.technology == Technology::ble && m.retransmissions == 0;
      result.delay = sim::Time::from_ns(attempt_ns - t0);
      return result;
    }
    attempt_ns += gap_ns;
  }
  result.attempts = static_cast<std::uint16_t>(std::min<std::uint32_t>(attempt + 1, 65535));
  const std::int64_t link_ns = attempt_ns - t0 + air_ns;

  // netem's blocks on the delivered packet: reordering skips the delay, corruption drops it at
  // arrival, duplication sends a second copy with a delay of its own.
  const bool reordered = m.reorder > 0.0 && random.bernoulli(m.reorder);
  const double block_ns = reordered ? 0.0 : draw_delay_ns(m, state, random);
  result.delay = sim::Time::from_ns(link_ns + std::llround(block_ns));
  if (m.corrupt > 0.0 && random.bernoulli(m.corrupt)) {
    result.drop = DropReason::corruption;
    return result;
  }
  if (m.duplicate > 0.0 && random.bernoulli(m.duplicate)) {
    result.duplicate = true;
    result.duplicate_delay = sim::Time::from_ns(link_ns + std::llround(draw_delay_ns(m, state, random)));
  }
  return result;
}

sim::Time handover_interruption(const LinkModel& model, sim::RandomStream& random) {
  const std::int64_t lo = model.handover_interruption_min_ns, hi = model.handover_interruption_max_ns;
  if (hi <= lo) return sim::Time::from_ns(lo);
  return sim::Time::from_ns(lo + static_cast<std::int64_t>(random.uniform_int(static_cast<std::uint64_t>(hi - lo + 1))));
}

// BLE: after a blockage the peripheral is advertising every advertising_interval + advDelay; the
// central (scanning continuously) hears the next advertisement, a uniform residual of that period,
// and the connection's first event follows one connection interval later (transmit window,
// Core 5.3 Vol 6 Part B 4.5.3). Other technologies reattach through their handover interruption.
sim::Time reconnect_delay(const LinkModel& model, sim::RandomStream& random) {
  if (model.technology != Technology::ble) return sim::Time::zero();
  const double period = static_cast<double>(model.advertising_interval_ns) +
                        random.uniform01() * static_cast<double>(model.advertising_random_delay_ns);
  return sim::Time::from_ns(std::llround(random.uniform01() * period) + model.connection_interval_ns);
}

}  // namespace twinbed::network
