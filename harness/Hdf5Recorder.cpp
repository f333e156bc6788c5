#include "harness/Hdf5Recorder.hpp"

#include <H5Cpp.h>

#include <cstddef>
#include <cstring>

#include "harness/Hdf5Writer.hpp"
#include "harness/InputError.hpp"
#include "harness/Version.hpp"
#include "physiology/Signal.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::harness {
namespace {


struct PatientRow {
  std::uint32_t index;
  char id[ID_BYTES];
  char cohort[ID_BYTES];
  char profile[ID_BYTES];
  double age_years;
  std::uint8_t female;
  double weight_kg;
  double height_cm;
  std::uint8_t fitzpatrick_type;
  double heart_rate_baseline_bpm;
  double respiration_rate_baseline_per_min;
  double systolic_baseline_mmhg;
  double diastolic_baseline_mmhg;
  double core_temperature_baseline_c;
  double spo2_baseline_percent;
  char glucose_model[ID_BYTES];  // "non_diabetic" or the UVA/Padova patient name
  std::uint8_t ecg;              // 1 when the true ECG is in /waveforms/ecg
};

struct DeviceRow {
  std::uint32_t index;
  char id[ID_BYTES];
  char type[ID_BYTES];
  std::uint32_t patient;
  char link[ID_BYTES];
  std::int64_t sample_interval_ns;
};

std::vector<std::string> rhythm_names() {
  std::vector<std::string> names;
  for (const physiology::Rhythm r : {physiology::Rhythm::sinus, physiology::Rhythm::atrial_fibrillation,
                                     physiology::Rhythm::ventricular_tachycardia,
                                     physiology::Rhythm::ventricular_fibrillation, physiology::Rhythm::asystole}) {
    names.emplace_back(physiology::rhythm_name(r));
  }
  return names;
}

H5::EnumType signal_enum() {
  std::vector<std::string> names;
  for (const physiology::Signal signal : physiology::ALL_SIGNALS) names.emplace_back(physiology::signal_name(signal));
  return enum_type(names);
}

H5::CompType telemetry_type() {
  H5::CompType type(sizeof(TelemetryRow));
  type.insertMember("sample_time_ns", offsetof(TelemetryRow, sample_time_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("delivery_time_ns", offsetof(TelemetryRow, delivery_time_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("patient", offsetof(TelemetryRow, patient), H5::PredType::NATIVE_UINT32);
  type.insertMember("device", offsetof(TelemetryRow, device), H5::PredType::NATIVE_UINT32);
  type.insertMember("signal", offsetof(TelemetryRow, signal), signal_enum());
  type.insertMember("value", offsetof(TelemetryRow, value), H5::PredType::NATIVE_DOUBLE);
  type.insertMember("flags", offsetof(TelemetryRow, flags), H5::PredType::NATIVE_UINT16);
  return type;
}

}  // namespace

struct Hdf5Recorder::GroundTruthVitalsRow {
  std::int64_t time_ns;
  std::uint32_t patient;
  double heart_rate_bpm;
  double respiration_rate_per_min;
  double spo2_percent;
  double pao2_mmhg;
  double systolic_mmhg;
  double diastolic_mmhg;
  double mean_arterial_mmhg;
  double core_temperature_c;
  double skin_temperature_c;
  double weight_kg;
  double glucose_mg_dl;
  double interstitial_glucose_mg_dl;
  std::uint8_t consciousness;
  std::uint8_t activity;
  std::uint8_t on_oxygen;
};

struct Hdf5Recorder::BeatRow {
  std::uint32_t patient;
  std::int64_t time_ns;
  std::int64_t sample;
  std::int8_t beat_class;  // the WFDB letter: N, V, A, F, Q
  std::uint8_t rhythm;     // physiology::Rhythm
};

namespace {

struct EventRow {
  std::uint32_t patient;
  std::uint8_t event_class;
  std::int64_t onset_ns;
  std::int64_t offset_ns;
  double severity;
  double peak;
  std::uint16_t detail;
};

}  // namespace

struct Hdf5Recorder::WaveformBlockRow {
  std::uint32_t device;
  std::uint8_t signal;
  std::int64_t start_time_ns;     // device clock
  std::int64_t delivery_time_ns;
  std::uint64_t first_sample;     // index into /waveforms/device/<id>
  std::uint32_t count;
  double sample_rate_hz;
  std::uint16_t flags;
};

Hdf5Recorder::Hdf5Recorder(const std::filesystem::path& path, const Scenario& scenario, const World& world)
    : world_(world) {
  H5::Exception::dontPrint();  // errors become RunError messages, not HDF5's stack dump on stderr
  try {
    writer_ = std::make_unique<Hdf5Writer>(path);
    H5::H5File& file = writer_->file();
    telemetry_ = std::make_unique<TableAppender<TelemetryRow>>(
        *writer_, writer_->create_table("/telemetry", telemetry_type(), scenario.record.chunk_bytes,
                                        scenario.record.compression_level));

    H5::Group meta = file.createGroup("meta");
    write_string_attribute(meta, "twinbed_version", std::string(version()));
    write_string_attribute(meta, "scenario_name", scenario.name);
    write_string_attribute(meta, "scenario_file", scenario.source_file);
    write_string_attribute(meta, "scenario_text", scenario.source_text);
    std::string overrides;
    for (const std::string& o : scenario.overrides) overrides += (overrides.empty() ? "" : "\n") + o;
    write_string_attribute(meta, "overrides", overrides);
    write_scalar_attribute(meta, "seed", H5::PredType::NATIVE_UINT64, scenario.seed);
    write_scalar_attribute(meta, "replication", H5::PredType::NATIVE_UINT32, scenario.replication);
    write_scalar_attribute(meta, "duration_ns", H5::PredType::NATIVE_INT64, scenario.duration.ns());
    write_scalar_attribute(meta, "start_unix_ms", H5::PredType::NATIVE_INT64, scenario.start_unix_ms);
    unsigned major = 0, minor = 0, release = 0;
    H5::H5Library::getLibVersion(major, minor, release);
    write_string_attribute(meta, "hdf5_version",
                           std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release));

    std::vector<PatientRow> patients;
    for (std::size_t i = 0; i < world.patients().size(); ++i) {
      PatientRow row{};
      row.index = static_cast<std::uint32_t>(i);
      copy_id(row.id, world.patient_info()[i].id);
      copy_id(row.cohort, world.patient_info()[i].cohort);
      physiology::Patient& patient = *world.patients()[i];
      const physiology::Profile& profile = patient.profile();
      copy_id(row.profile, std::string(physiology::profile_kind_name(profile.kind)));
      row.age_years = profile.age_years;
      row.female = profile.female ? 1 : 0;
      row.weight_kg = profile.weight_kg;
      row.height_cm = profile.height_cm;
      row.fitzpatrick_type = profile.fitzpatrick_type;
      row.heart_rate_baseline_bpm = profile.heart_rate_bpm;
      row.respiration_rate_baseline_per_min = profile.respiration_rate_per_min;
      row.systolic_baseline_mmhg = profile.systolic_mmhg;
      row.diastolic_baseline_mmhg = profile.diastolic_mmhg;
      row.core_temperature_baseline_c = profile.core_temperature_c;
      row.spo2_baseline_percent = profile.spo2_percent;
      const physiology::UvaPadovaPatient* t1d = patient.glucose().uva_padova_patient();
      copy_id(row.glucose_model, t1d ? std::string(t1d->name) : std::string("non_diabetic"));
      row.ecg = patient.ecg() != nullptr ? 1 : 0;
      patients.push_back(row);
    }
    H5::CompType patient_type(sizeof(PatientRow));
    patient_type.insertMember("index", offsetof(PatientRow, index), H5::PredType::NATIVE_UINT32);
    patient_type.insertMember("id", offsetof(PatientRow, id), fixed_string());
    patient_type.insertMember("cohort", offsetof(PatientRow, cohort), fixed_string());
    patient_type.insertMember("profile", offsetof(PatientRow, profile), fixed_string());
    const auto dbl = H5::PredType::NATIVE_DOUBLE;
    const auto u8 = H5::PredType::NATIVE_UINT8;
    patient_type.insertMember("age_years", offsetof(PatientRow, age_years), dbl);
    patient_type.insertMember("female", offsetof(PatientRow, female), u8);
    patient_type.insertMember("weight_kg", offsetof(PatientRow, weight_kg), dbl);
    patient_type.insertMember("height_cm", offsetof(PatientRow, height_cm), dbl);
    patient_type.insertMember("fitzpatrick_type", offsetof(PatientRow, fitzpatrick_type), u8);
    patient_type.insertMember("heart_rate_baseline_bpm", offsetof(PatientRow, heart_rate_baseline_bpm), dbl);
    patient_type.insertMember("respiration_rate_baseline_per_min",
                              offsetof(PatientRow, respiration_rate_baseline_per_min), dbl);
    patient_type.insertMember("systolic_baseline_mmhg", offsetof(PatientRow, systolic_baseline_mmhg), dbl);
    patient_type.insertMember("diastolic_baseline_mmhg", offsetof(PatientRow, diastolic_baseline_mmhg), dbl);
    patient_type.insertMember("core_temperature_baseline_c", offsetof(PatientRow, core_temperature_baseline_c), dbl);
    patient_type.insertMember("spo2_baseline_percent", offsetof(PatientRow, spo2_baseline_percent), dbl);
    patient_type.insertMember("glucose_model", offsetof(PatientRow, glucose_model), fixed_string());
    patient_type.insertMember("ecg", offsetof(PatientRow, ecg), u8);
    write_table(file, "patients", patient_type, patients);

    std::vector<DeviceRow> devices;
    for (std::size_t i = 0; i < world.device_info().size(); ++i) {
      const DeviceInfo& info = world.device_info()[i];
      DeviceRow row{};
      row.index = static_cast<std::uint32_t>(i);
      copy_id(row.id, info.id);
      copy_id(row.type, info.type);
      row.patient = info.patient;
      copy_id(row.link, info.link);
      row.sample_interval_ns = info.sample_interval.ns();
      devices.push_back(row);
    }
    H5::CompType device_type(sizeof(DeviceRow));
    device_type.insertMember("index", offsetof(DeviceRow, index), H5::PredType::NATIVE_UINT32);
    device_type.insertMember("id", offsetof(DeviceRow, id), fixed_string());
    device_type.insertMember("type", offsetof(DeviceRow, type), fixed_string());
    device_type.insertMember("patient", offsetof(DeviceRow, patient), H5::PredType::NATIVE_UINT32);
    device_type.insertMember("link", offsetof(DeviceRow, link), fixed_string());
    device_type.insertMember("sample_interval_ns", offsetof(DeviceRow, sample_interval_ns), H5::PredType::NATIVE_INT64);
    write_table(file, "devices", device_type, devices);

    const std::uint64_t chunk = scenario.record.chunk_bytes;
    const int level = scenario.record.compression_level;
    if (scenario.record.ground_truth_interval > sim::Time::zero()) {
      using Row = GroundTruthVitalsRow;
      H5::CompType type(sizeof(Row));
      const auto dbl = H5::PredType::NATIVE_DOUBLE;
      type.insertMember("time_ns", offsetof(Row, time_ns), H5::PredType::NATIVE_INT64);
      type.insertMember("patient", offsetof(Row, patient), H5::PredType::NATIVE_UINT32);
      type.insertMember("heart_rate_bpm", offsetof(Row, heart_rate_bpm), dbl);
      type.insertMember("respiration_rate_per_min", offsetof(Row, respiration_rate_per_min), dbl);
      type.insertMember("spo2_percent", offsetof(Row, spo2_percent), dbl);
      type.insertMember("pao2_mmhg", offsetof(Row, pao2_mmhg), dbl);
      type.insertMember("systolic_mmhg", offsetof(Row, systolic_mmhg), dbl);
      type.insertMember("diastolic_mmhg", offsetof(Row, diastolic_mmhg), dbl);
      type.insertMember("mean_arterial_mmhg", offsetof(Row, mean_arterial_mmhg), dbl);
      type.insertMember("core_temperature_c", offsetof(Row, core_temperature_c), dbl);
      type.insertMember("skin_temperature_c", offsetof(Row, skin_temperature_c), dbl);
      type.insertMember("weight_kg", offsetof(Row, weight_kg), dbl);
      type.insertMember("glucose_mg_dl", offsetof(Row, glucose_mg_dl), dbl);
      type.insertMember("interstitial_glucose_mg_dl", offsetof(Row, interstitial_glucose_mg_dl), dbl);
      type.insertMember("consciousness", offsetof(Row, consciousness),
                        enum_type({"alert", "new_confusion", "voice", "pain", "unresponsive"}));
      type.insertMember("activity", offsetof(Row, activity), enum_type({"sleep", "rest", "active"}));
      type.insertMember("on_oxygen", offsetof(Row, on_oxygen), H5::PredType::NATIVE_UINT8);
      vitals_ = std::make_unique<TableAppender<Row>>(*writer_,
                                                     writer_->create_table("/ground_truth/vitals", type, chunk, level));
    }
    ecg_.resize(world.patients().size());
    for (std::size_t i = 0; i < world.patients().size(); ++i) {
      physiology::EcgSynthesizer* ecg = world.patients()[i]->ecg();
      if (ecg == nullptr) continue;
      const Hdf5Writer::TableId table = writer_->create_table(
          "/waveforms/ecg/" + world.patient_info()[i].id, H5::PredType::NATIVE_FLOAT, chunk, level);
      H5::DataSet& dataset = writer_->dataset(table);
      write_scalar_attribute(dataset, "sampling_frequency_hz", H5::PredType::NATIVE_DOUBLE, ecg->sample_rate_hz());
      write_scalar_attribute(dataset, "start_time_ns", H5::PredType::NATIVE_INT64, std::int64_t{0});
      write_string_attribute(dataset, "units", "mV");
      write_scalar_attribute(dataset, "patient", H5::PredType::NATIVE_UINT32, static_cast<std::uint32_t>(i));
      ecg_[i] = std::make_unique<TableAppender<float>>(*writer_, table);
      if (!beats_) {
        H5::CompType type(sizeof(BeatRow));
        type.insertMember("patient", offsetof(BeatRow, patient), H5::PredType::NATIVE_UINT32);
        type.insertMember("time_ns", offsetof(BeatRow, time_ns), H5::PredType::NATIVE_INT64);
        type.insertMember("sample", offsetof(BeatRow, sample), H5::PredType::NATIVE_INT64);
        type.insertMember("beat_class", offsetof(BeatRow, beat_class), H5::PredType::NATIVE_INT8);
        type.insertMember("rhythm", offsetof(BeatRow, rhythm),
                          enum_type(rhythm_names()));
        beats_ = std::make_unique<TableAppender<BeatRow>>(
            *writer_, writer_->create_table("/ground_truth/beats", type, chunk, level));
      }
    }
    device_waveforms_.resize(world.devices().size());
    device_waveform_samples_.assign(world.devices().size(), 0);
    for (std::size_t i = 0; i < world.devices().size(); ++i) {
      const auto& signals = devices::device_type_info(world.devices()[i]->type()).signals;
      if (std::find(signals.begin(), signals.end(), physiology::Signal::ecg) == signals.end()) continue;
      const Hdf5Writer::TableId table = writer_->create_table("/waveforms/device/" + world.device_info()[i].id,
                                                              H5::PredType::NATIVE_FLOAT, chunk, level);
      H5::DataSet& dataset = writer_->dataset(table);
      write_string_attribute(dataset, "units", "mV");
      write_scalar_attribute(dataset, "device", H5::PredType::NATIVE_UINT32, static_cast<std::uint32_t>(i));
      device_waveforms_[i] = std::make_unique<TableAppender<float>>(*writer_, table);
      if (!waveform_blocks_) {
        using Row = WaveformBlockRow;
        H5::CompType type(sizeof(Row));
        type.insertMember("device", offsetof(Row, device), H5::PredType::NATIVE_UINT32);
        type.insertMember("signal", offsetof(Row, signal), signal_enum());
        type.insertMember("start_time_ns", offsetof(Row, start_time_ns), H5::PredType::NATIVE_INT64);
        type.insertMember("delivery_time_ns", offsetof(Row, delivery_time_ns), H5::PredType::NATIVE_INT64);
        type.insertMember("first_sample", offsetof(Row, first_sample), H5::PredType::NATIVE_UINT64);
        type.insertMember("count", offsetof(Row, count), H5::PredType::NATIVE_UINT32);
        type.insertMember("sample_rate_hz", offsetof(Row, sample_rate_hz), H5::PredType::NATIVE_DOUBLE);
        type.insertMember("flags", offsetof(Row, flags), H5::PredType::NATIVE_UINT16);
        waveform_blocks_ = std::make_unique<TableAppender<Row>>(
            *writer_, writer_->create_table("/waveforms/device_blocks", type, chunk, level));
      }
    }
    network_ = std::make_unique<NetworkRecorder>(*writer_, scenario, world);
  } catch (const H5::Exception& e) {
    throw RunError("cannot create " + path.string() + ": " + e.getDetailMsg());
  }
  writer_->start();
}

Hdf5Recorder::~Hdf5Recorder() = default;

std::uint64_t Hdf5Recorder::rows_recorded() const { return telemetry_ ? telemetry_->added() : 0; }

void Hdf5Recorder::consume(const network::Packet& packet, sim::Time delivered) {
  for (const network::Reading& reading : packet.readings) {
    telemetry_->add(TelemetryRow{reading.sample_time.ns(), delivered.ns(), reading.patient, reading.device,
                                 reading.signal, reading.value, reading.flags});
  }
  for (const network::Waveform& block : packet.waveforms) {
    TableAppender<float>* table = device_waveforms_[packet.device].get();
    if (table == nullptr) continue;
    waveform_blocks_->add(WaveformBlockRow{packet.device, block.signal, block.start.ns(), delivered.ns(),
                                           device_waveform_samples_[packet.device],
                                           static_cast<std::uint32_t>(block.samples.size()), block.sample_rate_hz,
                                           block.flags});
    for (const float sample : block.samples) table->add(sample);
    device_waveform_samples_[packet.device] += block.samples.size();
  }
}

void Hdf5Recorder::record_vitals(std::uint32_t patient, sim::Time t, const physiology::Patient& state) {
  if (!vitals_) return;
  const physiology::VitalSigns& v = state.vitals();
  vitals_->add(GroundTruthVitalsRow{t.ns(), patient, v.heart_rate_bpm, v.respiration_rate_per_min, v.spo2_percent,
                                    v.pao2_mmhg, v.systolic_mmhg, v.diastolic_mmhg, v.mean_arterial_mmhg,
                                    v.core_temperature_c, v.skin_temperature_c, v.weight_kg, v.glucose_mg_dl,
                                    state.glucose().interstitial_glucose_mg_dl(),
                                    static_cast<std::uint8_t>(v.consciousness), static_cast<std::uint8_t>(v.activity),
                                    static_cast<std::uint8_t>(v.on_oxygen ? 1 : 0)});
}

void Hdf5Recorder::record_beats(std::uint32_t patient, std::span<const physiology::Beat> beats,
                                double sample_rate_hz) {
  if (!beats_) return;
  for (const physiology::Beat& beat : beats) {
    const auto sample = static_cast<std::int64_t>(std::llround(beat.r_time.seconds() * sample_rate_hz));
    beats_->add(BeatRow{patient, beat.r_time.ns(), sample, static_cast<std::int8_t>(beat.beat_class),
                        static_cast<std::uint8_t>(beat.rhythm)});
  }
}

void Hdf5Recorder::record_ecg(std::uint32_t patient, std::span<const float> samples) {
  TableAppender<float>& table = *ecg_[patient];
  for (const float sample : samples) table.add(sample);
}

void Hdf5Recorder::close(const RunFacts& facts) {
  telemetry_->flush();
  if (vitals_) vitals_->flush();
  if (beats_) beats_->flush();
  for (auto& ecg : ecg_) {
    if (ecg) ecg->flush();
  }
  for (auto& waveform : device_waveforms_) {
    if (waveform) waveform->flush();
  }
  if (waveform_blocks_) waveform_blocks_->flush();
  network_->flush();
  writer_->stop();
  try {
    // Ground-truth events, from every patient's log, by patient then onset.
    std::vector<EventRow> events;
    for (std::size_t i = 0; i < world_.patients().size(); ++i) {
      for (const physiology::GroundTruthEvent& e : world_.patients()[i]->events()) {
        events.push_back(EventRow{static_cast<std::uint32_t>(i), static_cast<std::uint8_t>(e.event_class),
                                  e.onset.ns(), e.offset.ns(), e.severity, e.peak, e.detail});
      }
    }
    std::stable_sort(events.begin(), events.end(), [](const EventRow& a, const EventRow& b) {
      return a.patient != b.patient ? a.patient < b.patient : a.onset_ns < b.onset_ns;
    });
    std::vector<std::string> class_names;
    for (const physiology::EventClass c : physiology::all_event_classes()) {
      class_names.emplace_back(physiology::event_class_name(c));
    }
    H5::CompType event_type(sizeof(EventRow));
    event_type.insertMember("patient", offsetof(EventRow, patient), H5::PredType::NATIVE_UINT32);
    event_type.insertMember("event_class", offsetof(EventRow, event_class), enum_type(class_names));
    event_type.insertMember("onset_ns", offsetof(EventRow, onset_ns), H5::PredType::NATIVE_INT64);
    event_type.insertMember("offset_ns", offsetof(EventRow, offset_ns), H5::PredType::NATIVE_INT64);
    event_type.insertMember("severity", offsetof(EventRow, severity), H5::PredType::NATIVE_DOUBLE);
    event_type.insertMember("peak", offsetof(EventRow, peak), H5::PredType::NATIVE_DOUBLE);
    event_type.insertMember("detail", offsetof(EventRow, detail), H5::PredType::NATIVE_UINT16);
    writer_->group("/ground_truth");
    write_table(writer_->file(), "/ground_truth/events", event_type, events);
    write_faults(*writer_, world_);
    network_->write_tables(*writer_);
    for (const AlarmTables& tables : alarm_tables_) tables.write(*writer_);
    H5::Group meta = writer_->file().openGroup("meta");
    write_string_attribute(meta, "run_id", facts.run_id);
    write_string_attribute(meta, "wall_clock_start", facts.wall_clock_start);
    write_scalar_attribute(meta, "wall_time_s", H5::PredType::NATIVE_DOUBLE, facts.wall_time_s);
    write_scalar_attribute(meta, "events", H5::PredType::NATIVE_UINT64, facts.events);
    write_scalar_attribute(meta, "telemetry_rows", H5::PredType::NATIVE_UINT64, rows_recorded());
    writer_->file().close();
  } catch (const H5::Exception& e) {
    throw RunError("cannot finish the HDF5 file: " + e.getDetailMsg());
  }
  writer_.reset();
}

}  // namespace twinbed::harness
