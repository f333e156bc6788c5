#include "sim/Params.hpp"

#include <cmath>
#include <cstdio>
#include <span>
#include <stdexcept>

namespace twinbed::sim {

ParamSet::ParamSet(std::span<const ParamInfo> table) : table_(table) {
  values_.reserve(table.size());
  for (const ParamInfo& info : table) values_.push_back(info.default_value);
}

const ParamInfo* ParamSet::find(std::string_view name) const {
  for (const ParamInfo& info : table_) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::size_t ParamSet::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < table_.size(); ++i) {
    if (table_[i].name == name) return i;
  }
  throw std::logic_error("device parameter '" + std::string(name) + "' is not in the device's table");
}

double ParamSet::number(std::string_view name) const { return values_[index_of(name)]; }

sim::Time ParamSet::duration(std::string_view name) const { return sim::Time::from_seconds(values_[index_of(name)]); }

std::uint64_t ParamSet::count(std::string_view name) const {
  return static_cast<std::uint64_t>(std::llround(values_[index_of(name)]));
}

bool ParamSet::flag(std::string_view name) const { return values_[index_of(name)] != 0.0; }

std::size_t ParamSet::choice(std::string_view name) const {
  return static_cast<std::size_t>(std::llround(values_[index_of(name)]));
}

void ParamSet::set(std::string_view name, double value) { values_[index_of(name)] = value; }

std::string format_param_value(const ParamInfo& info, double value) {
  char text[64];
  switch (info.kind) {
    case ParamKind::flag: return value != 0.0 ? "true" : "false";
    case ParamKind::choice: {
      const auto index = static_cast<std::size_t>(std::llround(value));
      return index < info.choices.size() ? std::string(info.choices[index]) : "?";
    }
    case ParamKind::count: std::snprintf(text, sizeof text, "%lld", std::llround(value)); return text;
    case ParamKind::duration: {
      // The largest unit that writes the value as a whole number, as a user would write it.
      struct Unit {
        const char* name;
        double seconds;
      };
      constexpr Unit UNITS[] = {{"d", 86400.0}, {"h", 3600.0}, {"min", 60.0}, {"s", 1.0}, {"ms", 1e-3}};
      for (const Unit& unit : UNITS) {
        const double n = value / unit.seconds;
        if (value != 0.0 && std::abs(n - std::round(n)) < 1e-9 && std::abs(n) >= 1.0) {
          std::snprintf(text, sizeof text, "%g %s", std::round(n), unit.name);
          return text;
        }
      }
      std::snprintf(text, sizeof text, "%g s", value);
      return text;
    }
    case ParamKind::probability: std::snprintf(text, sizeof text, "%g", value); return text;
    case ParamKind::number:
      if (info.unit.empty()) {
        std::snprintf(text, sizeof text, "%g", value);
      } else {
        std::snprintf(text, sizeof text, "%g %.*s", value, static_cast<int>(info.unit.size()), info.unit.data());
      }
      return text;
  }
  return "?";
}

std::string_view param_kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::number: return "number";
    case ParamKind::duration: return "duration";
    case ParamKind::probability: return "probability";
    case ParamKind::count: return "count";
    case ParamKind::flag: return "flag";
    case ParamKind::choice: return "choice";
  }
  return "?";
}

std::string param_range_text(const ParamInfo& p) {
  switch (p.kind) {
    case ParamKind::flag: return "true/false";
    case ParamKind::choice: {
      std::string text;
      for (const auto c : p.choices) {
        if (!text.empty()) text += ", ";
        text += c;
      }
      return text;
    }
    default: {
      std::string text = format_param_value(p, p.min);
      text += " .. ";
      text += format_param_value(p, p.max);
      return text;
    }
  }
}

std::string param_table_markdown(std::span<const ParamInfo> table) {
  std::string md = "| key | kind | default | allowed | meaning | source |\n|---|---|---|---|---|---|\n";
  for (const ParamInfo& p : table) {
    md += "| `";
    md += p.name;
    md += "` | ";
    md += param_kind_name(p.kind);
    md += " | ";
    md += format_param_value(p, p.default_value);
    md += " | ";
    md += param_range_text(p);
    md += " | ";
    md += p.description;
    md += " | ";
    md += p.source;
    md += " |\n";
  }
  return md;
}

std::string param_table_text(std::span<const ParamInfo> table) {
  std::string text;
  for (const ParamInfo& p : table) {
    char line[200];
    std::snprintf(line, sizeof line, "  %-26.*s %-14s [%s]  ", static_cast<int>(p.name.size()), p.name.data(),
                  format_param_value(p, p.default_value).c_str(), param_range_text(p).c_str());
    text += line;
    text += p.description;
    text += " (";
    text += p.source;
    text += ")\n";
  }
  return text;
}

}  // namespace twinbed::sim
