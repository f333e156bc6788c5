#pragma once
// The inline SVG charts of report.html: a patient's timeline (event and alarm lanes over vital-sign
// strips), the latency CDF per device type and the completeness bars per device type. Each returns
// one <svg> element as text; harness/Report.cpp places them in the page.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/ReportData.hpp"

namespace twinbed::harness {

std::string timeline_svg(const ReportData& data, const PatientTimeline& timeline);
// The symbols of the alarm lane, explained once above the timelines.
std::string alarm_legend_svg();

std::string latency_cdf_svg(const ReportData& data);

struct CompletenessRow {
  std::string device_type;
  std::uint64_t devices = 0, generated = 0, received = 0;
  double completeness = 1.0;      // received / generated (1 when nothing was generated)
  std::string worst_device;       // the type's device with the lowest completeness
  double worst_completeness = 1.0;
  double max_gap_s = 0.0;
};
std::string completeness_svg(const std::vector<CompletenessRow>& rows);

// One stacked bar: every alarm of /alarms (suppressed candidates included) by outcome.
std::string outcome_bar_svg(const std::vector<ReportAlarm>& alarms);

// The outcome colour of an alarm in the alarm lane (and the alarm tables).
std::string outcome_colour(const std::string& outcome);

}  // namespace twinbed::harness
