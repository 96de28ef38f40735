#pragma once
// The CUDA backend's device side, behind plain C++ types so that host code compiled by g++ (the Backend
// class, src/backends/backend_cuda.cpp) never sees CUDA headers. Implemented in kernels/*.cu.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sgdlaw/core/optimizer.hpp"
#include "sgdlaw/core/schedule.hpp"

namespace sgdlaw::cuda {

struct DeviceInfo {
  int count = 0;
  int device = 0;  // the one described
  std::string name;
  std::size_t total_bytes = 0, free_bytes = 0;
  int cc_major = 0, cc_minor = 0;
  std::string error;  // why no device is usable ("" when count > 0)
};
// Describes `device` (or the current one when < 0).
DeviceInfo query_devices(int device = -1);
int device_for_local_rank(int local_rank);  // local_rank % device count (0 without devices)

// A backend's session on one device: the stream and library handles (cuda_resources.cuh), created once.
// cudaSetDevice is per host thread, so every entry point calls activate() first.
class Session {
 public:
  explicit Session(int device);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  void activate() const;
  int device() const { return device_; }
  std::size_t free_bytes() const;
  struct Resources;
  Resources& resources() const { return *res_; }

 private:
  int device_;
  std::unique_ptr<Resources> res_;
};

std::vector<double> copy_to_host(const Session& s, const double* device, std::size_t n);

// One sketch's set-up on the device (Gaussian: S is regenerated block by block from the same Philox stream
// as the CPU, never stored whole; Sigma and the second-moment matrix by cuBLAS syrk, eigen-decomposition by
// cuSOLVER's 64-bit syevd). Host copies of what the exact recursion needs are kept in the public fields.
class DeviceSketch {
 public:
  struct Params {
    std::uint32_t seed = 0, sketch = 0;
    std::int64_t M = 0, d = 0;
    bool identity = false;
    const double* lambda = nullptr;     // host, length d
    const double* prior_var = nullptr;  // host, length d
  };
  DeviceSketch(Session& session, const Params& p);
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
  const double* sqrt_mu_device() const;
  std::size_t resident_bytes() const;  // what this object keeps on the device between calls

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Device memory, in bytes, counted before anything is allocated:
//   set-up of one Gaussian sketch: its peak (Sigma, the second-moment matrix, syevd's workspace, then the
//   eigenvectors) plus the column-block buffer; the identity sketch needs O(d);
std::size_t estimate_setup_bytes(std::int64_t M, std::int64_t d, bool identity);
//   resident per cached sketch (eigenvectors, spectra);
std::size_t estimate_resident_bytes(std::int64_t M, std::int64_t d, bool identity);
//   one launch of `trials` trials: targets and their work buffers, kernel state (global-state shape), results.
std::size_t estimate_launch_bytes(std::int64_t M, std::int64_t d, std::int64_t trials, std::int64_t checkpoints,
                                  std::int64_t batch, bool identity, bool momentum = false);
// The largest M whose Gaussian set-up syevd can take (64-bit API; limited by memory, see estimate_setup_bytes).
constexpr std::int64_t kMaxGaussianM = 65536;

struct SgdLaunch {
  std::uint32_t seed = 0;
  std::int64_t first_trial = 0, count = 0, M = 0, batch = 1;
  Schedule schedule;
  const std::int64_t* checkpoints = nullptr;  // host, n_checkpoints step counts
  std::int64_t n_checkpoints = 0;
  double sigma2 = 0.0;
  bool split = true;
  std::int64_t dataset = 0;  // finite dataset (data_reuse.hpp); 0 = fresh samples
  int sampling = 0;          // SamplingKind
  Optimizer optimizer;       // core/optimizer.hpp (not SGD: the kGlobalMomentum kernels)
};

// Runs `count` trials of the reduced SGD for one sketch in one launch (the shape kernels/launch_shape.hpp
// chooses): writes host results [t * n_checkpoints + c]. Returns the kernel's own time in seconds (CUDA events
// recorded on the stream around the launch: no allocation, upload or download in it).
double run_reduced_sgd(Session& session, const SgdLaunch& L, const DeviceSketch& sketch, const double* ustar_device,
                       const std::vector<double>& approx, double* risk, double* bias, double* variance);

// The device's Philox words and normals at philox_check_counter(0 .. n-1): host arrays of 4 n each; and which
// generator the device uses.
void philox_check(std::int64_t n, std::uint32_t* words, float* normals);
const char* device_philox_name();

}  // namespace sgdlaw::cuda
