#pragma once
// devices measurement helpers shared by the models: a display (resolution, range) and a slowly
// varying (Ornstein-Uhlenbeck) error. Pure functions, testable alone.
#include <cstdint>

namespace twinbed::devices {

// Display model: value rounded to `resolution`, clamped to [low, high]. Sets READING_CLAMPED.
struct Display {
  double resolution;
  double low;
  double high;
};
// True value plus error (z ~ N(0,1) scaled by sd), quantised and clamped.
double measure(double truth, double error_sd, double z, const Display& display, std::uint16_t& flags);

// One step of an Ornstein-Uhlenbeck error with stationary SD `sd` and time constant `tau_s`
// (exact discretisation: x' = a x + sd sqrt(1 - a^2) z, a = exp(-dt / tau)); tau <= 0 is white.
double ou_step(double x, double dt_s, double tau_s, double sd, double z);

}  // namespace twinbed::devices
