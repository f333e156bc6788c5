#pragma once
// harness::TelemetryDecoder: the platform side of harness::Payload. It turns a telemetry message
// back into the packet it came from (reading, measurement, batch upload or waveform block), so
// `twinbed monitor` can feed the reference monitor exactly what an in-process run feeds it.
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "harness/Payload.hpp"
#include "network/Packet.hpp"

namespace twinbed::harness {

class TelemetryDecoder {
public:
  explicit TelemetryDecoder(PayloadContext context);
  // Decodes one JSON or FHIR message into `packet` (cleared first). Returns an empty string on
  // success, else one line saying what is wrong. Never throws.
  std::string decode(std::string_view payload, network::Packet& packet) const;
  const PayloadContext& context() const { return context_; }
  std::optional<std::uint32_t> device(std::string_view id) const;

private:
  PayloadContext context_;
  std::unordered_map<std::string, std::uint32_t> devices_;
  std::vector<std::uint32_t> device_patient_;

public:
  // The patient index of each device (from the session registry).
  void set_device_patients(std::vector<std::uint32_t> patients) { device_patient_ = std::move(patients); }
};

}  // namespace twinbed::harness
