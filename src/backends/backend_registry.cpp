#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/normal_fill.hpp"

namespace sgdlaw {

std::unique_ptr<Backend> make_backend(const std::string& name, int threads) {
  if (name == "cpu") return make_cpu_backend(threads);
  if (name == "reference") return make_reference_backend(threads);
  if (name == "cuda") return make_cuda_backend();
  if (name == "auto") return cuda_backend_info().available ? make_cuda_backend() : make_cpu_backend(threads);
  throw BackendUnavailable("unknown backend '" + name + "'; choose cpu, cuda, reference or auto");
}

std::vector<BackendInfo> list_backends() {
  return {
      {"cpu", true,
       std::string("exact Gaussian reduction, O(M) per sample, threads over trials; Philox ") + normal_fill_isa()},
      {"reference", true, "literal d-dimensional algorithm (validation; Gaussian or Rademacher covariates)"},
      cuda_backend_info(),
  };
}

}  // namespace sgdlaw
