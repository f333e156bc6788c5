#include "harness/World.hpp"

#include <cstdio>


namespace twinbed::harness {

std::string patient_id(const std::string& prefix, std::uint32_t number) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%04u", number);
  return prefix + digits;
}

World::World(const Scenario& scenario, sim::Simulator& simulator, network::Ingest& ingest) : simulator_(simulator) {
  // The walking skeleton's link: every link is a constant latency and independent loss straight to
  // the ingest, from the technology table's `latency` and `loss` (network::Network replaces it).
  for (const network::LinkSpec& spec : scenario.network.links) {
    network::LinkParams params;
    params.latency = spec.params.duration("latency");
    params.loss_probability = spec.params.number("loss");
    links_.push_back(std::make_unique<network::Link>(spec.name, params, simulator, ingest));
  }
  auto find_link = [this](const std::string& name) -> network::Link& {
    for (const auto& link : links_) {
      if (link->name() == name) return *link;
    }
    throw std::logic_error("validated scenario names unknown link " + name);
  };

  for (const CohortSpec& cohort : scenario.cohorts) {
    bool needs_ecg = cohort.patient.ecg;
    bool has_pump = false;
    for (const DeviceSpec& device : cohort.devices) {
      needs_ecg |= devices::device_type_info(device.type).needs_ecg;
      has_pump |= device.type == DeviceType::insulin_pump;
    }
    for (std::uint32_t n = 1; n <= cohort.count; ++n) {
      const auto patient_index = static_cast<std::uint32_t>(patients_.size());
      const std::string id = patient_id(cohort.prefix, n);
      physiology::PatientSpec spec = cohort.patient;
      spec.ecg = needs_ecg;
      // An insulin pump delivers the meal boluses itself (its bolus calculator, its faults): the
      // glucose model then gives basal insulin only, so no bolus is counted twice.
      if (has_pump) spec.glucose.therapy = physiology::T1dTherapy::basal;
      if (spec.glucose.kind == physiology::GlucoseKind::type1_diabetes && spec.glucose.uva_padova_patient == "all") {
        const auto virtual_patients = physiology::uva_padova_patients();
        spec.glucose.uva_padova_patient = std::string(virtual_patients[(n - 1) % virtual_patients.size()].name);
      }
      patients_.push_back(
          std::make_unique<physiology::Patient>(id, spec, scenario.duration, scenario.seed, scenario.replication));
      patient_info_.push_back(PatientInfo{id, cohort.prefix});
      buses_.push_back(std::make_unique<devices::PatientBus>());
      for (const DeviceSpec& device : cohort.devices) {
        const auto device_index = static_cast<std::uint32_t>(devices_.size());
        const std::string device_id = id + "-" + device.name;
        network::Link& link = find_link(device.link);
        flows_.push_back(std::make_unique<network::Flow>(link, device_id, scenario.seed, scenario.replication));
        devices::DeviceSetup setup;
        setup.id = device_id;
        setup.index = device_index;
        setup.patient_index = patient_index;
        setup.type = device.type;
        setup.params = device.params;
        setup.faults = device.faults;
        setup.times_of_day = device.times_of_day;
        setup.start_clock_time = spec.vitals.circadian.start_clock_time;
        setup.patient = patients_.back().get();
        setup.uplink = flows_.back().get();
        setup.fault_sink = &faults_;
        setup.bus = buses_.back().get();
        setup.master_seed = scenario.seed;
        setup.replication = scenario.replication;
        devices_.push_back(devices::device_type_info(device.type).make(std::move(setup)));
        device_info_.push_back(DeviceInfo{device_id, device_type_name(device.type), patient_index, device.link,
                                          device.params.duration("sample_interval")});
      }
    }
  }
}

void World::start() {
  for (const auto& device : devices_) device->start(simulator_);
}

void World::finish(sim::Time end) {
  for (const auto& device : devices_) device->finish(end);
}

}  // namespace twinbed::harness
