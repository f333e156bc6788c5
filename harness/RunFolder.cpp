#include "harness/RunFolder.hpp"

#include <H5Cpp.h>
#include <unistd.h>

#include "harness/InputError.hpp"

namespace twinbed::harness {

namespace fs = std::filesystem;

fs::path locate_run_file(const fs::path& run) {
  auto fail = [&](const std::string& value, const std::string& problem) {
    return InputError({"command line", 0, 0}, "RUN", value, problem);
  };
  std::error_code error;
  if (!fs::exists(run, error))
    throw fail(run.string(), "does not exist; expected a run folder (containing run.h5) or its run.h5");
  const fs::path file = fs::is_directory(run, error) ? run / "run.h5" : run;
  if (!fs::is_regular_file(file, error))
    throw fail(run.string(), "has no run.h5; expected a run folder written by twinbed run, or its run.h5");
  bool hdf5 = false;
  try {
    hdf5 = H5::H5File::isHdf5(file.string());
  } catch (const H5::Exception&) {  // unreadable: reported as "not HDF5" below
  }
  if (!hdf5) throw fail(file.string(), "is not an HDF5 file; expected the run.h5 that twinbed run writes");
  return file;
}

std::filesystem::path make_temporary_sibling(const std::filesystem::path& target) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(parent, error);
  if (error) throw RunError("cannot create folder " + parent.string() + ": " + error.message());
  std::string name = ".tmp-" + target.filename().string();
  name += "-" + std::to_string(::getpid());
  const fs::path temporary = parent / name;
  fs::remove_all(temporary, error);
  fs::create_directory(temporary, error);
  if (error) throw RunError("cannot create folder " + temporary.string() + ": " + error.message());
  return temporary;
}

}  // namespace twinbed::harness
