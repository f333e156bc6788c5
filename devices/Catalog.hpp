#pragma once
// devices::catalog: every device type twinbed simulates, with its parameter table (name, unit,
// default, range, source), the signals it reports and the faults it models. The scenario loader,
// `twinbed catalog` and docs/devices.md all read this one table.
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "devices/Faults.hpp"
#include "sim/Params.hpp"
#include "physiology/Signal.hpp"

namespace twinbed::devices {

class Device;
struct DeviceSetup;

// Stored as a HDF5 enum in /devices: append new types at the end.
enum class DeviceType : std::uint8_t {
  pulse_oximeter = 0,
  ecg_patch = 1,
  nibp_cuff = 2,
  thermometer = 3,
  skin_temp_patch = 4,
  cgm = 5,
  insulin_pump = 6,
  smartwatch = 7,
  weight_scale = 8,
  cardiac_implant = 9,
  bedside_monitor = 10,
  infusion_pump = 11,
};

struct DeviceTypeInfo {
  DeviceType type = DeviceType::pulse_oximeter;
  std::string_view name;
  std::string_view description;
  std::string_view default_name;  // the device's name in its id when the scenario gives none
  bool needs_ecg = false;         // the patient must synthesise an ECG for it
  std::vector<physiology::Signal> signals;  // what it reports
  std::vector<FaultKind> faults;            // what the scenario may inject (`faults:`)
  std::vector<sim::ParamInfo> params;            // its own parameters, then the common ones
  std::unique_ptr<Device> (*make)(DeviceSetup setup) = nullptr;
};

// The catalogue in DeviceType order.
const std::vector<DeviceTypeInfo>& device_catalog();
const DeviceTypeInfo& device_type_info(DeviceType type);
std::optional<DeviceType> device_type_from_name(std::string_view name);

// The parameters every device has (schedule, battery, clock, firmware) with per-type defaults.
struct CommonDefaults {
  double sample_interval_s = 1.0;    // 0 = on demand only
  double battery_capacity_mah = 0.0; // 0 = mains powered
  double idle_current_ua = 0.0;
  double charge_per_sample_uah = 0.0;
  double charge_per_packet_uah = 0.0;
  double buffer_capacity = 1000.0;   // readings and waveform blocks
  double batch_readings = 1.0;
  double batch_interval_s = 0.0;
  double max_retries = 0.0;
  double ack_timeout_s = 2.0;
  double header_bytes = 16.0;
  double bytes_per_reading = 8.0;
  bool motion_artifacts = false;
  double adherence = 1.0;
  double delay_max_s = 0.0;
  double battery_report_interval_s = 0.0;
};
// `own` followed by the common parameters with `defaults`.
std::vector<sim::ParamInfo> with_common_params(std::vector<sim::ParamInfo> own, const CommonDefaults& defaults);

// The catalogue as Markdown (docs/devices.md's generated part) and as plain text (`twinbed catalog`).
std::string catalog_markdown();
std::string catalog_text(std::optional<DeviceType> only = std::nullopt);

}  // namespace twinbed::devices
