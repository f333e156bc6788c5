#include "harness/ReportCharts.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

namespace twinbed::harness {
namespace {

// Timeline geometry, in SVG user units (the page scales the SVG to its width).
constexpr double WIDTH = 1100.0;
constexpr double LABEL_WIDTH = 150.0;      // class names, strip titles, series legends
constexpr double PLOT_RIGHT = WIDTH - 12.0;
constexpr double LANE_HEIGHT = 10.0;
constexpr double ALARM_LANE_HEIGHT = 14.0;
constexpr double STRIP_HEIGHT = 62.0;
constexpr double GAP = 8.0;
constexpr double AXIS_HEIGHT = 18.0;
constexpr int TIME_TICKS = 12;
constexpr std::size_t MAX_LEGEND_SERIES = 3;
constexpr std::size_t DOT_LIMIT = 120;  // a sparse series (NIBP) also draws its points as dots

std::string time_of(std::int64_t ns) {
  const std::int64_t s = ns / 1'000'000'000;
  return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
}

struct TimeAxis {
  std::int64_t duration_ns;
  double x(std::int64_t ns) const {
    const double share = duration_ns > 0 ? static_cast<double>(ns) / static_cast<double>(duration_ns) : 0.0;
    return LABEL_WIDTH + std::clamp(share, 0.0, 1.0) * (PLOT_RIGHT - LABEL_WIDTH);
  }
};

// The path of a binned series; `dots` collects its points when the series is sparse.
std::string series_path(const std::vector<MinMaxSeries::Point>& points, const TimeAxis& axis, const Scale& y) {
  std::string d;
  for (const MinMaxSeries::Point& p : points) {
    d += p.starts_segment ? 'M' : 'L';
    d += coord(axis.x(p.time_ns));
    d += ' ';
    d += coord(y(p.value));
  }
  return d;
}

std::string draw_series(const MinMaxSeries& series, std::size_t bins, const TimeAxis& axis, const Scale& y,
                        const std::string& colour, const std::string& extra) {
  // A gap longer than 5 mean sample intervals (or 2.5 bins) breaks the line: lost packets of a
  // 1 Hz oximeter are bridged, a probe off for minutes is not.
  const double mean_interval = static_cast<double>(axis.duration_ns) / static_cast<double>(std::max<std::uint64_t>(1, series.count()));
  const double bin_ns = static_cast<double>(axis.duration_ns) / static_cast<double>(bins);
  const auto gap_ns = static_cast<std::int64_t>(std::max(5.0 * mean_interval, 2.5 * bin_ns));
  const std::vector<MinMaxSeries::Point> points = series.points(bins, gap_ns);
  std::string svg = fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\"{}/>", series_path(points, axis, y), colour, extra);
  if (points.size() <= DOT_LIMIT) {
    svg += fmt::format("<g fill=\"{}\">", colour);
    for (const MinMaxSeries::Point& p : points)
      svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"1.8\"/>", coord(axis.x(p.time_ns)), coord(y(p.value)));
    svg += "</g>";
  }
  return svg;
}

bool is_suppressed_outcome(const std::string& outcome) { return outcome.rfind("suppressed", 0) == 0; }

// Event classes of one patient in lane order: ground-truth classes as ranked in ground-truth.md's
// table (colour table order), technical classes after them alphabetically.
std::vector<std::string> lane_classes(const ReportData& data, std::uint32_t patient) {
  std::set<std::string> physiological, technical;
  for (const ReportEvent& e : data.events) {
    if (e.patient != patient) continue;
    (e.technical ? technical : physiological).insert(e.event_class);
  }
  std::vector<std::string> order(physiological.begin(), physiological.end());
  order.insert(order.end(), technical.begin(), technical.end());
  return order;
}

}  // namespace

std::string outcome_colour(const std::string& outcome) {
  static const std::map<std::string, std::string> COLOURS{
      {"true_positive", "#1a9850"},   {"repeat", "#91cf60"},          {"false_positive", "#d73027"},
      {"ignored", "#8c8c8c"},         {"unmapped", "#7570b3"},        {"suppressed_true", "#f46d43"},
      {"suppressed_false", "#8c8c8c"}};
  const auto found = COLOURS.find(outcome);
  return found != COLOURS.end() ? found->second : std::string("#4d4d4d");
}

std::string outcome_bar_svg(const std::vector<ReportAlarm>& alarms) {
  constexpr double W = 760.0, LEFT = 4.0, RIGHT = W - 4.0, BAR = 18.0;
  static const std::vector<std::string> ORDER{"true_positive", "repeat",          "false_positive",  "ignored",
                                              "unmapped",      "suppressed_true", "suppressed_false"};
  std::map<std::string, std::size_t> counts;
  for (const ReportAlarm& a : alarms) ++counts[a.outcome];
  std::string svg = fmt::format("<svg class=\"chart\" viewBox=\"0 0 {} 44\" role=\"img\" aria-label=\"alarms by outcome\">", coord(W));
  if (alarms.empty()) {
    svg += fmt::format("<rect x=\"{}\" y=\"2\" width=\"{}\" height=\"{}\" fill=\"#eee\"/>", coord(LEFT), coord(RIGHT - LEFT), coord(BAR));
    return svg + "<text x=\"10\" y=\"15\">no alarms raised</text></svg>";
  }
  double x = LEFT, legend_x = LEFT;
  for (const std::string& outcome : ORDER) {
    const auto found = counts.find(outcome);
    if (found == counts.end()) continue;
    const double width = (RIGHT - LEFT) * static_cast<double>(found->second) / static_cast<double>(alarms.size());
    svg += fmt::format("<rect x=\"{}\" y=\"2\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {}</title></rect>", coord(x),
                       coord(width), coord(BAR), outcome_colour(outcome), outcome, found->second);
    const std::string label = fmt::format("{} {}", outcome, found->second);
    svg += fmt::format("<rect x=\"{}\" y=\"28\" width=\"9\" height=\"9\" fill=\"{}\"/><text x=\"{}\" y=\"36\">{}</text>",
                       coord(legend_x), outcome_colour(outcome), coord(legend_x + 12.0), label);
    x += width;
    legend_x += 24.0 + 5.4 * static_cast<double>(label.size());
  }
  return svg + "</svg>";
}

std::string alarm_legend_svg() {
  const std::vector<std::pair<std::string, std::string>> items{
      {"true_positive", "true alarm"},         {"repeat", "repeat"},
      {"false_positive", "false alarm"},       {"ignored", "ignored / unscored event"},
      {"unmapped", "unmapped type"},           {"suppressed_true", "suppressed, would have been true"},
      {"suppressed_false", "suppressed, would have been false"}};
  std::string svg = "<svg class=\"legend\" viewBox=\"0 0 1100 18\" role=\"img\" aria-label=\"alarm symbols\">";
  double x = 4.0;
  for (const auto& [outcome, text] : items) {
    const std::string colour = outcome_colour(outcome);
    if (is_suppressed_outcome(outcome)) {
      svg += fmt::format("<circle cx=\"{}\" cy=\"9\" r=\"3.5\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>", coord(x + 4), colour);
    } else {
      svg += fmt::format("<path d=\"M{} 5h8l-4 8z\" fill=\"{}\"/>", coord(x), colour);
    }
    svg += fmt::format("<text x=\"{}\" y=\"13\">{}</text>", coord(x + 12), html_escape(text));
    x += 26.0 + 5.4 * static_cast<double>(text.size());
  }
  return svg + "</svg>";
}

std::string timeline_svg(const ReportData& data, const PatientTimeline& timeline) {
  const ReportPatient& patient = data.patients[timeline.patient];
  const TimeAxis axis{std::max<std::int64_t>(1, data.duration_ns)};
  const std::vector<std::string> classes = lane_classes(data, patient.index);
  std::vector<std::size_t> strips;
  for (std::size_t s = 0; s < STRIP_COUNT; ++s) {
    if (!timeline.measured[s].empty()) strips.push_back(s);
  }
  const double lanes_top = 4.0;
  const double alarm_top = lanes_top + LANE_HEIGHT * static_cast<double>(classes.size()) + (classes.empty() ? 0.0 : 4.0);
  const double strips_top = alarm_top + (data.has_alarms ? ALARM_LANE_HEIGHT + 4.0 : 0.0);
  const double strips_bottom = strips_top + static_cast<double>(strips.size()) * (STRIP_HEIGHT + GAP);
  const double height = strips_bottom + AXIS_HEIGHT + (strips.empty() ? 16.0 : 0.0);
  std::string svg = fmt::format(
      "<svg class=\"timeline\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"timeline of patient {}\">", coord(WIDTH),
      coord(height), html_escape(patient.id));

  // Time grid and labels, shared by every lane and strip.
  const std::int64_t step = time_step_ns(axis.duration_ns, TIME_TICKS);
  svg += "<g class=\"grid\">";
  for (std::int64_t t = 0; t <= axis.duration_ns; t += step) {
    svg += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>", coord(axis.x(t)), coord(lanes_top),
                       coord(strips_bottom));
  }
  svg += "</g><g class=\"axis\">";
  for (std::int64_t t = 0; t <= axis.duration_ns; t += step) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", coord(axis.x(t)),
                       coord(strips_bottom + 12.0), time_label(t, axis.duration_ns));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", coord(LABEL_WIDTH - 22.0),
                     coord(strips_bottom + 12.0), time_unit(axis.duration_ns));
  svg += "</g>";

  // Event lane: one row per class; missed events outlined in red, unscored ones paler.
  for (std::size_t row = 0; row < classes.size(); ++row) {
    const double y = lanes_top + LANE_HEIGHT * static_cast<double>(row);
    const std::string colour = class_colour(classes[row]);
    svg += fmt::format("<text class=\"lane\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", coord(LABEL_WIDTH - 4.0),
                       coord(y + 8.0), html_escape(classes[row]));
    svg += fmt::format("<g fill=\"{}\">", colour);
    for (const ReportEvent& e : data.events) {
      if (e.patient != patient.index || e.event_class != classes[row]) continue;
      const double x0 = axis.x(e.onset_ns);
      const double width = std::max(1.0, axis.x(e.offset_ns) - x0);
      const char* state = !e.detected ? "" : (*e.detected ? " (detected)" : " (missed)");
      const char* style = !e.detected ? "" : (*e.detected ? "" : " class=\"missed\"");
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{}><title>{} {} to {}{}</title></rect>",
                         coord(x0), coord(y + 1.0), coord(width), coord(LANE_HEIGHT - 2.0), style,
                         html_escape(e.event_class), time_of(e.onset_ns), time_of(e.offset_ns), state);
    }
    svg += "</g>";
  }

  // Alarm lane: one symbol per alarm, alarms on the same pixel and outcome drawn once with a count.
  if (data.has_alarms) {
    const double y = alarm_top;
    svg += fmt::format("<text class=\"lane\" x=\"{}\" y=\"{}\" text-anchor=\"end\">alarms</text>", coord(LABEL_WIDTH - 4.0),
                       coord(y + 10.0));
    std::map<std::pair<long, std::string>, std::pair<std::size_t, const ReportAlarm*>> marks;
    for (const ReportAlarm& a : data.alarms) {
      if (a.patient != patient.index) continue;
      auto& mark = marks[{std::lround(axis.x(a.time_ns)), a.outcome}];
      if (mark.first++ == 0) mark.second = &a;
    }
    for (const auto& [key, mark] : marks) {
      const ReportAlarm& a = *mark.second;
      const std::string colour = outcome_colour(a.outcome);
      std::string title = fmt::format("{} {} ({}) {}", time_of(a.time_ns), a.type, a.priority, a.outcome);
      if (a.cause != "none" && !a.cause.empty()) title += ", cause " + a.cause;
      if (!a.detail.empty()) title += ": " + a.detail;
      if (mark.first > 1) title += fmt::format(" [{} alarms here]", mark.first);
      const double x = static_cast<double>(key.first);
      if (a.suppressed) {
        svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3.2\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.4\"><title>{}</title></circle>",
                           coord(x), coord(y + 7.0), colour, html_escape(title));
      } else {
        svg += fmt::format("<path d=\"M{} {}h8l-4 8z\" fill=\"{}\"><title>{}</title></path>", coord(x - 4.0), coord(y + 3.0),
                           colour, html_escape(title));
      }
    }
  }

  // Vital-sign strips: event bands of the strip's classes, the true value in grey, the measured
  // series in colour.
  for (std::size_t k = 0; k < strips.size(); ++k) {
    const std::size_t s = strips[k];
    const StripInfo& info = strip_info(static_cast<Strip>(s));
    const double top = strips_top + static_cast<double>(k) * (STRIP_HEIGHT + GAP);
    const std::vector<ReportSeries>& measured = timeline.measured[s];
    double lo = measured.front().values.min(), hi = measured.front().values.max();
    for (const ReportSeries& series : measured) {
      lo = std::min(lo, series.values.min());
      hi = std::max(hi, series.values.max());
    }
    const std::optional<MinMaxSeries>& truth = timeline.truth[s];
    if (truth && !truth->empty()) {
      lo = std::min(lo, truth->min());
      hi = std::max(hi, truth->max());
    }
    if (hi - lo < 1e-9) {
      lo -= 1.0;
      hi += 1.0;
    }
    const double pad = 0.06 * (hi - lo);
    const Scale y{lo - pad, hi + pad, top + STRIP_HEIGHT, top, false};
    svg += fmt::format("<rect class=\"strip\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>", coord(LABEL_WIDTH), coord(top),
                       coord(PLOT_RIGHT - LABEL_WIDTH), coord(STRIP_HEIGHT));
    for (const ReportEvent& e : data.events) {
      if (e.patient != patient.index || strip_of_class(e.event_class) != static_cast<Strip>(s)) continue;
      const double x0 = axis.x(e.onset_ns);
      svg += fmt::format("<rect class=\"band\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>", coord(x0),
                         coord(top), coord(std::max(1.0, axis.x(e.offset_ns) - x0)), coord(STRIP_HEIGHT),
                         class_colour(e.event_class));
    }
    svg += "<g class=\"yaxis\">";
    for (const double tick : nice_ticks(lo, hi, 3)) {
      svg += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/><text x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>",
                         coord(LABEL_WIDTH), coord(PLOT_RIGHT), coord(y(tick)), coord(LABEL_WIDTH - 3.0),
                         coord(y(tick) + 3.0), tick_label(tick));
    }
    svg += "</g>";
    svg += fmt::format("<text class=\"strip-title\" x=\"4\" y=\"{}\">{} <tspan>{}</tspan></text>", coord(top + 11.0),
                       info.title, html_escape(info.unit));
    const std::size_t series_count = measured.size() + (truth && !truth->empty() ? 1 : 0);
    const std::size_t bins = MinMaxSeries::BINS / series_count;  // <= 1500 points per strip
    if (truth && !truth->empty()) svg += draw_series(*truth, bins, axis, y, "#a0a0a0", " class=\"truth\"");
    for (std::size_t i = 0; i < measured.size(); ++i) {
      svg += draw_series(measured[i].values, bins, axis, y, series_colour(i), "");
      if (i < MAX_LEGEND_SERIES) {
        std::string label = measured[i].label;
        if (label.size() > 22) label = label.substr(0, 21) + "…";
        svg += fmt::format("<text class=\"series\" x=\"4\" y=\"{}\" fill=\"{}\">{}</text>",
                           coord(top + 23.0 + 10.0 * static_cast<double>(i)), series_colour(i), html_escape(label));
      }
    }
    if (truth && !truth->empty() && measured.size() < MAX_LEGEND_SERIES) {
      svg += fmt::format("<text class=\"series\" x=\"4\" y=\"{}\" fill=\"#808080\">true value</text>",
                         coord(top + 23.0 + 10.0 * static_cast<double>(measured.size())));
    }
  }
  if (strips.empty()) {
    svg += fmt::format("<text class=\"lane\" x=\"{}\" y=\"{}\">no vital signs measured for this patient</text>",
                       coord(LABEL_WIDTH), coord(strips_top + 10.0));
  }
  return svg + "</svg>";
}

std::string latency_cdf_svg(const ReportData& data) {
  constexpr double W = 760.0, H = 260.0, LEFT = 56.0, RIGHT = W - 16.0, TOP = 12.0, BOTTOM = H - 40.0;
  constexpr int STEPS = 200;  // quantiles drawn per curve: a step every 0.5 %
  std::vector<std::pair<std::string, const LatencyHistogram*>> curves;
  for (const auto& [type, histogram] : data.latency_by_type) {
    if (histogram.count() > 0) curves.emplace_back(type, &histogram);
  }
  if (curves.size() > 1) curves.emplace_back("all devices", &data.latency_all);
  // x range: from the smallest positive latency to the largest, on a log axis when they differ
  // by more than 20x (a LAN and a cellular uplink in one run), else linear from 0.
  double smallest = 0.0, largest = 0.0;
  for (const auto& [name, histogram] : curves) {
    largest = std::max(largest, histogram->max().seconds());
    for (int i = 0; i <= STEPS; ++i) {
      const double v = histogram->quantile(static_cast<double>(i) / STEPS).seconds();
      if (v > 0.0 && (smallest == 0.0 || v < smallest)) smallest = v;
    }
  }
  const bool log = smallest > 0.0 && largest / smallest > 20.0;
  Scale x{0.0, largest > 0.0 ? largest * 1.08 : 1.0, LEFT, RIGHT, false};
  if (log) x = Scale{std::pow(10.0, std::floor(std::log10(smallest))), std::pow(10.0, std::ceil(std::log10(largest))), LEFT, RIGHT, true};
  const Scale y{0.0, 1.0, BOTTOM, TOP, false};

  std::string svg = fmt::format("<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"latency CDF\">", coord(W), coord(H));
  svg += "<g class=\"grid\">";
  for (const double q : {0.0, 0.25, 0.5, 0.75, 0.95, 1.0})
    svg += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>", coord(LEFT), coord(RIGHT), coord(y(q)));
  svg += "</g><g class=\"axis\">";
  for (const double q : {0.0, 0.25, 0.5, 0.75, 0.95, 1.0})
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", coord(LEFT - 4.0), coord(y(q) + 3.0), tick_label(q));
  const std::vector<double> ticks = log ? decade_ticks(x.lo, x.hi) : nice_ticks(x.lo, x.hi, 8);
  for (const double t : ticks) {
    svg += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" class=\"tick\"/><text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
                       coord(x(t)), coord(BOTTOM), coord(BOTTOM + 4.0), coord(BOTTOM + 15.0), tick_label(t));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">end-to-end latency, delivery − sample time (s{})</text>",
                     coord((LEFT + RIGHT) / 2.0), coord(H - 8.0), log ? ", log scale" : "");
  svg += fmt::format("<text x=\"12\" y=\"{}\" transform=\"rotate(-90 12 {})\" text-anchor=\"middle\">share of readings</text>",
                     coord((TOP + BOTTOM) / 2.0), coord((TOP + BOTTOM) / 2.0));
  svg += "</g>";
  for (std::size_t c = 0; c < curves.size(); ++c) {
    const LatencyHistogram& h = *curves[c].second;
    const std::string colour = c + 1 == curves.size() && curves.size() > 1 ? "#252525" : series_colour(c);
    // Step plot of the empirical CDF through its quantiles: at quantile(q) the share jumps to q.
    std::string d = fmt::format("M{} {}", coord(x(std::max(h.min().seconds(), x.lo))), coord(y(0.0)));
    for (int i = 1; i <= STEPS; ++i) {
      const double q = static_cast<double>(i) / STEPS;
      d += fmt::format("H{}V{}", coord(x(std::max(h.quantile(q).seconds(), x.lo))), coord(y(q)));
    }
    svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"/>", d, colour);
    svg += fmt::format("<text class=\"series\" x=\"{}\" y=\"{}\" fill=\"{}\">{}: {} readings, p50 {} s, p95 {} s, p99 {} s</text>",
                       coord(LEFT + 8.0), coord(TOP + 14.0 + 12.0 * static_cast<double>(c)), colour,
                       html_escape(curves[c].first), h.count(), tick_label(h.quantile(0.5).seconds()),
                       tick_label(h.quantile(0.95).seconds()), tick_label(h.quantile(0.99).seconds()));
  }
  return svg + "</svg>";
}

std::string completeness_svg(const std::vector<CompletenessRow>& rows) {
  constexpr double W = 760.0, LEFT = 170.0, RIGHT = W - 70.0, ROW = 24.0, TOP = 8.0;
  const double height = TOP + ROW * static_cast<double>(rows.size()) + 28.0;
  double lowest = 1.0;
  for (const CompletenessRow& r : rows) lowest = std::min(lowest, r.completeness);
  // The axis starts at a round tenth below the worst type, so 99.4 % and 99.9 % look different.
  const double lo = std::clamp(std::floor(lowest * 10.0 - 1e-9) / 10.0, 0.0, 0.9);
  const Scale x{lo, 1.0, LEFT, RIGHT, false};
  std::string svg = fmt::format("<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"completeness per device type\">",
                                coord(W), coord(height));
  const double axis_y = TOP + ROW * static_cast<double>(rows.size());
  svg += "<g class=\"grid\">";
  for (const double t : nice_ticks(lo, 1.0, 5))
    svg += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>", coord(x(t)), coord(TOP), coord(axis_y));
  svg += "</g><g class=\"axis\">";
  for (const double t : nice_ticks(lo, 1.0, 5))
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{} %</text>", coord(x(t)), coord(axis_y + 13.0), tick_label(t * 100.0));
  svg += "</g>";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CompletenessRow& r = rows[i];
    const double top = TOP + ROW * static_cast<double>(i);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", coord(LEFT - 6.0), coord(top + 15.0),
                       html_escape(r.device_type));
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {} of {} readings</title></rect>",
                       coord(LEFT), coord(top + 4.0), coord(std::max(0.5, x(r.completeness) - LEFT)), coord(ROW - 8.0),
                       series_colour(i), html_escape(r.device_type), r.received, r.generated);
    svg += fmt::format("<text x=\"{}\" y=\"{}\">{:.3f} %</text>", coord(RIGHT + 4.0), coord(top + 15.0), r.completeness * 100.0);
  }
  return svg + "</svg>";
}

}  // namespace twinbed::harness
