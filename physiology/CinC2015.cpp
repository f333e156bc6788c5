#include "physiology/CinC2015.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

namespace twinbed::physiology {

ArrhythmiaDetector::ArrhythmiaDetector(std::span<const RhythmEpisode> episodes, EventSink& sink,
                                       const CinC2015Criteria& criteria)
    : episodes_(episodes.begin(), episodes.end()), sink_(sink), criteria_(criteria) {
  assert(criteria_.extreme_bradycardia_beats >= 2 && criteria_.extreme_bradycardia_beats <= HISTORY);
  assert(criteria_.extreme_tachycardia_beats >= 2 && criteria_.extreme_tachycardia_beats <= HISTORY);
  assert(criteria_.ventricular_tachycardia_beats >= 2 &&
         criteria_.ventricular_tachycardia_beats <= HISTORY);
  std::sort(episodes_.begin(), episodes_.end(),
            [](const RhythmEpisode& a, const RhythmEpisode& b) { return a.start < b.start; });
}

double ArrhythmiaDetector::heart_rate_bpm(std::span<const sim::Time> r_times) {
  assert(r_times.size() >= 2);
  const double span_s = (r_times.back() - r_times.front()).seconds();
  return span_s > 0.0 ? 60.0 * static_cast<double>(r_times.size() - 1) / span_s
                      : std::numeric_limits<double>::infinity();
}

double ArrhythmiaDetector::recent_hr_bpm(std::size_t n) const {
  const std::array<sim::Time, 2> ends{recent_[(beat_count_ - n) % HISTORY],
                                      recent_[(beat_count_ - 1) % HISTORY]};
  // From the two ends alone: 60 / span per interval, times the n - 1 intervals between them.
  return heart_rate_bpm(ends) * static_cast<double>(n - 1);
}

bool ArrhythmiaDetector::vf_between(sim::Time from, sim::Time to) const {
  return std::any_of(episodes_.begin(), episodes_.end(), [&](const RhythmEpisode& e) {
    return e.rhythm == Rhythm::ventricular_fibrillation && e.start < to && e.end > from;
  });
}

void ArrhythmiaDetector::close(Run& run, EventClass event_class, sim::Time offset) {
  if (!run.active) return;
  GroundTruthEvent event;
  event.event_class = event_class;
  event.onset = run.onset;
  event.offset = offset;
  event.peak = run.peak;
  event.detail = run.beats;
  sink_.report(event);
  run = Run{};
}

void ArrhythmiaDetector::update(Run& run, EventClass event_class, bool qualifies, double hr,
                                const Beat& beat, std::uint16_t beats) {
  if (qualifies) {
    if (!run.active) {
      run.active = true;
      run.onset = beat.r_time;
      run.peak = hr;
    }
    run.peak = event_class == EventClass::extreme_bradycardia ? std::min(run.peak, hr)
                                                              : std::max(run.peak, hr);
    run.last = beat.r_time;
    run.beats = std::max(run.beats, beats);
  } else {
    close(run, event_class, run.last);
  }
}

void ArrhythmiaDetector::on_beat(const Beat& beat) {
  assert(beat.r_time >= last_r_);
  advance_to(beat.r_time);

  // Asystole: the QRS-free interval ending at this beat. A gap filled by VF is reported as VF.
  const sim::Time gap = beat.r_time - last_r_;
  const bool vf_gap = vf_between(last_r_, beat.r_time);
  if (gap >= criteria_.asystole_pause && !vf_gap) {
    GroundTruthEvent event;
    event.event_class = EventClass::asystole;
    event.onset = last_r_ + criteria_.asystole_pause;
    event.offset = beat.r_time;
    event.peak = gap.seconds();  // pause length in s
    sink_.report(event);
  }
  // A pause (asystole or VF) is not a heart rate: rate windows must not span one.
  if (gap >= criteria_.asystole_pause || vf_gap) beats_since_pause_ = 0;

  recent_[beat_count_ % HISTORY] = beat.r_time;
  ++beat_count_;
  consecutive_v_ = beat.beat_class == BeatClass::ventricular ? consecutive_v_ + 1 : 0;
  last_r_ = beat.r_time;

  {
    const std::size_t n = criteria_.extreme_bradycardia_beats;
    const bool full = beat_count_ >= n && beats_since_pause_ >= n - 1;
    const double hr = full ? recent_hr_bpm(n) : 0.0;
    update(bradycardia_, EventClass::extreme_bradycardia,
           full && hr < criteria_.extreme_bradycardia_bpm, hr, beat, static_cast<std::uint16_t>(n));
  }
  {
    const std::size_t n = criteria_.extreme_tachycardia_beats;
    const bool full = beat_count_ >= n;
    const double hr = full ? recent_hr_bpm(n) : 0.0;
    update(tachycardia_, EventClass::extreme_tachycardia,
           full && hr > criteria_.extreme_tachycardia_bpm, hr, beat, static_cast<std::uint16_t>(n));
  }
  {
    // VT: the last n beats are all ventricular and their rate exceeds 100 bpm. detail = the
    // longest run of consecutive ventricular beats seen in the event.
    const std::size_t n = criteria_.ventricular_tachycardia_beats;
    const bool full = consecutive_v_ >= n;
    const double hr = full ? recent_hr_bpm(n) : 0.0;
    const auto run_beats = static_cast<std::uint16_t>(std::min<std::size_t>(consecutive_v_, 65535));
    update(ventricular_tachycardia_, EventClass::ventricular_tachycardia,
           full && hr > criteria_.ventricular_tachycardia_bpm, hr, beat, run_beats);
  }
  ++beats_since_pause_;
}

void ArrhythmiaDetector::advance_to(sim::Time t) {
  while (next_episode_ < episodes_.size() && episodes_[next_episode_].end <= t) {
    const RhythmEpisode& e = episodes_[next_episode_++];
    GroundTruthEvent event;
    event.offset = e.end;
    event.peak = (e.end - e.start).seconds();  // episode length in s
    if (e.rhythm == Rhythm::atrial_fibrillation) {
      event.event_class = EventClass::atrial_fibrillation;
      event.onset = e.start;
      sink_.report(event);
    } else if (e.rhythm == Rhythm::ventricular_fibrillation &&
               e.end - e.start >= criteria_.ventricular_fibrillation) {
      event.event_class = EventClass::ventricular_fibrillation;
      event.onset = e.start + criteria_.ventricular_fibrillation;
      sink_.report(event);
    }
  }
}

void ArrhythmiaDetector::finish(sim::Time run_end) {
  advance_to(run_end);
  for (; next_episode_ < episodes_.size() && episodes_[next_episode_].start < run_end; ++next_episode_) {
    const RhythmEpisode& e = episodes_[next_episode_];
    GroundTruthEvent event;
    event.offset = run_end;
    event.peak = (run_end - e.start).seconds();
    if (e.rhythm == Rhythm::atrial_fibrillation) {
      event.event_class = EventClass::atrial_fibrillation;
      event.onset = e.start;
      sink_.report(event);
    } else if (e.rhythm == Rhythm::ventricular_fibrillation &&
               run_end - e.start >= criteria_.ventricular_fibrillation) {
      event.event_class = EventClass::ventricular_fibrillation;
      event.onset = e.start + criteria_.ventricular_fibrillation;
      sink_.report(event);
    }
  }
  const sim::Time gap = run_end - last_r_;
  if (gap >= criteria_.asystole_pause && !vf_between(last_r_, run_end)) {
    GroundTruthEvent event;
    event.event_class = EventClass::asystole;
    event.onset = last_r_ + criteria_.asystole_pause;
    event.offset = run_end;
    event.peak = gap.seconds();
    sink_.report(event);
  }
  close(bradycardia_, EventClass::extreme_bradycardia, run_end);
  close(tachycardia_, EventClass::extreme_tachycardia, run_end);
  close(ventricular_tachycardia_, EventClass::ventricular_tachycardia, run_end);
}

}  // namespace twinbed::physiology
