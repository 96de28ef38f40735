#pragma once
// When does constant-step SGD keep a bounded second moment? For the exact recursion
// p' = diag(alpha) p + (gamma^2/B) mu (mu^T p) + c, the iteration is stable iff every alpha_j < 1 and
// (gamma / B) sum_j mu_j / (2 - gamma mu_j (B + 1) / B) < 1 (matrix determinant lemma on the rank-one part).
// Schedules here never increase the step, so stability at the initial gamma is what matters.
#include <Eigen/Dense>
#include <cstdint>

#include "sgdlaw/core/optimizer.hpp"

namespace sgdlaw {

// weight: per-coordinate weights of a weighted spectrum (infinite d: tail quadrature); nullptr = all 1.
bool step_size_is_stable(double gamma, const Eigen::VectorXd& mu, std::int64_t batch,
                         const Eigen::VectorXd* weight = nullptr);

// Supremum of stable step sizes (bisection to relative 1e-12).
double max_stable_step_size(const Eigen::VectorXd& mu, std::int64_t batch, const Eigen::VectorXd* weight = nullptr);

// The same for any optimizer (optimizer.hpp), from its own recursion (exact_momentum.hpp).
// DANA has no constant-coefficient regime: its buffer forgets on the 1 / t time scale of Delta(t) and, with
// Delta = 0, integrates the noise of the slow coordinates without bound (the constant-coefficient criterion below
// then fails for every gamma). Its check is that of its first step, SGD at gamma + gamma3(0) (Delta(0) = 1); its
// later steps are checked by the exact recursion itself, which overflows (DivergenceError) where they are not
// stable. Heavy ball and nesterov have constant coefficients. Their second-moment map P -> E[P'] preserves the cone of
// positive semi-definite 2 x 2 blocks, and its noise parts (the block's own mu^2 Ppp / B and the trace's mu T / B) are
// cone-positive rank-one terms, so (as for SGD) it is stable iff each block's deterministic part F has spectral radius
// < 1 (Jury: |det F| < 1, |tr F| < 1 + det F), each block with its own noise term is, and the trace's loop gain is
// below 1:
//   q_j = l^T P_j l with P_j = F P_j F^T + k k^T (k = (-kx, km): the response of Ppp to one unit of noise),
//   (mu_j^2 / B) q_j < 1,   (1 / B) sum_j w_j mu_j^2 q_j / (1 - mu_j^2 q_j / B) < 1.
// For SGD this is the condition above. Coordinates with gamma mu < 1e-7 (where the 3 x 3 solve for q loses
// accuracy and mu q has reached its small-mu limit) use mu q of the first such coordinate.
bool step_size_is_stable(const Optimizer& optimizer, double gamma, const Eigen::VectorXd& mu, std::int64_t batch,
                         const Eigen::VectorXd* weight = nullptr);
double max_stable_step_size(const Optimizer& optimizer, const Eigen::VectorXd& mu, std::int64_t batch,
                            const Eigen::VectorXd* weight = nullptr);

}  // namespace sgdlaw
