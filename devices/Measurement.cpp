#include "devices/Measurement.hpp"

#include <algorithm>
#include <cmath>

#include "network/Packet.hpp"

namespace twinbed::devices {

double measure(double truth, double error_sd, double z, const Display& display, std::uint16_t& flags) {
  const double noisy = truth + error_sd * z;
  const double quantised = std::round(noisy / display.resolution) * display.resolution;
  if (quantised < display.low || quantised > display.high) flags |= network::READING_CLAMPED;
  return std::clamp(quantised, display.low, display.high);
}

double ou_step(double x, double dt_s, double tau_s, double sd, double z) {
  if (!(tau_s > 0.0)) return sd * z;
  const double a = std::exp(-dt_s / tau_s);
  return a * x + sd * std::sqrt(1.0 - a * a) * z;
}

}  // namespace twinbed::devices
