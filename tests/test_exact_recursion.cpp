// The exact recursion against independent computations: a scalar closed form, a dense matrix recursion in
// the original (un-rotated) coordinates, and Gauss-Hermite quadrature of one SGD step.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/exact_recursion.hpp"
#include "sgdlaw/core/simulation.hpp"
#include "sgdlaw/core/sketch_setup.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::rel_diff;
using sgdlaw::testing::small_config;

TEST(ExactRecursion, IdentityScalarMatchesClosedForm) {
  // d = 1: p_t = rho^t p0 + c (1 - rho^t) / (1 - rho), rho = (1 - g mu)^2 + 2 g^2 mu^2 / B, c = g^2 s2 mu / B.
  for (std::int64_t batch : {1, 3}) {
    Config c = small_config();
    c.sketch = SketchKind::kIdentity;
    c.d = c.M = 1;
    c.schedule = ScheduleKind::kConstant;
    c.batch = batch;
    c.N = 600 * batch;
    c.gamma = 0.3;
    const SketchSetup s = build_sketch_setup(c, 0);
    const auto cks = checkpoint_steps(c);
    const ExactCurve e = exact_expected_risk(s.mu, s.p0_prior, 0.0, c.sigma * c.sigma, make_schedule(c), batch, cks);
    const double mu = 1.0, g = c.gamma, s2 = c.sigma * c.sigma, B = static_cast<double>(batch);
    const double rho = (1 - g * mu) * (1 - g * mu) + 2 * g * g * mu * mu / B, cc = g * g * s2 * mu / B;
    for (std::size_t i = 0; i < cks.size(); ++i) {
      const double t = static_cast<double>(cks[i]);
      const double p = std::pow(rho, t) * 1.0 + cc * (1 - std::pow(rho, t)) / (1 - rho);
      EXPECT_LT(rel_diff(e.risk[i], s2 + mu * p), 1e-10) << "checkpoint " << cks[i];
    }
  }
}

namespace {

// Dense second-moment recursion on v - v* in the original M coordinates, with nothing taken from the
// eigen-decomposition: P' = P - g(SP + PS) + g^2 (1 + 1/B) SPS + (g^2/B)(tr(SP) + s2) S.
std::vector<double> dense_recursion(const Config& c, const SketchSetup& s, const std::vector<std::int64_t>& cks) {
  Eigen::MatrixXd H = s.lambda.asDiagonal();
  Eigen::MatrixXd S = s.identity ? Eigen::MatrixXd::Identity(c.d, c.d) : Eigen::MatrixXd(s.S);
  const Eigen::MatrixXd sigma = S * H * S.transpose();
  const Eigen::MatrixXd cross = S * H * s.prior_var.asDiagonal() * H * S.transpose();  // E[(SHw)(SHw)^T]
  const auto ldlt = sigma.ldlt();
  const Eigen::MatrixXd sigma_inv_cross = ldlt.solve(cross);
  Eigen::MatrixXd P = ldlt.solve(sigma_inv_cross.transpose());  // E[v* v*^T] = Sigma^-1 cross Sigma^-1
  const double approx = (H * s.prior_var.asDiagonal()).trace() - sigma_inv_cross.trace();
  const double s2 = c.sigma * c.sigma + approx;
  const Schedule sched = make_schedule(c);
  const double B = static_cast<double>(c.batch);
  std::vector<double> out;
  std::int64_t t = 0;
  for (std::int64_t ck : cks) {
    for (; t < ck; ++t) {
      const double g = sched.at(t);
      const Eigen::MatrixXd SP = sigma * P;
      const double tr = SP.trace();
      P = P - g * (SP + SP.transpose()) + g * g * (1.0 + 1.0 / B) * SP * sigma + (g * g / B) * (tr + s2) * sigma;
      P = 0.5 * (P + P.transpose());
    }
    out.push_back(c.sigma * c.sigma + approx + (sigma * P).trace());
  }
  return out;
}

}  // namespace

TEST(ExactRecursion, DiagonalRecursionEqualsDenseRecursionInOriginalBasis) {
  struct Case {
    SketchKind sketch;
    std::int64_t d, M, batch;
    ScheduleKind schedule;
    double a, b;
  };
  for (const Case& k : {Case{SketchKind::kGaussian, 40, 12, 2, ScheduleKind::kGeometric, 2.0, 2.0},
                        Case{SketchKind::kGaussian, 30, 30, 1, ScheduleKind::kPower, 1.5, 2.5},
                        Case{SketchKind::kIdentity, 20, 20, 4, ScheduleKind::kConstant, 1.5, 1.5}}) {
    Config c = small_config();
    c.sketch = k.sketch;
    c.d = k.d;
    c.M = k.M;
    c.a = k.a;
    c.b = k.b;
    c.batch = k.batch;
    c.schedule = k.schedule;
    c.N = 400 * k.batch;
    c.gamma = 0.25;
    const SketchSetup s = build_sketch_setup(c, 0);
    const auto cks = checkpoint_steps(c);
    const ExactCurve e =
        exact_expected_risk(s.mu, s.p0_prior, s.approx_prior, c.sigma * c.sigma, make_schedule(c), c.batch, cks);
    const auto dense = dense_recursion(c, s, cks);
    for (std::size_t i = 0; i < cks.size(); ++i)
      EXPECT_LT(rel_diff(e.risk[i], dense[i]), 1e-10) << "d=" << k.d << " M=" << k.M << " checkpoint " << cks[i];
  }
}

TEST(ExactRecursion, OneStepSecondMomentMatchesGaussHermiteQuadrature) {
  // E[(I - g zz^T) e e^T (I - g zz^T)] for z ~ N(0, diag mu), M = 3, by tensor Gauss-Hermite quadrature (exact for
  // polynomials of degree <= 2n - 1), compared with the recursion's diagonal (B = 1, no noise).
  const int n = 6;
  Eigen::MatrixXd J = Eigen::MatrixXd::Zero(n, n);  // Golub-Welsch for the probabilists' Hermite weight
  for (int i = 1; i < n; ++i) J(i, i - 1) = J(i - 1, i) = std::sqrt(static_cast<double>(i));
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(J);
  const Eigen::VectorXd nodes = es.eigenvalues();
  const Eigen::VectorXd weights = es.eigenvectors().row(0).transpose().cwiseAbs2();
  const Eigen::Vector3d mu(1.0, 0.4, 0.1), e0(0.7, -1.3, 2.0);
  const double g = 0.35;
  Eigen::Vector3d quad = Eigen::Vector3d::Zero();
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k) {
        const Eigen::Vector3d z(std::sqrt(mu[0]) * nodes[i], std::sqrt(mu[1]) * nodes[j], std::sqrt(mu[2]) * nodes[k]);
        const Eigen::Vector3d e1 = e0 - g * z.dot(e0) * z;
        quad += weights[i] * weights[j] * weights[k] * e1.cwiseAbs2();
      }
  Config c = small_config();
  c.schedule = ScheduleKind::kConstant;
  c.gamma = g;
  const ExactCurve e = exact_expected_risk(mu, e0.cwiseAbs2(), 0.0, 0.0, make_schedule(c), 1, {1});
  EXPECT_LT(rel_diff(e.risk[0], mu.dot(quad)), 1e-12);
}

TEST(ExactRecursion, FullSketchHasNoApproximationError) {
  // M = d Gaussian sketch: S is invertible, so the sketched model is as good as the full one.
  Config c = small_config();
  c.d = c.M = 16;
  c.a = 1.5;
  const SketchSetup s = build_sketch_setup(c, 0);
  EXPECT_LT(s.approx_prior, 1e-10 * s.signal_prior);
  EXPECT_LT(draw_target(c, s, 3).approx, 1e-10 * s.signal_prior);
  // While a real sketch (M < d) loses signal, and more with smaller M.
  c.d = 400;
  c.M = 8;
  const double approx8 = build_sketch_setup(c, 0).approx_prior;
  c.M = 64;
  const double approx64 = build_sketch_setup(c, 0).approx_prior;
  EXPECT_GT(approx8, approx64);
  EXPECT_GT(approx64, 0.0);
}
