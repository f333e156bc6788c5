#include "devices/NibpCuff.hpp"

#include <algorithm>
#include <cmath>

#include "devices/Measurement.hpp"

namespace twinbed::devices {
namespace {
// Adult display ranges of patient-monitor NIBP modules (Mindray-class specifications: systolic
// 40-270, diastolic 10-215, mean 20-235 mmHg), shown as whole mmHg.
constexpr Display SYSTOLIC_DISPLAY{1.0, 40.0, 270.0};
constexpr Display DIASTOLIC_DISPLAY{1.0, 10.0, 215.0};
constexpr Display MEAN_DISPLAY{1.0, 20.0, 235.0};

// The part of a derived component's SD that is not the MAP's (root of the variance difference).
double ratio_sd(double component_sd, double mean_sd) {
  return std::sqrt(std::max(0.0, component_sd * component_sd - mean_sd * mean_sd));
}
}  // namespace

BloodPressure nibp_values(const BloodPressure& truth, const NibpAccuracy& a, double z_mean, double z_systolic,
                          double z_diastolic, std::uint16_t flags[3]) {
  const double mean_error = a.mean_sd * z_mean;
  const double systolic_error = a.systolic_bias + mean_error + ratio_sd(a.systolic_sd, a.mean_sd) * z_systolic;
  const double diastolic_error = a.diastolic_bias + mean_error + ratio_sd(a.diastolic_sd, a.mean_sd) * z_diastolic;
  // The MAP's bias is that of the biased pressures' MAP (MAP = DBP + (SBP - DBP) / 3).
  const double mean_bias = (a.systolic_bias + 2.0 * a.diastolic_bias) / 3.0;
  BloodPressure out;
  out.systolic = measure(truth.systolic + systolic_error, 0.0, 0.0, SYSTOLIC_DISPLAY, flags[0]);
  out.diastolic = measure(truth.diastolic + diastolic_error, 0.0, 0.0, DIASTOLIC_DISPLAY, flags[1]);
  out.mean = measure(truth.mean + mean_bias + mean_error, 0.0, 0.0, MEAN_DISPLAY, flags[2]);
  return out;
}

double nibp_failure_probability(double base, double during_motion, bool motion, bool detached) {
  if (detached) return 1.0;  // no cuff on the arm: no oscillations to find
  if (!motion) return base;
  return 1.0 - (1.0 - base) * (1.0 - during_motion);
}

const DeviceTypeInfo& nibp_cuff_type() {
  using K = sim::ParamKind;
  static const DeviceTypeInfo info{
      DeviceType::nibp_cuff,
      "nibp_cuff",
      "oscillometric blood-pressure cuff (ward monitor or home monitor): systolic, diastolic and mean pressure; "
      "30-45 s per measurement, failed attempts retried",
      "nibp",
      false,
      {physiology::Signal::systolic_bp, physiology::Signal::diastolic_bp, physiology::Signal::mean_bp},
      {FaultKind::motion, FaultKind::detachment, FaultKind::crash, FaultKind::calibration_drift},
      with_common_params(
          {
              {"systolic_error_sd", K::number, "mmHg", 6.0, 0.0, 30.0, "systolic error (1 SD)",
               "ISO 81060-2: SD <= 8 mmHg; validated oscillometric devices typically 5-7 mmHg"},
              {"diastolic_error_sd", K::number, "mmHg", 5.0, 0.0, 30.0, "diastolic error (1 SD)",
               "ISO 81060-2: SD <= 8 mmHg; validated oscillometric devices typically 4-6 mmHg"},
              {"mean_error_sd", K::number, "mmHg", 4.0, 0.0, 30.0,
               "mean-pressure error (1 SD); the MAP is what oscillometry measures, systolic and diastolic are "
               "derived from it, so they share its error",
               "monitor manuals (Mindray, Comen NIBP chapters): the MAP is the most accurate oscillometric value"},
              {"systolic_bias", K::number, "mmHg", 0.0, -30.0, 30.0, "systolic mean error of this device",
               "ISO 81060-2: |mean error| <= 5 mmHg"},
              {"diastolic_bias", K::number, "mmHg", 0.0, -30.0, 30.0, "diastolic mean error of this device",
               "ISO 81060-2: |mean error| <= 5 mmHg"},
              {"measurement_duration_min", K::duration, "", 30.0, 1.0, 600.0,
               "shortest inflate-deflate cycle; each attempt's duration is uniform between min and max",
               "spec section 5: a measurement takes 30-45 s"},
              {"measurement_duration_max", K::duration, "", 45.0, 1.0, 600.0, "longest inflate-deflate cycle",
               "spec section 5: a measurement takes 30-45 s"},
              {"failure_probability", K::probability, "", 0.05, 0.0, 1.0,
               "probability an attempt at rest fails (no reliable oscillation envelope)",
               "assumption; spec section 5: some measurements fail and are retried"},
              {"motion_failure_probability", K::probability, "", 0.5, 0.0, 1.0,
               "probability an attempt fails because of motion (besides failure_probability)",
               "assumption; monitor manuals (Philips, Edan, Mindray): measurement impossible with patient movement"},
              {"retry_delay", K::duration, "", 30.0, 0.0, 3600.0, "wait after a failed attempt before the next",
               "Spacelabs NIBP module manual: at least 30 s between automatic inflations"},
              {"max_attempts", K::count, "", 2.0, 1.0, 10.0,
               "attempts per measurement; after the last failure a measurement_failed alert",
               "monitors retry a failed measurement once or twice (assumption: one retry)"},
          },
          // 15 min: the factory auto interval of ward monitors (Spacelabs NIBP manual); a home cuff
          // sets sample_interval 0 and times_of_day. Battery: four AA alkaline cells in series
          // (~2500 mAh at 6 V); an inflation costs ~2.5 mAh so a set lasts ~1000 measurements, the
          // order home upper-arm monitors specify. Ward scenarios set battery_capacity_mah 0 (mains).
          // Motion artifacts on: the ward default measures whatever the patient is doing; a home
          // user sits still to measure, so home scenarios may set motion_artifacts false.
          CommonDefaults{.sample_interval_s = 900.0,
                         .battery_capacity_mah = 2500.0,
                         .idle_current_ua = 5.0,
                         .charge_per_sample_uah = 2500.0,
                         .charge_per_packet_uah = 5.0,
                         .motion_artifacts = true}),
      [](DeviceSetup setup) -> std::unique_ptr<Device> { return std::make_unique<NibpCuff>(std::move(setup)); }};
  return info;
}

NibpCuff::NibpCuff(DeviceSetup setup)
    : Device(std::move(setup)),
      accuracy_{params().number("systolic_bias"), params().number("diastolic_bias"),
                params().number("systolic_error_sd"), params().number("diastolic_error_sd"),
                params().number("mean_error_sd")},
      duration_min_s_(params().duration("measurement_duration_min").seconds()),
      duration_max_s_(std::max(duration_min_s_, params().duration("measurement_duration_max").seconds())),
      failure_probability_(params().number("failure_probability")),
      motion_failure_probability_(params().number("motion_failure_probability")),
      retry_delay_(params().duration("retry_delay")),
      max_attempts_(std::max<std::uint64_t>(1, params().count("max_attempts"))) {}

void NibpCuff::measure(SampleContext& ctx, Output& out) {
  using physiology::Signal;
  const bool is_retry = retry_at_ && *retry_at_ == ctx.now;
  // A cuff in its measurement cycle (inflating, or waiting to retry) ignores another request. A
  // retry time already past means the retry was lost (a crash): the cycle is over.
  const bool retry_pending = retry_at_ && ctx.now < *retry_at_;
  if (!is_retry && (ctx.now < busy_until_ || retry_pending)) return;
  retry_at_.reset();
  if (!is_retry) failed_attempts_ = 0;

  // Every attempt draws the same numbers, so a parameter change does not shift later draws.
  const sim::Time duration = sim::Time::from_seconds(ctx.noise.uniform(duration_min_s_, duration_max_s_));
  const double u_failure = ctx.noise.uniform01();
  const double z_mean = ctx.noise.normal(0.0, 1.0);
  const double z_systolic = ctx.noise.normal(0.0, 1.0);
  const double z_diastolic = ctx.noise.normal(0.0, 1.0);
  busy_until_ = ctx.now + duration;
  out.ready_after(duration);

  const bool motion = ctx.faults.active(FaultKind::motion);
  const bool detached = ctx.faults.active(FaultKind::detachment);
  if (u_failure < nibp_failure_probability(failure_probability_, motion_failure_probability_, motion, detached)) {
    ++failed_attempts_;
    // The failed attempt is a model fault interval; its magnitude is the attempt's number.
    begin_fault(FaultKind::measurement_failed, static_cast<double>(failed_attempts_), ctx.now);
    end_fault(FaultKind::measurement_failed, busy_until_);
    if (failed_attempts_ < max_attempts_) {
      retry_at_ = busy_until_ + retry_delay_;
      out.retry_in(duration + retry_delay_);
    } else {
      out.alert(AlertCode::measurement_failed);  // shown when the last attempt has deflated
      failed_attempts_ = 0;
    }
    return;
  }

  const BloodPressure truth{ctx.patient.value(Signal::systolic_bp), ctx.patient.value(Signal::diastolic_bp),
                            ctx.patient.value(Signal::mean_bp)};
  std::uint16_t flags[3] = {network::READING_OK, network::READING_OK, network::READING_OK};
  const BloodPressure value = nibp_values(truth, accuracy_, z_mean, z_systolic, z_diastolic, flags);
  std::uint16_t common = network::READING_OK;
  if (failed_attempts_ > 0) common |= network::READING_RETRIED;
  if (motion) common |= network::READING_MOTION;  // home cuffs show a body-movement indicator
  out.reading(Signal::systolic_bp, value.systolic, static_cast<std::uint16_t>(flags[0] | common));
  out.reading(Signal::diastolic_bp, value.diastolic, static_cast<std::uint16_t>(flags[1] | common));
  out.reading(Signal::mean_bp, value.mean, static_cast<std::uint16_t>(flags[2] | common));
  failed_attempts_ = 0;
}

}  // namespace twinbed::devices
