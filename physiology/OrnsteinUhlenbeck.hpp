#pragma once
// The Ornstein-Uhlenbeck process: mean-reverting Gaussian variability, used for the short-term
// fluctuations of every vital sign.
#include "sim/Time.hpp"

namespace twinbed::physiology {

// Stationary OU process: mean `baseline`, stationary standard deviation `sd`, correlation time
// `tau` (autocorrelation exp(-lag / tau)).
struct OuParams {
  double baseline = 0.0;
  double sd = 0.0;
  sim::Time tau = sim::Time::from_s(60);
};

// The exact one-step update of an OU process over dt (Gillespie 1996, Phys. Rev. E 54, 2084):
// x' = mu + (x - mu) e^(-dt/tau) + sd * sqrt(1 - e^(-2 dt/tau)) * z, with z ~ N(0, 1).
double ou_step(double x, const OuParams& params, sim::Time dt, double z);

}  // namespace twinbed::physiology
