#pragma once
// Schedules tuned on the exact final risk, and the optimal piecewise-constant schedule. Every evaluation is one
// exact curve (exact_recursion.hpp: contour jumps over constant stretches, steps elsewhere), so a tuned point
// costs tens of exact curves, never a Monte Carlo run.
//   minimise_log      a scalar (gamma, a decay fraction, an exponent) on a log scale: a scan of log-spaced points,
//                     then GSL's Brent minimiser on the bracket around the best (tolerance 1e-4 in log x);
//   optimal_piecewise the final risk over gamma_1..gamma_K on K fixed pieces (piece_starts), each below the
//                     stability limit (gamma_k = limit x (1 - 1e-9) / (1 + e^-u_k)), by GSL's BFGS (vector_bfgs2)
//                     on u with forward-difference gradients: K + 1 evaluations of O(K M) each per gradient.
#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/core/exact_recursion.hpp"

namespace sgdlaw {

// One problem's exact final risk as a function of the schedule: the spectrum of the run's first sketch (finite d,
// or d = inf with the identity sketch), its prior second moments and approximation error, sigma^2 and B.
struct ExactObjective {
  WeightedSpectrum nodes;
  Eigen::VectorXd p0;
  double approx = 0.0, sigma2 = 0.0;
  std::int64_t batch = 1;
  Optimizer optimizer;       // the update (optimizer.hpp); SGD unless the configuration says otherwise
  double gamma_limit = 0.0;  // the largest stable step size for this spectrum, batch and optimizer
  mutable std::int64_t evaluations = 0;

  // The final excess risk bias + variance = E[R] - sigma^2 - Approx (inf where the recursion overflows): what
  // every search here minimises, in log (its scale spans decades across N).
  double final_excess(const Schedule& s, std::int64_t steps) const;
  double floor() const { return sigma2 + approx; }
};

// From a configuration (its problem keys, batch and optimizer); a Gaussian sketch at d = inf is refused (its
// sketch average is a deterministic equivalent, not one spectrum).
ExactObjective exact_objective(const Config& c);

// Whether the configuration has one spectrum to evaluate (all but a Gaussian sketch at d = inf): the condition
// exact_objective refuses, for callers that say so in their own words first.
inline bool has_one_spectrum(const Config& c) { return !(c.d_infinite && c.sketch == SketchKind::kGaussian); }

struct Minimum {
  double x = 0.0, value = 0.0;
};

// The minimum of f over x in [lo, hi] (0 < lo < hi), searched in log x: `grid` log-spaced points, then Brent.
Minimum minimise_log(const std::function<double(double)>& f, double lo, double hi, int grid = 10);

// K piece starts for a run of `steps` steps: 0, then log-spaced towards the middle from both ends (half the pieces
// resolve the start, half the end of the run, where the decay matters most), duplicates removed.
std::vector<std::int64_t> piece_starts(std::int64_t steps, int pieces);

// A table schedule over the given pieces; its arrays are the vectors' (they must outlive the schedule).
Schedule piecewise_schedule(const std::vector<std::int64_t>& start, const std::vector<double>& gamma);

struct PiecewiseResult {
  std::vector<std::int64_t> start;
  std::vector<double> gamma;
  double excess = 0.0;  // E[R] - sigma^2 - Approx at the end
  int iterations = 0;
  std::int64_t evaluations = 0;
};

// Minimises the final risk over the pieces' step sizes from `initial` (one per piece, each below the limit).
PiecewiseResult optimal_piecewise(const ExactObjective& f, std::int64_t steps, const std::vector<std::int64_t>& start,
                                  const std::vector<double>& initial, int max_iterations);

}  // namespace sgdlaw
