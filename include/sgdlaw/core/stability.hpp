#pragma once
// When does constant-step SGD keep a bounded second moment? For the exact recursion
// p' = diag(alpha) p + (gamma^2/B) mu (mu^T p) + c, the iteration is stable iff every alpha_j < 1 and
// (gamma / B) sum_j mu_j / (2 - gamma mu_j (B + 1) / B) < 1 (matrix determinant lemma on the rank-one part).
// Schedules here never increase the step, so stability at the initial gamma is what matters.
#include <Eigen/Dense>
#include <cstdint>

namespace sgdlaw {

// weight: per-coordinate weights of a weighted spectrum (infinite d: tail quadrature); nullptr = all 1.
bool step_size_is_stable(double gamma, const Eigen::VectorXd& mu, std::int64_t batch,
                         const Eigen::VectorXd* weight = nullptr);

// Supremum of stable step sizes (bisection to relative 1e-12).
double max_stable_step_size(const Eigen::VectorXd& mu, std::int64_t batch, const Eigen::VectorXd* weight = nullptr);

}  // namespace sgdlaw
