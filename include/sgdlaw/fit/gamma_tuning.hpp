#pragma once
// gamma = "tuned" (issue 23): the peak step size that minimises this run's exact final excess risk
// E[R_N] - sigma^2 - Approx, for its own spectrum (the first sketch; finite d, or d = inf with the identity sketch),
// batch, schedule shape, optimizer and N. One exact curve per evaluation (contour jumps over constant stretches),
// minimise_log's scan and Brent in log gamma over [max(1e-4 limit, gamma_min), (1 - 1e-6) limit]; so the result
// is at most the stability limit, and where the risk still falls at the limit it is the limit (then `at_limit`).
#include <cstdint>
#include <string>

#include "sgdlaw/core/config.hpp"

namespace sgdlaw {

struct TunedGamma {
  double gamma = 0.0;
  double excess = 0.0;    // the final excess risk at it
  double limit = 0.0;     // the stability limit it was searched below
  bool at_limit = false;  // the optimum is the top of the search range
  std::int64_t evaluations = 0;
};

TunedGamma tune_gamma(const Config& c);

// Refuses, in who's words ("field 'gamma' = tuned"), a configuration without one spectrum and the prior's
// expectation to tune on: a Gaussian sketch at d = inf, several Gaussian sketches, wstar = fixed.
void check_tunable(const Config& c, const std::string& who);

struct ExactObjective;
// The same on an objective already built for c's problem and batch (exact_objective, at_batch): c gives the
// schedule's shape, its floor gamma_min and the horizon c.steps(). Throws ConfigError where gamma_min leaves no
// range below the limit.
TunedGamma tune_gamma(const ExactObjective& f, const Config& c);

}  // namespace sgdlaw
