#pragma once
// physiology::Patient: one virtual patient. The walking-skeleton model: heart rate and SpO2 each
// vary around a baseline as an Ornstein-Uhlenbeck process (mean-reverting Gaussian noise; see
// docs/models/walking-skeleton.md). The state advances lazily on a fixed grid of `step`, so the values a
// device sees do not depend on when or how often it samples.
#include <string>

#include "physiology/Signal.hpp"
#include "sim/RandomStream.hpp"
#include "sim/Time.hpp"

namespace twinbed::physiology {

// Stationary Ornstein-Uhlenbeck process: mean `baseline`, stationary standard deviation `sd`,
// correlation time `tau` (autocorrelation exp(-lag / tau)).
struct OuParams {
  double baseline = 0.0;
  double sd = 0.0;
  sim::Time tau = sim::Time::from_s(60);
};

// Defaults describe a stable adult at rest: both baselines lie in the NEWS2 zero-score bands
// (pulse 51-90 /min, SpO2 >= 96 %; Royal College of Physicians 2017), with a few bpm and about
// 1 % of short-term variability. They are placeholders until the physiology models arrive.
struct VitalsParams {
  OuParams heart_rate{75.0, 5.0, sim::Time::from_min(5)};  // bpm
  OuParams spo2{97.0, 1.0, sim::Time::from_min(2)};        // percent
  sim::Time step = sim::Time::from_s(1);                   // integration grid
};

// The exact one-step update of an OU process over dt (Gillespie 1996, Phys. Rev. E 54, 2084):
// x' = mu + (x - mu) e^(-dt/tau) + sd * sqrt(1 - e^(-2 dt/tau)) * z, with z ~ N(0, 1).
double ou_step(double x, const OuParams& params, sim::Time dt, double z);

struct VitalsState {
  sim::Time time = sim::Time::zero();
  double heart_rate_bpm = 0.0;
  double spo2_percent = 0.0;
};

class Patient final : public SignalSource {
public:
  // Streams are keyed by the patient's stable id, so adding patients never changes this one.
  Patient(std::string id, const VitalsParams& params, std::uint64_t master_seed, std::uint32_t replication);

  const std::string& id() const { return id_; }
  const VitalsParams& params() const { return params_; }
  const VitalsState& state() const { return state_; }

  void advance_to(sim::Time t) override;
  double value(Signal signal) const override;

private:
  std::string id_;
  VitalsParams params_;
  VitalsState state_;
  sim::RandomStream heart_rate_stream_;
  sim::RandomStream spo2_stream_;
};

}  // namespace twinbed::physiology
