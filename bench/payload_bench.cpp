// Payload encoding throughput (harness::PayloadEncoder), the live harness's per-message cost.
// items/s is messages per second on one core, so 1e9 / (items/s) is the cost of one message in ns,
// the allocation of the message's topic and payload strings included. Target (issue 7): >= 1 M
// JSON messages/s at -O2.
//
//   BM_JsonReadings      a pulse oximeter sample (SpO2, pulse rate, perfusion index: three
//                        messages) from each of 10,000 devices in turn, one second apart.
//   BM_JsonBatch         a 12-reading store-and-forward upload (one batch message).
//   BM_JsonEcgBlock      a 1 s ECG block at 250 Hz (one waveform message).
//   BM_FhirReadings      the same oximeter samples as FHIR R4 Observations.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "harness/Payload.hpp"
#include "physiology/Signal.hpp"

namespace twinbed::harness {
namespace {

constexpr std::uint32_t DEVICES = 10000;

PayloadContext context() {
  PayloadContext c;
  c.run = "20260101T000000Z-s42";
  c.start_unix_ms = 1767225600000;
  for (std::uint32_t i = 0; i < DEVICES; ++i) {
    std::string id = std::to_string(10000 + i);
    id[0] = 'p';  // p0000..p9999 (GCC 12 warns -Wrestrict on "p" + std::string)
    c.patient_ids.push_back(id);
    c.patient_sites.emplace_back("p");
    c.device_ids.push_back(id + "-spo2");
    c.device_patients.push_back(i);
  }
  return c;
}

network::Reading reading(physiology::Signal signal, double value, sim::Time t, std::uint32_t device) {
  return {.sample_time = t, .patient = device, .device = device, .signal = static_cast<std::uint8_t>(signal), .value = value};
}

void run_oximeter(benchmark::State& bench, PayloadFormat format) {
  LiveSpec spec;
  spec.payload = format;
  PayloadEncoder encoder(context(), spec);
  network::Packet packet;
  packet.readings.resize(3);
  std::vector<Message> out;
  out.reserve(16);
  std::uint64_t n = 0, messages = 0, bytes = 0;
  for (auto _ : bench) {
    const auto device = static_cast<std::uint32_t>(n % DEVICES);
    // 10,000 devices at 1 Hz: each one second apart, so the timestamp's second changes every
    // 10,000 packets, as in a ward at real time.
    const sim::Time t = sim::Time::from_ns(static_cast<std::int64_t>(n / DEVICES) * 1'000'000'000 +
                                           static_cast<std::int64_t>(device) * 100'000);
    packet.device = device;
    packet.seq = static_cast<std::uint32_t>(n / DEVICES);
    packet.readings[0] = reading(physiology::Signal::spo2, 90 + static_cast<double>(n % 10), t, device);
    packet.readings[1] = reading(physiology::Signal::heart_rate, 60 + static_cast<double>(n % 40), t, device);
    packet.readings[2] = reading(physiology::Signal::perfusion_index, 1.4, t, device);
    out.clear();
    encoder.encode(packet, out);
    messages += out.size();
    for (const Message& m : out) bytes += m.payload.size();
    benchmark::DoNotOptimize(out.data());
    ++n;
  }
  bench.SetItemsProcessed(static_cast<std::int64_t>(messages));
  bench.counters["bytes_per_message"] = static_cast<double>(bytes) / static_cast<double>(messages);
}

void BM_JsonReadings(benchmark::State& bench) { run_oximeter(bench, PayloadFormat::json); }
BENCHMARK(BM_JsonReadings);

void BM_FhirReadings(benchmark::State& bench) { run_oximeter(bench, PayloadFormat::fhir); }
BENCHMARK(BM_FhirReadings);

void BM_JsonBatch(benchmark::State& bench) {
  PayloadEncoder encoder(context(), LiveSpec{});
  network::Packet packet;
  for (int i = 0; i < 12; ++i)
    packet.readings.push_back(reading(physiology::Signal::heart_rate, 70 + i, sim::Time::from_s(5 * i), 7));
  packet.device = 7;
  std::vector<Message> out;
  std::uint64_t bytes = 0;
  for (auto _ : bench) {
    out.clear();
    encoder.encode(packet, out);
    bytes += out[0].payload.size();
    benchmark::DoNotOptimize(out.data());
  }
  bench.SetItemsProcessed(bench.iterations());
  bench.counters["bytes_per_message"] = static_cast<double>(bytes) / static_cast<double>(bench.iterations());
}
BENCHMARK(BM_JsonBatch);

void BM_JsonEcgBlock(benchmark::State& bench) {
  PayloadEncoder encoder(context(), LiveSpec{});
  network::Packet packet;
  network::Waveform block;
  block.signal = static_cast<std::uint8_t>(physiology::Signal::ecg);
  block.sample_rate_hz = 250;
  for (int i = 0; i < 250; ++i) block.samples.push_back(0.001F * static_cast<float>((i * 37) % 1000) - 0.3F);
  packet.waveforms.push_back(block);
  std::vector<Message> out;
  for (auto _ : bench) {
    out.clear();
    encoder.encode(packet, out);
    benchmark::DoNotOptimize(out.data());
  }
  bench.SetItemsProcessed(bench.iterations());
  bench.counters["bytes_per_message"] = static_cast<double>(out[0].payload.size());
}
BENCHMARK(BM_JsonEcgBlock);

}  // namespace
}  // namespace twinbed::harness

BENCHMARK_MAIN();
