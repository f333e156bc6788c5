#include "harness/GlucoseTrend.hpp"

namespace twinbed::harness {

void GlucoseTrend::add(sim::Time t, double mg_dl) {
  if (!points_.empty() && t <= points_.back().t) return;
  points_.push_back({t, mg_dl});
  while (points_.front().t < t - window_) points_.pop_front();
}

std::optional<GlucoseTrend::Fit> GlucoseTrend::fit() const {
  if (points_.size() < MIN_POINTS) return std::nullopt;
  // Ordinary least squares in minutes relative to the newest reading (x <= 0): the intercept is
  // then the line's value at the newest reading.
  const sim::Time t0 = points_.back().t;
  double sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0;
  for (const Point& p : points_) {
    const double x = (p.t - t0).seconds() / 60.0;
    sx += x;
    sy += p.mg_dl;
    sxx += x * x;
    sxy += x * p.mg_dl;
  }
  const double n = static_cast<double>(points_.size());
  const double denominator = n * sxx - sx * sx;
  if (denominator <= 0.0) return std::nullopt;
  Fit fit;
  fit.slope_mg_dl_per_min = (n * sxy - sx * sy) / denominator;
  fit.at_latest_mg_dl = (sy - fit.slope_mg_dl_per_min * sx) / n;
  fit.points = points_.size();
  return fit;
}

std::optional<double> GlucoseTrend::minutes_until_below(double level) const {
  const std::optional<Fit> line = fit();
  if (!line || line->slope_mg_dl_per_min >= 0.0) return std::nullopt;
  if (line->at_latest_mg_dl <= level) return 0.0;
  return (level - line->at_latest_mg_dl) / line->slope_mg_dl_per_min;
}

std::optional<double> GlucoseTrend::latest() const {
  if (points_.empty()) return std::nullopt;
  return points_.back().mg_dl;
}

}  // namespace twinbed::harness
