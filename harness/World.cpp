#include "harness/World.hpp"

#include <cstdio>


namespace twinbed::harness {

std::string patient_id(const std::string& prefix, std::uint32_t number) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%04u", number);
  return prefix + digits;
}

World::World(const Scenario& scenario, sim::Simulator& simulator, network::Ingest& ingest) : simulator_(simulator) {
  // The network first: devices attach to it. Ids are the same as the entities' below.
  std::vector<std::string> patient_ids;
  std::vector<network::DeviceEndpoint> endpoints;
  for (const CohortSpec& cohort : scenario.cohorts) {
    for (std::uint32_t n = 1; n <= cohort.count; ++n) {
      const std::string id = patient_id(cohort.prefix, n);
      for (const DeviceSpec& device : cohort.devices) {
        endpoints.push_back(network::DeviceEndpoint{id + "-" + device.name,
                                                    static_cast<std::uint32_t>(patient_ids.size()), device.link});
      }
      patient_ids.push_back(id);
    }
  }
  network::NetworkOptions options;
  options.master_seed = scenario.seed;
  options.replication = scenario.replication;
  options.record = scenario.record.network;
  options.observer = &network_log_;
  network_ = std::make_unique<network::Network>(scenario.network, std::move(patient_ids), std::move(endpoints),
                                                simulator, ingest, options);
  end_ = scenario.duration;

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
        setup.uplink = &network_->uplink(device_index);
        setup.fault_sink = &faults_;
        setup.bus = buses_.back().get();
        setup.master_seed = scenario.seed;
        setup.replication = scenario.replication;
        devices_.push_back(devices::device_type_info(device.type).make(std::move(setup)));
        device_info_.push_back(DeviceInfo{device_id, device_type_name(device.type), patient_index, device.link,
                                          device.params.duration("sample_interval"), devices_.back()->report_interval()});
      }
    }
  }
}

void World::start() {
  network_->start(end_);
  for (const auto& device : devices_) device->start(simulator_);
}

void World::finish(sim::Time end) {
  for (const auto& device : devices_) device->finish(end);
  network_->finish(end);
}

}  // namespace twinbed::harness
