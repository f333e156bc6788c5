#pragma once
// Appending JSON text by hand (RFC 8259) for the payload encoders, which run on the live
// harness's hot path: no document tree, one reused buffer, numbers through fmt.
#include <fmt/format.h>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace twinbed::harness::json {

// A JSON string: quotes, backslashes and control characters escaped (RFC 8259 section 7); other
// bytes pass through (ids and names are ASCII, the run id included).
inline void append_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// The shortest text that reads back as the same number (fmt "{}": 94, 36.6, 1e-07; a float sample
// 0.1f is "0.1", not 0.10000000149011612); JSON has no NaN or infinity, so those are null.
template <std::floating_point T>
inline void append_number(std::string& out, T value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char text[32];
  char* end = fmt::format_to(text, "{}", value);
  out.append(text, static_cast<std::size_t>(end - text));
}


inline void append_integer(std::string& out, std::uint64_t value) {
  char text[24];
  char* end = fmt::format_to(text, "{}", value);
  out.append(text, static_cast<std::size_t>(end - text));
}

}  // namespace twinbed::harness::json
