#pragma once
// Locating a finished run from the command line: `twinbed export RUN` and `twinbed report RUN` take
// the run folder or its run.h5, and say clearly what is wrong when RUN is neither.
#include <filesystem>

namespace twinbed::harness {

// The run.h5 of `run` (a run folder, or the file itself). Throws InputError when it is missing or
// not an HDF5 file.
std::filesystem::path locate_run_file(const std::filesystem::path& run);

// Creates (empty) the hidden folder ".tmp-<name>-<pid>" next to `target`, and target's parents,
// where an export is written before one rename publishes it. Throws RunError.
std::filesystem::path make_temporary_sibling(const std::filesystem::path& target);

}  // namespace twinbed::harness
