#pragma once
// The exact expected-risk recursion of every optimizer but SGD (optimizer.hpp), for Gaussian features in
// Sigma's eigenbasis, step by step: O(M) per step.
//
// Derivation. Per coordinate j (eigenvalue mu, weight w), an optimizer step is linear in (x, m, g) (LinearStep):
//   x' = ax x + am m - kx g,   m' = bx x + bm m + km g,   g = (1/B) sum_b (<p, zeta_b> - xi_b) zeta_b,
// with p = l1 x + l2 m (l1 = 1 + lookahead, l2 = -lookahead). Write g = mu p + n. The samples of the step are
// fresh, so E[n | past] = 0 and n is uncorrelated with x, m, p; by Isserlis' theorem,
// E[zeta zeta^T P zeta zeta^T] = 2 Sigma P Sigma + tr(Sigma P) Sigma, so (Sigma = diag mu, P = E[p p^T])
//   E[n n^T] = (1/B) (Sigma P Sigma + tr(Sigma P) Sigma + s2 Sigma),   s2 = sigma^2 + Approx,
// whose diagonal is V_j = (1/B) (mu_j^2 Ppp_j + mu_j (T + s2)) with T = sum_k w_k mu_k Ppp_k. Substituting g,
//   x' = Fxx x + Fxm m - kx n,   m' = Fmx x + Fmm m + km n,
//   Fxx = ax - kx mu l1,  Fxm = am - kx mu l2,  Fmx = bx + km mu l1,  Fmm = bm + km mu l2,
// and the per-coordinate second moments (Pxx, Pxm, Pmm) = (E x^2, E x m, E m^2) close on themselves plus T:
//   Pxx' = Fxx^2 Pxx + 2 Fxx Fxm Pxm + Fxm^2 Pmm + kx^2 V
//   Pxm' = Fxx Fmx Pxx + (Fxx Fmm + Fxm Fmx) Pxm + Fxm Fmm Pmm - kx km V
//   Pmm' = Fmx^2 Pxx + 2 Fmx Fmm Pxm + Fmm^2 Pmm + km^2 V
//   Ppp  = l1^2 Pxx + 2 l1 l2 Pxm + l2^2 Pmm.
// (Off-diagonal second moments between coordinates never enter: Sigma is diagonal, so coordinate j's update
// involves only its own x, m, n, and the trace T.) SGD is the case ax = 1, kx = gamma, l2 = 0, where Pxx' is
// exact_recursion_step.hpp's alpha p + (gamma^2 / B) mu (T + s2). The risk's excess is sum_j w_j mu_j Pxx_j.
// Bias (s2 = 0, from Pxx = Pxm = Pmm = E[u*^2] for heavy_ball and nesterov, whose m_0 = x_0, or Pxx = E[u*^2],
// Pxm = Pmm = 0 for DANA, whose y_{-1} = 0) and variance (from 0, with s2) are run side by side.
// tests/independent/momentum_risk.py derives the same recursion independently and checks it by Monte Carlo.
#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "sgdlaw/core/exact_contour.hpp"
#include "sgdlaw/core/optimizer.hpp"
#include "sgdlaw/core/schedule.hpp"

namespace sgdlaw {

struct ExactCurve;
enum class ExactMethod;

// The three second moments of one run (bias or variance) per coordinate.
struct PairMoments {
  Eigen::VectorXd xx, xm, mm;
};

// The exact curve of a non-SGD optimizer at the checkpoints (exact_recursion.hpp's ExactCurve). Heavy ball and
// nesterov jump over constant stretches of at least momentum_contour_min_steps(beta) steps by contour
// (exact_momentum_contour.cpp) where `method` asks for it (auto: from kContourAutoSteps steps on) and the step
// size is stable; DANA's coefficients change every step, so it is stepped throughout.
ExactCurve exact_expected_risk_optimizer(const WeightedSpectrum& nodes, const Eigen::VectorXd& p0, double approx,
                                         double sigma2, const Schedule& schedule, const Optimizer& optimizer,
                                         std::int64_t batch, const std::vector<std::int64_t>& checkpoints,
                                         ExactMethod method);

// The shortest stretch a heavy-ball or nesterov contour jump covers: beta^n < e^-45 (the modes of complex
// eigenvalues the contour leaves out), and at least kContourMinSteps.
std::int64_t momentum_contour_min_steps(double beta);

// n steps at the constant step size gamma by one contour jump, both runs (noise: the variance run's s2).
void momentum_contour_advance(const WeightedSpectrum& s, const Optimizer& o, double gamma, std::int64_t n, double inv_b,
                              double noise, PairMoments& bias, PairMoments& var);

}  // namespace sgdlaw
