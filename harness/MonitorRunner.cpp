#include "harness/MonitorRunner.hpp"

#include "harness/InputError.hpp"
#include "harness/ReferenceMonitor.hpp"
#include "harness/TruthEvents.hpp"
#include "physiology/Conditions.hpp"

namespace twinbed::harness {

namespace {

// Ticks run after everything else scheduled for the same instant (deliveries first).
constexpr sim::Priority TICK_PRIORITY = 1000;

bool hypercapnic(const physiology::Patient& patient) {
  for (const physiology::ConditionSpec& c : patient.conditions()) {
    if (c.type == physiology::ConditionType::copd || c.type == physiology::ConditionType::copd_exacerbation) return true;
  }
  return false;
}

}  // namespace

MonitorContext monitor_context(const World& world, const std::map<std::string, std::string>& options) {
  MonitorContext context;
  for (std::size_t p = 0; p < world.patients().size(); ++p) {
    const physiology::Patient& patient = *world.patients()[p];
    // The care team knows a COPD patient's prescribed 88-92 % target (BTS guideline) and whether
    // oxygen is given; both are clinical context, not ground truth.
    context.patients.push_back(
        PatientContext{world.patient_info()[p].id, hypercapnic(patient), patient.vitals().on_oxygen});
  }
  for (const DeviceInfo& d : world.device_info()) {
    const devices::DeviceTypeInfo& type = devices::device_type_info(*devices::device_type_from_name(d.type));
    context.devices.push_back(DeviceContext{d.id, type.type, d.patient, d.sample_interval, d.report_interval, type.signals});
  }
  context.options = options;
  return context;
}

std::unique_ptr<Monitor> make_monitor(const MonitorSpec& spec, const MonitorContext& context, AlarmSink& alarms) {
  if (spec.type == "none" || spec.type == "external") return nullptr;
  if (spec.type == "reference") return std::make_unique<ReferenceMonitor>(context, spec.reference, alarms);
  const MonitorFactory* factory = find_monitor(spec.type);
  // The loader checked the name; a plug-in unregistered since is a programming error.
  if (factory == nullptr) throw RunError("monitor type '" + spec.type + "' is not registered");
  return (*factory)(context, alarms);
}

struct MonitorRunner::Entry {
  const MonitorSpec* spec = nullptr;
  AlarmLog log;
  std::unique_ptr<Monitor> monitor;
};

MonitorRunner::MonitorRunner(const Scenario& scenario, const World& world, Dispatcher& dispatcher)
    : scenario_(scenario) {
  std::vector<const MonitorSpec*> specs{&scenario.monitor};
  for (const MonitorSpec& b : scenario.baselines) specs.push_back(&b);
  for (const MonitorSpec* spec : specs) {
    auto entry = std::make_unique<Entry>();
    entry->spec = spec;
    entry->monitor = make_monitor(*spec, monitor_context(world, spec->options), entry->log);
    if (entry->monitor) dispatcher.attach(*entry->monitor);
    entries_.push_back(std::move(entry));
  }
}

MonitorRunner::~MonitorRunner() = default;

void MonitorRunner::start(sim::Simulator& simulator, sim::Time end) {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i]->monitor) continue;
    const sim::Time interval = entries_[i]->monitor->tick_interval();
    if (interval <= sim::Time::zero() || interval > end) continue;
    simulator.schedule_at(interval, [this, &simulator, end, i] { tick(simulator, end, i); }, TICK_PRIORITY);
  }
}

void MonitorRunner::tick(sim::Simulator& simulator, sim::Time end, std::size_t entry) {
  Monitor& monitor = *entries_[entry]->monitor;
  monitor.tick(simulator.now());
  const sim::Time next = simulator.now() + monitor.tick_interval();
  if (next <= end) simulator.schedule_at(next, [this, &simulator, end, entry] { tick(simulator, end, entry); }, TICK_PRIORITY);
}

void MonitorRunner::finish(sim::Time end) {
  for (const auto& entry : entries_) {
    if (entry->monitor) entry->monitor->finish(end);
  }
}

void MonitorRunner::set_sut_alarms(std::vector<Alarm> alarms) { entries_.front()->log.alarms = std::move(alarms); }

nlohmann::json MonitorRunner::score_alarms(const World& world, std::vector<Alarm> alarms) const {
  const Truth truth = build_truth(world, scenario_.scoring);
  ScoringInput input{truth.events, std::move(alarms), truth.artifacts,
                     static_cast<std::uint32_t>(world.patients().size()), scenario_.duration};
  return harness::score(input, scenario_.scoring).to_json();
}

std::vector<MonitorRunner::Result> MonitorRunner::score(const World& world) const {
  const Truth truth = build_truth(world, scenario_.scoring);
  std::vector<Result> results;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Entry& entry = *entries_[i];
    ScoringInput input{truth.events, entry.log.alarms, truth.artifacts,
                       static_cast<std::uint32_t>(world.patients().size()), scenario_.duration};
    const Scores scores = harness::score(input, scenario_.scoring);
    std::uint64_t suppressed = 0;
    for (const Alarm& a : entry.log.alarms) suppressed += a.suppressed ? 1 : 0;
    nlohmann::json monitor{{"name", entry.spec->name},
                           {"type", entry.spec->type},
                           {"alarms_raised", entry.log.alarms.size() - suppressed},
                           {"candidates_suppressed", suppressed}};
    if (entry.spec->type == "reference") {
      monitor["mode"] = entry.spec->reference.mode == MonitorMode::smart ? "smart" : "naive";
    }
    const std::string prefix = i == 0 ? std::string() : "/baselines/" + entry.spec->name;
    results.push_back(Result{std::move(monitor), scores.to_json(), AlarmTables(prefix, input, scores, scenario_.scoring)});
  }
  return results;
}

}  // namespace twinbed::harness
