# twinbed_add_library(<folder> SOURCES ...): one static library per concept folder, exported as
# twinbed::<folder>. Headers are included as "<folder>/<File>.hpp" from the source tree and from
# <prefix>/include/twinbed after install.
function(twinbed_add_library folder)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  set(target twinbed_${folder})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(twinbed::${folder} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${folder} POSITION_INDEPENDENT_CODE ON)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/twinbed>)
  twinbed_warnings(${target})
endfunction()

function(twinbed_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
endfunction()
