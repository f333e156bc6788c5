#pragma once
// devices::EcgNoise: what a real ECG front end adds to the heart's signal, after the noise types
// of Friesen et al. (IEEE TBME 37:85, 1990) and the MIT-BIH Noise Stress Test Database (Moody,
// Muldrow & Mark, Computers in Cardiology 11:381, 1984): baseline wander (respiration, 0.15-0.3
// Hz), EMG (broadband muscle noise, band-limited white by the front end's anti-aliasing), mains
// interference (50 or 60 Hz) and, while the wearer moves, motion artifact (electrode motion:
// large low-frequency excursions and transients as large as a QRS). Lead-off is not additive:
// the electrode's input floats and the amplifier sits at zero or at its rail (lead_off_value).
//
// "Pure-ish": baseline wander and mains are functions of the sample index; EMG draws white noise
// from the caller's stream; only the motion artifact keeps state (its excursion and transients).
#include <array>
#include <cstdint>
#include <span>

#include "sim/RandomStream.hpp"

namespace twinbed::devices {

struct EcgNoiseParams {
  double baseline_wander_mv = 0.1;       // amplitude of the respiratory wander
  double baseline_wander_low_hz = 0.15;  // Friesen 1990: 0.15-0.3 Hz; each device draws its rate
  double baseline_wander_high_hz = 0.3;  // once, uniformly in this band
  double emg_rms_mv = 0.02;              // resting EMG
  double mains_hz = 50.0;                // 50 Hz (Europe) or 60 Hz (Americas)
  double mains_amplitude_mv = 0.01;
  double motion_amplitude_mv = 1.0;      // SD of each motion transient and of the excursion
  double motion_event_rate_hz = 2.0;     // motion transients per second while moving
  double motion_emg_gain = 3.0;          // EMG grows while the muscles work
};

class EcgNoise {
public:
  EcgNoise(const EcgNoiseParams& params, double sample_rate_hz);

  // Adds the noise of samples first_sample, first_sample + 1, ... to `samples_mv`. `motion` scales
  // the motion artifact (0 = still, 1 = the parameters' level). Calls must be consecutive.
  void add(std::int64_t first_sample, std::span<float> samples_mv, double motion, sim::RandomStream& rng);

  // The noise-free parts at sample k (tests): baseline wander plus mains.
  double periodic_mv(std::int64_t k) const;
  double baseline_wander_hz() const { return wander_hz_; }

private:
  struct Transient {
    std::int64_t start = 0;
    std::int64_t length = 0;  // 0 = free slot
    double amplitude_mv = 0.0;
  };
  static constexpr std::size_t MAX_TRANSIENTS = 16;

  void draw_phases(sim::RandomStream& rng);
  double motion_sample(std::int64_t k, double motion, sim::RandomStream& rng);

  EcgNoiseParams params_;
  double rate_;
  bool phases_drawn_ = false;
  double wander_hz_ = 0.0, wander_phase_ = 0.0, mains_phase_ = 0.0;
  double excursion_mv_ = 0.0;  // the motion excursion (an Ornstein-Uhlenbeck process)
  double excursion_decay_ = 0.0;
  std::int64_t next_transient_ = -1;  // sample of the next transient onset; -1 = not drawn
  std::array<Transient, MAX_TRANSIENTS> transients_{};
};

// Lead-off: what the amplifier outputs with an electrode off the skin.
enum class LeadOffLevel : std::uint8_t { rail = 0, zero = 1 };
float lead_off_value(LeadOffLevel level, double adc_limit_mv);

}  // namespace twinbed::devices
