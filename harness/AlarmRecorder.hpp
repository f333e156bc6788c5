#pragma once
// harness::AlarmTables: one scored monitor's results as HDF5 tables (docs/results-schema.md):
// <prefix>/alarms (every alarm and its outcome), <prefix>/scores/events (every ground-truth event
// the scorer considered and what became of it) and <prefix>/scores/classes (the figures per class
// and group). The prefix is "" for the system under test and "/baselines/<name>" for a baseline.
// Rows are prepared when scoring ends and written when the recorder closes the file.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/Scorer.hpp"

namespace twinbed::harness {

class Hdf5Writer;

class AlarmTables {
public:
  AlarmTables(std::string prefix, const ScoringInput& input, const Scores& scores, const ScoringConfig& config);
  AlarmTables(AlarmTables&&) noexcept;
  AlarmTables& operator=(AlarmTables&&) noexcept;
  ~AlarmTables();
  void write(Hdf5Writer& writer) const;

private:
  struct AlarmRow;
  struct EventRow;
  struct ClassRow;
  std::string prefix_;
  std::vector<AlarmRow> alarms_;
  std::vector<EventRow> events_;
  std::vector<ClassRow> classes_;
};

}  // namespace twinbed::harness
