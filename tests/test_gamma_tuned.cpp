// gamma = "tuned" (fit/gamma_tuning.hpp): the peak step size minimising the run's exact final excess risk.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "sgdlaw/fit/gamma_tuning.hpp"
#include "sgdlaw/fit/schedule_tuning.hpp"
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::config_error;

namespace {

Config tuned_config() {
  Config c = sgdlaw::testing::small_config();
  c.sketch = SketchKind::kIdentity;
  c.d = c.M = 100;
  c.a = 1.5;
  c.b = 2.0;
  c.sigma = 0.3;
  c.N = 4000;
  c.schedule = ScheduleKind::kCosine;
  c.gamma_tuned = true;
  c.out = sgdlaw::testing::scratch_dir("sgdlaw_tuned", "run").string();
  return c;
}

// The scan's optimum over 2001 log-spaced step sizes below the limit.
double brute_force(const Config& c) {
  const ExactObjective f = exact_objective(c);
  double best = INFINITY, at = 0.0;
  for (int i = 0; i <= 2000; ++i) {
    Config x = c;
    x.gamma = f.gamma_limit * std::pow(1e-3, 1.0 - i / 2000.0) * (1.0 - 1e-6);
    const double e = f.final_excess(make_schedule(x), c.steps());
    if (e < best) {
      best = e;
      at = x.gamma;
    }
  }
  return at;
}

}  // namespace

// Within 1% in log of a brute-force scan, for SGD (cosine, B = 1) and heavy ball (constant, B = 4, noise-limited:
// an interior optimum).
TEST(GammaTuned, MatchesABruteForceScan) {
  Config sgd = tuned_config();
  Config hb = tuned_config();
  hb.optimizer = OptimizerKind::kHeavyBall;
  hb.momentum = 0.5;
  hb.schedule = ScheduleKind::kConstant;
  hb.batch = 4;
  hb.N = 16000;
  for (const Config& c : {sgd, hb}) {
    const TunedGamma t = tune_gamma(c);
    const double scan = brute_force(c);
    EXPECT_LT(std::fabs(std::log(t.gamma / scan)), 0.01)
        << to_string(c.optimizer) << ": tuned " << t.gamma << ", scan " << scan << ", limit " << t.limit;
    EXPECT_LE(t.gamma, t.limit);
    EXPECT_GT(t.evaluations, 5);
    std::printf("%s: tuned %.6g, scan %.6g, limit %.6g, %lld evaluations\n", to_string(c.optimizer), t.gamma, scan,
                t.limit, static_cast<long long>(t.evaluations));
  }
}

// The run uses the tuned gamma, records it, and its Monte Carlo agrees with its exact curve.
TEST(GammaTuned, RunsAtTheTunedStepAndRecordsIt) {
  Config c = tuned_config();
  c.trials = 300;
  const RunResult r = run_simulation(c);
  const TunedGamma t = tune_gamma(c);
  EXPECT_DOUBLE_EQ(r.plan.config.gamma, t.gamma);
  EXPECT_GT(r.gamma_tuning.evaluations, 0);
  for (const CurveRow& row : r.rows)
    EXPECT_LE(std::fabs(row.risk_mc - row.risk_exact), 4 * row.risk_se) << "N=" << row.samples;
  const Config back = resolve_config({parse_toml_settings(
      "[problem]\nsketch = \"identity\"\nd = 100\n[sgd]\nN = 1000\ngamma = \"tuned\"\n", "test.toml")});
  EXPECT_TRUE(back.gamma_tuned);
  EXPECT_NE(config_json(back).find("\"gamma\": \"tuned\""), std::string::npos) << config_json(back);
}

TEST(GammaTuned, RefusedWhereItCannotApply) {
  // MPI sweeps (their worker ranks prepare plans themselves): refused before MPI starts; the environment variable
  // makes the CLI take its MPI path without mpiexec (absent MPI support answers otherwise, never runs the point)
  {
    const auto dir = sgdlaw::testing::scratch_dir("sgdlaw_tuned", "mpi");
    std::ofstream(dir / "s.toml") << "[problem]\nsketch = \"identity\"\nd = 32\n[sgd]\ngamma = \"tuned\"\n"
                                     "[run]\nmonte_carlo = false\n[sweep]\nout = \"out\"\nN = [100, 200]\n";
    std::string log;
    const int code = sgdlaw::testing::cli("sweep s.toml", dir, &log, "OMPI_COMM_WORLD_SIZE=1");
    EXPECT_NE(code, 0) << log;
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "sweep.csv")) << log;
  }
  Config several = tuned_config();
  several.sketch = SketchKind::kGaussian;
  several.d = 200;
  several.M = 20;
  several.sketches = 2;
  EXPECT_THROW(tune_gamma(several), ConfigError);
  EXPECT_NE(config_error("[sgd]\nN = 1000\ngamma = \"tuned\"\ngamma_rel = 0.5\n").find("exclusive"), std::string::npos);
  EXPECT_NE(config_error("[sgd]\nN = 1000\ngamma = \"fast\"\n").find("field 'gamma'"), std::string::npos);
  Config c = tuned_config();
  c.d_infinite = true;
  c.sketch = SketchKind::kGaussian;
  c.M = 64;
  c.monte_carlo = false;
  try {
    tune_gamma(c);
    FAIL() << "a Gaussian sketch at d = inf has no one spectrum to tune on";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("field 'gamma' = tuned"), std::string::npos) << e.what();
  }
}
