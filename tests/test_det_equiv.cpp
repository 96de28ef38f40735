// The deterministic equivalent of the Gaussian-sketch average (deterministic_equivalent.hpp) against the average
// over sampled sketches.
#include <gtest/gtest.h>

#include <cmath>

#include "sgdlaw/core/deterministic_equivalent.hpp"
#include "sgdlaw/core/exact_recursion.hpp"
#include "sgdlaw/core/sketch_setup.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::rel_diff;
using sgdlaw::testing::small_config;

namespace {

Config sketched(std::int64_t d, std::int64_t M) {
  Config c = small_config();
  c.d = d;
  c.M = M;
  c.monte_carlo = false;
  c.gamma = 0.3;
  c.N = 20000;
  return c;
}

}  // namespace

TEST(DetEquiv, CountsEigenvaluesAndApproximationErrorOfSampledSketches) {
  // E[Approx] and the linear statistics sum_j exp(-s mu_j), sum_j mu_j E[u*_j^2] exp(-s mu_j) of 400 sampled sketches
  // (M = 64, d = 512) against the deterministic equivalent with its 1/M terms: within 3 standard errors each.
  // (The M -> infinity limit alone misses E[Approx] by 1.7% here, many standard errors.)
  const Config c = sketched(512, 64);
  const DetEquivSpectrum de = deterministic_equivalent(c);
  EXPECT_NEAR(de.weight.sum(), 64.0, 1e-6);
  const int K = 400;
  const double scales[3] = {10.0, 100.0, 1000.0};
  // Per sketch: E[Approx], then the count and the signal statistic at each scale.
  std::vector<std::vector<double>> stats(7, std::vector<double>(K, 0.0));
  for (int k = 0; k < K; ++k) {
    const SketchSetup s = build_sketch_setup(c, k);
    stats[0][k] = s.approx_prior;
    for (int q = 0; q < 3; ++q)
      for (std::int64_t j = 0; j < c.M; ++j) {
        stats[1 + q][k] += std::exp(-scales[q] * s.mu[j]);
        stats[4 + q][k] += s.mu[j] * s.p0_prior[j] * std::exp(-scales[q] * s.mu[j]);
      }
  }
  std::vector<double> predicted(7, 0.0);
  predicted[0] = de.approx;
  for (int q = 0; q < 3; ++q)
    for (Eigen::Index j = 0; j < de.mu.size(); ++j) {
      predicted[1 + q] += de.weight[j] * std::exp(-scales[q] * de.mu[j]);
      predicted[4 + q] += de.weight[j] * de.mu[j] * de.p0[j] * std::exp(-scales[q] * de.mu[j]);
    }
  for (int i = 0; i < 7; ++i) {
    double mean = 0.0, sq = 0.0;
    for (double v : stats[i]) mean += v / K;
    for (double v : stats[i]) sq += (v - mean) * (v - mean) / (K - 1);
    const double se = std::sqrt(sq / K);
    EXPECT_LT(std::abs(predicted[i] - mean), 3.0 * se)
        << "statistic " << i << ": predicted " << predicted[i] << ", sampled " << mean << " +- " << se;
  }
  Config plain = c;
  plain.det_equiv_correction = false;
  double approx_mean = 0.0;
  for (double v : stats[0]) approx_mean += v / K;
  EXPECT_GT(rel_diff(deterministic_equivalent(plain).approx, approx_mean), 0.005);
}

TEST(DetEquiv, WithItsOneOverMTermsMatchesTheSketchAverageWithinStandardErrors) {
  // 400 sampled sketches per M (fixed seed) against the deterministic equivalent with its 1/M terms (the default),
  // z = (DE - average) / SE at every checkpoint. The M -> infinity limit alone misses by 4-7 SE here (1.2% at
  // M = 128), so the test can tell the two apart. Measured: corrected max |z| 1.87, 2.33, 1.54; plain 6.86, 4.67,
  // 4.08. What remains (pooled over 2000 sketches, in the constant-step phase: -0.65%, -0.16%, -0.04% at M = 64,
  // 128, 256) is mostly the fluctuation term (the recursion is nonlinear in the spectrum), not modelled.
  for (std::int64_t M : {32, 128, 256}) {
    Config c = sketched(1024, M);
    c.sketches = 400;
    const RunResult r = run_simulation(c);
    ASSERT_TRUE(r.has_det_equiv);
    Config plain_config = c;
    plain_config.det_equiv_correction = false;
    const DetEquivSpectrum plain = deterministic_equivalent(plain_config);
    const ExactCurve plain_curve =
        exact_expected_risk(WeightedSpectrum{plain.mu, plain.weight}, plain.p0, plain.approx, c.sigma * c.sigma,
                            r.plan.schedule, c.batch, r.plan.checkpoints, ExactMethod::kContour);
    double z_corrected = 0.0, z_plain = 0.0;
    for (std::size_t k = 0; k < r.rows.size(); ++k) {
      const CurveRow& row = r.rows[k];
      const double se = row.risk_exact_sketch_sd / std::sqrt(400.0);
      z_corrected = std::max(z_corrected, std::abs(row.risk_det_equiv - row.risk_exact) / se);
      z_plain = std::max(z_plain, std::abs(plain_curve.risk[k] - row.risk_exact) / se);
    }
    EXPECT_LT(z_corrected, 3.0) << "M = " << M;
    EXPECT_GT(z_plain, 3.5) << "M = " << M;
  }
}

TEST(DetEquiv, NoNodeAboveTheSpectrumAtStepSizesTheSketchesAllow) {
  // gamma = 0.8, B = 8: stable for every sampled sketch (top eigenvalue about 1.2 - 1.5) but not for x > 2.2, where
  // the density grid has only the kernel's leak. Those cells are not nodes, so the curve stays finite and close to
  // the sampled average (it diverged to 1e89 when they were).
  Config c = sketched(1024, 128);
  c.batch = 8;
  c.gamma = 0.8;
  c.sketches = 100;
  const RunResult r = run_simulation(c);
  ASSERT_TRUE(r.has_det_equiv);
  EXPECT_TRUE(r.det_equiv.finite);
  EXPECT_LT(deterministic_equivalent(c).mu.maxCoeff(), 2.0 / (c.gamma * 9.0 / 8.0));
  for (const CurveRow& row : r.rows) EXPECT_LT(std::abs(row.risk_det_equiv / row.risk_exact - 1.0), 0.01);
}

TEST(DetEquiv, InfiniteDimensionIsTheLimitOfLargeD) {
  // d = inf (tail quadrature inside the resolvent equation) against d = 2^16 and 2^18 summed over every index: the
  // gap in E[Approx] shrinks like the signal beyond d, d^(1 - b) (b = 2: by 4 per factor 4 in d).
  Config c = sketched(1 << 16, 256);
  c.d_infinite = true;
  const DetEquivSpectrum inf = deterministic_equivalent(c);
  EXPECT_LT(rel_diff(inf.signal, 3.14159265358979323846 * 3.14159265358979323846 / 6.0), 1e-12);
  EXPECT_LT(rel_diff(inf.weight.sum(), 256.0), 1e-6);
  c.d_infinite = false;
  const double gap16 = inf.approx - deterministic_equivalent(c).approx;
  c.d = 1 << 18;
  const double gap18 = inf.approx - deterministic_equivalent(c).approx;
  EXPECT_GT(gap18, 0.0);
  EXPECT_NEAR(gap16 / gap18, 4.0, 0.1);
}

TEST(DetEquiv, GaussianSketchAtInfiniteDimensionRunsExactOnly) {
  Config c = sketched(4096, 512);
  c.d_infinite = true;
  c.d = 4096;
  c.N = 1 << 20;
  const RunResult r = run_simulation(c);
  ASSERT_TRUE(r.has_det_equiv);
  for (const CurveRow& row : r.rows) {
    EXPECT_EQ(row.risk_det_equiv, row.risk_exact);
    EXPECT_GT(row.risk_exact, c.sigma * c.sigma);
  }
  EXPECT_TRUE(r.exact[0].contour);
}
