#pragma once
// What a sweep can know about its points before running any: refused at once (nothing is made), so a long
// sweep never fails late for a reason that was there from the start.
#include <string>

#include "sgdlaw/sweep/sweep_spec.hpp"

namespace sgdlaw {

// Throws, naming the points: ConfigError (exit 2) for a grid name that is not a folder name of its own (".",
// "..", empty), a point name whose siblings "<name>.partial-<pid>" or "<name>.resume" would pass the 255-byte
// file-name limit, a point needing more host memory than the machine has; DivergenceError (exit 3) for an
// identity-sketch point whose step size makes SGD diverge (its spectrum i^-a, i <= d, is known exactly).
void check_points_before_running(const SweepSpec& spec);

// The CPU time of the points not yet finished, summed from each one's estimate (backends/run_estimate.hpp),
// and how many there are: said when a sweep starts, before the first point runs.
struct SweepEstimate {
  double seconds = 0.0;
  std::int64_t missing = 0;
};
SweepEstimate estimate_sweep(const SweepSpec& spec);

}  // namespace sgdlaw
