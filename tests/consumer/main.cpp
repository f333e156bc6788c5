// Drives a twinbed simulation from a vendor's own code through the installed package.
#include <harness/Run.hpp>
#include <harness/Scenario.hpp>
#include <sim/Simulator.hpp>

#include <iostream>

int main(int argc, char** argv) {
  using namespace twinbed;
  if (argc != 2) {
    std::cerr << "usage: consumer OUT_DIR\n";
    return 2;
  }
  // The kernel on its own...
  sim::Simulator simulator;
  int fired = 0;
  simulator.schedule_in(sim::Time::from_s(5), [&fired]() { ++fired; });
  simulator.run_until(sim::Time::from_s(10));

  // ...and a whole run from a scenario written in code.
  const harness::Scenario scenario = harness::parse_scenario(R"(twinbed: 1
name: consumer
seed: 3
duration: 10min
links: [{name: wired, latency: 2ms}]
cohort: [{count: 2, devices: [{type: pulse_oximeter, sample_interval: 5s}]}]
)", "consumer.yaml");
  harness::RunOptions options;
  options.out_root = argv[1];
  options.progress = false;
  const harness::RunResult result = harness::Run(scenario, options).execute();
  std::cout << "kernel events " << fired << ", received " << result.summary["telemetry"]["received"] << " of "
            << result.summary["telemetry"]["generated"] << "\n";
  return 0;
}
