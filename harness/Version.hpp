#pragma once
#include <string_view>

namespace twinbed::harness {
// twinbed's version, from project(VERSION) in the top-level CMakeLists.txt.
std::string_view version();
}  // namespace twinbed::harness
