// parse_broker_url (declared in harness/Mqtt.hpp).
#include <charconv>
#include <stdexcept>

#include "harness/Mqtt.hpp"

namespace twinbed::harness {

BrokerAddress parse_broker_url(std::string_view url) {
  const std::string allowed = "expected mqtt://host[:port] or mqtts://host[:port]";
  BrokerAddress address;
  std::string_view rest;
  if (url.starts_with("mqtt://")) {
    rest = url.substr(7);
  } else if (url.starts_with("mqtts://")) {
    rest = url.substr(8);
    address.tls = true;
    address.port = 8883;
  } else {
    throw std::invalid_argument(allowed);
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const std::size_t colon = rest.rfind(':');
  // An IPv6 literal is written in brackets: mqtt://[::1]:1883.
  const bool bracketed = rest.starts_with('[');
  const std::size_t close = rest.find(']');
  if (colon != std::string_view::npos && (!bracketed || colon > close)) {
    const std::string_view port = rest.substr(colon + 1);
    int value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      throw std::invalid_argument("port must be 1-65535; " + allowed);
    }
    address.port = value;
    rest = rest.substr(0, colon);
  }
  if (bracketed) {
    if (close == std::string_view::npos || close != rest.size() - 1) throw std::invalid_argument(allowed);
    rest = rest.substr(1, rest.size() - 2);
  }
  // A ':' left in an unbracketed host is an IPv6 literal without its brackets ("mqtt://::1").
  if (rest.empty() || rest.find_first_of(bracketed ? "/?#@ " : "/?#@ :") != std::string_view::npos) {
    throw std::invalid_argument("no host name; " + allowed);
  }
  address.host = std::string(rest);
  return address;
}

}  // namespace twinbed::harness
