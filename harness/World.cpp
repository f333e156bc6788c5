#include "harness/World.hpp"

#include <cstdio>

#include "devices/PulseOximeter.hpp"

namespace twinbed::harness {

std::string patient_id(const std::string& prefix, std::uint32_t number) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%04u", number);
  return prefix + digits;
}

World::World(const Scenario& scenario, sim::Simulator& simulator, network::Ingest& ingest) : simulator_(simulator) {
  for (const LinkSpec& spec : scenario.links) {
    links_.push_back(std::make_unique<network::Link>(spec.name, spec.params, simulator, ingest));
  }
  auto find_link = [this](const std::string& name) -> network::Link& {
    for (const auto& link : links_) {
      if (link->name() == name) return *link;
    }
    throw std::logic_error("validated scenario names unknown link " + name);
  };

  for (const CohortSpec& cohort : scenario.cohorts) {
    for (std::uint32_t n = 1; n <= cohort.count; ++n) {
      const auto patient_index = static_cast<std::uint32_t>(patients_.size());
      const std::string id = patient_id(cohort.prefix, n);
      const physiology::PatientSpec* spec = &cohort.patient;
      physiology::PatientSpec own;
      if (spec->glucose.kind == physiology::GlucoseKind::type1_diabetes && spec->glucose.uva_padova_patient == "all") {
        own = cohort.patient;
        const auto virtual_patients = physiology::uva_padova_patients();
        own.glucose.uva_padova_patient = std::string(virtual_patients[(n - 1) % virtual_patients.size()].name);
        spec = &own;
      }
      patients_.push_back(
          std::make_unique<physiology::Patient>(id, *spec, scenario.duration, scenario.seed, scenario.replication));
      patient_info_.push_back(PatientInfo{id, cohort.prefix});
      for (const DeviceSpec& spec : cohort.devices) {
        const auto device_index = static_cast<std::uint32_t>(devices_.size());
        const std::string device_id = id + "-" + spec.name;
        network::Link& link = find_link(spec.link);
        flows_.push_back(std::make_unique<network::Flow>(link, device_id, scenario.seed, scenario.replication));
        switch (spec.type) {
          case DeviceType::pulse_oximeter:
            devices_.push_back(std::make_unique<devices::PulseOximeter>(
                device_id, device_index, patient_index, spec.pulse_oximeter, *patients_.back(), *flows_.back(),
                scenario.seed, scenario.replication));
            device_info_.push_back(DeviceInfo{device_id, device_type_name(spec.type), patient_index, spec.link,
                                              spec.pulse_oximeter.sample_interval});
            break;
        }
      }
    }
  }
}

void World::start() {
  for (const auto& device : devices_) device->start(simulator_);
}

}  // namespace twinbed::harness
