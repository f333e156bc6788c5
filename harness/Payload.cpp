// harness::PayloadEncoder (declared in Payload.hpp): delivered packets as the MQTT messages a
// platform receives, in the shapes of spec harness.md "Telemetry out" (docs/fhir.md shows each).
// This runs once per published message, so JSON is written by hand into one reused buffer, the
// parts that never change for a (device, signal) are rendered once, and the timestamp's date and
// time of day are reused while the second stays the same. bench/payload_bench.cpp measures it.
#include "harness/Payload.hpp"

#include <algorithm>
#include <array>

#include "harness/JsonText.hpp"
#include "harness/World.hpp"
#include "physiology/Signal.hpp"

namespace twinbed::harness {
namespace {

// network::ReadingFlag, bit 0 first.
constexpr std::array<std::string_view, 6> QUALITY_NAMES = {"clamped",       "low_quality", "sensor_off",
                                                           "low_perfusion", "motion",      "retried"};
constexpr std::uint16_t QUALITY_MASK = (1u << QUALITY_NAMES.size()) - 1;

// Topic and text slots per device: every signal, then "unknown" (a code past ALL_SIGNALS), then
// the batch topic.
constexpr std::uint32_t SIGNAL_COUNT = std::size(physiology::ALL_SIGNALS);
constexpr std::uint32_t UNKNOWN_SLOT = SIGNAL_COUNT;
constexpr std::uint32_t BATCH_SLOT = SIGNAL_COUNT + 1;
constexpr std::uint32_t SLOTS_PER_DEVICE = SIGNAL_COUNT + 2;

constexpr std::int64_t NS_PER_MS = 1'000'000;

// The slot of a reading's or block's signal code.
std::uint32_t signal_slot(std::uint8_t signal) { return std::min<std::uint32_t>(signal, UNKNOWN_SLOT); }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The JSON list of every flag combination, `["motion"]`, built once.
const std::array<std::string, QUALITY_MASK + 1>& quality_lists() {
  static const std::array<std::string, QUALITY_MASK + 1> lists = [] {
    std::array<std::string, QUALITY_MASK + 1> result;
    for (std::uint16_t flags = 0; flags <= QUALITY_MASK; ++flags) {
      std::string& list = result[flags];
      list = "[";
      for (const std::string_view name : quality_names(flags)) {
        if (list.size() > 1) list += ',';
        json::append_string(list, name);
      }
      list += ']';
    }
    return result;
  }();
  return lists;
}

const std::string& quality_list(std::uint16_t flags) { return quality_lists()[flags & QUALITY_MASK]; }

std::string name_at(const std::vector<std::string>& names, std::uint32_t index) {
  return index < names.size() ? names[index] : std::to_string(index);
}

// The topic template with {run} {site} {patient} {device} {signal} replaced; any other text in
// braces stays as written (the scenario loader rejects unknown placeholders).
std::string render_topic(std::string_view pattern, std::string_view run, std::string_view site,
                         std::string_view patient, std::string_view device, std::string_view signal) {
  std::string topic;
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    const std::size_t open = pattern.find('{', pos);
    const std::size_t close = open == std::string_view::npos ? open : pattern.find('}', open);
    if (close == std::string_view::npos) {
      topic += pattern.substr(pos);
      break;
    }
    topic += pattern.substr(pos, open - pos);
    const std::string_view name = pattern.substr(open + 1, close - open - 1);
    if (name == "run") {
      topic += run;
    } else if (name == "site") {
      topic += site;
    } else if (name == "patient") {
      topic += patient;
    } else if (name == "device") {
      topic += device;
    } else if (name == "signal") {
      topic += signal;
    } else {
      topic += pattern.substr(open, close - open + 1);
    }
    pos = close + 1;
  }
  return topic;
}

bool spans_several_times(const std::vector<network::Reading>& readings) {
  return std::any_of(readings.begin(), readings.end(),
                     [&](const network::Reading& r) { return r.sample_time != readings.front().sample_time; });
}

}  // namespace

PayloadContext payload_context(const World& world, std::string run, std::int64_t start_unix_ms) {
  PayloadContext context;
  context.run = std::move(run);
  context.start_unix_ms = start_unix_ms;
  for (const PatientInfo& patient : world.patient_info()) {
    context.patient_ids.push_back(patient.id);
    context.patient_sites.push_back(patient.cohort);
  }
  for (const DeviceInfo& device : world.device_info()) {
    context.device_ids.push_back(device.id);
    context.device_patients.push_back(device.patient);
  }
  return context;
}

std::vector<std::string_view> quality_names(std::uint16_t flags) {
  std::vector<std::string_view> names;
  for (std::size_t bit = 0; bit < QUALITY_NAMES.size(); ++bit) {
    if ((flags & (1u << bit)) != 0) names.push_back(QUALITY_NAMES[bit]);
  }
  return names;
}

std::uint16_t quality_flag(std::string_view name) {
  for (std::size_t bit = 0; bit < QUALITY_NAMES.size(); ++bit) {
    if (QUALITY_NAMES[bit] == name) return static_cast<std::uint16_t>(1u << bit);
  }
  return 0;
}

PayloadEncoder::PayloadEncoder(PayloadContext context, const LiveSpec& spec)
    : context_(std::move(context)),
      format_(spec.payload),
      batch_uploads_(spec.batch_uploads),
      topic_template_(spec.topic),
      topic_cache_(context_.device_ids.size() * SLOTS_PER_DEVICE) {
  buffer_.reserve(4096);
}

PayloadEncoder::Slot& PayloadEncoder::slot(std::uint32_t patient, std::uint32_t device, std::uint32_t index) {
  const std::size_t at = static_cast<std::size_t>(device) * SLOTS_PER_DEVICE + index;
  if (at >= topic_cache_.size()) topic_cache_.resize((static_cast<std::size_t>(device) + 1) * SLOTS_PER_DEVICE);
  Slot& slot = topic_cache_[at];
  if (slot.ready) return slot;
  const std::string patient_id = name_at(context_.patient_ids, patient);
  const std::string device_id = name_at(context_.device_ids, device);
  const std::string site = name_at(context_.patient_sites, patient);
  const auto code = static_cast<physiology::Signal>(index);
  const std::string_view signal_name = index == BATCH_SLOT     ? std::string_view("batch")
                                       : index == UNKNOWN_SLOT ? std::string_view("unknown")
                                                               : physiology::signal_name(code);
  slot.topic = render_topic(topic_template_, context_.run, site, patient_id, device_id, signal_name);
  slot.head = "{\"run\":";
  json::append_string(slot.head, context_.run);
  slot.head += ",\"patient\":";
  json::append_string(slot.head, patient_id);
  slot.head += ",\"device\":";
  json::append_string(slot.head, device_id);
  if (index != BATCH_SLOT) {
    json::append_string(slot.signal, signal_name);
    slot.head += ",\"signal\":";
    slot.head += slot.signal;
    json::append_string(slot.unit, index == UNKNOWN_SLOT ? std::string_view() : physiology::signal_unit(code));
  }
  slot.ready = true;
  return slot;
}

void PayloadEncoder::append_time(sim::Time t) {
  // iso_time() to the millisecond; its first 19 characters change only with the second.
  const std::int64_t ms = context_.start_unix_ms + floor_div(t.ns(), NS_PER_MS);
  const std::int64_t second = floor_div(ms, 1000);
  if (second != cached_second_) {
    cached_second_text_ = iso_time(context_.start_unix_ms, t);
    cached_second_text_.resize(cached_second_text_.size() - 5);  // drop ".mmmZ"
    cached_second_ = second;
  }
  const auto millis = static_cast<int>(ms - second * 1000);
  const char fraction[] = {'.', static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                           static_cast<char>('0' + millis % 10), 'Z'};
  buffer_ += cached_second_text_;
  buffer_.append(fraction, sizeof fraction);
}

void PayloadEncoder::encode(const network::Packet& packet, std::vector<Message>& out) {
  // A platform that reads message by message sees a packet's parts in the order an in-process
  // monitor uses them (ReferenceMonitor::consume): the ECG block first (a heart rate is judged
  // with the quality of the ECG it came with), then the heart rate (an SpO2 reading is
  // cross-checked against the pulse measured with it), then the other readings.
  for (const network::Waveform& block : packet.waveforms) encode_waveform(packet, block, out);
  const bool batch = batch_uploads_ && spans_several_times(packet.readings);
  if (format_ == PayloadFormat::fhir) {
    encode_fhir(packet, batch, out);
  } else if (batch) {
    encode_batch(packet, out);
  } else {
    encode_json(packet, out);
  }
}

void PayloadEncoder::encode_json(const network::Packet& packet, std::vector<Message>& out) {
  constexpr auto HEART_RATE = static_cast<std::uint8_t>(physiology::Signal::heart_rate);
  for (const bool rates : {true, false}) {
    for (const network::Reading& reading : packet.readings) {
      if ((reading.signal == HEART_RATE) == rates) encode_reading(packet, reading, out);
    }
  }
}

// ,"value":94,"unit":"%","t":"2026-01-01T03:12:05.000Z" (a reading message and a batch item).
void PayloadEncoder::append_value(const Slot& s, const network::Reading& reading) {
  buffer_ += ",\"value\":";
  json::append_number(buffer_, reading.value);
  buffer_ += ",\"unit\":";
  buffer_ += s.unit;
  buffer_ += ",\"t\":\"";
  append_time(reading.sample_time);
  buffer_ += '"';
}

void PayloadEncoder::encode_reading(const network::Packet& packet, const network::Reading& reading,
                                    std::vector<Message>& out) {
  const Slot& s = slot(reading.patient, packet.device, signal_slot(reading.signal));
  buffer_ = s.head;
  append_value(s, reading);
  buffer_ += ",\"seq\":";
  json::append_integer(buffer_, packet.seq);
  buffer_ += ",\"quality\":";
  buffer_ += quality_list(reading.flags);
  buffer_ += '}';
  out.push_back(Message{s.topic, buffer_, packet.device, 1});
}

void PayloadEncoder::encode_batch(const network::Packet& packet, std::vector<Message>& out) {
  const std::uint32_t patient = packet.readings.front().patient;
  buffer_ = slot(patient, packet.device, BATCH_SLOT).head;
  buffer_ += ",\"seq\":";
  json::append_integer(buffer_, packet.seq);
  buffer_ += ",\"readings\":[";
  for (std::size_t i = 0; i < packet.readings.size(); ++i) {
    const network::Reading& reading = packet.readings[i];
    const Slot& signal = slot(reading.patient, packet.device, signal_slot(reading.signal));
    buffer_ += i == 0 ? "{\"signal\":" : ",{\"signal\":";
    buffer_ += signal.signal;
    append_value(signal, reading);
    buffer_ += ",\"quality\":";
    buffer_ += quality_list(reading.flags);
    buffer_ += '}';
  }
  buffer_ += "]}";
  out.push_back(Message{slot(patient, packet.device, BATCH_SLOT).topic, buffer_, packet.device,
                        static_cast<std::uint32_t>(packet.readings.size())});
}

void PayloadEncoder::encode_fhir(const network::Packet& packet, bool batch, std::vector<Message>& out) {
  if (packet.readings.empty()) return;
  std::vector<FhirResource> resources;
  fhir_measurements(context_, packet.device, packet.readings, resources);
  if (!batch) {
    for (FhirResource& resource : resources) {
      const Slot& s = slot(packet.readings.front().patient, packet.device, signal_slot(resource.signal));
      out.push_back(Message{s.topic, std::move(resource.text), packet.device, resource.readings});
    }
    return;
  }
  // A store-and-forward upload: one Bundle of type "collection" (FHIR R4 Bundle.type; the
  // entries are independent resources, not a transaction).
  buffer_ = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[";
  std::uint32_t readings = 0;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    buffer_ += i == 0 ? "{\"resource\":" : ",{\"resource\":";
    buffer_ += resources[i].text;
    buffer_ += '}';
    readings += resources[i].readings;
  }
  buffer_ += "]}";
  const Slot& s = slot(packet.readings.front().patient, packet.device, BATCH_SLOT);
  out.push_back(Message{s.topic, buffer_, packet.device, readings});
}

void PayloadEncoder::encode_waveform(const network::Packet& packet, const network::Waveform& block,
                                     std::vector<Message>& out) {
  const std::uint32_t patient =
      packet.device < context_.device_patients.size() ? context_.device_patients[packet.device] : 0;
  const Slot& s = slot(patient, packet.device, signal_slot(block.signal));
  if (format_ == PayloadFormat::fhir) {
    out.push_back(Message{s.topic, fhir_waveform(context_, patient, packet.device, block), packet.device, 1});
    return;
  }
  buffer_ = s.head;
  buffer_ += ",\"unit\":";
  buffer_ += s.unit;
  buffer_ += ",\"t\":\"";
  append_time(block.start);
  buffer_ += "\",\"seq\":";
  json::append_integer(buffer_, packet.seq);
  buffer_ += ",\"sample_rate\":";
  json::append_number(buffer_, block.sample_rate_hz);
  buffer_ += ",\"values\":[";
  for (std::size_t i = 0; i < block.samples.size(); ++i) {
    if (i > 0) buffer_ += ',';
    json::append_number(buffer_, block.samples[i]);
  }
  buffer_ += "],\"quality\":";
  buffer_ += quality_list(block.flags);
  buffer_ += '}';
  out.push_back(Message{s.topic, buffer_, packet.device, 1});
}

}  // namespace twinbed::harness
