// The reference monitor's ECG path: twinbed's own clean ECG (BeatGenerator + EcgSynthesizer,
// fixed seed) in 1 s blocks of 250 samples, each delivered 300 ms after its last sample, through
// the monitor's ArrhythmiaAnalyzer. The naive monitor takes a lead-off flat line for asystole, as
// real monitors do; the smart one records that call suppressed and raises lead_off.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "harness/ArrhythmiaAnalyzer.hpp"
#include "harness/ReferenceMonitor.hpp"
#include "physiology/Ecg.hpp"
#include "physiology/Rhythm.hpp"
#include "sim/RandomStream.hpp"

using namespace twinbed;
using namespace twinbed::harness;
using physiology::Signal;

namespace {

constexpr std::int64_t PER_S = 250;
constexpr float RAIL_MV = 5.0F;  // the patch's ADC limit, where a lead-off output sits

struct Ecg {
  std::vector<float> mv;
  std::vector<bool> off;  // per second: the block is flagged sensor-off
};

// `seconds` of clean sinus ECG at 70 bpm; [flat_from, flat_to) s replaced by `level`, flagged
// sensor-off when `flag`.
Ecg make_ecg(int seconds, int flat_from, int flat_to, float level, bool flag) {
  const sim::Time end = sim::Time::from_s(seconds);
  physiology::BeatGenerator beats({}, {}, end, 11, 0, "ecg-monitor");
  beats.set_mean_heart_rate(70.0);
  physiology::EcgSynthesizer synth({}, beats, beats.episodes(), sim::RandomStream(11, 0, "ecg-monitor", "ecg"));
  Ecg ecg;
  ecg.mv.resize(static_cast<std::size_t>(seconds * PER_S));
  synth.render(0, ecg.mv);
  ecg.off.assign(static_cast<std::size_t>(seconds), false);
  for (int s = flat_from; s < flat_to; ++s) {
    std::fill_n(ecg.mv.begin() + s * PER_S, PER_S, level);
    ecg.off[static_cast<std::size_t>(s)] = flag;
  }
  return ecg;
}

network::Waveform block(const Ecg& ecg, int second) {
  network::Waveform w;
  w.signal = static_cast<std::uint8_t>(Signal::ecg);
  w.start = sim::Time::from_s(second);
  w.sample_rate_hz = 250.0;
  w.flags = ecg.off[static_cast<std::size_t>(second)] ? network::READING_SENSOR_OFF : network::READING_OK;
  w.samples.assign(ecg.mv.begin() + second * PER_S, ecg.mv.begin() + (second + 1) * PER_S);
  return w;
}

// Block [s, s+1) is delivered at s + 1.3 s.
sim::Time block_delivery(int second) { return sim::Time::from_ms((second + 1) * 1000 + 300); }

MonitorContext ecg_context(bool with_oximeter) {
  MonitorContext c;
  c.patients.push_back(PatientContext{"p0", false, false});
  DeviceContext patch;
  patch.id = "p0-ecg";
  patch.type = devices::DeviceType::ecg_patch;
  patch.sample_interval = sim::Time::from_s(1);
  patch.signals = {Signal::ecg, Signal::heart_rate};
  c.devices.push_back(patch);
  if (with_oximeter) {
    DeviceContext ox;
    ox.id = "p0-ox";
    ox.type = devices::DeviceType::pulse_oximeter;
    ox.sample_interval = sim::Time::from_s(1);
    ox.signals = {Signal::spo2, Signal::heart_rate, Signal::perfusion_index};
    c.devices.push_back(ox);
  }
  return c;
}

ReferenceMonitorConfig ecg_config(MonitorMode mode) {
  ReferenceMonitorConfig c;
  c.mode = mode;
  c.news2.enabled = false;
  c.technical.no_data_min = sim::Time::from_s(3600);
  return c;
}

std::vector<Alarm> of(const AlarmLog& log, const std::string& type) {
  std::vector<Alarm> out;
  for (const Alarm& a : log.alarms) {
    if (a.type == type) out.push_back(a);
  }
  return out;
}

// When the analyzer alone confirms the asystole of `ecg`: the block in which it is confirmed.
int asystole_block(const Ecg& ecg, int seconds) {
  ArrhythmiaAnalyzer analyzer;
  std::vector<ArrhythmiaCall> calls;
  for (int s = 0; s < seconds; ++s) {
    const std::size_t before = calls.size();
    analyzer.feed(block(ecg, s), calls);
    for (std::size_t i = before; i < calls.size(); ++i) {
      if (calls[i].kind == Arrhythmia::asystole && calls[i].start) return s;
    }
  }
  return -1;
}

}  // namespace

TEST(MonitorEcg, LeadOffFlatLineIsAsystoleInNaiveModeAndSuppressedWithLeadOffInSmartMode) {
  const int seconds = 120;
  const Ecg ecg = make_ecg(seconds, 60, 90, RAIL_MV, true);
  const int confirmed = asystole_block(ecg, seconds);
  // CinC 2015: no QRS for 4 s, timed from the last beat before the electrode came off at 60 s.
  ASSERT_GE(confirmed, 62);
  ASSERT_LE(confirmed, 65);
  for (const MonitorMode mode : {MonitorMode::naive, MonitorMode::smart}) {
    AlarmLog log;
    const MonitorContext context = ecg_context(false);
    ReferenceMonitor monitor(context, ecg_config(mode), log);
    for (int s = 0; s < seconds; ++s) {
      network::Packet p;
      p.device = 0;
      p.seq = static_cast<std::uint32_t>(s);
      p.waveforms.push_back(block(ecg, s));
      monitor.consume(p, block_delivery(s));
    }
    const std::vector<Alarm> asystole = of(log, "asystole");
    ASSERT_EQ(asystole.size(), 1u) << static_cast<int>(mode);
    EXPECT_EQ(asystole[0].time, block_delivery(confirmed));
    EXPECT_EQ(asystole[0].priority, Priority::high);
    EXPECT_EQ(asystole[0].device, 0u);
    EXPECT_EQ(asystole[0].suppressed, mode == MonitorMode::smart);
    if (mode == MonitorMode::smart) {
      EXPECT_EQ(asystole[0].detail, "ECG lead off");
    }
    // Technical alarms are the same in both modes: flagged from the 60 s block, due at the 70 s one.
    const std::vector<Alarm> lead_off = of(log, "lead_off");
    ASSERT_EQ(lead_off.size(), 1u);
    EXPECT_EQ(lead_off[0].time, block_delivery(70));
    EXPECT_EQ(lead_off[0].priority, Priority::low);
    EXPECT_EQ(log.alarms.size(), 2u);  // nothing else on a clean ECG
  }
}

TEST(MonitorEcg, SmartModeSuppressesAsystoleOnAPoorSignalAndEcgRateAgainstThePulse) {
  // An unflagged flat line at 0 mV (a disconnected cable the patch does not detect): naive calls
  // asystole; smart suppresses it for the signal quality, and also the ECG's heart-rate alarm
  // because the oximeter counts a normal pulse.
  const int seconds = 90;
  const Ecg ecg = make_ecg(seconds, 40, 80, 0.0F, false);
  for (const MonitorMode mode : {MonitorMode::naive, MonitorMode::smart}) {
    AlarmLog log;
    const MonitorContext context = ecg_context(true);
    ReferenceMonitor monitor(context, ecg_config(mode), log);
    for (int s = 0; s < seconds; ++s) {
      network::Packet ox;
      ox.device = 1;
      ox.readings.push_back({sim::Time::from_s(s), 0, 1, static_cast<std::uint8_t>(Signal::spo2), 0, 97.0});
      ox.readings.push_back({sim::Time::from_s(s), 0, 1, static_cast<std::uint8_t>(Signal::heart_rate), 0, 72.0});
      monitor.consume(ox, sim::Time::from_ms(s * 1000 + 500));
      network::Packet p;
      p.device = 0;
      p.waveforms.push_back(block(ecg, s));
      // The patch's own rate: 30 bpm counted on the flat line from 45 s (no beats).
      const double hr = s >= 45 && s < 80 ? 30.0 : 70.0;
      p.readings.push_back({sim::Time::from_s(s), 0, 0, static_cast<std::uint8_t>(Signal::heart_rate), 0, hr});
      monitor.consume(p, block_delivery(s));
    }
    const std::vector<Alarm> asystole = of(log, "asystole");
    ASSERT_EQ(asystole.size(), 1u);
    EXPECT_EQ(asystole[0].suppressed, mode == MonitorMode::smart);
    const std::vector<Alarm> hr_low = of(log, "hr_low");
    ASSERT_EQ(hr_low.size(), 1u);
    if (mode == MonitorMode::naive) {
      EXPECT_TRUE(asystole[0].detail.starts_with("no QRS for ")) << asystole[0].detail;
      EXPECT_EQ(hr_low[0].time, block_delivery(55));  // 10 s after the first 30 bpm reading
      EXPECT_FALSE(hr_low[0].suppressed);
    } else {
      EXPECT_TRUE(asystole[0].detail.starts_with("ECG signal quality 0.")) << asystole[0].detail;
      EXPECT_EQ(hr_low[0].time, block_delivery(60));  // 15 s in smart mode, then suppressed
      EXPECT_TRUE(hr_low[0].suppressed);
      EXPECT_TRUE(hr_low[0].detail.starts_with("ECG quality 0.")) << hr_low[0].detail;
      EXPECT_TRUE(hr_low[0].detail.ends_with(", pulse 72 bpm disagrees")) << hr_low[0].detail;
    }
  }
}
