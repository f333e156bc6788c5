#pragma once
// harness::LatencyHistogram: percentiles of non-negative durations in constant memory. Log-linear
// buckets (as in HdrHistogram: 2^SUB_BITS linear sub-buckets per power of two) bound the relative
// error of a reported percentile by 2^-SUB_BITS (< 0.8 %); min, max and mean are exact.
#include <array>
#include <cstdint>

#include "sim/Time.hpp"

namespace twinbed::harness {

class LatencyHistogram {
public:
  void add(sim::Time value);
  std::uint64_t count() const { return count_; }
  sim::Time min() const { return count_ ? sim::Time::from_ns(min_ns_) : sim::Time::zero(); }
  sim::Time max() const { return sim::Time::from_ns(max_ns_); }
  double mean_seconds() const { return count_ ? sum_seconds_ / static_cast<double>(count_) : 0.0; }
  // The q-quantile (0 <= q <= 1), reported as the midpoint of its bucket clamped to [min, max].
  sim::Time quantile(double q) const;

private:
  static constexpr int SUB_BITS = 7;
  static constexpr int SUB_BUCKETS = 1 << SUB_BITS;
  static constexpr int GROUPS = 64 - SUB_BITS;
  static std::size_t bucket_of(std::uint64_t ns);
  static std::uint64_t bucket_low(std::size_t bucket);
  static std::uint64_t bucket_high(std::size_t bucket);

  std::array<std::uint64_t, (GROUPS + 1) * SUB_BUCKETS> counts_{};
  std::uint64_t count_ = 0;
  std::int64_t min_ns_ = 0;
  std::int64_t max_ns_ = 0;
  double sum_seconds_ = 0.0;
};

}  // namespace twinbed::harness
