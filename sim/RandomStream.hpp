#pragma once
// sim::RandomStream: a counter-based random stream (Philox4x32-10, Salmon et al., SC'11, via
// Random123) keyed by (master seed, replication, stable entity key, purpose). The draws of one
// entity never depend on how many other entities exist, in which order they were created, or which
// thread or process simulates them. Distributions are our own code (never <random>'s, whose output
// differs between standard libraries); they use only +,-,*,/, sqrt (exact in IEEE 754), log and exp.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace twinbed::sim {

class RandomStream {
public:
  // `entity` is the entity's stable name (e.g. "p0007", "p0007-spo2"); `purpose` names the use
  // (e.g. "heart_rate", "noise", "loss"). Streams with any field different are independent.
  RandomStream(std::uint64_t master_seed, std::uint32_t replication, std::string_view entity,
               std::string_view purpose);

  // Raw Philox output: 64 uniformly distributed bits.
  std::uint64_t next_u64();

  // Uniform on [0, 1) with 53 random bits.
  double uniform01();
  // Uniform on [low, high).
  double uniform(double low, double high);
  // Uniform integer on [0, n), unbiased (Lemire's multiply-and-reject). n > 0.
  std::uint64_t uniform_int(std::uint64_t n);
  // Normal(mean, sd) by Marsaglia's polar method (pairs are cached).
  double normal(double mean, double sd);
  // Exponential with the given mean (> 0), by inversion.
  double exponential(double mean);
  // Lognormal: exp(Normal(mu, sigma)); mu and sigma are of the underlying normal.
  double lognormal(double mu, double sigma);
  // Gamma(shape k > 0, scale theta > 0): Marsaglia & Tsang (2000); k < 1 by the k+1 boost.
  double gamma(double shape, double scale);
  // Poisson(mean >= 0): multiplication method below 12, Hoermann's PTRS (1993) above.
  std::uint64_t poisson(double mean);
  // True with probability p in [0, 1].
  bool bernoulli(double p);
  // Index i with probability weights[i] / sum(weights). Weights >= 0, sum > 0.
  std::size_t categorical(std::span<const double> weights);

  // The 64-bit stream identifier derived from (replication, entity, purpose); exposed for tests.
  std::uint64_t stream_id() const { return stream_id_; }

  // One Philox4x32-10 block: exposed so tests can check the published known-answer vectors.
  static std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                                    std::array<std::uint32_t, 2> key);

private:
  void refill();

  std::array<std::uint32_t, 2> key_{};
  std::uint64_t stream_id_ = 0;
  std::uint64_t block_ = 0;  // counter of Philox blocks drawn so far
  std::array<std::uint64_t, 2> buffer_{};
  unsigned buffered_ = 0;
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

// log(k!) without the thread-unsafe std::lgamma (glibc writes the global `signgam`).
double log_factorial(std::uint64_t k);

}  // namespace twinbed::sim
