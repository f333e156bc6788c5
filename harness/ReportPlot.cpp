#include "harness/ReportPlot.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include <fmt/format.h>

namespace twinbed::harness {

MinMaxSeries::MinMaxSeries(std::int64_t duration_ns) : duration_ns_(std::max<std::int64_t>(1, duration_ns)), bins_(BINS) {}

void MinMaxSeries::add(std::int64_t time_ns, double value) {
  if (!std::isfinite(value)) return;
  const double position = static_cast<double>(time_ns) / static_cast<double>(duration_ns_) * BINS;
  const auto index = static_cast<std::size_t>(std::clamp(position, 0.0, static_cast<double>(BINS - 1)));
  Bin& bin = bins_[index];
  if (!bin.used || value < bin.min || (value == bin.min && time_ns < bin.min_time_ns)) {
    bin.min = value;
    bin.min_time_ns = time_ns;
  }
  if (!bin.used || value > bin.max || (value == bin.max && time_ns < bin.max_time_ns)) {
    bin.max = value;
    bin.max_time_ns = time_ns;
  }
  bin.used = true;
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = count_ == 0 ? value : std::max(max_, value);
  ++count_;
}

std::vector<MinMaxSeries::Point> MinMaxSeries::points(std::size_t bins, std::int64_t gap_ns) const {
  const std::size_t merge = (BINS + std::max<std::size_t>(1, bins) - 1) / std::max<std::size_t>(1, bins);
  std::vector<Point> out;
  for (std::size_t first = 0; first < BINS; first += merge) {
    Bin merged;
    for (std::size_t i = first; i < std::min(BINS, first + merge); ++i) {
      const Bin& bin = bins_[i];
      if (!bin.used) continue;
      if (!merged.used || bin.min < merged.min) {
        merged.min = bin.min;
        merged.min_time_ns = bin.min_time_ns;
      }
      if (!merged.used || bin.max > merged.max) {
        merged.max = bin.max;
        merged.max_time_ns = bin.max_time_ns;
      }
      merged.used = true;
    }
    if (!merged.used) continue;
    std::array<std::pair<std::int64_t, double>, 2> pair{{{merged.min_time_ns, merged.min}, {merged.max_time_ns, merged.max}}};
    if (pair[1].first < pair[0].first) std::swap(pair[0], pair[1]);
    const std::size_t count = merged.min_time_ns == merged.max_time_ns ? 1 : 2;
    for (std::size_t k = 0; k < count; ++k) {
      const bool gap = out.empty() || pair[k].first - out.back().time_ns > gap_ns;
      out.push_back(Point{pair[k].first, pair[k].second, gap});
    }
  }
  return out;
}

double Scale::operator()(double value) const {
  double a = lo, b = hi, v = value;
  if (log) {
    a = std::log10(lo);
    b = std::log10(hi);
    v = std::log10(std::max(value, lo));
  }
  if (b == a) return (out_lo + out_hi) / 2.0;
  return out_lo + (v - a) / (b - a) * (out_hi - out_lo);
}

std::vector<double> nice_ticks(double lo, double hi, int max_ticks) {
  std::vector<double> ticks;
  if (!(hi > lo) || max_ticks < 1) return ticks;
  const double raw = (hi - lo) / max_ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10.0 * magnitude;
  for (const double f : {1.0, 2.0, 2.5, 5.0}) {
    if (f * magnitude >= raw) {
      step = f * magnitude;
      break;
    }
  }
  for (double k = std::ceil(lo / step); k * step <= hi + step * 1e-9; k += 1.0) {
    const double value = k * step;
    ticks.push_back(std::abs(value) < step * 1e-9 ? 0.0 : value);
  }
  return ticks;
}

std::vector<double> decade_ticks(double lo, double hi) {
  std::vector<double> ticks;
  if (!(lo > 0.0) || !(hi > lo)) return ticks;
  for (double e = std::ceil(std::log10(lo) - 1e-9); e <= std::log10(hi) + 1e-9; e += 1.0) ticks.push_back(std::pow(10.0, e));
  return ticks;
}

std::string tick_label(double value) {
  if (std::abs(value) < 1e-12) return "0";
  return fmt::format("{:.4g}", value);
}

std::int64_t time_step_ns(std::int64_t duration_ns, int max_ticks) {
  // Steps people read on a clock: seconds, minutes, hours, days.
  static constexpr std::array<std::int64_t, 20> STEPS_S{1,    2,    5,     10,    15,    30,    60,
                                                        120,  300,  600,   900,   1800,  3600,  7200,
                                                        10800, 21600, 43200, 86400, 172800, 604800};
  for (const std::int64_t s : STEPS_S) {
    const std::int64_t step = s * 1'000'000'000;
    if (duration_ns / step <= max_ticks) return step;
  }
  return STEPS_S.back() * 1'000'000'000;
}

std::string time_label(std::int64_t time_ns, std::int64_t duration_ns) {
  const std::int64_t seconds = time_ns / 1'000'000'000;
  if (duration_ns > 3'600'000'000'000) return fmt::format("{}:{:02}", seconds / 3600, (seconds / 60) % 60);
  return fmt::format("{}:{:02}", seconds / 60, seconds % 60);
}

std::string time_unit(std::int64_t duration_ns) { return duration_ns > 3'600'000'000'000 ? "h:mm" : "min:s"; }

std::string duration_text(std::int64_t ns) {
  const double s = static_cast<double>(ns) * 1e-9;
  if (ns < 1'000'000) return fmt::format("{:.3g} µs", s * 1e6);
  if (ns < 1'000'000'000) return fmt::format("{:.3g} ms", s * 1e3);
  if (ns < 60'000'000'000) return fmt::format("{:.3g} s", s);
  const std::int64_t whole = ns / 1'000'000'000;
  if (whole < 3600) return fmt::format("{}m {:02}s", whole / 60, whole % 60);
  return fmt::format("{}h {:02}m", whole / 3600, (whole / 60) % 60);
}

std::string coord(double value) {
  const double rounded = std::round(value * 10.0) / 10.0;
  std::string text = fmt::format("{:.1f}", rounded == 0.0 ? 0.0 : rounded);
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  return text;
}

std::string class_colour(std::string_view event_class) {
  // Hues grouped by the vital sign concerned: blues for oxygen and low values, reds and oranges
  // for high values and dangerous rhythms, purples for pressure and glucose.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 22> KNOWN{{
      {"desaturation", "#2166ac"},         {"bradycardia", "#4393c3"},
      {"tachycardia", "#f46d43"},          {"bradypnoea", "#92c5de"},
      {"tachypnoea", "#fdae61"},           {"hypotension", "#8073ac"},
      {"hypertensive_crisis", "#b2182b"},  {"fever", "#e08214"},
      {"hypothermia", "#5aae61"},          {"hypoglycaemia_level1", "#c2a5cf"},
      {"hypoglycaemia_level2", "#762a83"}, {"hyperglycaemia_level1", "#a6dba0"},
      {"hyperglycaemia_level2", "#1b7837"}, {"news2_medium", "#fee08b"},
      {"news2_high", "#d73027"},           {"asystole", "#252525"},
      {"extreme_bradycardia", "#313695"},  {"extreme_tachycardia", "#a50026"},
      {"ventricular_tachycardia", "#e7298a"}, {"ventricular_fibrillation", "#67001f"},
      {"atrial_fibrillation", "#66a61e"},  {"condition", "#bdbdbd"},
  }};
  for (const auto& [name, colour] : KNOWN) {
    if (name == event_class) return std::string(colour);
  }
  // Technical and future classes: earthy tones chosen by an FNV-1a hash of the name.
  static constexpr std::array<std::string_view, 8> OTHER{"#8c510a", "#bf812d", "#35978f", "#01665e",
                                                         "#7f3b08", "#b35806", "#542788", "#4d4d4d"};
  std::uint32_t hash = 2166136261u;
  for (const char c : event_class) hash = (hash ^ static_cast<std::uint8_t>(c)) * 16777619u;
  return std::string(OTHER[hash % OTHER.size()]);
}

std::string series_colour(std::size_t index) {
  static constexpr std::array<std::string_view, 6> DARK2{"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"};
  return std::string(DARK2[index % DARK2.size()]);
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace twinbed::harness
