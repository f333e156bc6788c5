#pragma once
// devices::NibpCuff: an oscillometric non-invasive blood-pressure cuff (ward monitor or home
// monitor). A measurement takes 30-45 s; the readings (systolic, diastolic, mean) are the pressures
// at its start plus the device's error, available when the cuff has deflated. An attempt may fail
// (motion, cuff off the arm, or at random); the cuff retries and gives up after max_attempts.
#include <optional>

#include "devices/Device.hpp"

namespace twinbed::devices {

struct BloodPressure {
  double systolic = 0.0;
  double diastolic = 0.0;
  double mean = 0.0;
};

// The device's error model. Oscillometry finds the MAP (the cuff pressure at maximum oscillation
// amplitude) and derives systolic and diastolic from it by characteristic ratios, so their errors
// are the MAP error plus the ratio error: a component's SD is max(its own SD, mean_sd).
struct NibpAccuracy {
  double systolic_bias = 0.0;
  double diastolic_bias = 0.0;
  double systolic_sd = 0.0;
  double diastolic_sd = 0.0;
  double mean_sd = 0.0;
};

// Truth plus error (z_* ~ N(0,1)), rounded to whole mmHg and clamped to the display ranges;
// `flags` gets READING_CLAMPED for a component that hit its range. Pure: testable alone.
BloodPressure nibp_values(const BloodPressure& truth, const NibpAccuracy& accuracy, double z_mean, double z_systolic,
                          double z_diastolic, std::uint16_t flags[3]);

// Probability that one attempt fails: 1 with the cuff off the arm; otherwise the base rate and,
// during motion, the motion failure rate as independent causes. Pure.
double nibp_failure_probability(double base, double during_motion, bool motion, bool detached);

class NibpCuff final : public Device {
public:
  explicit NibpCuff(DeviceSetup setup);

protected:
  void measure(SampleContext& ctx, Output& out) override;

private:
  NibpAccuracy accuracy_;
  double duration_min_s_, duration_max_s_;
  double failure_probability_, motion_failure_probability_;
  sim::Time retry_delay_;
  std::uint64_t max_attempts_;

  // The measurement in progress.
  sim::Time busy_until_;
  std::optional<sim::Time> retry_at_;  // when the base will call measure() for our retry
  std::uint64_t failed_attempts_ = 0;
};

}  // namespace twinbed::devices
