#pragma once
// Steps and samples to a target risk, and the critical batch size (issue 23, parts 3-4).
//
// S(B): the smallest number of steps at batch B whose exact final excess risk E[R] - sigma^2 - Approx, under the
// step size tuned for that very horizon (tune_gamma: the schedule's shape is stretched over the S steps), is at
// most the target. The tuned excess h(S) = min_gamma excess_S(gamma) falls with S (in every case measured; the
// search assumes it and a test checks it on a grid), so S(B) is found by bracketing (halving or doubling from a
// first guess) and integer bisection; h is then interpolated linearly in (log S, log h) between the last miss
// S - 1 and the first hit S, a continuous S for the fit. E(B) = B S(B).
//
// The hyperbola of McCandlish et al. (arXiv 1812.06162, eq. 2.11), (S / S_min - 1)(E / E_min - 1) = 1 with
// E = B S, is S(B) = S_min + E_min / B: linear in 1 / B. It is fitted by least squares on relative residuals
// (weights 1 / S_i^2, S spans decades over B), in closed form, and B_crit = E_min / S_min. The exact S(B) carry no
// noise, so the intervals measure how well one hyperbola describes the whole grid: a bootstrap over the grid's
// points (cases resampled with replacement; resamples with fewer than 3 distinct B are drawn again), percentile
// intervals. A fit with S_min <= 0 (S still ~ 1/B at the largest B: B_crit above the grid) or E_min <= 0 (S flat:
// below it) is unresolved and its values are NaN (empty cells).
#include <cstdint>
#include <vector>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/fit/gamma_tuning.hpp"
#include "sgdlaw/fit/power_law_fit.hpp"
#include "sgdlaw/fit/schedule_tuning.hpp"

namespace sgdlaw {

struct StepsToTarget {
  std::int64_t batch = 1, steps = 0;  // the smallest whole number of steps reaching the target
  double steps_interp = 0.0;          // where the interpolated tuned excess crosses the target
  TunedGamma tuned;                   // the tuned step size at `steps` and its excess (<= the target)
  double excess_before = 0.0;         // the tuned excess at steps - 1 (> the target; NaN at steps = 1)
  double grad_norm2 = 0.0;            // E|G|^2 at the end of the tuned run (gradient_noise.hpp)
  double b_noise = 0.0;               // the gradient noise scale there
  std::int64_t evaluations = 0;       // exact curves
};

// base: the problem, schedule shape and optimizer (its N and gamma are set here); f: exact_objective(base) at the
// same batch (at_batch). Throws ConfigError naming `field` when the target is not reached within max_steps.
StepsToTarget steps_to_target(const ExactObjective& f, const Config& base, double target_excess,
                              std::int64_t first_guess, std::int64_t max_steps, const char* field);

// The objective at another batch: the same spectrum, its own stability limit.
ExactObjective at_batch(const ExactObjective& f, std::int64_t batch);

struct CriticalBatchFit {
  double s_min = NAN, e_min = NAN, b_crit = NAN;
  Interval s_min_ci{NAN, NAN, NAN}, e_min_ci{NAN, NAN, NAN}, b_crit_ci{NAN, NAN, NAN};  // NaN: not computed
  double rms_log = NAN;  // root mean square of log(S_i / fit) over the grid
  bool resolved = false;
  const char* status = "unresolved";  // ok, above_grid (S_min <= 0), below_grid (E_min <= 0)
  std::int64_t resamples = 0;
};

// batch and steps per grid point (at least 3 distinct batches); level: e.g. 0.95.
CriticalBatchFit fit_critical_batch(const std::vector<double>& batch, const std::vector<double>& steps,
                                    std::int64_t resamples, double level, std::uint32_t seed);

}  // namespace sgdlaw
