#pragma once
// harness::World: the patients, devices and network of one run, assembled from a Scenario onto a
// Simulator. Entities are created in scenario order and named by stable ids, and every random
// stream is keyed by those ids.
#include <memory>
#include <string>
#include <vector>

#include "devices/Device.hpp"
#include "devices/Faults.hpp"
#include "harness/Scenario.hpp"
#include "harness/Sink.hpp"
#include "network/Network.hpp"
#include "physiology/Patient.hpp"
#include "sim/Simulator.hpp"

namespace twinbed::harness {

// Rows of /patients and /devices.
struct PatientInfo {
  std::string id;
  std::string cohort;  // the cohort entry's prefix
};
struct DeviceInfo {
  std::string id;
  std::string type;
  std::uint32_t patient = 0;
  std::string link;
  sim::Time sample_interval;
  sim::Time report_interval;  // longest normal gap between its packets (Device::report_interval); zero: none
};

// Collects the technical ground truth for /faults: the devices' fault intervals and the
// network's outages, handovers and coverage holes.
class FaultLog final : public devices::FaultSink {
public:
  void on_fault(const devices::FaultRecord& record) override { records_.push_back(record); }
  void on_outage(const network::OutageRecord& record) { outages_.push_back(record); }
  const std::vector<devices::FaultRecord>& records() const { return records_; }
  const std::vector<network::OutageRecord>& outages() const { return outages_; }

private:
  std::vector<devices::FaultRecord> records_;
  std::vector<network::OutageRecord> outages_;
};

// What the network emits: outages go to the FaultLog, load samples are kept for /network/links,
// packets go to the recorder when one is attached (/network/packets).
class NetworkLog final : public network::NetworkObserver {
public:
  explicit NetworkLog(FaultLog& faults) : faults_(faults) {}
  void on_packet(const network::PacketTrace& trace) override {
    if (packets_ != nullptr) packets_->on_packet(trace);
  }
  void on_load(const network::LoadSample& sample) override { loads_.push_back(sample); }
  void on_outage(const network::OutageRecord& record) override { faults_.on_outage(record); }
  void attach_packets(network::NetworkObserver* packets) { packets_ = packets; }
  const std::vector<network::LoadSample>& loads() const { return loads_; }

private:
  FaultLog& faults_;
  network::NetworkObserver* packets_ = nullptr;
  std::vector<network::LoadSample> loads_;
};

class World {
public:
  World(const Scenario& scenario, sim::Simulator& simulator, network::Ingest& ingest);
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Schedules every device's first activity.
  void start();
  // Closes the devices' open fault intervals at the end of the run.
  void finish(sim::Time end);

  const std::vector<PatientInfo>& patient_info() const { return patient_info_; }
  const std::vector<DeviceInfo>& device_info() const { return device_info_; }
  const std::vector<std::unique_ptr<physiology::Patient>>& patients() const { return patients_; }
  const std::vector<std::unique_ptr<devices::Device>>& devices() const { return devices_; }
  const network::Network& network() const { return *network_; }
  NetworkLog& network_log() { return network_log_; }
  const NetworkLog& network_log() const { return network_log_; }
  const FaultLog& faults() const { return faults_; }

private:
  sim::Simulator& simulator_;
  std::vector<PatientInfo> patient_info_;
  std::vector<DeviceInfo> device_info_;
  std::vector<std::unique_ptr<physiology::Patient>> patients_;
  std::vector<std::unique_ptr<devices::Device>> devices_;
  std::vector<std::unique_ptr<devices::PatientBus>> buses_;
  FaultLog faults_;
  NetworkLog network_log_{faults_};
  std::unique_ptr<network::Network> network_;
  sim::Time end_;
};

// "p" and 7 -> "p0007".
std::string patient_id(const std::string& prefix, std::uint32_t number);

}  // namespace twinbed::harness
