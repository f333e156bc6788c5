#pragma once
// physiology::ArrhythmiaDetector: ground-truth arrhythmia events from the true beats and rhythm
// episodes, by the PhysioNet/CinC Challenge 2015 alarm definitions (Clifford et al., "The
// PhysioNet/Computing in Cardiology Challenge 2015: Reducing false arrhythmia alarms in the ICU",
// CinC 42:273, 2015; spec/physiology.md section 2). Onset = the moment the definition is first met
// (the earliest time an ideal monitor could alarm); offset = the last moment it is still met.
// See docs/models/ecg.md for the exact rules.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "physiology/GroundTruth.hpp"
#include "physiology/Rhythm.hpp"
#include "sim/Time.hpp"

namespace twinbed::physiology {

struct CinC2015Criteria {
  sim::Time asystole_pause = sim::Time::from_s(4);  // no QRS for >= 4 s
  double extreme_bradycardia_bpm = 40.0;            // HR < 40 bpm ...
  std::size_t extreme_bradycardia_beats = 5;        // ... for 5 consecutive beats
  double extreme_tachycardia_bpm = 140.0;           // HR > 140 bpm ...
  std::size_t extreme_tachycardia_beats = 17;       // ... for 17 consecutive beats
  double ventricular_tachycardia_bpm = 100.0;       // >= 5 consecutive V beats, HR > 100 bpm
  std::size_t ventricular_tachycardia_beats = 5;
  sim::Time ventricular_fibrillation = sim::Time::from_s(4);  // fibrillatory waveform >= 4 s
};

class ArrhythmiaDetector {
public:
  // `episodes`: BeatGenerator::episodes() (VF and AF come from them, not from beats).
  ArrhythmiaDetector(std::span<const RhythmEpisode> episodes, EventSink& sink,
                     const CinC2015Criteria& criteria = {});

  // Beats in time order. Events are reported to the sink once their offset is known.
  void on_beat(const Beat& beat);
  // Reports the rhythm-episode events (AF, VF) that have ended by t.
  void advance_to(sim::Time t);
  // Closes everything still open at the run's end (offset = run_end). Call once.
  void finish(sim::Time run_end);

  // Heart rate over the last n beats (n >= 2) in bpm: 60 (n - 1) / (t_last - t_first), i.e. from
  // the n - 1 RR intervals between those beats. Exposed for tests.
  static double heart_rate_bpm(std::span<const sim::Time> r_times);

private:
  static constexpr std::size_t HISTORY = 32;  // >= the largest beat count of any criterion

  struct Run {
    bool active = false;
    sim::Time onset;
    sim::Time last;
    double peak = 0.0;
    std::uint16_t beats = 0;
  };

  double recent_hr_bpm(std::size_t n) const;
  void update(Run& run, EventClass event_class, bool qualifies, double hr, const Beat& beat,
              std::uint16_t beats);
  void close(Run& run, EventClass event_class, sim::Time offset);
  bool vf_between(sim::Time from, sim::Time to) const;

  std::vector<RhythmEpisode> episodes_;
  EventSink& sink_;
  CinC2015Criteria criteria_;
  std::size_t next_episode_ = 0;
  std::array<sim::Time, HISTORY> recent_{};  // ring of R times
  std::size_t beat_count_ = 0;
  std::size_t beats_since_pause_ = 0;
  std::size_t consecutive_v_ = 0;
  sim::Time last_r_ = sim::Time::zero();
  Run bradycardia_;
  Run tachycardia_;
  Run ventricular_tachycardia_;
};

}  // namespace twinbed::physiology
