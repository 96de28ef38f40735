#pragma once
// The CUDA backend is a module (libsgdlaw_cuda.so) loaded only when `cuda` or `auto` needs it, so commands
// that never touch a GPU pay nothing for the CUDA libraries (cuBLASLt's static initialisation alone is
// 0.3 s). The module exports one C symbol, `sgdlaw_cuda_module`, returning this table.
#include <cstdint>
#include <memory>
#include <string>

#include "sgdlaw/backends/backend.hpp"

namespace sgdlaw {

// Bumped whenever this table or the Backend interface changes; the loader refuses a module of another ABI.
constexpr int kCudaModuleAbi = 6;  // 4: Backend::kernel_seconds; 5: Schedule and Config schedule keys; 6: Optimizer

struct CudaModuleApi {
  int abi;
  BackendInfo (*info)();
  // The backend on device (local_rank mod device count): under MPI, one device per node-local rank.
  std::unique_ptr<Backend> (*make)(int local_rank);
  // The device generator check (kernels/philox_check.cu): 4 n Philox words and 4 n normals; the generator's name.
  void (*philox_check)(std::int64_t n, std::uint32_t* words, float* normals);
  const char* (*device_philox)();
};

// The loaded module's table, or null (with the reason in *why) where none can be loaded.
const CudaModuleApi* cuda_module_api(std::string* why = nullptr);

}  // namespace sgdlaw
