// Linked when this build has no CUDA backend: the name still resolves and says why it cannot run.
#include "sgdlaw/backends/backend.hpp"

namespace sgdlaw {

BackendInfo cuda_backend_info() {
  return {"cuda", false, "not compiled into this build (CMake found no CUDA compiler, or SGDLAW_CUDA=OFF)"};
}

void select_device_for_local_rank(int) {}

std::unique_ptr<Backend> make_cuda_backend() {
  throw BackendUnavailable(
      "backend 'cuda' is not compiled into this build (CMake found no CUDA compiler, or "
      "SGDLAW_CUDA=OFF); use backend = cpu");
}

}  // namespace sgdlaw
