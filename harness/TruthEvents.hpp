#pragma once
// harness::build_truth: the ground truth the scorer matches alarms against, assembled from what a
// run knows: the patients' physiological events, the devices' fault intervals and the network's
// outages (docs/alarms.md, "What counts as an event").
#include <vector>

#include "harness/Scorer.hpp"
#include "harness/World.hpp"

namespace twinbed::harness {

struct Truth {
  std::vector<ScoredEvent> events;            // by patient, then onset
  std::vector<ArtifactInterval> artifacts;    // device artifact and fault intervals
};

// Merges events of one class, patient and device less than the class's merge_gap apart (events
// sorted by patient, then onset).
std::vector<ScoredEvent> merge_episodes(std::vector<ScoredEvent> events, const ScoringConfig& config);

// `config` decides which classes are scored, their minimum durations and merge gaps.
Truth build_truth(const World& world, const ScoringConfig& config);

}  // namespace twinbed::harness
