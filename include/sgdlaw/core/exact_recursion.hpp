#pragma once
// Exact expected risk E[R(v_t)] at the checkpoints, from the diagonal second-moment recursion: step by step
// (O(steps x M)), or by contour jumps over each stretch of constant step size (exact_contour.hpp; O(M) per
// checkpoint and per geometric phase, whatever N is).
#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "sgdlaw/core/exact_contour.hpp"
#include "sgdlaw/core/optimizer.hpp"
#include "sgdlaw/core/schedule.hpp"

namespace sgdlaw {

struct ExactCurve {
  // Per checkpoint. risk = sigma2 + approx + bias + variance.
  std::vector<double> risk, bias, variance;
  // E|G|^2 = sum_j w_j mu_j^2 E[u_j^2], the squared norm of the population gradient at the iterate (for the
  // gradient noise scale, gradient_noise.hpp).
  std::vector<double> grad_norm2;
  double approx = 0.0, sigma2 = 0.0;
  bool finite = true;    // false if the recursion overflowed (divergent step size)
  bool contour = false;  // computed by contour jumps over the schedule's constant stretches (else step by step)
  // How: `jumps` contour jumps covered `jumped_steps` steps, the step recursion the other `stepped_steps`.
  std::int64_t jumps = 0, jumped_steps = 0, stepped_steps = 0;

  // Appends one checkpoint from the iterate's second moments E[u_j^2] of the noise-free (bias) and noise-only
  // (variance) runs: their traces, E|G|^2 and the risk; an overflow marks the curve not finite.
  void record(const WeightedSpectrum& nodes, const Eigen::VectorXd& bias_p, const Eigen::VectorXd& variance_p);
};

// The method `auto` picks: contour jumps over every constant stretch of kContourMinSteps or more steps (the
// schedule says where they are: constant, geometric phases, wsd's stable phase, table pieces) when the peak step
// size is stable and there are at least kContourAutoSteps steps; else steps. Steps outside such stretches (warmup,
// decay, power) always go through the step recursion.
inline constexpr std::int64_t kContourAutoSteps = std::int64_t{1} << 16;
bool use_contour(ExactMethod method, const WeightedSpectrum& nodes, const Schedule& schedule, std::int64_t batch,
                 std::int64_t steps);

// nodes: eigenvalues of Sigma with weights (1 for real coordinates); p0: E[u*_j^2] (initial error second
// moment); approx: E[Approx]; checkpoints: step counts, increasing.
ExactCurve exact_expected_risk(const WeightedSpectrum& nodes, const Eigen::VectorXd& p0, double approx, double sigma2,
                               const Schedule& schedule, std::int64_t batch,
                               const std::vector<std::int64_t>& checkpoints, ExactMethod method);

// The same for any optimizer (optimizer.hpp): SGD as above, every other optimizer by its own recursion
// (exact_momentum.hpp: heavy ball and nesterov jump over constant stretches too, DANA is stepped).
ExactCurve exact_expected_risk(const WeightedSpectrum& nodes, const Eigen::VectorXd& p0, double approx, double sigma2,
                               const Schedule& schedule, const Optimizer& optimizer, std::int64_t batch,
                               const std::vector<std::int64_t>& checkpoints, ExactMethod method);

// Unit weights, step by step (the validation path).
ExactCurve exact_expected_risk(const Eigen::VectorXd& mu, const Eigen::VectorXd& p0, double approx, double sigma2,
                               const Schedule& schedule, std::int64_t batch,
                               const std::vector<std::int64_t>& checkpoints);

}  // namespace sgdlaw
