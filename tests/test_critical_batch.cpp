// Steps to a target and the critical batch size (fit/critical_batch.hpp), the gradient noise scale
// (core/gradient_noise.hpp) and `sgdlaw batch` (sweep/batch_study.hpp): the hyperbola fit recovers a known
// hyperbola and says when B_crit is off the grid, S(B) is the fewest steps reaching the target (checked against
// tune_gamma at S and S - 1), the tuned excess falls with S, the Monte Carlo checks land within 4 SE of the
// target, and the study's refusals name their field.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "sgdlaw/core/gradient_noise.hpp"
#include "sgdlaw/io/csv_table.hpp"
#include "sgdlaw/sweep/batch_study.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;

namespace {

const std::vector<double> kGrid = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

Config noisy_identity() {
  Config c = sgdlaw::testing::small_config();
  c.sketch = SketchKind::kIdentity;
  c.d = c.M = 64;
  c.a = 1.5;
  c.b = 2.5;
  c.sigma = 0.5;
  c.N = 4096;
  c.schedule = ScheduleKind::kConstant;
  return c;
}

}  // namespace

TEST(CriticalBatch, FitRecoversAnExactHyperbolaWithNarrowIntervals) {
  std::vector<double> s;
  for (double b : kGrid) s.push_back(40.0 + 12000.0 / b);  // S_min 40, E_min 12000: B_crit 300
  const CriticalBatchFit f = fit_critical_batch(kGrid, s, 500, 0.95, 7);
  ASSERT_TRUE(f.resolved);
  EXPECT_STREQ(f.status, "ok");
  EXPECT_NEAR(f.s_min, 40.0, 1e-9);
  EXPECT_NEAR(f.e_min, 12000.0, 1e-7);
  EXPECT_NEAR(f.b_crit, 300.0, 1e-8);
  EXPECT_NEAR(f.b_crit_ci.lo, 300.0, 1e-6);
  EXPECT_NEAR(f.b_crit_ci.hi, 300.0, 1e-6);
  EXPECT_LT(f.rms_log, 1e-12);
}

TEST(CriticalBatch, IntervalsWidenWithMisfitAndCoverTheTruth) {
  std::vector<double> s;
  for (std::size_t i = 0; i < kGrid.size(); ++i)  // +-3% alternating misfit around S_min 40, E_min 12000
    s.push_back((40.0 + 12000.0 / kGrid[i]) * (i % 2 ? 1.03 : 0.97));
  const CriticalBatchFit f = fit_critical_batch(kGrid, s, 2000, 0.95, 7);
  ASSERT_TRUE(f.resolved);
  EXPECT_GT(f.b_crit_ci.hi - f.b_crit_ci.lo, 5.0);
  EXPECT_LT(f.b_crit_ci.lo, 300.0);
  EXPECT_GT(f.b_crit_ci.hi, 300.0);
  EXPECT_NEAR(f.rms_log, 0.03, 0.005);
}

TEST(CriticalBatch, OffTheGridIsUnresolvedNotANumber) {
  std::vector<double> perfect, flat;
  for (double b : kGrid) {
    perfect.push_back(1e6 / b);                       // S ~ 1/B throughout: B_crit above the grid
    flat.push_back(50.0 * (1.0 + 1e-3 * b / 512.0));  // S flat and slightly rising: below it
  }
  perfect.back() *= 0.999;  // a least-squares S_min just below 0
  const CriticalBatchFit a = fit_critical_batch(kGrid, perfect, 100, 0.95, 1);
  EXPECT_FALSE(a.resolved);
  EXPECT_TRUE(std::isnan(a.b_crit));
  EXPECT_STREQ(a.status, "above_grid");
  EXPECT_TRUE(std::isnan(a.b_crit_ci.lo) && std::isnan(a.s_min_ci.hi)) << "an interval never computed is empty";
  const CriticalBatchFit b = fit_critical_batch(kGrid, flat, 100, 0.95, 1);
  EXPECT_FALSE(b.resolved);
  EXPECT_STREQ(b.status, "below_grid");
  EXPECT_THROW(fit_critical_batch({1, 1, 2}, {10, 10, 5}, 10, 0.95, 1), ConfigError);
  std::vector<double> s;
  for (double x : kGrid) s.push_back(40.0 + 12000.0 / x);
  const CriticalBatchFit no_boot = fit_critical_batch(kGrid, s, 0, 0.95, 1);  // resamples = 0: no interval
  EXPECT_TRUE(no_boot.resolved);
  EXPECT_TRUE(std::isnan(no_boot.b_crit_ci.lo) && std::isnan(no_boot.b_crit_ci.hi));
}

TEST(CriticalBatch, StepsToTargetIsTheFewestStepsReachingIt) {
  const Config c = noisy_identity();
  const ExactObjective f1 = exact_objective(c);
  for (std::int64_t batch : {1, 8, 64}) {
    const ExactObjective f = at_batch(f1, batch);
    Config base = c;
    base.batch = batch;
    base.N = c.N - c.N % batch;
    const double target = 2.5 * tune_gamma(f, base).excess;
    const StepsToTarget s = steps_to_target(f, c, target, 1000, 1 << 20, "target_ratio");
    ASSERT_GT(s.steps, 1);
    EXPECT_LE(s.tuned.excess, target);
    EXPECT_GT(s.excess_before, target);
    Config before = c;
    before.batch = batch;
    before.N = (s.steps - 1) * batch;
    EXPECT_GT(tune_gamma(f, before).excess, target) << "B = " << batch;
    EXPECT_GT(s.steps_interp, s.steps - 1.0);
    EXPECT_LE(s.steps_interp, static_cast<double>(s.steps));
    EXPECT_GT(s.b_noise, 1.0);
  }
}

TEST(CriticalBatch, TunedExcessFallsWithTheHorizon) {
  const Config c = noisy_identity();
  for (ScheduleKind kind : {ScheduleKind::kConstant, ScheduleKind::kCosine}) {
    Config k = c;
    k.schedule = kind;
    const ExactObjective f = at_batch(exact_objective(k), 4);
    double previous = INFINITY;
    for (std::int64_t steps = 2; steps <= 4096; steps = steps * 3 / 2 + 1) {
      k.batch = 4;
      k.N = 4 * steps;
      const double e = tune_gamma(f, k).excess;
      EXPECT_LT(e, previous) << "steps " << steps;
      previous = e;
    }
  }
}

TEST(CriticalBatch, NoiseScaleFormulaAtTheStart) {
  // At v = 0 the error is -w*, so p_j = E[w*_j^2] = j^(a - b) and excess = sum mu_j p_j: the closed form by hand.
  const Config c = noisy_identity();
  const ExactObjective f = exact_objective(c);
  double tr = 0, g2 = 0, ex = 0;
  for (Eigen::Index j = 0; j < f.nodes.mu.size(); ++j) {
    tr += f.nodes.mu[j];
    g2 += f.nodes.mu[j] * f.nodes.mu[j] * f.p0[j];
    ex += f.nodes.mu[j] * f.p0[j];
  }
  Config k = c;
  k.gamma = 0.1;
  const ExactCurve e = exact_expected_risk(f.nodes, f.p0, f.approx, f.sigma2, make_schedule(k), f.optimizer, 1, {0},
                                           ExactMethod::kSteps);
  EXPECT_NEAR(e.grad_norm2[0], g2, 1e-14);
  EXPECT_NEAR(gradient_noise_scale(tr, e.grad_norm2[0], e.bias[0] + e.variance[0], f.sigma2),
              1.0 + tr * (ex + 0.25) / g2, 1e-10);
}

namespace {

const char* kStudy =
    "[problem]\na = 1.5\nb = 2.5\nd = 48\nM = 48\nsketch = \"identity\"\nsigma = 0.5\n[sgd]\nN = 4096\n"
    "schedule = \"constant\"\n[run]\nseed = 5\nthreads = 2\n";

}  // namespace

TEST(BatchStudy, MonteCarloChecksLandWithinFourStandardErrorsOfTheTarget) {
  const auto dir = sgdlaw::testing::scratch_dir("batchstudy", "mc");
  std::ofstream(dir / "b.toml") << kStudy
                                << "[batch]\nbatches = [1, 4, 16, 64]\ntarget_ratio = [2, 6]\ntrials = 400\n"
                                   "resamples = 200\nout = \"o\"\n";
  std::string log;
  ASSERT_EQ(sgdlaw::testing::cli("batch b.toml --no-plot", dir, &log), 0) << log;
  const CsvTable t = read_csv((dir / "o" / "batch.csv").string());
  ASSERT_EQ(t.rows.size(), 8u);
  const std::vector<double> z = t.numbers("z_target"), ze = t.numbers("z_exact"), steps = t.numbers("steps");
  for (std::size_t i = 0; i < z.size(); ++i) {
    EXPECT_LT(std::fabs(z[i]), 4.0) << "row " << i;
    EXPECT_LT(std::fabs(ze[i]), 4.0) << "row " << i;
    if (i % 4) EXPECT_LE(steps[i], steps[i - 1]) << "S(B) falls with B";  // same target, larger B
  }
  const CsvTable c = read_csv((dir / "o" / "critical.csv").string());
  ASSERT_EQ(c.rows.size(), 2u);
  const std::vector<double> crit = c.numbers("b_crit"), lo = c.numbers("b_crit_lo"), hi = c.numbers("b_crit_hi");
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_GT(crit[k], 1.0);
    EXPECT_LE(lo[k], crit[k] * 1.0001);
    EXPECT_GE(hi[k], crit[k] * 0.9999);
  }
  EXPECT_GT(crit[0], crit[1]) << "a lower target needs a larger critical batch";
  EXPECT_TRUE(std::filesystem::exists(dir / "o" / "mc" / "target1-B64" / "curves.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir / "o" / "report.md"));
}

TEST(BatchStudy, RefusalsNameTheField) {
  const auto dir = sgdlaw::testing::scratch_dir("batchstudy", "refusals");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[batch]\nbatches = [1, 2]\n", "'batches'"},
      {"[batch]\nbatches = [1, 2, 4]\ntarget_ratio = [0.5]\n", "'target_ratio'"},
      {"[batch]\nbatches = [1, 2, 4]\ntarget_ratio = 2\ntarget_excess = 0.01\n", "exclusive"},
      {"[batch]\nbatches = [1, 2, 3]\n", "not a multiple"},
      {"[batch]\nbatches = [1, 2, 4]\ntrials = -1\n", "'trials'"},
      {"[batch]\nbatches = [1, 2, 4]\ntarget_excess = 1e-30\nmax_steps = 64\ntrials = 0\n", "not reached"},
      {"[batch]\nbatches = [1, 2, 1048576]\nmax_steps = 1099511627776\n", "exceeds N's limit 2^50"},
  };
  for (const auto& [section, expected] : cases) {
    std::ofstream(dir / "b.toml") << kStudy << section << "out = \"o\"\n";
    std::string log;
    EXPECT_NE(sgdlaw::testing::cli("batch b.toml --no-plot", dir, &log), 0) << section;
    EXPECT_NE(log.find(expected), std::string::npos) << section << " -> " << log;
  }
  std::ofstream(dir / "g.toml") << "[problem]\na = 1.5\nb = 2.5\nd = 48\nM = 48\n[sgd]\nN = 64\ngamma = 0.1\n"
                                   "[batch]\nbatches = [1, 2, 4]\nout = \"o\"\n";
  std::string log;
  EXPECT_NE(sgdlaw::testing::cli("batch g.toml --no-plot", dir, &log), 0);
  EXPECT_NE(log.find("field 'gamma' is set by the study"), std::string::npos) << log;
}
