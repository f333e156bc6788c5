#include "harness/TelemetryDecoder.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "physiology/Signal.hpp"

namespace twinbed::harness {

namespace {

using nlohmann::json;

// Quality names -> flag bits; unknown names are ignored (a newer twinbed may add some).
std::uint16_t flags_of(const json& message) {
  std::uint16_t flags = 0;
  const auto q = message.find("quality");
  if (q == message.end() || !q->is_array()) return flags;
  for (const json& name : *q) {
    if (name.is_string()) flags |= quality_flag(name.get_ref<const std::string&>());
  }
  return flags;
}

std::string reading_from(const json& item, std::int64_t start_unix_ms, network::Reading& reading) {
  const auto signal = item.find("signal");
  const auto value = item.find("value");
  const auto t = item.find("t");
  if (signal == item.end() || !signal->is_string()) return "no \"signal\" string";
  const std::optional<physiology::Signal> code = physiology::signal_from_name(signal->get_ref<const std::string&>());
  if (!code) return "unknown signal '" + signal->get<std::string>() + "'";
  if (t == item.end() || !t->is_string()) return "no \"t\" timestamp";
  const std::optional<sim::Time> when = parse_iso_time(t->get_ref<const std::string&>(), start_unix_ms);
  if (!when) return "bad \"t\" '" + t->get<std::string>() + "'";
  reading.signal = static_cast<std::uint8_t>(*code);
  reading.sample_time = *when;
  reading.flags = flags_of(item);
  // A value the encoder could not write as a number (NaN) arrives as null.
  reading.value = value != item.end() && value->is_number() ? value->get<double>() : std::nan("");
  return {};
}

}  // namespace

TelemetryDecoder::TelemetryDecoder(PayloadContext context) : context_(std::move(context)) {
  for (std::uint32_t d = 0; d < context_.device_ids.size(); ++d) devices_.emplace(context_.device_ids[d], d);
}

std::optional<std::uint32_t> TelemetryDecoder::device(std::string_view id) const {
  const auto it = devices_.find(std::string(id));
  if (it == devices_.end()) return std::nullopt;
  return it->second;
}

std::string TelemetryDecoder::decode(std::string_view payload, network::Packet& packet) const {
  packet = network::Packet{};
  const json message = json::parse(payload, nullptr, false);
  if (message.is_discarded() || !message.is_object()) return "not a JSON object";
  if (message.contains("resourceType")) return "FHIR payloads are not read by this monitor yet";
  const auto device_field = message.find("device");
  if (device_field == message.end() || !device_field->is_string()) return "no \"device\" string";
  const std::optional<std::uint32_t> d = device(device_field->get_ref<const std::string&>());
  if (!d) return "unknown device '" + device_field->get<std::string>() + "'";
  const std::uint32_t patient = *d < device_patient_.size() ? device_patient_[*d] : 0;
  packet.device = *d;
  const auto seq = message.find("seq");
  if (seq != message.end() && seq->is_number_unsigned()) packet.seq = seq->get<std::uint32_t>();

  if (const auto values = message.find("values"); values != message.end()) {
    // A waveform block.
    if (!values->is_array()) return "\"values\" is not a list";
    const auto rate = message.find("sample_rate");
    if (rate == message.end() || !rate->is_number() || !(rate->get<double>() > 0)) return "no \"sample_rate\"";
    network::Reading first;
    json head = message;
    head["value"] = 0.0;
    if (std::string error = reading_from(head, context_.start_unix_ms, first); !error.empty()) return error;
    network::Waveform block;
    block.signal = first.signal;
    block.start = first.sample_time;
    block.sample_rate_hz = rate->get<double>();
    block.flags = first.flags;
    block.samples.reserve(values->size());
    for (const json& v : *values) block.samples.push_back(v.is_number() ? v.get<float>() : std::nanf(""));
    packet.waveforms.push_back(std::move(block));
    return {};
  }
  if (const auto readings = message.find("readings"); readings != message.end()) {
    // A batched upload.
    if (!readings->is_array()) return "\"readings\" is not a list";
    for (const json& item : *readings) {
      if (!item.is_object()) return "a batch item is not an object";
      network::Reading r;
      if (std::string error = reading_from(item, context_.start_unix_ms, r); !error.empty()) return error;
      r.device = *d;
      r.patient = patient;
      packet.readings.push_back(r);
    }
    return {};
  }
  network::Reading r;
  if (std::string error = reading_from(message, context_.start_unix_ms, r); !error.empty()) return error;
  r.device = *d;
  r.patient = patient;
  packet.readings.push_back(r);
  return {};
}

}  // namespace twinbed::harness
