// The schedules of issue 21 (cosine, linear, wsd with four decay shapes, table, linear warmup): their step sizes
// as the formulas say, exact curves by contour jumps equal to the step recursion (1e-10 relative, B = 1 and B > 1,
// finite d and d = inf), Monte Carlo means within 4 SE of the exact curve on the fast path and the reference
// backend, N_eff from the intrinsic time, identity by the table's content, and every bad value refused up front.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "sgdlaw/io/config_load.hpp"
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::rel_diff;
using sgdlaw::testing::small_config;

namespace {

constexpr double kPi = 3.14159265358979323846;

Config table_config(std::vector<Config::TableRow> rows) {
  Config c = small_config();
  c.schedule = ScheduleKind::kTable;
  c.table = std::move(rows);
  c.gamma = 0.0;
  for (const auto& r : c.table) c.gamma = std::max(c.gamma, r.gamma);
  return c;
}

Config decay_config(ScheduleKind kind, std::int64_t warmup, double gamma_min) {
  Config c = small_config();
  c.schedule = kind;
  c.warmup = warmup;
  c.gamma_min = gamma_min;
  return c;
}

}  // namespace

// Each step size from the formulas, written out again here (not through schedule_decay.hpp).
TEST(Schedules, StepSizesFollowTheFormulas) {
  const std::int64_t steps = 1000, W = 50;
  const double g = 0.3, gmin = 0.01;
  Config c = decay_config(ScheduleKind::kCosine, W, gmin);
  c.N = steps;
  c.gamma = g;
  const Schedule cosine = make_schedule(c);
  c.schedule = ScheduleKind::kLinear;
  const Schedule linear = make_schedule(c);
  for (std::int64_t t : {0, 1, 49, 50, 51, 400, 998, 999}) {
    const double z = static_cast<double>(t - W) / (steps - W);
    const double warm = g * (t + 1) / W;
    EXPECT_NEAR(cosine.at(t), t < W ? warm : gmin + (g - gmin) * (1 + std::cos(kPi * z)) / 2, 1e-15) << t;
    EXPECT_NEAR(linear.at(t), t < W ? warm : g - (g - gmin) * z, 1e-15) << t;
  }
  c.schedule = ScheduleKind::kWsd;
  c.decay_fraction = 0.3;
  c.decay_power = 1.7;
  const std::int64_t s0 = steps - static_cast<std::int64_t>(std::floor(0.3 * steps));
  for (DecayShape shape : {DecayShape::kLinear, DecayShape::kCosine, DecayShape::kSqrt, DecayShape::kPower}) {
    c.decay_shape = shape;
    const Schedule wsd = make_schedule(c);
    EXPECT_EQ(wsd.stretch_end(W, steps), s0);  // the stable phase is one stretch
    for (std::int64_t t : {0, 49, 50, 699, 700, 701, 850, 999}) {
      const double z = static_cast<double>(t - s0) / (steps - s0);
      const double f = shape == DecayShape::kLinear   ? 1 - z
                       : shape == DecayShape::kCosine ? (1 + std::cos(kPi * z)) / 2
                       : shape == DecayShape::kSqrt   ? 1 - std::sqrt(z)
                                                      : std::pow(1 - z, 1.7);
      const double want = t < W ? g * (t + 1) / W : t < s0 ? g : gmin + (g - gmin) * f;
      EXPECT_NEAR(wsd.at(t), want, 1e-15) << to_string(shape) << " t=" << t;
    }
  }
  const Schedule table = make_schedule(table_config({{0, 0.3}, {100, 0.1}, {250, 0.02}}));
  EXPECT_EQ(table.at(0), 0.3);
  EXPECT_EQ(table.at(99), 0.3);
  EXPECT_EQ(table.at(100), 0.1);
  EXPECT_EQ(table.at(249), 0.1);
  EXPECT_EQ(table.at(100000), 0.02);
  EXPECT_EQ(table.stretch_end(120, 1000), 250);
  EXPECT_EQ(table.stretch_end(300, 1000), 1000);
  EXPECT_EQ(table.peak(), 0.3);
}

TEST(Schedules, HorizonDependenceAndIntrinsicTime) {
  Config c = small_config();
  for (ScheduleKind k : {ScheduleKind::kCosine, ScheduleKind::kLinear, ScheduleKind::kWsd}) {
    c.schedule = k;
    EXPECT_TRUE(make_schedule(c).depends_on_horizon()) << to_string(k);
  }
  c.schedule = ScheduleKind::kGeometric;
  EXPECT_TRUE(make_schedule(c).depends_on_horizon());
  c.phase_length = 100;  // a fixed phase length does not depend on N
  EXPECT_FALSE(make_schedule(c).depends_on_horizon());
  c.schedule = ScheduleKind::kConstant;
  c.warmup = 10;
  EXPECT_FALSE(make_schedule(c).depends_on_horizon());
  EXPECT_FALSE(make_schedule(table_config({{0, 0.2}, {30, 0.1}})).depends_on_horizon());
  // N_eff = B sum_t gamma_t / gamma at every checkpoint, summed here step by step.
  c = decay_config(ScheduleKind::kWsd, 20, 0.01);
  c.batch = 2;
  c.N = 2000;
  const Schedule s = make_schedule(c);
  const std::vector<std::int64_t> cks = {5, 300, 1000};
  const std::vector<double> n_eff = effective_samples(c, s, cks);
  double sum = 0.0;
  std::int64_t t = 0;
  for (std::size_t k = 0; k < cks.size(); ++k) {
    for (; t < cks[k]; ++t) sum += s.at(t);
    EXPECT_NEAR(n_eff[k], 2.0 * sum / c.gamma, 1e-9 * n_eff[k]) << cks[k];
  }
}

// Contour jumps over every constant stretch equal the step recursion, for each schedule, B = 1 and B = 4,
// a Gaussian sketch at finite d and the identity sketch at d = inf; config.json's exact_path says which.
TEST(Schedules, ContourJumpsEqualTheStepRecursion) {
  struct Case {
    std::string name;
    Config c;
  };
  std::vector<Case> cases;
  Config w = decay_config(ScheduleKind::kWsd, 300, 0.002);
  w.decay_fraction = 0.25;
  cases.push_back({"wsd linear + warmup", w});
  w.decay_shape = DecayShape::kSqrt;
  w.warmup = 0;
  cases.push_back({"wsd sqrt", w});
  cases.push_back({"constant + warmup", decay_config(ScheduleKind::kConstant, 500, 0.0)});
  cases.push_back({"table", table_config({{0, 0.25}, {40, 0.3}, {20000, 0.1}, {20050, 0.1}, {60000, 0.01}})});
  cases.push_back({"cosine (all steps)", decay_config(ScheduleKind::kCosine, 100, 0.01)});
  for (Case& k : cases)
    for (std::int64_t batch : {1, 4})
      for (bool infinite : {false, true}) {
        Config c = k.c;
        c.batch = batch;
        c.N = (std::int64_t{1} << 17) * batch;
        c.monte_carlo = false;
        c.checkpoint_ratio = 4.0;
        if (infinite) {
          c.d_infinite = true;
          c.sketch = SketchKind::kIdentity;
          c.d = c.M = 64;
        } else {
          c.d = 200;
          c.M = 48;
        }
        c.exact_method = ExactMethod::kSteps;
        const RunResult steps = run_simulation(c);
        c.exact_method = ExactMethod::kContour;
        const RunResult contour = run_simulation(c);
        const std::string what = k.name + " B=" + std::to_string(batch) + (infinite ? " d=inf" : " d=200");
        ASSERT_EQ(steps.rows.size(), contour.rows.size()) << what;
        double worst = 0.0;
        for (std::size_t i = 0; i < steps.rows.size(); ++i) {
          ASSERT_TRUE(std::isfinite(contour.rows[i].risk_exact)) << what;
          worst = std::max(worst, rel_diff(contour.rows[i].risk_exact - c.sigma * c.sigma,
                                           steps.rows[i].risk_exact - c.sigma * c.sigma));
        }
        EXPECT_LT(worst, 1e-10) << what;
        const ExactCurve& e = contour.exact[0];
        EXPECT_EQ(e.jumped_steps + e.stepped_steps, c.steps()) << what;
        EXPECT_EQ(e.jumps > 0, k.name != "cosine (all steps)") << what;
        EXPECT_EQ(steps.exact[0].stepped_steps, c.steps()) << what;
        char text[32];
        std::snprintf(text, sizeof text, "%.3g", worst);
        ::testing::Test::RecordProperty(what, text);
      }
}

namespace {

void expect_mc_within_4se(Config c, const std::string& what) {
  const auto dir = sgdlaw::testing::scratch_dir("sched", "mc");
  c.out = (dir / "run").string();  // its resume chunks go there, not into the working folder
  const RunResult r = run_simulation(c);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(r.rows.empty());
  for (const CurveRow& row : r.rows) {
    EXPECT_LE(std::fabs(row.risk_mc - row.risk_exact), 4 * row.risk_se) << what << " risk at N=" << row.samples;
    EXPECT_LE(std::fabs(row.bias_mc - row.bias_exact), 4 * row.bias_se) << what << " bias at N=" << row.samples;
    EXPECT_LE(std::fabs(row.variance_mc - row.variance_exact), 4 * row.variance_se)
        << what << " variance at N=" << row.samples;
  }
}

}  // namespace

TEST(Schedules, MonteCarloWithinFourStandardErrorsOfTheExactCurve) {
  Config c = decay_config(ScheduleKind::kCosine, 200, 0.01);
  c.N = 4000;
  c.trials = 300;
  c.gamma = 0.4;
  expect_mc_within_4se(c, "cosine + warmup, Gaussian sketch, B=1");
  c = decay_config(ScheduleKind::kWsd, 0, 0.0);
  c.decay_shape = DecayShape::kSqrt;
  c.decay_fraction = 0.5;
  c.batch = 4;
  c.N = 8000;
  c.gamma = 0.5;
  c.trials = 300;
  expect_mc_within_4se(c, "wsd sqrt, B=4");
  c = table_config({{0, 0.1}, {50, 0.35}, {400, 0.12}, {900, 0.03}});
  c.sketch = SketchKind::kIdentity;
  c.d = c.M = 48;
  c.batch = 2;
  c.N = 2400;
  c.trials = 300;
  c.seed = 5;
  expect_mc_within_4se(c, "table, identity sketch, B=2");
  c = decay_config(ScheduleKind::kLinear, 100, 0.02);
  c.N = 3000;
  c.trials = 300;
  c.backend = "reference";
  c.d = 96;
  c.M = 24;
  expect_mc_within_4se(c, "linear + warmup, reference backend");
  c = decay_config(ScheduleKind::kWsd, 0, 0.0);
  c.decay_shape = DecayShape::kPower;
  c.decay_power = 3.0;
  c.decay_fraction = 1.0;  // the (1 - t/N)^delta family
  c.backend = "reference";
  c.batch = 3;
  c.N = 3000;
  c.d = 96;
  c.M = 24;
  c.trials = 300;
  expect_mc_within_4se(c, "power decay (1 - t/N)^3, reference backend, B=3");
}

TEST(Schedules, IdentityIsTheTableContentNotItsPath) {
  const auto dir = sgdlaw::testing::scratch_dir("sched", "identity");
  std::ofstream(dir / "a.csv") << "step,gamma\n0,0.2\n100,0.05\n";
  std::ofstream(dir / "b.csv") << "step,gamma\n0,0.2\n100,0.05\n";
  std::ofstream(dir / "c.csv") << "step,gamma\n0,0.2\n100,0.06\n";
  const auto load = [&](const std::string& f) {
    return resolve_config({parse_toml_settings(
        "[sgd]\nschedule = \"table\"\nschedule_table = \"" + (dir / f).string() + "\"\nN = 1000\n", "t.toml")});
  };
  const Config a = load("a.csv"), b = load("b.csv"), c = load("c.csv");
  EXPECT_EQ(a.gamma, 0.2);  // the peak
  EXPECT_EQ(run_identity(a), run_identity(b));
  EXPECT_NE(run_identity(a), run_identity(c));
  std::filesystem::remove_all(dir);
}

TEST(Schedules, BadValuesAreRefusedWithTheFieldAndReason) {
  const auto dir = sgdlaw::testing::scratch_dir("sched", "refuse");
  std::ofstream(dir / "dec.csv") << "step,gamma\n0,0.2\n100,0.05\n80,0.01\n";
  std::ofstream(dir / "gap.csv") << "step,gamma\n10,0.2\n100,0.05\n";
  std::ofstream(dir / "neg.csv") << "step,gamma\n0,0.2\n100,-1\n";
  std::ofstream(dir / "huge.csv") << "step,gamma\n0,0.2\n100,50\n";
  const std::string base = "[sgd]\nN = 1000\n";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"schedule = \"wsd\"\ndecay_fraction = 0", "0 < decay_fraction <= 1"},
      {"schedule = \"wsd\"\ndecay_fraction = 1.5", "0 < decay_fraction <= 1"},
      {"schedule = \"wsd\"\ndecay_fraction = 0.0005", "no step would decay"},
      {"schedule = \"cosine\"\nwarmup = 1000", "warmup < steps"},
      {"schedule = \"wsd\"\nwarmup = 900", "the decay's first step s0"},
      {"schedule = \"cosine\"\ngamma = 0.1\ngamma_min = 0.2", "gamma_min <= gamma"},
      {"schedule = \"geometric\"\nwarmup = 10", "'warmup' applies only to"},
      {"schedule = \"constant\"\ngamma_min = 0.01", "'gamma_min' applies only to"},
      {"schedule = \"cosine\"\ndecay_shape = \"sqrt\"", "'decay_shape' applies only to wsd"},
      {"schedule = \"wsd\"\ndecay_power = 3", "decay_shape = power"},
      {"schedule = \"table\"", "'schedule_table' is required"},
      {"schedule = \"table\"\ngamma = 0.1\nschedule_table = \"" + (dir / "gap.csv").string() + "\"",
       "row 1: the first piece must start at step 0"},
      {"schedule = \"table\"\nschedule_table = \"" + (dir / "dec.csv").string() + "\"", "row 3: steps must increase"},
      {"schedule = \"table\"\nschedule_table = \"" + (dir / "neg.csv").string() + "\"", "row 2: gamma must be"},
      {"schedule = \"table\"\ngamma = 0.1\nschedule_table = \"" + (dir / "dec.csv").string() + "\"", "row 3"},
      {"schedule = \"constant\"\nschedule_table = \"" + (dir / "dec.csv").string() + "\"", "row 3"},
  };
  for (const auto& [text, want] : bad) {
    try {
      resolve_config({parse_toml_settings(base + text + "\n", "t.toml")});
      ADD_FAILURE() << "accepted: " << text;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << text << "\n -> " << e.what();
    }
  }
  // A piece above the stability limit is refused before anything runs, naming the row.
  Config c = resolve_config({parse_toml_settings(
      base + "schedule = \"table\"\nschedule_table = \"" + (dir / "huge.csv").string() + "\"\n", "t.toml")});
  c.backend = "cpu";
  c.progress = false;
  c.d = 64;
  c.M = 16;
  try {
    run_simulation(c);
    ADD_FAILURE() << "an unstable table piece ran";
  } catch (const DivergenceError& e) {
    EXPECT_NE(std::string(e.what()).find("row 2 (step 100, gamma 50)"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}
