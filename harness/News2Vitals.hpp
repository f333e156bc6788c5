#pragma once
// harness::News2Vitals: one patient's latest measured NEWS2 observations (pulse, respiration
// rate, SpO2, systolic pressure, core temperature) and the score they give, with
// physiology::news2_score (RCP 2017; docs/models/ground-truth.md section 4). Pure: no clock.
//
// What a monitor cannot measure is taken from the clinical context: consciousness is "alert"
// (no device reports ACVPU), SpO2 scale 2 and supplemental oxygen come from PatientContext.
#include <array>
#include <optional>

#include "harness/Monitor.hpp"
#include "physiology/News2.hpp"
#include "physiology/Signal.hpp"
#include "sim/Time.hpp"

namespace twinbed::harness {

class News2Vitals {
public:
  // Keeps the reading when `signal` is a NEWS2 vital and the reading is at least as new as the one
  // held (sample time). Skin temperature is not core temperature and does not count.
  bool record(physiology::Signal signal, sim::Time sample_time, double value);

  // The score from the five vitals when each was measured no longer than `max_age` before `now`;
  // nullopt when one is missing or stale (NEWS2 needs every parameter).
  std::optional<physiology::News2Score> score(sim::Time now, sim::Time max_age, const PatientContext& patient) const;

private:
  struct Held {
    bool present = false;
    sim::Time t;
    double value = 0.0;
  };
  enum Slot : std::size_t { PULSE = 0, RESPIRATION = 1, SPO2 = 2, SYSTOLIC = 3, TEMPERATURE = 4, SLOTS = 5 };
  std::array<Held, SLOTS> held_{};
};

}  // namespace twinbed::harness
