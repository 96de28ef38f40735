// The optimizers of core/optimizer.hpp: momentum 0 is SGD bit for bit, Monte Carlo agrees with each optimizer's
// exact recursion, heavy ball approaches SGD at gamma / (1 - beta), the stability limit is where the recursion
// stops being bounded, and bad values are refused naming the field. (tests/independent/compare_optimizers.py
// checks the exact curves against an independent NumPy recursion.)
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "sgdlaw/core/exact_recursion.hpp"
#include "sgdlaw/core/stability.hpp"
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::config_error;
using sgdlaw::testing::small_config;

namespace {

// Each configuration its own scratch folder, so that no run meets another's saved chunks.
Config momentum_config(OptimizerKind k, double beta) {
  static int serial = 0;
  Config c = small_config();
  c.optimizer = k;
  c.momentum = beta;
  c.out = sgdlaw::testing::scratch_dir("sgdlaw_opt", "run" + std::to_string(serial++)).string();
  return c;
}

RunResult run_in_own_folder(Config c) {
  static int serial = 0;
  c.out = sgdlaw::testing::scratch_dir("sgdlaw_opt", "pair" + std::to_string(serial++)).string();
  return run_simulation(c);
}

void expect_same_trials(const RunResult& x, const RunResult& y, const std::string& label) {
  ASSERT_EQ(x.trials.risk.size(), y.trials.risk.size()) << label;
  for (std::size_t i = 0; i < x.trials.risk.size(); ++i) {
    ASSERT_EQ(x.trials.risk[i], y.trials.risk[i]) << label << " risk entry " << i;
    if (x.trials.has_decomposition) {
      ASSERT_EQ(x.trials.bias[i], y.trials.bias[i]) << label << " bias entry " << i;
      ASSERT_EQ(x.trials.variance[i], y.trials.variance[i]) << label << " variance entry " << i;
    }
  }
}

void expect_within_4se(const RunResult& r, const std::string& label) {
  ASSERT_FALSE(r.rows.empty());
  for (const CurveRow& row : r.rows) {
    EXPECT_LE(std::fabs(row.risk_mc - row.risk_exact), 4 * row.risk_se) << label << " risk at N=" << row.samples;
    if (r.trials.has_decomposition) {
      EXPECT_LE(std::fabs(row.bias_mc - row.bias_exact), 4 * row.bias_se) << label << " bias at N=" << row.samples;
      EXPECT_LE(std::fabs(row.variance_mc - row.variance_exact), 4 * row.variance_se)
          << label << " variance at N=" << row.samples;
    }
  }
}

}  // namespace

// The momentum code path itself (not a dispatch to SGD's) at beta = 0 rounds exactly like SGD: CPU fast path
// at B = 1 with and without the split, at B = 3, and the reference backend at B = 2.
TEST(Optimizers, ZeroMomentumIsSgdBitForBit) {
  for (const OptimizerKind k : {OptimizerKind::kHeavyBall, OptimizerKind::kNesterov}) {
    for (const std::int64_t batch : {1, 3}) {
      for (const bool split : {true, false}) {
        Config c = momentum_config(k, 0.0);
        c.batch = batch;
        c.N = 600 * batch;
        c.trials = 8;
        c.decomposition = split;
        Config sgd = c;
        sgd.optimizer = OptimizerKind::kSgd;
        expect_same_trials(run_simulation(c), run_in_own_folder(sgd),
                           std::string(to_string(k)) + " B=" + std::to_string(batch) + (split ? " split" : ""));
      }
    }
    Config r = momentum_config(k, 0.0);
    r.backend = "reference";
    r.d = 48;
    r.M = 12;
    r.batch = 2;
    r.N = 400;
    r.trials = 4;
    Config sgd = r;
    sgd.optimizer = OptimizerKind::kSgd;
    expect_same_trials(run_simulation(r), run_in_own_folder(sgd), std::string(to_string(k)) + " reference");
  }
}

TEST(Optimizers, HeavyBallMonteCarloMatchesExact) {
  struct Case {
    SketchKind sketch;
    ScheduleKind schedule;
    std::int64_t batch;
    double beta, gamma;
  };
  for (const Case& k : {Case{SketchKind::kGaussian, ScheduleKind::kConstant, 1, 0.8, 0.04},
                        Case{SketchKind::kGaussian, ScheduleKind::kGeometric, 4, 0.5, 0.3},
                        Case{SketchKind::kIdentity, ScheduleKind::kConstant, 4, 0.9, 0.05},
                        Case{SketchKind::kIdentity, ScheduleKind::kGeometric, 1, 0.6, 0.1}}) {
    Config c = momentum_config(OptimizerKind::kHeavyBall, k.beta);
    c.sketch = k.sketch;
    if (k.sketch == SketchKind::kIdentity) c.d = c.M = 64;
    c.schedule = k.schedule;
    c.batch = k.batch;
    c.gamma = k.gamma;
    c.N = 3000 * k.batch;
    c.trials = 400;
    expect_within_4se(run_simulation(c), std::string("heavy_ball ") + to_string(k.sketch) + " " +
                                             to_string(k.schedule) + " B=" + std::to_string(k.batch));
  }
}

TEST(Optimizers, NesterovAndDanaMonteCarloMatchExact) {
  Config n = momentum_config(OptimizerKind::kNesterov, 0.7);
  n.gamma = 0.1;
  n.batch = 2;
  n.N = 4000;
  n.trials = 400;
  expect_within_4se(run_simulation(n), "nesterov B=2");
  for (const OptimizerKind k : {OptimizerKind::kDanaConstant, OptimizerKind::kDanaDecaying}) {
    Config c = momentum_config(k, 0.0);
    c.gamma = 0.15;
    c.dana_g3 = k == OptimizerKind::kDanaConstant ? 2.0 : 0.5;
    c.N = 4000;
    c.trials = 400;
    c.schedule = ScheduleKind::kConstant;
    expect_within_4se(run_simulation(c), to_string(k));
  }
  Config r = momentum_config(OptimizerKind::kNesterov, 0.5);
  r.backend = "reference";
  r.d = 40;
  r.M = 10;
  r.N = 800;
  r.trials = 300;
  r.det_equiv = false;
  expect_within_4se(run_simulation(r), "nesterov on the reference backend");
}

// d = inf (head + tail quadrature) for a momentum method: the exact curve is the limit of finite d.
TEST(Optimizers, InfiniteDimensionIsTheLimitOfFiniteD) {
  Config c = momentum_config(OptimizerKind::kHeavyBall, 0.8);
  c.sketch = SketchKind::kIdentity;
  c.a = 1.5;
  c.b = 3.0;  // the signal beyond d = 20000 is 1e-9, 1e-5 of the excess risk at N = 10^4
  c.gamma = 0.05;
  c.N = 10000;
  c.monte_carlo = false;
  c.det_equiv = false;
  Config inf = c;
  inf.d_infinite = true;
  inf.d = inf.M = 256;
  c.d = c.M = 20000;
  const RunResult a = run_simulation(c), b = run_in_own_folder(inf);
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i)
    EXPECT_LT(sgdlaw::testing::rel_diff(b.rows[i].bias_exact + b.rows[i].variance_exact,
                                        a.rows[i].bias_exact + a.rows[i].variance_exact),
              1e-4)
        << "N=" << a.rows[i].samples;
}

// Heavy ball (gamma, beta) follows SGD at gamma / (1 - beta) as gamma -> 0: over checkpoints at the same
// effective times gamma t / (1 - beta) (0.5 to 50), the largest relative gap of the excess risk shrinks linearly in
// gamma (ratio 2 per halving; the gap is largest early, while the heavy ball's velocity builds up).
TEST(Optimizers, HeavyBallApproachesSgdAtTheEffectiveStep) {
  const double beta = 0.7, horizon = 50.0;  // effective time gamma t / (1 - beta)
  std::vector<double> gaps;
  for (const double gamma : {0.004, 0.002, 0.001, 0.0005}) {
    Config c = momentum_config(OptimizerKind::kHeavyBall, beta);
    c.sketch = SketchKind::kIdentity;
    c.d = c.M = 200;
    c.a = 1.5;
    c.b = 2.0;
    c.sigma = 0.5;
    c.gamma = gamma;
    c.schedule = ScheduleKind::kConstant;
    c.N = static_cast<std::int64_t>(std::lround(horizon * (1.0 - beta) / gamma));
    c.checkpoint_min = std::lround(0.5 * (1.0 - beta) / gamma);
    c.monte_carlo = false;
    Config sgd = c;
    sgd.optimizer = OptimizerKind::kSgd;
    sgd.momentum = 0.0;
    sgd.gamma = gamma / (1.0 - beta);
    const RunResult h = run_simulation(c), s = run_in_own_folder(sgd);
    double gap = 0.0;
    for (std::size_t i = 0; i < h.rows.size(); ++i) {
      const double excess_h = h.rows[i].bias_exact + h.rows[i].variance_exact;
      const double excess_s = s.rows[i].bias_exact + s.rows[i].variance_exact;
      gap = std::max(gap, std::fabs(excess_h - excess_s) / excess_s);
    }
    gaps.push_back(gap);
  }
  EXPECT_LT(gaps[0], 0.05);
  for (std::size_t i = 1; i < gaps.size(); ++i) {
    EXPECT_GT(gaps[i - 1] / gaps[i], 1.85) << "gap " << gaps[i - 1] << " -> " << gaps[i];
    EXPECT_LT(gaps[i - 1] / gaps[i], 2.15) << "gap " << gaps[i - 1] << " -> " << gaps[i];
  }
}

// The stability limit is where the recursion stops being bounded: just below it the exact excess risk stays
// finite and levels off over a long constant run, just above it it grows without bound.
TEST(Optimizers, StabilityLimitIsWhereTheRecursionBlowsUp) {
  for (const OptimizerKind k : {OptimizerKind::kHeavyBall, OptimizerKind::kNesterov}) {
    Optimizer o;
    o.kind = k;
    o.momentum = 0.6;
    const int d = 100;
    Eigen::VectorXd mu(d), p0(d);
    for (int i = 0; i < d; ++i) {
      mu[i] = std::pow(i + 1.0, -1.5);
      p0[i] = std::pow(i + 1.0, -0.5);
    }
    const double limit = max_stable_step_size(o, mu, 1);
    ASSERT_GT(limit, 0.0);
    Config c;
    c.schedule = ScheduleKind::kConstant;
    const std::vector<std::int64_t> ck = {20000, 40000};
    for (const double f : {0.97, 1.03}) {
      c.gamma = f * limit;
      const ExactCurve e = exact_expected_risk({mu, Eigen::VectorXd::Ones(d)}, p0, 0.0, 0.25, make_schedule(c), o, 1,
                                               ck, ExactMethod::kSteps);
      const double growth = e.risk[1] / e.risk[0];
      if (f < 1.0)
        EXPECT_LT(growth, 1.01) << to_string(k) << " at 0.97 x the limit " << limit;
      else
        EXPECT_TRUE(!e.finite || growth > 1.5) << to_string(k) << " at 1.03 x the limit " << limit;
    }
  }
}

TEST(Optimizers, DivergenceMessageNamesTheOptimizerAndItsLimit) {
  Config c = momentum_config(OptimizerKind::kHeavyBall, 0.9);
  c.gamma = 0.5;
  try {
    run_simulation(c);
    FAIL() << "gamma = 0.5 with momentum 0.9 should diverge";
  } catch (const DivergenceError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("heavy_ball with momentum 0.9"), std::string::npos) << m;
    EXPECT_NE(m.find("stable step sizes are gamma <"), std::string::npos) << m;
  }
}

TEST(Optimizers, BadValuesAreRefusedWithTheFieldAndReason) {
  const std::string base = "[sgd]\nN = 1000\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"optimizer = \"adam\"", "field 'optimizer' must be one of"},
      {"optimizer = \"heavy_ball\"\nmomentum = 1.0", "field 'momentum'"},
      {"optimizer = \"nesterov\"\nmomentum = -0.1", "field 'momentum'"},
      {"momentum = 0.5", "field 'momentum' applies only to optimizer = heavy_ball and nesterov"},
      {"optimizer = \"heavy_ball\"\ndana_g3 = 0.5", "field 'dana_g3' applies only"},
      {"optimizer = \"dana_constant\"\ndana_kappa = 0.5",
       "field 'dana_kappa' applies only to optimizer = dana_decaying"},
      {"optimizer = \"dana_decaying\"\ndana_delta = 0", "field 'dana_delta'"},
      {"optimizer = \"dana_decaying\"\ndana_g3 = -1", "field 'dana_g3'"},
  };
  for (const auto& [extra, want] : cases) {
    const std::string m = config_error(base + extra + "\n");
    EXPECT_NE(m.find(want), std::string::npos) << extra << " -> '" << m << "'";
  }
  EXPECT_NE(config_error("[problem]\nd = \"inf\"\nsketch = \"identity\"\n[sgd]\noptimizer = \"dana_constant\"\n"
                         "[run]\nmonte_carlo = false\n")
                .find("needs a finite model size"),
            std::string::npos);
}

TEST(Optimizers, DanaDefaultsAreThePapersAndRecorded) {
  const Config c = resolve_config({parse_toml_settings(
      "[problem]\na = 2.0\nb = 3.0\n[sgd]\nN = 1000\noptimizer = \"dana_decaying\"\n", "test.toml")});
  EXPECT_DOUBLE_EQ(c.dana_delta, 4.0 + 3.0 / 2.0);
  EXPECT_DOUBLE_EQ(c.dana_kappa, 0.5);
  EXPECT_DOUBLE_EQ(c.dana_g3, 0.2);
  const Config sgd = resolve_config({parse_toml_settings("[sgd]\nN = 1000\n", "test.toml")});
  const std::string j = config_json(sgd);  // plain SGD runs keep their identity
  EXPECT_EQ(j.find("optimizer"), std::string::npos) << j;
  EXPECT_EQ(j.find("momentum"), std::string::npos) << j;
  EXPECT_EQ(j.find("dana_"), std::string::npos) << j;
}

// Heavy ball and nesterov jump over constant stretches by contour (exact_momentum_contour.cpp): the same curve
// as the step recursion, to 1e-10 relative, for constant, geometric and wsd schedules, B = 1 and 4, a Gaussian
// sketch at finite d and the identity sketch at d = inf.
TEST(Optimizers, ContourJumpsEqualTheStepRecursion) {
  struct Case {
    OptimizerKind kind;
    double beta, gamma;
    ScheduleKind schedule;
    std::int64_t batch;
    bool infinite;
  };
  double worst = 0.0;
  for (const Case& k : {Case{OptimizerKind::kHeavyBall, 0.9, 0.02, ScheduleKind::kConstant, 1, false},
                        Case{OptimizerKind::kHeavyBall, 0.5, 0.2, ScheduleKind::kGeometric, 4, true},
                        Case{OptimizerKind::kNesterov, 0.8, 0.05, ScheduleKind::kWsd, 1, true},
                        Case{OptimizerKind::kNesterov, 0.95, 0.01, ScheduleKind::kConstant, 4, false},
                        Case{OptimizerKind::kHeavyBall, 0.3, 0.3, ScheduleKind::kWsd, 4, false}}) {
    Config c = momentum_config(k.kind, k.beta);
    c.gamma = k.gamma;
    c.schedule = k.schedule;
    c.batch = k.batch;
    c.N = 40000 * k.batch;
    c.monte_carlo = false;
    c.det_equiv = false;
    c.a = 1.5;
    c.b = 2.0;
    if (k.infinite) {
      c.sketch = SketchKind::kIdentity;
      c.d_infinite = true;
      c.d = c.M = 128;
    } else {
      c.d = 200;
      c.M = 40;
    }
    Config steps = c;
    c.exact_method = ExactMethod::kContour;
    steps.exact_method = ExactMethod::kSteps;
    const RunResult j = run_simulation(c), s = run_in_own_folder(steps);
    EXPECT_GT(j.exact[0].jumps, 0) << to_string(k.kind) << " " << to_string(k.schedule);
    EXPECT_EQ(s.exact[0].jumps, 0);
    for (std::size_t i = 0; i < j.rows.size(); ++i) {
      const CurveRow &x = j.rows[i], &y = s.rows[i];
      // The excess risk and its variance part to 1e-10 relative; the bias part to 1e-10 relative or 1e-15
      // absolute (of its O(1) start: a jump is accurate to ~1e-16 of the moments it starts from, so a bias that
      // has decayed to 1e-20 agrees only absolutely, as for SGD's contour).
      const double ex = sgdlaw::testing::rel_diff(x.bias_exact + x.variance_exact, y.bias_exact + y.variance_exact);
      const double ev = sgdlaw::testing::rel_diff(x.variance_exact, y.variance_exact);
      const double eb = std::fabs(x.bias_exact - y.bias_exact) / std::max(y.bias_exact, 1e-5);
      worst = std::max({worst, ex, ev, eb});
      EXPECT_LT(std::max({ex, ev, eb}), 1e-10)
          << to_string(k.kind) << " " << to_string(k.schedule) << " B=" << k.batch << " N=" << x.samples << " bias "
          << y.bias_exact << " variance " << y.variance_exact;
    }
  }
  std::printf("worst relative difference, contour vs steps: %.2e\n", worst);
}

// Data reuse works for every optimizer: a dataset of N samples seen once (epochs, the first in order) is the
// fresh run bit for bit, and a smaller dataset (4 passes) runs, finite, and differs.
TEST(Optimizers, DataReuseWithMomentum) {
  for (const OptimizerKind k : {OptimizerKind::kHeavyBall, OptimizerKind::kDanaDecaying}) {
    Config c = momentum_config(k, k == OptimizerKind::kHeavyBall ? 0.7 : 0.0);
    c.gamma = 0.1;
    c.trials = 6;
    c.N = 800;
    Config once = c;
    once.dataset = c.N;
    expect_same_trials(run_simulation(c), run_in_own_folder(once), std::string(to_string(k)) + " one pass");
    Config reuse = c;
    reuse.dataset = c.N / 4;
    const RunResult r = run_in_own_folder(reuse), fresh = run_in_own_folder(c);
    ASSERT_EQ(r.trials.risk.size(), fresh.trials.risk.size());
    bool differs = false;
    for (std::size_t i = 0; i < r.trials.risk.size(); ++i) {
      EXPECT_TRUE(std::isfinite(r.trials.risk[i]));
      differs = differs || r.trials.risk[i] != fresh.trials.risk[i];
    }
    EXPECT_TRUE(differs) << to_string(k) << ": 4 passes over 200 samples gave the fresh run's trials";
  }
}
