#pragma once
// The CUDA backend's device side, behind plain C++ types so that host code compiled by g++ (the Backend
// class, src/backend_cuda.cpp) never sees CUDA headers. Implemented in kernels/*.cu.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sgdlaw/core/schedule.hpp"

namespace sgdlaw::cuda {

struct DeviceInfo {
  int count = 0;
  std::string name;  // of the current device
  std::size_t total_bytes = 0, free_bytes = 0;
  int cc_major = 0, cc_minor = 0;
  std::string error;  // why no device is usable ("" when count > 0)
};
DeviceInfo query_devices();
void select_device(int local_rank);  // device local_rank % count
std::vector<double> copy_to_host(const double* device, std::size_t n);

// One sketch's set-up on the device (Gaussian: S is regenerated block by block from the same Philox stream
// as the CPU, never stored whole; Sigma and the second-moment matrix by cuBLAS syrk, eigen-decomposition by
// cuSOLVER syevd). Host copies of what the exact recursion needs are kept in the public fields.
class DeviceSketch {
 public:
  struct Params {
    std::uint32_t seed = 0, sketch = 0;
    std::int64_t M = 0, d = 0;
    bool identity = false;
    const double* lambda = nullptr;     // host, length d
    const double* prior_var = nullptr;  // host, length d
  };
  explicit DeviceSketch(const Params& p);
  ~DeviceSketch();
  DeviceSketch(const DeviceSketch&) = delete;
  DeviceSketch& operator=(const DeviceSketch&) = delete;

  std::vector<double> mu;        // descending, length M
  std::vector<double> p0_prior;  // E_prior[u*_j^2]
  double signal_prior = 0.0;

  // u* (column-major M x count, on the device, owned by this object until the next call) and Approx per
  // trial for w* drawn with stream key first + t (or key 0, purpose "fixed", for all when fixed).
  void targets(bool fixed, std::int64_t first, std::int64_t count, double** ustar_device, std::vector<double>& approx);
  const double* mu_device() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Bytes the device needs for a run of these sizes (set-up blocks, targets, trial state, results).
std::size_t estimate_device_bytes(std::int64_t M, std::int64_t d, std::int64_t trials, std::int64_t checkpoints,
                                  bool identity);

struct SgdLaunch {
  std::uint32_t seed = 0;
  std::int64_t first_trial = 0, count = 0, M = 0, batch = 1;
  Schedule schedule;
  const std::int64_t* checkpoints = nullptr;  // host, n_checkpoints step counts
  std::int64_t n_checkpoints = 0;
  double sigma2 = 0.0;
  bool split = true;
};

// Runs `count` trials of the reduced SGD (one thread block per trial) for one sketch: mu_device (length M),
// ustar_device (M x count), approx (host, per trial). Writes host results [t * n_checkpoints + c].
void run_reduced_sgd(const SgdLaunch& L, const double* mu_device, const double* ustar_device,
                     const std::vector<double>& approx, double* risk, double* bias, double* variance);

}  // namespace sgdlaw::cuda
