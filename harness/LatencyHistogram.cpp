#include "harness/LatencyHistogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace twinbed::harness {

std::size_t LatencyHistogram::bucket_of(std::uint64_t ns) {
  if (ns < SUB_BUCKETS) return static_cast<std::size_t>(ns);  // group 0: exact below 128 ns
  const int exponent = std::bit_width(ns) - 1;                // >= SUB_BITS
  const int group = exponent - SUB_BITS + 1;
  const auto sub = static_cast<std::size_t>((ns >> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1));
  return static_cast<std::size_t>(group) * SUB_BUCKETS + sub;
}

std::uint64_t LatencyHistogram::bucket_low(std::size_t bucket) {
  const std::size_t group = bucket / SUB_BUCKETS;
  const std::uint64_t sub = bucket % SUB_BUCKETS;
  if (group == 0) return sub;
  const int shift = static_cast<int>(group) - 1;
  return (std::uint64_t{SUB_BUCKETS} + sub) << shift;
}

std::uint64_t LatencyHistogram::bucket_high(std::size_t bucket) {
  const std::size_t group = bucket / SUB_BUCKETS;
  if (group == 0) return bucket_low(bucket);
  return bucket_low(bucket) + ((std::uint64_t{1} << (group - 1)) - 1);
}

void LatencyHistogram::add(sim::Time value) {
  const std::int64_t ns = std::max<std::int64_t>(0, value.ns());
  ++counts_[bucket_of(static_cast<std::uint64_t>(ns))];
  min_ns_ = count_ == 0 ? ns : std::min(min_ns_, ns);
  max_ns_ = count_ == 0 ? ns : std::max(max_ns_, ns);
  sum_seconds_ += static_cast<double>(ns) * 1e-9;
  ++count_;
}

sim::Time LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return sim::Time::zero();
  // Nearest-rank definition: the smallest value with at least q * n observations at or below it.
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < counts_.size(); ++b) {
    seen += counts_[b];
    if (seen >= rank) {
      const std::uint64_t mid = bucket_low(b) + (bucket_high(b) - bucket_low(b)) / 2;
      return sim::Time::from_ns(std::clamp(static_cast<std::int64_t>(mid), min_ns_, max_ns_));
    }
  }
  return max();
}

}  // namespace twinbed::harness
