#include "harness/LiveSpec.hpp"

namespace twinbed::harness {

std::string_view payload_format_name(PayloadFormat format) {
  switch (format) {
    case PayloadFormat::json: return "json";
    case PayloadFormat::fhir: return "fhir";
  }
  return "?";
}

}  // namespace twinbed::harness
