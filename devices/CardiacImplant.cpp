#include "devices/CardiacImplant.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::devices {
namespace {
using physiology::Signal;

// An AF window is classified only when its RR intervals cover at least this share of it: a window
// lost to ectopy or a sensing gap says nothing about the rhythm (model assumption).
constexpr double AF_WINDOW_MIN_COVERAGE = 0.5;
}  // namespace

// --- pure models --------------------------------------------------------------------------------

Zone classify_interval(double rr_s, const ZoneRules& rules) {
  const double rate_bpm = 60.0 / rr_s;
  if (rate_bpm >= rules.vf_rate_bpm) return Zone::vf;
  if (rate_bpm >= rules.vt_rate_bpm) return Zone::vt;
  return Zone::sinus;
}

void restart_vf_detection(TachyState& state) {
  std::fill(state.vf_history.begin(), state.vf_history.end(), false);
  state.vf_next = 0;
  state.vf_count = 0;
  state.awaiting_redetection = true;
}

TachyEvent feed_interval(TachyState& state, double rr_s, const ZoneRules& rules) {
  const auto window = static_cast<std::size_t>(std::max(1, rules.vf_window));
  if (state.vf_history.size() != window) {
    state.vf_history.assign(window, false);
    state.vf_next = 0;
    state.vf_count = 0;
  }
  const Zone zone = classify_interval(rr_s, rules);
  if (state.vf_history[state.vf_next]) --state.vf_count;
  state.vf_history[state.vf_next] = zone == Zone::vf;
  if (zone == Zone::vf) ++state.vf_count;
  state.vf_next = (state.vf_next + 1) % window;
  if (zone == Zone::vt) ++state.vt_consecutive;
  if (zone == Zone::sinus) state.vt_consecutive = 0;
  state.sinus_consecutive = zone == Zone::sinus ? state.sinus_consecutive + 1 : 0;

  if (state.episode != Zone::sinus && state.sinus_consecutive >= rules.termination_intervals) {
    state.episode = Zone::sinus;
    state.vt_consecutive = 0;
    restart_vf_detection(state);
    state.awaiting_redetection = false;
    return TachyEvent::episode_ended;
  }
  if (state.vf_count >= rules.vf_intervals) {
    if (state.episode != Zone::vf) {
      state.episode = Zone::vf;
      state.awaiting_redetection = false;
      return TachyEvent::vf_detected;
    }
    if (state.awaiting_redetection) {
      state.awaiting_redetection = false;
      return TachyEvent::vf_redetected;
    }
    return TachyEvent::none;
  }
  if (state.episode == Zone::sinus && state.vt_consecutive >= rules.vt_intervals) {
    state.episode = Zone::vt;
    return TachyEvent::vt_detected;
  }
  return TachyEvent::none;
}

double normalised_rmssd(std::span<const double> rr_s) {
  if (rr_s.size() < 2) return 0.0;
  double sum = 0.0, sum_sq_diff = 0.0;
  for (std::size_t i = 0; i < rr_s.size(); ++i) {
    sum += rr_s[i];
    if (i > 0) sum_sq_diff += (rr_s[i] - rr_s[i - 1]) * (rr_s[i] - rr_s[i - 1]);
  }
  const double mean = sum / static_cast<double>(rr_s.size());
  const double rmssd = std::sqrt(sum_sq_diff / static_cast<double>(rr_s.size() - 1));
  return mean > 0.0 ? rmssd / mean : 0.0;
}

// --- catalogue ----------------------------------------------------------------------------------

const DeviceTypeInfo& cardiac_implant_type() {
  using K = sim::ParamKind;
  static const DeviceTypeInfo info{
      DeviceType::cardiac_implant,
      "cardiac_implant",
      "pacemaker, ICD or implantable loop recorder with remote monitoring: daily summary transmissions "
      "(mean heart rate, AF burden, lead impedance, battery) and immediate alerts for VT/VF episodes, "
      "shocks, lead impedance out of range and battery at elective replacement",
      "implant",
      false,
      {Signal::heart_rate, Signal::af_burden, Signal::lead_impedance, Signal::battery_level, Signal::device_alert},
      {FaultKind::lead_impedance, FaultKind::crash},
      with_common_params(
          {
              {"kind", K::choice, "", 1.0, 0.0, 2.0,
               "pacemaker and loop_recorder report episodes; only icd shocks; a loop recorder has no lead",
               "device classes (HRS/EHRA 2015 remote monitoring consensus, Slotwiner et al.)",
               {"pacemaker", "icd", "loop_recorder"}},
              {"vt_rate_bpm", K::number, "/min", 170.0, 100.0, 300.0, "lower rate of the VT detection zone",
               "typical VT zone programming 150-188 bpm (Medtronic nominal VT interval 400 ms; ADVANCE III)"},
              {"vf_rate_bpm", K::number, "/min", 250.0, 150.0, 400.0, "lower rate of the VF detection zone",
               "ADVANCE III (Gasparini et al., JAMA 2013): FVT 188-250 bpm, VF > 250 bpm"},
              {"vt_intervals", K::count, "", 16.0, 1.0, 200.0, "consecutive VT-zone intervals that detect VT",
               "Medtronic nominal VT NID 16 intervals"},
              {"vf_intervals", K::count, "", 18.0, 1.0, 200.0, "VF-zone intervals among the last vf_window",
               "Medtronic nominal VF NID 18/24 (ADVANCE III long detection: 30/40)"},
              {"vf_window", K::count, "", 24.0, 1.0, 200.0, "intervals the VF count looks back over",
               "Medtronic nominal VF NID 18/24"},
              {"termination_intervals", K::count, "", 8.0, 1.0, 200.0,
               "consecutive sinus intervals that end an episode", "Medtronic nominal: 8 consecutive normal intervals"},
              {"charge_time", K::duration, "", 8.0, 0.0, 60.0,
               "icd: capacitor charge from VF detection to the shock",
               "full-energy ICD charge times 5-10 s (manufacturer manuals)"},
              {"max_shocks", K::count, "", 6.0, 0.0, 10.0, "icd: shocks per episode at most",
               "Medtronic: up to 6 VF therapies per episode"},
              {"af_window", K::duration, "", 120.0, 10.0, 3600.0,
               "RR-irregularity window the AF burden is counted in",
               "Reveal LINQ AF detection in 2-min windows (Sarkar et al., Circ Arrhythm Electrophysiol 2008)"},
              {"af_nrmssd_threshold", K::number, "", 0.1, 0.0, 1.0,
               "a window is AF when RMSSD / mean RR of its non-ventricular intervals reaches this",
               "Dash et al., Ann Biomed Eng 2009: RMSSD/mean >= 0.1"},
              {"transmission_interval", K::duration, "", 86400.0, 60.0, 366.0 * 86400.0,
               "time between scheduled summary transmissions (from the implant's start)",
               "daily remote transmissions (HRS 2015 remote monitoring consensus; Biotronik Home Monitoring)"},
              {"lead_check_interval", K::duration, "", 86400.0, 60.0, 366.0 * 86400.0,
               "time between automatic lead impedance tests",
               "daily automatic lead impedance measurement (Medtronic, St Jude)"},
              {"lead_impedance_ohm", K::number, "ohm", 500.0, 50.0, 5000.0, "chronic pacing lead impedance",
               "typical chronic bipolar pacing impedance 300-1000 ohm (Ellenbogen, Clinical Cardiac Pacing)"},
              {"lead_impedance_sd_ohm", K::number, "ohm", 15.0, 0.0, 500.0, "test-to-test variation (1 SD)",
               "assumption: a few percent day-to-day variation of stable leads"},
              {"lead_impedance_low_ohm", K::number, "ohm", 200.0, 0.0, 5000.0,
               "impedance alert below this (insulation breach)",
               "typical alert limits 200-1500 ohm (Wilkoff et al., HRS/EHRA 2008 CIED monitoring consensus)"},
              {"lead_impedance_high_ohm", K::number, "ohm", 1500.0, 0.0, 10000.0,
               "impedance alert above this (conductor fracture)",
               "typical alert limits 200-1500 ohm (Wilkoff et al., HRS/EHRA 2008 CIED monitoring consensus)"},
          },
          // Sensing cycle 5 s: the patient keeps 20 s of beats (SENSOR_HISTORY). Battery of the ICD
          // class: 1.5 Ah at 18 uA plus a daily RF session assumed to cost 20 uAh (~0.8 uA) gives
          // ~9 years (ICD longevity 7-10 years; Li/SVO and Li/CFx-SVO cells of 1-2 Ah; a pacemaker
          // is ~1 Ah at ~8-10 uA). Non-urgent readings wait a day.
          CommonDefaults{.sample_interval_s = 5.0,
                         .battery_capacity_mah = 1500.0,
                         .idle_current_ua = 18.0,
                         .charge_per_packet_uah = 20.0,
                         .buffer_capacity = 10000.0,
                         .batch_readings = 1000.0,
                         .batch_interval_s = 86400.0,
                         .max_retries = 3.0,
                         .ack_timeout_s = 30.0}),
      [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<CardiacImplant>(std::move(setup)); }};
  return info;
}

// --- the device --------------------------------------------------------------------------------

CardiacImplant::CardiacImplant(DeviceSetup setup)
    : Device(std::move(setup)), kind_(static_cast<ImplantKind>(params().choice("kind"))),
      rules_{params().number("vt_rate_bpm"),
             params().number("vf_rate_bpm"),
             static_cast<int>(params().count("vt_intervals")),
             static_cast<int>(params().count("vf_intervals")),
             static_cast<int>(params().count("vf_window")),
             static_cast<int>(params().count("termination_intervals"))},
      charge_time_(params().duration("charge_time")), max_shocks_(params().count("max_shocks")),
      af_window_(params().duration("af_window")), af_threshold_(params().number("af_nrmssd_threshold")),
      transmission_interval_(params().duration("transmission_interval")),
      lead_check_interval_(params().duration("lead_check_interval")), lead_ohm_(params().number("lead_impedance_ohm")),
      lead_sd_ohm_(params().number("lead_impedance_sd_ohm")), lead_low_ohm_(params().number("lead_impedance_low_ohm")),
      lead_high_ohm_(params().number("lead_impedance_high_ohm")),
      has_battery_(params().number("battery_capacity_mah") > 0.0), last_lead_ohm_(lead_ohm_) {}

void CardiacImplant::on_start(SampleContext& ctx) {
  sensed_until_ = ctx.now;
  af_window_start_ = ctx.now;
  next_transmission_ = ctx.now + transmission_interval_;
  next_lead_check_ = ctx.now + lead_check_interval_;
}

void CardiacImplant::measure(SampleContext& ctx, Output& out) {
  sense(ctx, out);
  if (shock_at_ && ctx.now >= *shock_at_) {
    // Non-committed shock: delivered only if the VF episode is still going when the capacitors are
    // charged, otherwise aborted. The shock does not act on the patient (no therapy model).
    if (tachy_.episode == Zone::vf) {
      out.alert(AlertCode::shock_delivered);
      ++shocks_in_episode_;
      restart_vf_detection(tachy_);
    }
    shock_at_.reset();
  } else if (shock_at_ && !shock_retry_set_) {
    out.retry_in(*shock_at_ - ctx.now);  // wake up exactly when the charge completes
    shock_retry_set_ = true;
  }
  bool lead_reported = false;
  if (ctx.now >= next_lead_check_) {
    while (next_lead_check_ <= ctx.now) next_lead_check_ += lead_check_interval_;
    check_lead(ctx, out, lead_reported);
  }
  if (ctx.now >= next_transmission_) {
    while (next_transmission_ <= ctx.now) next_transmission_ += transmission_interval_;
    transmit_summary(out, lead_reported);
  }
}

void CardiacImplant::sense(SampleContext& ctx, Output& out) {
  sim::Time from = sensed_until_;
  if (from < ctx.now - physiology::SENSOR_HISTORY) {
    // A gap (crash): the beats are gone, and so is the interval across the gap.
    from = ctx.now - physiology::SENSOR_HISTORY;
    last_beat_.reset();
  }
  beat_buffer_.clear();
  ctx.patient.beats(from, ctx.now, beat_buffer_);
  sensed_until_ = ctx.now;
  for (const physiology::PulseMark& beat : beat_buffer_) {
    if (last_beat_) {
      const double rr_s = (beat.r_time - last_beat_->r_time).seconds();
      if (rr_s > 0.0) on_interval(beat.r_time, rr_s, !beat.ventricular && !last_beat_->ventricular, out);
    }
    last_beat_ = beat;
  }
}

void CardiacImplant::on_interval(sim::Time r_time, double rr_s, bool supraventricular_pair, Output& out) {
  rr_sum_s_ += rr_s;
  ++rr_count_;
  if (r_time >= af_window_start_ + af_window_) {
    close_af_window();
    af_window_start_ = r_time;
  }
  if (supraventricular_pair) af_window_rr_.push_back(rr_s);

  const bool icd = kind_ == ImplantKind::icd;
  const auto arm_shock = [&]() {
    if (icd && shocks_in_episode_ < max_shocks_ && !shock_at_) {
      shock_at_ = r_time + charge_time_;
      shock_retry_set_ = false;
    }
  };
  switch (feed_interval(tachy_, rr_s, rules_)) {
    case TachyEvent::vt_detected: out.alert(AlertCode::vt_episode); break;
    case TachyEvent::vf_detected:
      out.alert(AlertCode::vf_episode);
      arm_shock();
      break;
    case TachyEvent::vf_redetected: arm_shock(); break;
    case TachyEvent::episode_ended: shocks_in_episode_ = 0; break;
    case TachyEvent::none: break;
  }
}

void CardiacImplant::close_af_window() {
  double covered_s = 0.0;
  for (const double rr : af_window_rr_) covered_s += rr;
  if (covered_s >= AF_WINDOW_MIN_COVERAGE * af_window_.seconds()) {
    monitored_af_seconds_ += covered_s;
    if (normalised_rmssd(af_window_rr_) >= af_threshold_) af_seconds_ += covered_s;
  }
  af_window_rr_.clear();
}

void CardiacImplant::check_lead(SampleContext& ctx, Output& out, bool& lead_reported) {
  if (kind_ == ImplantKind::loop_recorder) return;  // a leadless implant
  const FaultState::Active& fault = ctx.faults.get(FaultKind::lead_impedance);
  const double true_ohm = fault.on ? fault.magnitude : lead_ohm_;
  last_lead_ohm_ = std::max(0.0, std::round(true_ohm + ctx.noise.normal(0.0, lead_sd_ohm_)));
  const bool out_of_range = last_lead_ohm_ < lead_low_ohm_ || last_lead_ohm_ > lead_high_ohm_;
  if (out_of_range && !lead_alerted_) {
    out.reading(Signal::lead_impedance, last_lead_ohm_);
    out.alert(AlertCode::lead_impedance);
    lead_reported = true;
  }
  lead_alerted_ = out_of_range;  // alert once per excursion; a test back in range re-arms it
}

void CardiacImplant::transmit_summary(Output& out, bool lead_reported) {
  if (rr_count_ > 0 && rr_sum_s_ > 0.0) {
    out.reading(Signal::heart_rate, 60.0 * static_cast<double>(rr_count_) / rr_sum_s_);
  }
  if (monitored_af_seconds_ > 0.0) out.reading(Signal::af_burden, 100.0 * af_seconds_ / monitored_af_seconds_);
  if (kind_ != ImplantKind::loop_recorder && !lead_reported) out.reading(Signal::lead_impedance, last_lead_ohm_);
  if (has_battery_) {
    out.reading(Signal::battery_level, std::round(100.0 * battery_fraction()));
  }
  out.flush_now();
  rr_sum_s_ = 0.0;
  rr_count_ = 0;
  af_seconds_ = 0.0;
  monitored_af_seconds_ = 0.0;
}

}  // namespace twinbed::devices
