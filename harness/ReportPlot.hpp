#pragma once
// Plot primitives of the HTML report (harness/Report.cpp): min/max decimation of long series,
// axis ticks, time labels, the colour of each event class, and HTML escaping. Pure functions on
// numbers and strings, so the page is the same bytes for the same run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace twinbed::harness {

// Bins a series over [0, duration] keeping each bin's minimum and maximum (with their times), so a
// day of 1 Hz readings draws as at most 2 x bins points and still shows every spike and dip.
class MinMaxSeries {
public:
  // Bins per series before merging: 750 bins = 1500 points, the most a strip draws.
  static constexpr std::size_t BINS = 750;

  explicit MinMaxSeries(std::int64_t duration_ns);
  void add(std::int64_t time_ns, double value);
  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  double min() const { return min_; }
  double max() const { return max_; }

  struct Point {
    std::int64_t time_ns;
    double value;
    bool starts_segment;  // no line from the previous point: the series has a gap here
  };
  // The series merged into `bins` (<= BINS) bins: each bin's min and max in time order. A gap of
  // more than `gap_ns` between consecutive points starts a new segment.
  std::vector<Point> points(std::size_t bins, std::int64_t gap_ns) const;

private:
  struct Bin {
    double min = 0.0, max = 0.0;
    std::int64_t min_time_ns = 0, max_time_ns = 0;
    bool used = false;
  };
  std::int64_t duration_ns_;
  std::vector<Bin> bins_;
  std::uint64_t count_ = 0;
  double min_ = 0.0, max_ = 0.0;
};

// Linear mapping of [lo, hi] onto [out_lo, out_hi], optionally on log10 (lo > 0).
struct Scale {
  double lo = 0.0, hi = 1.0, out_lo = 0.0, out_hi = 1.0;
  bool log = false;
  double operator()(double value) const;
};

// About `max_ticks` round values (1, 2, 2.5, 5 x 10^k steps) covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int max_ticks);
// Decades 10^k within [lo, hi] (lo > 0), for a log axis.
std::vector<double> decade_ticks(double lo, double hi);
// A tick label: at most 4 significant digits, no trailing zeros ("0.04", "120", "1e-05").
std::string tick_label(double value);
// A time-axis step from 1 s to days giving at most `max_ticks` ticks over `duration_ns`.
std::int64_t time_step_ns(std::int64_t duration_ns, int max_ticks);
// "H:MM" on an axis longer than an hour, else "M:SS"; time_unit says which ("h:mm", "min:s").
std::string time_label(std::int64_t time_ns, std::int64_t duration_ns);
std::string time_unit(std::int64_t duration_ns);
// "1h 05m 30s", "12.5 s", "250 ms": a duration for people.
std::string duration_text(std::int64_t ns);
// An SVG coordinate with one decimal, without a trailing ".0".
std::string coord(double value);

// The colour of an event class: fixed for the ground-truth classes (docs/models/ground-truth.md),
// by a stable hash of the name for others (technical classes).
std::string class_colour(std::string_view event_class);
// Line colours of the first, second, ... device in a strip (ColorBrewer Dark2, colour-blind safe).
std::string series_colour(std::size_t index);

// &, <, >, " and ' as entities: safe in element text and in quoted attributes.
std::string html_escape(std::string_view text);

}  // namespace twinbed::harness
