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
#include <complex>
#include <cstdint>
#include <vector>

#include "sgdlaw/core/schedule.hpp"

namespace sgdlaw {

// Weighted coordinates of the exact recursion: the risk's trace is sum_i w_i mu_i p_i.
struct WeightedSpectrum {
  Eigen::VectorXd mu;  // eigenvalues (positive)
  Eigen::VectorXd w;   // weights (1 for real coordinates)
};

// The two second-moment vectors the exact recursion carries: bias (noise-free, from E[u*^2]) and variance (with
// the effective noise, from 0). They share every per-coordinate factor, so both advance in one pass.
struct SecondMoments {
  Eigen::VectorXd bias, variance;
};

// The risk's trace sum_i w_i mu_i p_i of a second-moment vector (the excess risk it stands for).
double weighted_trace(const WeightedSpectrum& s, const Eigen::VectorXd& p);
// sum_i w_i mu_i^2 p_i: the squared norm of the population gradient diag(mu) u in expectation (gradient_noise.hpp).
double weighted_grad_norm2(const WeightedSpectrum& s, const Eigen::VectorXd& p);

// Whether the contour jump applies: non-negative weights and a step size the recursion is stable at
// (step_size_is_stable, stability.hpp: spectral radius of the constant-step map < 1).
bool contour_map_is_stable(const WeightedSpectrum& s, double gamma, std::int64_t batch);

// Steps t0 .. t0 + n - 1 of the schedule one by one (the step size may change every step), with the shared
// coordinate step of exact_recursion_step.hpp; noise: sigma^2 + Approx (the variance run's).
void step_advance(const WeightedSpectrum& s, const Schedule& schedule, std::int64_t t0, std::int64_t n,
                  double inv_batch, double noise, SecondMoments& p);

// Steps t0 .. t0 + n - 1, over which the schedule's step size is constant, by one contour jump (fewer than
// kContourMinSteps: step_advance).
void contour_advance(const WeightedSpectrum& s, const Schedule& schedule, std::int64_t t0, std::int64_t n,
                     double inv_batch, double noise, SecondMoments& p);

inline constexpr std::int64_t kContourMinSteps = 64;
inline constexpr int kContourNodes = 32;

// One node of the modified Talbot contour z(theta) = (Q/t)(sigma + m theta cot(k theta) + i nu theta) at time t
// (n + 1 for a jump of n steps): the kContourNodes / 2 nodes with theta > 0 (the others are their conjugates).
// A jump's integrand f contributes sum_k Re[(2 / Q) e^(t z_k) dz_k / i f(z_k)] (exact_contour.cpp).
struct ContourNode {
  std::complex<double> z, dz, eps;  // z, dz/dtheta, e^z - 1 (formed without cancellation)
};
std::vector<ContourNode> talbot_nodes(double t);

}  // namespace sgdlaw
