#pragma once
// harness::TechnicalWatch: the reference monitor's technical alarms (IEC 60601-1-8 "technical
// alarm conditions"), the same in naive and smart mode, one annunciation per device:
//   no_data      nothing delivered from a device for max(no_data_factor x its sample interval (or
//                its report interval when it batches), no_data_min) of virtual time, raised at the tick that sees it, ended by the next
//                delivery; devices without a regular interval are not watched;
//   lead_off     an ECG device's blocks or heart-rate readings flagged sensor-off for
//                lead_off_delay (sample time);
//   probe_off    the same for any other device's readings;
//   low_battery  a device_alert reading with AlertCode::low_battery, or a battery_level reading at
//                or below LOW_BATTERY_PERCENT;
//   forwarded device alerts, under the AlertCode's name (occlusion, vt_episode, ...).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "devices/Device.hpp"
#include "harness/AlarmBoard.hpp"
#include "harness/AlarmCondition.hpp"
#include "harness/Monitor.hpp"
#include "harness/ReferenceMonitor.hpp"
#include "network/Packet.hpp"

namespace twinbed::harness {

// IEC 60601-1-8 leaves the limit to the manufacturer; 10 % is the usual "battery low" warning of
// wearable monitors (e.g. Philips IntelliVue MX40: "Battery Low" at about 10 % charge left).
inline constexpr double LOW_BATTERY_PERCENT = 10.0;

// The alarm a device_alert reading is forwarded as: its AlertCode's name and priority. nullopt for
// informational alerts (infusion started/stopped, rate changed) and for low_battery, which the
// watch raises as "low_battery".
struct ForwardedAlert {
  std::string_view type;
  Priority priority = Priority::low;
};
std::optional<ForwardedAlert> forwarded_alert(devices::AlertCode code, Priority technical_priority);

class TechnicalWatch {
public:
  TechnicalWatch(const TechnicalRule& rule, const MonitorContext& context, AlarmBoard& board);

  // A packet of `device` was delivered: ends its no-data alarm and looks at its flags and alerts.
  void delivered(const network::Packet& packet, sim::Time delivered);
  // Raises no_data for the devices silent for longer than their limit.
  void tick(sim::Time now);

  // The no-data limit of a device with this sample interval (zero: not watched).
  sim::Time no_data_limit(sim::Time sample_interval) const;

private:
  struct DeviceState {
    std::uint32_t patient = 0;
    bool ecg = false;          // reports an ECG: sensor-off is "lead_off"
    sim::Time limit;           // no-data limit; zero = not watched
    std::optional<sim::Time> last_delivery;
    bool silent = false;       // no_data condition active
    AlarmCondition sensor_off;
    AlarmCondition battery;
  };
  DeviceState& device(std::uint32_t index, std::uint32_t patient);
  // Feeds a device-scoped condition and tells the board when it starts and ends; true when due.
  bool condition_due(const AlarmKey& key, AlarmCondition& condition, sim::Time sample_time, bool met, sim::Time delivered);
  // Offers the due alarm of `key` and settles its episode.
  void offer(const AlarmKey& key, AlarmCondition& condition, sim::Time delivered, double value, std::string detail);
  void sensor_flag(std::uint32_t index, DeviceState& state, sim::Time sample_time, bool off, sim::Time delivered);
  void battery_level(std::uint32_t index, DeviceState& state, const network::Reading& reading, sim::Time delivered);
  void device_alert(std::uint32_t index, DeviceState& state, const network::Reading& reading, sim::Time delivered);

  TechnicalRule rule_;
  AlarmBoard& board_;
  std::vector<DeviceState> devices_;
  std::optional<sim::Time> start_;  // the first instant the watch saw: a silent device counts from it
};

}  // namespace twinbed::harness
