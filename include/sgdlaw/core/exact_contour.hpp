#pragma once
// The exact expected-risk recursion at a cost that does not grow with the number of steps.
//
// Within a stretch of constant step size gamma, each second-moment vector (bias or variance) follows an affine map
//   p' = A p + c s2 mu,   A = diag(alpha) + c mu (w mu)^T,   c = gamma^2 / B,
// on weighted coordinates (T = sum_i w_i mu_i p_i; w = 1 for real coordinates, quadrature weights for the tail of
// an infinite spectrum). Its generating function sum_s p_s zeta^(-s-1) is a resolvent of A, and the resolvent of
// a diagonal-plus-rank-one matrix is known in closed form (Sherman-Morrison):
//   (w mu)^T (zeta - A)^-1 x = g_x / (1 - c g_mu),   g_x(zeta) = sum_i w_i mu_i x_i / (zeta - alpha_i).
// p after n steps is then a contour integral of zeta^n times that resolvent around A's spectrum (which lies in
// [0, 1) for a stable step size). With zeta = e^z this is an inverse Laplace transform at time n + 1, evaluated by
// the midpoint rule on Weideman and Trefethen's modified Talbot contour (error about 3.89^-Q for Q nodes). Every
// zeta - alpha_i is formed as expm1(z) + (1 - alpha_i), so no precision is lost when n is large and the contour
// hugs zeta = 1. Each jump costs O(Q M), whatever n is.
#include <Eigen/Dense>
#include <cstdint>

namespace sgdlaw {

// Weighted coordinates of the exact recursion: the risk's trace is sum_i w_i mu_i p_i.
struct WeightedSpectrum {
  Eigen::VectorXd mu;  // eigenvalues (positive)
  Eigen::VectorXd w;   // weights (1 for real coordinates)
};

// Whether the constant-step map with this gamma has spectral radius < 1 (then contour_advance applies).
bool contour_map_is_stable(const WeightedSpectrum& s, double gamma, double inv_batch);

// Advances p by n steps of constant step size gamma with effective noise variance s2 (0 for the bias run).
// Jumps of fewer than kContourMinSteps steps are stepped directly (same arithmetic as exact_recursion).
void contour_advance(const WeightedSpectrum& s, double gamma, double inv_batch, double s2, std::int64_t n,
                     Eigen::VectorXd& p);

// Direct stepping on weighted coordinates (the reference the contour jump is tested against).
void step_advance(const WeightedSpectrum& s, double gamma, double inv_batch, double s2, std::int64_t n,
                  Eigen::VectorXd& p);

inline constexpr std::int64_t kContourMinSteps = 64;
inline constexpr int kContourNodes = 32;

}  // namespace sgdlaw
