#include "harness/NetworkRecorder.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "harness/Hdf5Writer.hpp"

namespace twinbed::harness {

struct NetworkRecorder::PacketRow {
  std::uint64_t id;
  std::uint32_t device;
  std::uint32_t seq;
  std::uint16_t attempt;
  std::uint32_t size_bytes;
  std::int64_t sent_ns;
  std::int64_t end_ns;
  std::uint8_t drop_reason;
  std::uint8_t hops;
  std::uint32_t last_link;
  std::uint8_t duplicate;
};

namespace {

H5::EnumType drop_reason_enum() {
  std::vector<std::string> names;
  for (std::size_t r = 0; r < network::DROP_REASON_COUNT; ++r) {
    names.emplace_back(network::drop_reason_name(static_cast<network::DropReason>(r)));
  }
  return enum_type(names);
}

void copy_text(char (&target)[ID_BYTES], std::string_view text) {
  std::memset(target, 0, ID_BYTES);
  std::memcpy(target, text.data(), std::min(text.size(), ID_BYTES - 1));
}

struct ElementRow {
  char name[ID_BYTES];
  std::uint8_t element_kind;  // 0 link, 1 node
  char role[ID_BYTES];        // technology (links) or node kind (nodes)
  char from[ID_BYTES];
  char to[ID_BYTES];
  std::uint8_t scope;
  std::uint32_t instances;
  char site[ID_BYTES];
  double capacity_bps;
  std::uint32_t queue_packets;
};

struct LoadRow {
  std::int64_t time_ns;
  std::uint32_t element;
  std::uint64_t offered_packets;
  std::uint64_t offered_bytes;
  std::uint64_t delivered_packets;
  std::uint64_t dropped_packets;
  double utilisation;
  std::uint32_t queue_length;
  std::uint32_t queue_max;
};

struct FaultRow {
  std::uint32_t device;
  std::uint32_t patient;
  std::uint32_t element;
  std::uint8_t kind;
  std::uint8_t origin;
  std::int64_t start_ns;
  std::int64_t end_ns;
  double magnitude;
};

}  // namespace

NetworkRecorder::NetworkRecorder(Hdf5Writer& writer, const Scenario& scenario, const World& world) : world_(world) {
  H5::CompType type(sizeof(PacketRow));
  type.insertMember("id", offsetof(PacketRow, id), H5::PredType::NATIVE_UINT64);
  type.insertMember("device", offsetof(PacketRow, device), H5::PredType::NATIVE_UINT32);
  type.insertMember("seq", offsetof(PacketRow, seq), H5::PredType::NATIVE_UINT32);
  type.insertMember("attempt", offsetof(PacketRow, attempt), H5::PredType::NATIVE_UINT16);
  type.insertMember("size_bytes", offsetof(PacketRow, size_bytes), H5::PredType::NATIVE_UINT32);
  type.insertMember("sent_ns", offsetof(PacketRow, sent_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("end_ns", offsetof(PacketRow, end_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("drop_reason", offsetof(PacketRow, drop_reason), drop_reason_enum());
  type.insertMember("hops", offsetof(PacketRow, hops), H5::PredType::NATIVE_UINT8);
  type.insertMember("last_link", offsetof(PacketRow, last_link), H5::PredType::NATIVE_UINT32);
  type.insertMember("duplicate", offsetof(PacketRow, duplicate), H5::PredType::NATIVE_UINT8);
  packets_ = std::make_unique<TableAppender<PacketRow>>(
      writer, writer.create_table("/network/packets", type, scenario.record.chunk_bytes, scenario.record.compression_level));
}

NetworkRecorder::~NetworkRecorder() = default;

std::uint64_t NetworkRecorder::packets_recorded() const { return packets_->added(); }

void NetworkRecorder::on_packet(const network::PacketTrace& t) {
  packets_->add(PacketRow{t.id, t.device, t.seq, t.attempt, t.size_bytes, t.sent.ns(), t.end.ns(),
                          static_cast<std::uint8_t>(t.drop), t.hops, t.last_link, static_cast<std::uint8_t>(t.duplicate)});
}

void NetworkRecorder::flush() { packets_->flush(); }

void NetworkRecorder::write_tables(Hdf5Writer& writer) {
  const network::Network& net = world_.network();
  const network::Topology& topology = net.topology();
  std::vector<ElementRow> elements;
  for (std::uint32_t e = 0; e < net.element_count(); ++e) {
    ElementRow row{};
    if (e < topology.link_count()) {
      const network::LinkRole& link = topology.link(e);
      copy_text(row.name, link.name);
      row.element_kind = 0;
      copy_text(row.role, network::technology_info(link.model.technology).name);
      copy_text(row.from, topology.node(link.from).name);
      copy_text(row.to, topology.node(link.to).name);
      row.scope = static_cast<std::uint8_t>(link.scope);
      row.instances = net.link_instances(e);
    } else {
      const std::uint32_t n = e - topology.link_count();
      const network::NodeRole& node = topology.node(n);
      copy_text(row.name, node.name);
      row.element_kind = 1;
      copy_text(row.role, network::node_kind_name(node.kind));
      row.scope = static_cast<std::uint8_t>(node.scope);
      row.instances = net.node_instances(n);
      copy_text(row.site, node.site);
      row.capacity_bps = node.capacity_bps;
      row.queue_packets = node.queue_packets;
    }
    elements.push_back(row);
  }
  H5::CompType element_type(sizeof(ElementRow));
  element_type.insertMember("name", offsetof(ElementRow, name), fixed_string());
  element_type.insertMember("element_kind", offsetof(ElementRow, element_kind), enum_type({"link", "node"}));
  element_type.insertMember("role", offsetof(ElementRow, role), fixed_string());
  element_type.insertMember("from", offsetof(ElementRow, from), fixed_string());
  element_type.insertMember("to", offsetof(ElementRow, to), fixed_string());
  element_type.insertMember("scope", offsetof(ElementRow, scope), enum_type({"shared", "patient", "device"}));
  element_type.insertMember("instances", offsetof(ElementRow, instances), H5::PredType::NATIVE_UINT32);
  element_type.insertMember("site", offsetof(ElementRow, site), fixed_string());
  element_type.insertMember("capacity_bps", offsetof(ElementRow, capacity_bps), H5::PredType::NATIVE_DOUBLE);
  element_type.insertMember("queue_packets", offsetof(ElementRow, queue_packets), H5::PredType::NATIVE_UINT32);
  write_table(writer.file(), "/network/elements", element_type, elements);

  std::vector<LoadRow> loads;
  for (const network::LoadSample& s : world_.network_log().loads()) {
    loads.push_back(LoadRow{s.time.ns(), s.element, s.offered_packets, s.offered_bytes, s.delivered_packets,
                            s.dropped_packets, s.utilisation, s.queue_length, s.queue_max});
  }
  H5::CompType load_type(sizeof(LoadRow));
  load_type.insertMember("time_ns", offsetof(LoadRow, time_ns), H5::PredType::NATIVE_INT64);
  load_type.insertMember("element", offsetof(LoadRow, element), H5::PredType::NATIVE_UINT32);
  load_type.insertMember("offered_packets", offsetof(LoadRow, offered_packets), H5::PredType::NATIVE_UINT64);
  load_type.insertMember("offered_bytes", offsetof(LoadRow, offered_bytes), H5::PredType::NATIVE_UINT64);
  load_type.insertMember("delivered_packets", offsetof(LoadRow, delivered_packets), H5::PredType::NATIVE_UINT64);
  load_type.insertMember("dropped_packets", offsetof(LoadRow, dropped_packets), H5::PredType::NATIVE_UINT64);
  load_type.insertMember("utilisation", offsetof(LoadRow, utilisation), H5::PredType::NATIVE_DOUBLE);
  load_type.insertMember("queue_length", offsetof(LoadRow, queue_length), H5::PredType::NATIVE_UINT32);
  load_type.insertMember("queue_max", offsetof(LoadRow, queue_max), H5::PredType::NATIVE_UINT32);
  write_table(writer.file(), "/network/links", load_type, loads);
}

void write_faults(Hdf5Writer& writer, const World& world) {
  constexpr std::uint32_t NONE = network::NONE;
  std::vector<FaultRow> rows;
  for (const devices::FaultRecord& f : world.faults().records()) {
    rows.push_back(FaultRow{f.device, f.patient, NONE, static_cast<std::uint8_t>(f.kind),
                            static_cast<std::uint8_t>(f.origin), f.start.ns(), f.end.ns(), f.magnitude});
  }
  // Network kinds follow the device kinds in the enum; the mobility origin follows theirs.
  const std::uint8_t mobility_origin = 4;
  for (const network::OutageRecord& o : world.faults().outages()) {
    std::uint8_t origin = 0;
    switch (o.origin) {
      case network::OutageOrigin::scheduled: origin = static_cast<std::uint8_t>(devices::FaultOrigin::scheduled); break;
      case network::OutageOrigin::random: origin = static_cast<std::uint8_t>(devices::FaultOrigin::random); break;
      case network::OutageOrigin::model: origin = static_cast<std::uint8_t>(devices::FaultOrigin::model); break;
      case network::OutageOrigin::mobility: origin = mobility_origin; break;
    }
    rows.push_back(FaultRow{o.device, o.patient, o.element,
                            static_cast<std::uint8_t>(devices::FAULT_KIND_COUNT + static_cast<std::size_t>(o.kind)),
                            origin, o.start.ns(), o.end.ns(), 0.0});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const FaultRow& a, const FaultRow& b) {
    if (a.device != b.device) return a.device < b.device;
    if (a.element != b.element) return a.element < b.element;
    if (a.patient != b.patient) return a.patient < b.patient;
    return a.start_ns < b.start_ns;
  });
  std::vector<std::string> kinds;
  for (std::size_t k = 0; k < devices::FAULT_KIND_COUNT; ++k) {
    kinds.emplace_back(devices::fault_kind_name(static_cast<devices::FaultKind>(k)));
  }
  for (std::size_t k = 0; k < network::OUTAGE_KIND_COUNT; ++k) {
    kinds.emplace_back(network::outage_kind_name(static_cast<network::OutageKind>(k)));
  }
  std::vector<std::string> origins;
  for (const auto o : {devices::FaultOrigin::scheduled, devices::FaultOrigin::random, devices::FaultOrigin::activity,
                       devices::FaultOrigin::model}) {
    origins.emplace_back(devices::fault_origin_name(o));
  }
  origins.emplace_back("mobility");
  H5::CompType type(sizeof(FaultRow));
  type.insertMember("device", offsetof(FaultRow, device), H5::PredType::NATIVE_UINT32);
  type.insertMember("patient", offsetof(FaultRow, patient), H5::PredType::NATIVE_UINT32);
  type.insertMember("element", offsetof(FaultRow, element), H5::PredType::NATIVE_UINT32);
  type.insertMember("kind", offsetof(FaultRow, kind), enum_type(kinds));
  type.insertMember("origin", offsetof(FaultRow, origin), enum_type(origins));
  type.insertMember("start_ns", offsetof(FaultRow, start_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("end_ns", offsetof(FaultRow, end_ns), H5::PredType::NATIVE_INT64);
  type.insertMember("magnitude", offsetof(FaultRow, magnitude), H5::PredType::NATIVE_DOUBLE);
  write_table(writer.file(), "/faults", type, rows);
}

}  // namespace twinbed::harness
