#pragma once
// Reads /telemetry of a run.h5 back (tests of whole runs).
#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>
#include <tuple>
#include <vector>

namespace twinbed::testkit {

struct Row {
  std::int64_t sample_time_ns;
  std::int64_t delivery_time_ns;
  std::uint32_t patient;
  std::uint32_t device;
  std::uint8_t signal;
  double value;
  std::uint16_t flags;
  auto key() const { return std::tie(sample_time_ns, delivery_time_ns, patient, device, signal, value, flags); }
  bool operator==(const Row& o) const { return key() == o.key(); }
};

inline std::vector<Row> read_telemetry(const std::filesystem::path& file) {
  H5::H5File h5(file.string(), H5F_ACC_RDONLY);
  H5::DataSet dataset = h5.openDataSet("telemetry");
  H5::CompType type(sizeof(Row));
  type.insertMember("sample_time_ns", offsetof(Row, sample_time_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("delivery_time_ns", offsetof(Row, delivery_time_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("patient", offsetof(Row, patient), H5::PredType::NATIVE_UINT32);
  type.insertMember("device", offsetof(Row, device), H5::PredType::NATIVE_UINT32);
  // Read the enum through its integer base type: conversion enum -> uint8 is by value.
  type.insertMember("signal", offsetof(Row, signal), dataset.getCompType().getMemberEnumType(4).getSuper());
  type.insertMember("value", offsetof(Row, value), H5::PredType::NATIVE_DOUBLE);
  type.insertMember("flags", offsetof(Row, flags), H5::PredType::NATIVE_UINT16);
  hsize_t rows = 0;
  dataset.getSpace().getSimpleExtentDims(&rows);
  std::vector<Row> out(rows);
  if (rows > 0) dataset.read(out.data(), type);
  return out;
}

}  // namespace twinbed::testkit
