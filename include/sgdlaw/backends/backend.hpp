#pragma once
// Backends run Monte Carlo trials of a plan. Chosen at run time by name; a backend that is not
// compiled into this build is still listed and refuses with a clear message.
#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sgdlaw/core/run_plan.hpp"
#include "sgdlaw/core/trial_results.hpp"

namespace sgdlaw {

class BackendUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Builds the plan (per-sketch set-up). The CPU backends use the host set-up; the CUDA backend its own.
  virtual RunPlan make_plan(const Config& c) { return make_run_plan(c); }
  // Trials per resumable chunk of a run (0: the pipeline's default, about 16 chunks). The CUDA backend asks
  // for a sketch per chunk, so that each chunk is one launch.
  virtual std::int64_t chunk_trials(const Config&) const { return 0; }
  // Runs global trials [first, first + count) into rows [0, count) of `out`; adds 1 to `done` per trial.
  virtual void run_trials(const RunPlan& plan, std::int64_t first, std::int64_t count, TrialResults& out,
                          std::atomic<std::int64_t>& done) = 0;
  // Seconds its device kernels have run so far (CUDA events around each launch), or -1 for a backend that
  // runs no device kernels. Throughput benchmarks report it beside the whole process's time.
  virtual double kernel_seconds() const { return -1.0; }
};

struct BackendInfo {
  std::string name;
  bool available = false;
  std::string detail;  // what it is, or why it is unavailable
};

// "cpu", "reference", "cuda", or "auto" (cuda when compiled and a device is present, else cpu).
std::unique_ptr<Backend> make_backend(const std::string& name, int threads);
std::vector<BackendInfo> list_backends();

// Implementations (each in its own file).
std::unique_ptr<Backend> make_cpu_backend(int threads);
std::unique_ptr<Backend> make_reference_backend(int threads);
std::unique_ptr<Backend> make_cuda_backend();  // throws BackendUnavailable when not compiled / no device
BackendInfo cuda_backend_info();
// Under MPI: CUDA backends made from now on use device (local_rank mod device count).
void select_device_for_local_rank(int local_rank);

// Runs fn(trial_index_in_range) over [0, count) on `threads` threads (0 = hardware concurrency).
template <class Fn>
void parallel_trials(std::int64_t count, int threads, Fn&& fn);

}  // namespace sgdlaw

#include "sgdlaw/core/parallel_trials.hpp"
