#pragma once
// harness::GlucoseTrend: the CGM trend behind the reference monitor's "urgent low soon" alarm
// (Dexcom G6/G7 "Urgent Low Soon": glucose predicted to reach 55 mg/dL within 20 minutes). A
// least-squares line through one device's readings of the last `window` (sample time), and the
// time until that line reaches a level. Pure: no clock, no alarms.
#include <cstddef>
#include <deque>
#include <optional>

#include "sim/Time.hpp"

namespace twinbed::harness {

class GlucoseTrend {
public:
  // Fewer readings than this give no trend: two points are a slope of sensor noise, three 5-min
  // CGM readings span 10 minutes (design choice).
  static constexpr std::size_t MIN_POINTS = 3;

  explicit GlucoseTrend(sim::Time window) : window_(window) {}

  // A reading in sample order; older or same-time readings (retransmissions) are ignored.
  void add(sim::Time t, double mg_dl);

  struct Fit {
    double at_latest_mg_dl = 0.0;  // the line's value at the newest reading's time
    double slope_mg_dl_per_min = 0.0;
    std::size_t points = 0;
  };
  // The line through the readings with t >= newest - window; nullopt with fewer than MIN_POINTS.
  std::optional<Fit> fit() const;
  // Minutes from the newest reading until the line falls to `level` (0 when it is already at or
  // below it); nullopt without a trend or when the line is not falling.
  std::optional<double> minutes_until_below(double level) const;

  std::optional<double> latest() const;

private:
  struct Point {
    sim::Time t;
    double mg_dl;
  };
  sim::Time window_;
  std::deque<Point> points_;
};

}  // namespace twinbed::harness
