// The fast reduced path against the literal d-dimensional reference path.
#include <gtest/gtest.h>

#include <cmath>

#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::small_config;

namespace {

Config reference_config() {
  Config c = small_config();
  c.d = 96;
  c.M = 24;
  c.N = 1500;
  c.trials = 300;
  c.gamma = 0.25;
  c.checkpoint_ratio = 2.0;
  return c;
}

void expect_agree(const RunResult& fast, const RunResult& ref, const std::string& label) {
  ASSERT_EQ(fast.rows.size(), ref.rows.size());
  for (std::size_t i = 0; i < fast.rows.size(); ++i) {
    const CurveRow &f = fast.rows[i], &r = ref.rows[i];
    const double se = std::sqrt(f.risk_se * f.risk_se + r.risk_se * r.risk_se);
    EXPECT_LE(std::fabs(f.risk_mc - r.risk_mc), 4 * se) << label << " N=" << f.samples;
    const double se_b = std::sqrt(f.bias_se * f.bias_se + r.bias_se * r.bias_se);
    EXPECT_LE(std::fabs(f.bias_mc - r.bias_mc), 4 * se_b) << label << " bias N=" << f.samples;
    const double se_v = std::sqrt(f.variance_se * f.variance_se + r.variance_se * r.variance_se);
    EXPECT_LE(std::fabs(f.variance_mc - r.variance_mc), 4 * se_v) << label << " variance N=" << f.samples;
    // And the reference is itself consistent with the exact curve.
    EXPECT_LE(std::fabs(r.risk_mc - r.risk_exact), 4 * r.risk_se) << label << " reference vs exact N=" << f.samples;
  }
}

}  // namespace

TEST(ReferencePath, AgreesWithFastPathGeometric) {
  Config c = reference_config();
  const RunResult fast = run_simulation(c);
  c.backend = "reference";
  const RunResult ref = run_simulation(c);
  EXPECT_EQ(ref.backend, "reference");
  expect_agree(fast, ref, "geometric B=1");
}

TEST(ReferencePath, AgreesWithFastPathBatchedConstant) {
  Config c = reference_config();
  c.batch = 3;
  c.N = 1500;
  c.schedule = ScheduleKind::kConstant;
  c.a = 1.5;
  c.b = 2.0;
  c.seed = 77;
  const RunResult fast = run_simulation(c);
  c.backend = "reference";
  expect_agree(fast, run_simulation(c), "constant B=3");
}

TEST(ReferencePath, LiteralApproximationErrorEqualsClosedForm) {
  // Same trial, same w* stream: the literal E(<v*, Sx> - <w*, x>)^2 equals the eigenbasis formula.
  Config c = reference_config();
  c.trials = 20;
  c.N = 10;
  const RunResult fast = run_simulation(c);
  c.backend = "reference";
  const RunResult ref = run_simulation(c);
  for (std::int64_t g = 0; g < 20; ++g)
    EXPECT_NEAR(fast.trials.approx[g], ref.trials.approx[g], 1e-10 * (1.0 + ref.trials.approx[g])) << "trial " << g;
}

TEST(ReferencePath, RademacherCovariatesRunOnlyOnReference) {
  Config c = reference_config();
  c.covariates = CovariateKind::kRademacher;
  c.trials = 200;
  EXPECT_THROW(run_simulation(c), BackendUnavailable);
  c.backend = "reference";
  const RunResult r = run_simulation(c);
  for (const CurveRow& row : r.rows) EXPECT_TRUE(std::isfinite(row.risk_mc));
  // Second moments are the same, so the risk starts at the same place and decreases.
  EXPECT_LT(r.rows.back().risk_mc, r.rows.front().risk_mc);
  EXPECT_GT(r.rows.back().risk_mc, c.sigma * c.sigma);
}
