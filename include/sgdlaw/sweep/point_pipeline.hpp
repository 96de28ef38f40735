#pragma once
// The one path every run and every sweep point takes, written once:
//   1. prepare  host-memory check, the plan (the backend's own set-up), stability check  (core/simulation)
//   2. exact    the exact expected-risk curves of the plan's sketches                      (core/simulation)
//   3. trials   from a source: the local backend in resumable chunks (local_trials), the slice of a
//               shared-horizon run (sweep_runner.cpp), or MPI units gathered on rank 0 (mpi_sweep.cpp)
//   4. finish   refuse diverged trials, aggregate                                          (core/simulation)
// Writing the point's folder, or recording why it failed, is complete_point (sweep_runner.hpp).
#include <cstdint>
#include <functional>
#include <string>

#include "sgdlaw/core/simulation.hpp"

namespace sgdlaw {

class Backend;

// Fills res.trials (every trial of res.plan) and res.mc_seconds (and res.resumed_trials where it resumes).
using TrialSource = std::function<void(RunResult& res)>;
using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

// Stages 1-4 for one configuration.
RunResult run_point(const Config& config, const Planner& planner, const std::string& backend_name,
                    const TrialSource& trials);

// Source: the trials on `backend`, in chunks that are saved under <out>.resume and reloaded after a kill
// (trial_chunks.hpp); progress(done, total) is called from the calling thread a few times a second.
TrialSource local_trials(Backend& backend, const ProgressFn& progress = nullptr);

// A whole run on the configuration's backend: run_point with the backend's planner and local_trials.
// stage(message), when given, is told when the set-up, the exact recursion and the Monte Carlo start.
using StageFn = std::function<void(const std::string&)>;
RunResult run_simulation(const Config& config, const ProgressFn& progress = nullptr, const StageFn& stage = nullptr);

}  // namespace sgdlaw
