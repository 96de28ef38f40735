// Monte Carlo means of the fast path within 4 standard errors of the exact recursion at every checkpoint.
#include <gtest/gtest.h>

#include <cmath>

#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::small_config;

namespace {

void expect_within_4se(const RunResult& r, const std::string& label) {
  ASSERT_FALSE(r.rows.empty());
  for (const CurveRow& row : r.rows) {
    EXPECT_GT(row.risk_se, 0.0) << label;
    EXPECT_LE(std::fabs(row.risk_mc - row.risk_exact), 4 * row.risk_se) << label << " risk at N=" << row.samples;
    EXPECT_LE(std::fabs(row.approx_mc - row.approx_exact), 4 * row.approx_se + 1e-12) << label;
    if (r.trials.has_decomposition) {
      EXPECT_LE(std::fabs(row.bias_mc - row.bias_exact), 4 * row.bias_se) << label << " bias at N=" << row.samples;
      EXPECT_LE(std::fabs(row.variance_mc - row.variance_exact), 4 * row.variance_se)
          << label << " variance at N=" << row.samples;
    }
  }
}

}  // namespace

TEST(MonteCarloVsExact, GeometricScheduleIsotropicPrior) {
  Config c = small_config();
  c.N = 6000;
  c.trials = 400;
  expect_within_4se(run_simulation(c), "a=2 b=2 M=32 geometric B=1");
}

TEST(MonteCarloVsExact, ConstantScheduleBatchAndSourceCondition) {
  Config c = small_config();
  c.a = 1.5;
  c.b = 2.5;
  c.d = 512;
  c.M = 64;
  c.batch = 4;
  c.N = 8000;
  c.gamma = 0.3;
  c.schedule = ScheduleKind::kConstant;
  c.trials = 300;
  c.seed = 7;
  expect_within_4se(run_simulation(c), "a=1.5 b=2.5 M=64 constant B=4");
}

TEST(MonteCarloVsExact, PowerScheduleIdentitySketch) {
  Config c = small_config();
  c.a = 2.0;
  c.b = 1.5;
  c.sketch = SketchKind::kIdentity;
  c.d = c.M = 64;
  c.batch = 2;
  c.N = 4000;
  c.schedule = ScheduleKind::kPower;
  c.power_p = 0.6;
  c.power_t0 = 50;
  c.trials = 300;
  c.seed = 99;
  const RunResult r = run_simulation(c);
  expect_within_4se(r, "identity power B=2");
  EXPECT_EQ(r.rows.back().approx_exact, 0.0);
}

TEST(MonteCarloVsExact, FixedTargetAcrossSeveralSketches) {
  Config c = small_config();
  c.wstar = PriorMode::kFixed;
  c.sketches = 3;
  c.trials = 150;
  c.N = 3000;
  c.seed = 2024;
  const RunResult r = run_simulation(c);
  expect_within_4se(r, "fixed w*, K=3");
  EXPECT_GT(r.rows.back().risk_exact_sketch_sd, 0.0);  // different sketches give different exact risks
  // Fixed w*: approx varies only across sketches, so within a sketch every trial has the same value.
  EXPECT_EQ(r.trials.approx[0], r.trials.approx[149]);
  EXPECT_NE(r.trials.approx[0], r.trials.approx[150]);
}

TEST(MonteCarloVsExact, WithoutDecomposition) {
  Config c = small_config();
  c.decomposition = false;
  c.N = 3000;
  c.trials = 300;
  c.seed = 5;
  const RunResult r = run_simulation(c);
  EXPECT_FALSE(r.trials.has_decomposition);
  expect_within_4se(r, "no decomposition");
}

TEST(MonteCarloVsExact, DecompositionAddsUpPerTrial) {
  // The coupled runs are linear in (initial error, noise): total excess = bias + variance + cross term,
  // whose mean is zero; per trial the total must lie within (sqrt(bias) + sqrt(var))^2.
  Config c = small_config();
  c.trials = 50;
  const RunResult r = run_simulation(c);
  const double floor_risk = c.sigma * c.sigma;
  for (std::int64_t g = 0; g < r.trials.trials; ++g)
    for (std::int64_t ck = 0; ck < r.trials.checkpoints; ++ck) {
      const std::size_t i = static_cast<std::size_t>(g * r.trials.checkpoints + ck);
      const double excess = r.trials.risk[i] - floor_risk - r.trials.approx[g];
      const double hi = std::pow(std::sqrt(r.trials.bias[i]) + std::sqrt(r.trials.variance[i]), 2);
      EXPECT_LE(excess, hi * (1 + 1e-9) + 1e-15);
    }
}
