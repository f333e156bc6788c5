#include "physiology/Patient.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace twinbed::physiology {
namespace {
// Limits that keep the noise model inside values a living patient can show: a heart rate from
// extreme bradycardia (CinC 2015 alarm: < 40 /min) to the fastest ventricular tachycardias, SpO2
// down to the 50 % at which oximeters stop being calibrated (ISO 80601-2-61 tests 70-100 %).
constexpr double HEART_RATE_MIN_BPM = 20.0;
constexpr double HEART_RATE_MAX_BPM = 250.0;
constexpr double SPO2_MIN_PERCENT = 50.0;
constexpr double SPO2_MAX_PERCENT = 100.0;
}  // namespace

double ou_step(double x, const OuParams& params, sim::Time dt, double z) {
  const double decay = std::exp(-dt.seconds() / params.tau.seconds());
  return params.baseline + (x - params.baseline) * decay + params.sd * std::sqrt(1.0 - decay * decay) * z;
}

Patient::Patient(std::string id, const VitalsParams& params, std::uint64_t master_seed, std::uint32_t replication)
    : id_(std::move(id)), params_(params), heart_rate_stream_(master_seed, replication, id_, "heart_rate"),
      spo2_stream_(master_seed, replication, id_, "spo2") {
  // Start in the stationary distribution so there is no warm-up transient.
  state_.heart_rate_bpm = heart_rate_stream_.normal(params_.heart_rate.baseline, params_.heart_rate.sd);
  state_.spo2_percent = spo2_stream_.normal(params_.spo2.baseline, params_.spo2.sd);
}

void Patient::advance_to(sim::Time t) {
  // The underlying (unclamped) processes evolve on the fixed grid; clamping applies to what is seen.
  while (state_.time + params_.step <= t) {
    state_.heart_rate_bpm =
        ou_step(state_.heart_rate_bpm, params_.heart_rate, params_.step, heart_rate_stream_.normal(0.0, 1.0));
    state_.spo2_percent = ou_step(state_.spo2_percent, params_.spo2, params_.step, spo2_stream_.normal(0.0, 1.0));
    state_.time += params_.step;
  }
}

double Patient::value(Signal signal) const {
  switch (signal) {
    case Signal::heart_rate: return std::clamp(state_.heart_rate_bpm, HEART_RATE_MIN_BPM, HEART_RATE_MAX_BPM);
    case Signal::spo2: return std::clamp(state_.spo2_percent, SPO2_MIN_PERCENT, SPO2_MAX_PERCENT);
    default: break;
  }
  // The skeleton patient models heart rate and SpO2 only.
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace twinbed::physiology
