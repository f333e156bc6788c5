#include "physiology/OrnsteinUhlenbeck.hpp"

#include <cmath>

namespace twinbed::physiology {

double ou_step(double x, const OuParams& params, sim::Time dt, double z) {
  const double decay = std::exp(-dt.seconds() / params.tau.seconds());
  return params.baseline + (x - params.baseline) * decay + params.sd * std::sqrt(1.0 - decay * decay) * z;
}

}  // namespace twinbed::physiology
