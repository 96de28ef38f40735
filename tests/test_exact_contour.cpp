// The exact recursion's contour jumps (exact_contour.hpp) against the step recursion, and d = infinity (head plus
// tail quadrature) against growing finite d.
#include <gtest/gtest.h>

#include <cmath>

#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/exact_recursion.hpp"
#include "sgdlaw/core/power_law_spectrum.hpp"
#include "sgdlaw/core/simulation.hpp"
#include "sgdlaw/core/sketch_setup.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::rel_diff;
using sgdlaw::testing::small_config;

namespace {

ExactCurve curve_of(const Config& c, ExactMethod method) {
  const SketchSetup s = build_sketch_setup(c, 0);
  return exact_expected_risk(weighted_spectrum(s), s.p0_prior, s.approx_prior, c.sigma * c.sigma, make_schedule(c),
                             c.batch, checkpoint_steps(c), method);
}

// Largest relative difference over checkpoints of risk, bias and variance.
double max_rel(const ExactCurve& x, const ExactCurve& y) {
  double worst = 0.0;
  for (std::size_t i = 0; i < x.risk.size(); ++i) {
    worst = std::max(worst, rel_diff(x.risk[i], y.risk[i]));
    worst = std::max(worst, rel_diff(x.bias[i], y.bias[i]));
    worst = std::max(worst, rel_diff(x.variance[i], y.variance[i]));
  }
  return worst;
}

Config identity_config(double a, double b, std::int64_t d) {
  Config c = small_config();
  c.sketch = SketchKind::kIdentity;
  c.a = a;
  c.b = b;
  c.d = c.M = d;
  c.gamma = 0.3;
  c.checkpoint_ratio = 1.3;
  return c;
}

}  // namespace

TEST(ExactContour, MatchesStepRecursionAcrossExponentsBatchesAndSchedules) {
  for (const auto& [a, b] : {std::pair{1.5, 1.5}, std::pair{2.0, 1.5}, std::pair{2.0, 3.0}, std::pair{3.0, 2.0}})
    for (std::int64_t batch : {1, 5})
      for (ScheduleKind sched : {ScheduleKind::kConstant, ScheduleKind::kGeometric}) {
        Config c = identity_config(a, b, 600);
        c.batch = batch;
        c.N = 40000 * batch;
        c.schedule = sched;
        const ExactCurve steps = curve_of(c, ExactMethod::kSteps), jumps = curve_of(c, ExactMethod::kContour);
        ASSERT_TRUE(jumps.contour);
        ASSERT_FALSE(steps.contour);
        EXPECT_LT(max_rel(steps, jumps), 1e-10) << "a=" << a << " b=" << b << " B=" << batch << " " << to_string(sched);
      }
}

TEST(ExactContour, MatchesStepRecursionOnIllConditionedSketches) {
  // a = 3, M = 48 of d = 96: Sigma's eigenvalues span more than five decades.
  Config c = small_config();
  c.a = 3.0;
  c.b = 2.0;
  c.d = 96;
  c.M = 48;
  c.gamma = 0.5;
  c.N = 60000;
  c.checkpoint_ratio = 1.4;
  const SketchSetup s = build_sketch_setup(c, 0);
  ASSERT_GT(s.mu[0] / s.mu[c.M - 1], 1e5);
  const ExactCurve steps = curve_of(c, ExactMethod::kSteps), jumps = curve_of(c, ExactMethod::kContour);
  EXPECT_LT(max_rel(steps, jumps), 1e-10);
  // And a fixed w* (its own u*, not the prior's).
  c.wstar = PriorMode::kFixed;
  const RunPlan plan = make_run_plan(c);
  Config cs = c;
  cs.exact_method = ExactMethod::kSteps;
  RunPlan plan_steps = plan;
  plan_steps.config = cs;
  Config cc = c;
  cc.exact_method = ExactMethod::kContour;
  RunPlan plan_jumps = plan;
  plan_jumps.config = cc;
  EXPECT_LT(max_rel(exact_curves(plan_steps)[0], exact_curves(plan_jumps)[0]), 1e-10);
}

TEST(ExactContour, PowerScheduleAndUnstableStepsStayStepByStep) {
  Config c = identity_config(2.0, 2.0, 200);
  c.schedule = ScheduleKind::kPower;
  c.N = 70000;
  const ExactCurve power = curve_of(c, ExactMethod::kAuto);
  EXPECT_FALSE(power.contour);  // no constant stretch: every step through the recursion
  EXPECT_EQ(power.jumps, 0);
  EXPECT_EQ(power.stepped_steps, c.steps());
  c.schedule = ScheduleKind::kConstant;
  c.gamma = 1.9;  // beyond the stability limit: the jump formula does not apply, the steps overflow
  const ExactCurve unstable = curve_of(c, ExactMethod::kContour);
  EXPECT_FALSE(unstable.contour);
  EXPECT_FALSE(unstable.finite);
}

TEST(ExactContour, AutoPicksJumpsOnlyForLongRuns) {
  Config c = identity_config(2.0, 2.0, 100);
  c.N = 1000;
  EXPECT_FALSE(curve_of(c, ExactMethod::kAuto).contour);
  c.N = 100000;
  EXPECT_TRUE(curve_of(c, ExactMethod::kAuto).contour);
}

TEST(ExactContour, TailQuadratureSumsThePowerLawExactly) {
  // Weighted sums of i^-b over the nodes against zeta(b): zeta(2) = pi^2 / 6, zeta(4) = pi^4 / 90, zeta(1.5); within
  // the recorded error bound at a small head, to rounding at the default head.
  const double pi = 3.14159265358979323846;
  for (std::int64_t head : {64, 4096}) {
    Config c = identity_config(2.0, 2.0, head);
    c.d_infinite = true;
    const PowerLawSpectrum s = power_law_spectrum(c);
    const double sum = s.lambda.cwiseProduct(s.weight).dot(s.prior_var);
    EXPECT_LT(std::abs(sum - pi * pi / 6.0), s.tail_error + 1e-15) << head;
    EXPECT_LT(rel_diff(s.lambda.cwiseAbs2().dot(s.weight), std::pow(pi, 4) / 90.0), head == 64 ? 1e-12 : 1e-14);
    c.a = c.b = 1.5;
    const PowerLawSpectrum t = power_law_spectrum(c);
    EXPECT_LT(rel_diff(t.lambda.cwiseProduct(t.weight).dot(t.prior_var), 2.612375348685488),
              head == 64 ? 1e-11 : 1e-14);
    EXPECT_GT(s.tail_error, 0.0);
  }
}

TEST(ExactContour, InfiniteDimensionIsTheLimitOfFiniteD) {
  // The gap R_d - R_inf shrinks like d^(1 - b) (the unlearned tail sum_{i > d} i^-b), and the head size of the
  // d = inf quadrature does not matter.
  for (const auto& [a, b] : {std::pair{1.5, 1.5}, std::pair{2.0, 2.0}}) {
    Config c = identity_config(a, b, 1024);
    c.N = 20000;
    c.d_infinite = true;
    const double r_inf = curve_of(c, ExactMethod::kContour).risk.back();
    c.d = 256;
    EXPECT_LT(rel_diff(curve_of(c, ExactMethod::kContour).risk.back(), r_inf), 1e-10) << "head 256 vs 1024";
    c.d_infinite = false;
    double prev_gap = 0.0;
    for (std::int64_t d : {2048, 4096, 8192, 16384}) {
      c.d = c.M = d;
      const double gap = curve_of(c, ExactMethod::kContour).risk.back() - r_inf;
      EXPECT_LT(gap, 0.0) << "finite d misses signal in i > d, which SGD never learns: " << d;
      if (prev_gap != 0.0) EXPECT_NEAR(std::log2(prev_gap / gap), b - 1.0, 0.03) << "d = " << d;
      prev_gap = gap;
    }
  }
}
