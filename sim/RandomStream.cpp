#include "sim/RandomStream.hpp"

#include <Random123/philox.h>

#include <cassert>
#include <cmath>
#include <numbers>

namespace twinbed::sim {
namespace {

// FNV-1a (64-bit) over the key fields, then SplitMix64's finaliser to spread the bits. Portable:
// defined byte by byte, independent of endianness and of std::hash.
std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes) {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t derive_stream_id(std::uint32_t replication, std::string_view entity, std::string_view purpose) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  const char rep[4] = {static_cast<char>(replication & 0xff), static_cast<char>((replication >> 8) & 0xff),
                       static_cast<char>((replication >> 16) & 0xff), static_cast<char>(replication >> 24)};
  h = fnv1a(h, std::string_view(rep, 4));
  h = fnv1a(h, entity);
  h = fnv1a(h, std::string_view("\xff", 1));  // separator: ("ab","c") differs from ("a","bc")
  h = fnv1a(h, purpose);
  return mix64(h);
}

// Full 64 x 64 -> 128-bit product in portable C++ (no __int128).
struct Product {
  std::uint64_t high;
  std::uint64_t low;
};
Product multiply(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t a_lo = a & 0xffffffffULL, a_hi = a >> 32;
  const std::uint64_t b_lo = b & 0xffffffffULL, b_hi = b >> 32;
  const std::uint64_t lo_lo = a_lo * b_lo;
  const std::uint64_t hi_lo = a_hi * b_lo;
  const std::uint64_t lo_hi = a_lo * b_hi;
  const std::uint64_t hi_hi = a_hi * b_hi;
  const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffULL) + lo_hi;
  return {hi_hi + (hi_lo >> 32) + (cross >> 32), (cross << 32) | (lo_lo & 0xffffffffULL)};
}

}  // namespace

RandomStream::RandomStream(std::uint64_t master_seed, std::uint32_t replication, std::string_view entity,
                           std::string_view purpose)
    : key_{static_cast<std::uint32_t>(master_seed), static_cast<std::uint32_t>(master_seed >> 32)},
      stream_id_(derive_stream_id(replication, entity, purpose)) {}

std::array<std::uint32_t, 4> RandomStream::philox4x32_10(std::array<std::uint32_t, 4> counter,
                                                         std::array<std::uint32_t, 2> key) {
  r123::Philox4x32 rng;
  const r123::Philox4x32::ctr_type c = {{counter[0], counter[1], counter[2], counter[3]}};
  const r123::Philox4x32::key_type k = {{key[0], key[1]}};
  const r123::Philox4x32::ctr_type out = rng(c, k);
  return {out[0], out[1], out[2], out[3]};
}

void RandomStream::refill() {
  const auto out = philox4x32_10({static_cast<std::uint32_t>(block_), static_cast<std::uint32_t>(block_ >> 32),
                                  static_cast<std::uint32_t>(stream_id_), static_cast<std::uint32_t>(stream_id_ >> 32)},
                                 key_);
  ++block_;
  buffer_[0] = (static_cast<std::uint64_t>(out[1]) << 32) | out[0];
  buffer_[1] = (static_cast<std::uint64_t>(out[3]) << 32) | out[2];
  buffered_ = 2;
}

std::uint64_t RandomStream::next_u64() {
  if (buffered_ == 0) refill();
  return buffer_[2 - buffered_--];
}

double RandomStream::uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double RandomStream::uniform(double low, double high) { return low + (high - low) * uniform01(); }

std::uint64_t RandomStream::uniform_int(std::uint64_t n) {
  assert(n > 0);
  // Lemire (2019), "Fast random integer generation in an interval", ACM TOMACS 29(1).
  Product m = multiply(next_u64(), n);
  if (m.low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (m.low < threshold) m = multiply(next_u64(), n);
  }
  return m.high;
}

double RandomStream::normal(double mean, double sd) {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return mean + sd * spare_normal_;
  }
  double u = 0.0;
  double v = 0.0;
  double s = 0.0;
  do {
    u = 2.0 * uniform01() - 1.0;
    v = 2.0 * uniform01() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  spare_normal_ = v * factor;
  has_spare_normal_ = true;
  return mean + sd * u * factor;
}

double RandomStream::exponential(double mean) {
  // 1 - U lies in (0, 1], so the log is finite.
  return -mean * std::log(1.0 - uniform01());
}

double RandomStream::lognormal(double mu, double sigma) { return std::exp(normal(mu, sigma)); }

double RandomStream::gamma(double shape, double scale) {
  assert(shape > 0.0 && scale > 0.0);
  if (shape < 1.0) {
    // Marsaglia & Tsang: Gamma(k) = Gamma(k + 1) * U^(1/k).
    const double u = 1.0 - uniform01();
    return gamma(shape + 1.0, scale) * std::exp(std::log(u) / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x = 0.0;
    double v = 0.0;
    do {
      x = normal(0.0, 1.0);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = uniform01();
    if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return d * v * scale;
    if (u > 0.0 && std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v * scale;
  }
}

double log_factorial(std::uint64_t k) {
  if (k < 16) {
    double sum = 0.0;
    for (std::uint64_t i = 2; i <= k; ++i) sum += std::log(static_cast<double>(i));
    return sum;
  }
  // Stirling's series; the truncation error is below 1e-12 for k >= 16.
  const double x = static_cast<double>(k);
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  return x * std::log(x) - x + 0.5 * std::log(2.0 * std::numbers::pi * x) +
         inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 / 1260.0));
}

std::uint64_t RandomStream::poisson(double mean) {
  assert(mean >= 0.0);
  if (mean == 0.0) return 0;
  if (mean < 12.0) {
    // Knuth's multiplication method: count uniforms until their product drops below e^-mean.
    const double limit = std::exp(-mean);
    std::uint64_t k = 0;
    double product = uniform01();
    while (product > limit) {
      ++k;
      product *= uniform01();
    }
    return k;
  }
  // PTRS: Hoermann (1993), "The transformed rejection method for generating Poisson random
  // variables", Insurance: Mathematics and Economics 12(1), 39-45.
  const double smu = std::sqrt(mean);
  const double b = 0.931 + 2.53 * smu;
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  const double log_mean = std::log(mean);
  while (true) {
    const double u = uniform01() - 0.5;
    const double v = uniform01();
    const double us = 0.5 - std::fabs(u);
    const double kd = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(kd);
    if (kd < 0.0 || (us < 0.013 && v > us)) continue;
    const auto k = static_cast<std::uint64_t>(kd);
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <= -mean + kd * log_mean - log_factorial(k)) {
      return k;
    }
  }
}

bool RandomStream::bernoulli(double p) { return uniform01() < p; }

std::size_t RandomStream::categorical(std::span<const double> weights) {
  assert(!weights.empty());
  double total = 0.0;
  for (const double w : weights) total += w;
  const double target = uniform01() * total;
  double cumulative = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    cumulative += weights[i];
    if (target < cumulative) return i;
  }
  // Rounding can leave target == total; return the last index with a positive weight.
  for (std::size_t i = weights.size(); i-- > 0;) {
    if (weights[i] > 0.0) return i;
  }
  return weights.size() - 1;
}

}  // namespace twinbed::sim
