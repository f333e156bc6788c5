// load_credentials (declared in harness/Mqtt.hpp): broker username and password from environment
// variables or from a file. Spec harness.md "Telemetry out": "username/password from environment
// variables or a file (never echoed in logs)" -- so every message here names the variable or the
// file, never what it holds.
#include <cstdlib>
#include <fstream>
#include <string>

#include "harness/InputError.hpp"
#include "harness/Mqtt.hpp"

namespace twinbed::harness {
namespace {

std::string required_env(const std::string& name, const char* key) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    std::string message = "environment variable ";
    message += name;
    message += " (broker.";
    message += key;
    message += ") is not set";
    throw RunError(message);
  }
  return value;
}

void strip_line_end(std::string& line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
}

}  // namespace

std::optional<Credentials> load_credentials(const BrokerSpec& broker) {
  if (!broker.username_env.empty() || !broker.password_env.empty()) {
    if (broker.username_env.empty()) {
      throw RunError("broker.password_env is set but broker.username_env is not: MQTT sends a password only with a username");
    }
    Credentials credentials;
    credentials.username = required_env(broker.username_env, "username_env");
    if (!broker.password_env.empty()) credentials.password = required_env(broker.password_env, "password_env");
    return credentials;
  }
  if (broker.credentials_file.empty()) return std::nullopt;

  std::ifstream file(broker.credentials_file);
  if (!file) {
    std::string message = "cannot read the credentials file ";
    message += broker.credentials_file;
    message += " (broker.credentials_file)";
    throw RunError(message);
  }
  Credentials credentials;
  std::getline(file, credentials.username);
  strip_line_end(credentials.username);
  if (credentials.username.empty()) {
    std::string message = "the credentials file ";
    message += broker.credentials_file;
    message += " has no username on its first line (expected: username, then password on the second line)";
    throw RunError(message);
  }
  // A username alone is a valid MQTT login; the password line may be absent.
  if (std::getline(file, credentials.password)) strip_line_end(credentials.password);
  return credentials;
}

}  // namespace twinbed::harness
