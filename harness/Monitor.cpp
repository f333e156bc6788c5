// The plug-in monitor registry: a process-wide map from a scenario's `monitor.type` to the factory
// a user registered from C++ (see Monitor.hpp). Registration normally happens before any run
// starts; the mutex keeps a registration from a static initialiser or a test thread safe anyway.
#include "harness/Monitor.hpp"

#include <mutex>
#include <stdexcept>

namespace twinbed::harness {
namespace {

struct Registry {
  std::mutex mutex;
  // std::map: node-based, so a pointer to a factory stays valid while others are added.
  std::map<std::string, MonitorFactory> factories;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

void register_monitor(const std::string& type, MonitorFactory factory) {
  if (type.empty()) throw std::invalid_argument("register_monitor: the monitor type name is empty");
  if (!factory) {
    std::string message = "register_monitor: no factory given for '";
    message += type + "'";
    throw std::invalid_argument(message);
  }
  if (type == "reference" || type == "none") {
    std::string message = "register_monitor: '";
    message += type + "' is a built-in monitor type";
    throw std::invalid_argument(message);
  }
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  if (!r.factories.emplace(type, std::move(factory)).second) {
    std::string message = "register_monitor: a monitor named '";
    message += type + "' is already registered";
    throw std::invalid_argument(message);
  }
}

std::vector<std::string> registered_monitors() {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  names.reserve(r.factories.size());
  for (const auto& entry : r.factories) names.push_back(entry.first);  // std::map: already sorted
  return names;
}

const MonitorFactory* find_monitor(const std::string& type) {
  Registry& r = registry();
  const std::lock_guard lock(r.mutex);
  const auto it = r.factories.find(type);
  return it == r.factories.end() ? nullptr : &it->second;
}

}  // namespace twinbed::harness
