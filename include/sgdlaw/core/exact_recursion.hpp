#pragma once
// Exact expected risk E[R(v_t)] at the checkpoints, from the diagonal second-moment recursion.
#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "sgdlaw/core/schedule.hpp"

namespace sgdlaw {

struct ExactCurve {
  // Per checkpoint. risk = sigma2 + approx + bias + variance.
  std::vector<double> risk, bias, variance;
  double approx = 0.0, sigma2 = 0.0;
  bool finite = true;  // false if the recursion overflowed (divergent step size)
};

// mu: eigenvalues of Sigma; p0: E[u*_j^2] (initial error second moment); approx: E[Approx];
// checkpoints: step counts, increasing.
ExactCurve exact_expected_risk(const Eigen::VectorXd& mu, const Eigen::VectorXd& p0, double approx, double sigma2,
                               const Schedule& schedule, std::int64_t batch,
                               const std::vector<std::int64_t>& checkpoints);

}  // namespace sgdlaw
