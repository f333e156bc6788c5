#include "devices/Catalog.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "devices/Device.hpp"

namespace twinbed::devices {

// Each type's table lives next to its model (devices/<Type>.cpp).
const DeviceTypeInfo& pulse_oximeter_type();
const DeviceTypeInfo& cgm_type();
const DeviceTypeInfo& insulin_pump_type();
const DeviceTypeInfo& nibp_cuff_type();
const DeviceTypeInfo& thermometer_type();
const DeviceTypeInfo& skin_temp_patch_type();
const DeviceTypeInfo& weight_scale_type();
const DeviceTypeInfo& cardiac_implant_type();
const DeviceTypeInfo& infusion_pump_type();
const DeviceTypeInfo& smartwatch_type();
const DeviceTypeInfo& ecg_patch_type();
const DeviceTypeInfo& bedside_monitor_type();

namespace {
constexpr double DAY_S = 86400.0;

std::vector<DeviceTypeInfo> build_catalog() {
  std::vector<DeviceTypeInfo> catalog;
  for (const DeviceTypeInfo* info : {&pulse_oximeter_type(), &cgm_type(), &insulin_pump_type(), &nibp_cuff_type(),
                                     &thermometer_type(), &skin_temp_patch_type(), &weight_scale_type(),
                                     &cardiac_implant_type(), &infusion_pump_type(), &smartwatch_type(),
                                     &ecg_patch_type(), &bedside_monitor_type()}) {
    catalog.push_back(*info);
  }
  std::sort(catalog.begin(), catalog.end(),
            [](const DeviceTypeInfo& a, const DeviceTypeInfo& b) { return a.type < b.type; });
  return catalog;
}
}  // namespace

std::vector<sim::ParamInfo> with_common_params(std::vector<sim::ParamInfo> own, const CommonDefaults& d) {
  using K = sim::ParamKind;
  const std::vector<sim::ParamInfo> common{
      {"sample_interval", K::duration, "", d.sample_interval_s, 0.0, 366 * DAY_S,
       "time between measurements; 0 = on demand or times_of_day only", "type default (see description)"},
      {"sample_jitter", K::duration, "", 0.0, 0.0, DAY_S,
       "each interval varies uniformly by +/- this much", "scenario choice"},
      {"adherence", K::probability, "", d.adherence, 0.0, 1.0,
       "probability the patient takes a scheduled measurement (home devices)", "scenario choice"},
      {"delay_max", K::duration, "", d.delay_max_s, 0.0, DAY_S,
       "a taken measurement happens uniformly 0..delay_max after its scheduled time", "scenario choice"},
      {"battery_capacity_mah", K::number, "mAh", d.battery_capacity_mah, 0.0, 1e6,
       "battery capacity; 0 = mains powered", "type default (datasheet class)"},
      {"idle_current_ua", K::number, "uA", d.idle_current_ua, 0.0, 1e7, "current drawn between events", "type default"},
      {"charge_per_sample_uah", K::number, "uAh", d.charge_per_sample_uah, 0.0, 1e6, "charge one measurement costs",
       "type default"},
      {"charge_per_packet_uah", K::number, "uAh", d.charge_per_packet_uah, 0.0, 1e6,
       "charge one transmission (or retransmission) costs", "type default"},
      {"low_battery_level", K::probability, "", 0.1, 0.0, 1.0,
       "battery fraction at which the device warns (battery_low fault, low_battery alert)", "common practice: 10 %"},
      {"battery_report_interval", K::duration, "", d.battery_report_interval_s, 0.0, 366 * DAY_S,
       "a battery_level reading with the first measurement after each interval; 0 = never", "scenario choice"},
      {"clock_offset_s", K::number, "s", 0.0, -DAY_S, DAY_S, "device clock minus true time at the start",
       "scenario choice"},
      {"clock_drift_ppm", K::number, "ppm", 0.0, -1000.0, 1000.0,
       "device clock rate error; crystal oscillators are specified at +/-20-50 ppm", "crystal datasheets"},
      {"clock_resync_interval", K::duration, "", 0.0, 0.0, 366 * DAY_S,
       "the device resets its clock error to zero every interval (0 = never)", "scenario choice"},
      {"buffer_capacity", K::count, "", d.buffer_capacity, 1.0, 1e9,
       "readings and waveform blocks the firmware can hold while it cannot send", "type default"},
      {"overflow", K::choice, "", 0.0, 0.0, 1.0, "which reading a full buffer discards", "scenario choice",
       {"drop_oldest", "drop_newest"}},
      {"batch_readings", K::count, "", d.batch_readings, 1.0, 1e9, "send when this many readings wait", "type default"},
      {"batch_interval", K::duration, "", d.batch_interval_s, 0.0, 366 * DAY_S,
       "send at the latest this long after the first waiting reading; 0 = by count only", "type default"},
      {"max_retries", K::count, "", d.max_retries, 0.0, 100.0,
       "retransmissions of an unacknowledged packet; 0 = send and forget", "type default"},
      {"ack_timeout", K::duration, "", d.ack_timeout_s, 0.001, 3600.0, "wait for an acknowledgement before retrying",
       "scenario choice"},
      {"header_bytes", K::count, "", d.header_bytes, 0.0, 65535.0, "bytes per packet besides its readings",
       "type default"},
      {"bytes_per_reading", K::count, "", d.bytes_per_reading, 0.0, 65535.0, "bytes per reading in a packet",
       "type default"},
      {"bytes_per_sample", K::count, "", 2.0, 0.0, 8.0, "bytes per waveform sample (16-bit)", "type default"},
      {"motion_artifacts", K::flag, "", d.motion_artifacts ? 1.0 : 0.0, 0.0, 1.0,
       "the patient's active periods are motion artifacts for this device", "type default"},
  };
  own.insert(own.end(), common.begin(), common.end());
  return own;
}

const std::vector<DeviceTypeInfo>& device_catalog() {
  static const std::vector<DeviceTypeInfo> catalog = build_catalog();
  return catalog;
}

const DeviceTypeInfo& device_type_info(DeviceType type) {
  for (const DeviceTypeInfo& info : device_catalog()) {
    if (info.type == type) return info;
  }
  throw std::logic_error("device type missing from the catalogue");
}

std::optional<DeviceType> device_type_from_name(std::string_view name) {
  for (const DeviceTypeInfo& info : device_catalog()) {
    if (info.name == name) return info.type;
  }
  return std::nullopt;
}

namespace {
std::string join_signals(const DeviceTypeInfo& info) {
  std::string text;
  for (const physiology::Signal s : info.signals) {
    if (!text.empty()) text += ", ";
    text += physiology::signal_name(s);
  }
  return text;
}
std::string join_faults(const DeviceTypeInfo& info) {
  std::string text;
  for (const FaultKind k : info.faults) {
    if (!text.empty()) text += ", ";
    text += fault_kind_name(k);
  }
  return text.empty() ? "-" : text;
}
}  // namespace

std::string catalog_markdown() {
  std::string md;
  for (const DeviceTypeInfo& info : device_catalog()) {
    md += "### `" + std::string(info.name) + "`\n\n" + std::string(info.description) + "\n\n";
    md += "Reports: " + join_signals(info) + ". Injectable faults: " + join_faults(info) + ".\n\n";
    md += sim::param_table_markdown(info.params);
    md += "\n";
  }
  return md;
}

std::string catalog_text(std::optional<DeviceType> only) {
  std::string text;
  for (const DeviceTypeInfo& info : device_catalog()) {
    if (only && info.type != *only) continue;
    text += std::string(info.name) + ": " + std::string(info.description) + "\n";
    text += "  reports: " + join_signals(info) + "\n  faults: " + join_faults(info) + "\n";
    text += sim::param_table_text(info.params);
    text += "\n";
  }
  return text;
}

}  // namespace twinbed::devices
