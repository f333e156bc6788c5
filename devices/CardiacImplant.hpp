#pragma once
// devices::CardiacImplant: a pacemaker, ICD or implantable loop recorder followed by remote
// monitoring. It senses every beat (R wave) of the patient, detects ventricular tachycardia and
// fibrillation episodes with ICD-style rate zones and interval counters, estimates the AF burden
// from RR irregularity, tests its lead impedance daily and sends one summary transmission a day;
// episodes, shocks, lead faults and the elective-replacement battery level are sent at once.
// Not modelled: the effect of therapy on the patient (a shock does not end the VF, so the ICD
// redetects and shocks again up to max_shocks), anti-tachycardia pacing and VT therapy, the charge
// a shock takes from the battery, oversensing of a fractured lead, and brady pacing. The patient's
// beats carry no rhythm label: AF is estimated from RR irregularity (normalised RMSSD per window).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "devices/Device.hpp"

namespace twinbed::devices {

enum class ImplantKind : std::uint8_t { pacemaker = 0, icd = 1, loop_recorder = 2 };

// --- ventricular tachyarrhythmia detection (pure) ---------------------------------------------

// Rate zones and counters as an ICD is programmed (see the parameter table for the sources).
struct ZoneRules {
  double vt_rate_bpm = 170.0;        // intervals faster than this are in the VT zone
  double vf_rate_bpm = 250.0;        // ... and faster than this in the VF zone
  int vt_intervals = 16;             // VT: this many consecutive VT-zone intervals
  int vf_intervals = 18;             // VF: this many VF-zone intervals ...
  int vf_window = 24;                // ... among the last vf_window intervals
  int termination_intervals = 8;     // an episode ends after this many consecutive sinus intervals
};

enum class Zone : std::uint8_t { sinus, vt, vf };
Zone classify_interval(double rr_s, const ZoneRules& rules);

enum class TachyEvent : std::uint8_t { none, vt_detected, vf_detected, vf_redetected, episode_ended };

// The detector's counters. An episode in progress is `episode` (sinus = none).
struct TachyState {
  int vt_consecutive = 0;
  std::vector<bool> vf_history;  // ring of the last vf_window intervals: true = VF zone
  std::size_t vf_next = 0;
  int vf_count = 0;
  int sinus_consecutive = 0;
  Zone episode = Zone::sinus;
  bool awaiting_redetection = false;  // after a shock: VF must be detected again before the next
};

// Feeds one RR interval (s). Medtronic-style counting: a VT-zone interval extends the
// consecutive VT count, a sinus interval resets it, a VF-zone interval leaves it alone; VF is N of
// the last M intervals and takes priority. A VT episode that accelerates into VF is re-reported
// as VF.
TachyEvent feed_interval(TachyState& state, double rr_s, const ZoneRules& rules);
// After a shock: the VF counter starts afresh and VF must be redetected (the episode goes on).
void restart_vf_detection(TachyState& state);

// --- AF burden (pure) ------------------------------------------------------------------------

// Normalised RMSSD of RR intervals (RMSSD / mean RR). The irregularity measure of AF detectors
// (Dash et al., Ann Biomed Eng 2009: AF when RMSSD/mean RR >= 0.1 over short segments).
// Zero for fewer than two intervals.
double normalised_rmssd(std::span<const double> rr_s);

// --- the device --------------------------------------------------------------------------------

class CardiacImplant final : public Device {
public:
  // Scheduled remote transmissions (daily summaries); alerts come in between.
  sim::Time report_interval() const override { return transmission_interval_; }
  explicit CardiacImplant(DeviceSetup setup);

protected:
  void on_start(SampleContext& ctx) override;
  void measure(SampleContext& ctx, Output& out) override;
  // Battery at the elective replacement indicator (ERI): the low-battery level of an implant.
  AlertCode low_battery_alert() const override { return AlertCode::battery_eri; }

private:
  void sense(SampleContext& ctx, Output& out);
  void on_interval(sim::Time r_time, double rr_s, bool supraventricular_pair, Output& out);
  void close_af_window();
  void check_lead(SampleContext& ctx, Output& out, bool& lead_reported);
  void transmit_summary(Output& out, bool lead_reported);

  ImplantKind kind_;
  ZoneRules rules_;
  sim::Time charge_time_;
  std::uint64_t max_shocks_;
  sim::Time af_window_;
  double af_threshold_;
  sim::Time transmission_interval_, lead_check_interval_;
  double lead_ohm_, lead_sd_ohm_, lead_low_ohm_, lead_high_ohm_;
  bool has_battery_;

  // Sensing.
  sim::Time sensed_until_;                 // beats before this have been processed
  std::optional<physiology::PulseMark> last_beat_;
  std::vector<physiology::PulseMark> beat_buffer_;
  TachyState tachy_;
  std::optional<sim::Time> shock_at_;      // charging: the shock is due then
  bool shock_retry_set_ = false;           // the wake-up at shock_at_ is scheduled
  std::uint64_t shocks_in_episode_ = 0;

  // Since the last transmission.
  double rr_sum_s_ = 0.0;
  std::uint64_t rr_count_ = 0;
  double af_seconds_ = 0.0, monitored_af_seconds_ = 0.0;
  sim::Time af_window_start_;
  std::vector<double> af_window_rr_;

  // Schedules and latched alerts.
  sim::Time next_transmission_, next_lead_check_;
  double last_lead_ohm_;
  bool lead_alerted_ = false;
};

}  // namespace twinbed::devices
