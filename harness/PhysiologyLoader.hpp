#pragma once
// Reading the physiology keys of a cohort entry (profile, conditions, rhythm, glucose, ecg)
// into a physiology::PatientSpec. Part of the scenario schema; see docs/scenario-reference.md.
#include "harness/YamlReader.hpp"
#include "physiology/Patient.hpp"

namespace twinbed::harness {

// The keys read_patient_spec understands, for the cohort entry's allowed-key list.
inline const std::vector<std::string> PHYSIOLOGY_KEYS{"profile", "skin_types", "conditions", "rhythm", "glucose", "ecg"};

physiology::PatientSpec read_patient_spec(const YamlMap& cohort, sim::Time run_duration);

}  // namespace twinbed::harness
