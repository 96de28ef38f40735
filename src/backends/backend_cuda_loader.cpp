// The CUDA backend as a module: nothing CUDA is loaded until `cuda` or `auto` asks. First a cheap probe through
// the driver API (dlopen libcuda.so.1, cuInit, cuDeviceGetCount: no runtime, no math libraries), then the
// module libsgdlaw_cuda.so (searched in $SGDLAW_CUDA_MODULE, beside the executable, its parent folder, and
// the build folder), whose ABI number must match.
#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/backends/cuda_module.hpp"

namespace sgdlaw {
namespace {

int g_local_rank = 0;

// Number of devices the driver sees, or -1 with the reason.
int driver_device_count(std::string* why) {
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    *why = "no CUDA driver (libcuda.so.1 not found)";
    return -1;
  }
  using InitFn = int (*)(unsigned);
  using CountFn = int (*)(int*);
  auto init = reinterpret_cast<InitFn>(dlsym(lib, "cuInit"));
  auto count = reinterpret_cast<CountFn>(dlsym(lib, "cuDeviceGetCount"));
  int n = 0;
  if (!init || !count) {
    *why = "libcuda.so.1 lacks cuInit/cuDeviceGetCount";
    return -1;
  }
  if (const int e = init(0); e != 0) {
    *why = "cuInit failed with CUresult " + std::to_string(e) + (e == 100 ? " (no CUDA-capable device)" : "");
    return -1;
  }
  if (count(&n) != 0 || n == 0) {
    *why = "the driver reports no CUDA device";
    return -1;
  }
  return n;
}

std::string executable_dir() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<std::size_t>(n));
  return p.substr(0, p.find_last_of('/'));
}

struct Loaded {
  const CudaModuleApi* api = nullptr;
  std::string why;
};

const Loaded& module() {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] {
#ifndef SGDLAW_CUDA_BUILT
    loaded.why = "not compiled into this build (no nvcc at build time)";
#else
    std::string why;
    // SGDLAW_CUDA_PROBE=skip loads the module even without a driver (tests of the loading path use it).
    const char* probe = std::getenv("SGDLAW_CUDA_PROBE");
    const bool skip_probe = probe && std::string(probe) == "skip";
    if (!skip_probe && driver_device_count(&why) < 0) {
      loaded.why = "compiled (module), but no usable device: " + why;
      return;
    }
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("SGDLAW_CUDA_MODULE")) candidates.push_back(env);
    const std::string dir = executable_dir();
    candidates.push_back(dir + "/libsgdlaw_cuda.so");
    candidates.push_back(dir + "/../libsgdlaw_cuda.so");
    candidates.push_back(std::string(SGDLAW_MODULE_DIR) + "/libsgdlaw_cuda.so");
    std::string errors;
    for (const std::string& path : candidates) {
      void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!lib) {
        errors += std::string(errors.empty() ? "" : "; ") + dlerror();
        continue;
      }
      using EntryFn = const CudaModuleApi* (*)();
      auto entry = reinterpret_cast<EntryFn>(dlsym(lib, "sgdlaw_cuda_module"));
      const CudaModuleApi* api = entry ? entry() : nullptr;
      if (!api || api->abi != kCudaModuleAbi) {
        errors += "; " + path + " is not a CUDA module of this build (ABI " + std::to_string(kCudaModuleAbi) + ")";
        continue;
      }
      loaded.api = api;
      return;
    }
    loaded.why = "a device is present but the CUDA module could not be loaded: " + errors;
#endif
  });
  return loaded;
}

}  // namespace

BackendInfo cuda_backend_info() {
  const Loaded& m = module();
  if (!m.api) return {"cuda", false, m.why};
  return m.api->info();
}

std::unique_ptr<Backend> make_cuda_backend() {
  const Loaded& m = module();
  if (!m.api) throw BackendUnavailable("backend 'cuda': " + m.why);
  return m.api->make(g_local_rank);
}

void select_device_for_local_rank(int local_rank) { g_local_rank = local_rank; }

const CudaModuleApi* cuda_module_api(std::string* why) {
  const Loaded& m = module();
  if (!m.api && why) *why = m.why;
  return m.api;
}

}  // namespace sgdlaw
