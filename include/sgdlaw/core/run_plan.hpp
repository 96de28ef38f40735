#pragma once
// What every backend receives: the validated configuration, the schedule, the checkpoints and the
// per-sketch set-ups. Trial g (global index) belongs to sketch g / trials.
#include <cstdint>
#include <vector>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/core/optimizer.hpp"
#include "sgdlaw/core/schedule.hpp"
#include "sgdlaw/core/sketch_setup.hpp"

namespace sgdlaw {

struct RunPlan {
  Config config;
  Schedule schedule;
  Optimizer optimizer;                    // what each step does (optimizer.hpp)
  std::vector<std::int64_t> checkpoints;  // in steps
  std::vector<SketchSetup> sketches;

  const SketchSetup& sketch_of(std::int64_t global_trial) const {
    return sketches[static_cast<std::size_t>(global_trial / config.trials)];
  }
};

RunPlan make_run_plan(const Config& c);

// Bytes the host set-up holds (S, A, Sigma and Q per sketch; per-thread trial state), to refuse runs that
// cannot fit before they start.
double estimate_host_bytes(const Config& c, int threads);

}  // namespace sgdlaw
