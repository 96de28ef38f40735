#include <gtest/gtest.h>

#include <cmath>

#include "sgdlaw/core/exact_recursion.hpp"
#include "sgdlaw/core/sketch_setup.hpp"
#include "sgdlaw/core/stability.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;

TEST(Stability, BoundaryMatchesTheRecursion) {
  for (std::int64_t batch : {1, 8}) {
    Config c = sgdlaw::testing::small_config();
    c.batch = batch;
    c.schedule = ScheduleKind::kConstant;
    const SketchSetup s = build_sketch_setup(c, 0);
    const double g_max = max_stable_step_size(s.mu, batch);
    EXPECT_GT(g_max, 0.0);
    EXPECT_TRUE(step_size_is_stable(0.99 * g_max, s.mu, batch));
    EXPECT_FALSE(step_size_is_stable(1.01 * g_max, s.mu, batch));
    // Below: the noise-driven risk settles; above: it grows without bound.
    for (double f : {0.95, 1.05}) {
      c.gamma = f * g_max;
      const ExactCurve e =
          exact_expected_risk(s.mu, s.p0_prior, s.approx_prior, 0.09, make_schedule(c), batch, {4000, 8000});
      ASSERT_TRUE(std::isfinite(e.risk[0])) << "f=" << f;
      if (f < 1)
        EXPECT_LT(e.risk[1], 1.01 * e.risk[0]);
      else
        EXPECT_TRUE(!std::isfinite(e.risk[1]) || e.risk[1] > 10 * e.risk[0]) << e.risk[0] << " -> " << e.risk[1];
    }
  }
}
