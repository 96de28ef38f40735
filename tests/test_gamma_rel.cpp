// gamma_rel (issue "batch size: fair comparisons across B"): the step size as a fraction of the largest stable
// one for the run's own spectrum and batch, resolved once the sketches are set up, recorded, and usable on a
// sweep's batch axis so that every B runs at the same fraction of its own limit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "sgdlaw/core/format.hpp"
#include "sgdlaw/io/csv_table.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
namespace fs = std::filesystem;

TEST(GammaRel, OneIsExactlyTheLimitTheDivergenceMessageQuotes) {
  Config c = sgdlaw::testing::small_config();
  c.trials = 8;
  c.gamma = 100.0;
  std::string quoted;
  try {
    prepare_run(c);
    FAIL() << "gamma = 100 should diverge";
  } catch (const DivergenceError& e) {
    quoted = e.what();
  }
  c.gamma_rel = 0.5;
  const RunResult r = prepare_run(c);
  EXPECT_EQ(r.plan.config.gamma, 0.5 * r.max_stable_gamma);  // exactly half the limit
  EXPECT_EQ(r.plan.schedule.gamma0, r.plan.config.gamma);    // and the schedule steps with it
  EXPECT_NE(quoted.find("gamma < " + format_g(r.max_stable_gamma, 6)), std::string::npos) << quoted;
  for (double rel : {1.0, 1.5}) {
    c.gamma_rel = rel;
    try {
      prepare_run(c);
      ADD_FAILURE() << "gamma_rel = " << rel << " should be refused";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(format_g(r.max_stable_gamma, 6)), std::string::npos) << e.what();
    }
  }
}

TEST(GammaRel, ExclusiveWithGammaAndInRange) {
  RawSettings both;
  both["gamma"] = {"0.1"};
  both["gamma_rel"] = {"0.5"};
  EXPECT_THROW(resolve_config({both}), ConfigError);
  RawSettings negative;
  negative["gamma_rel"] = {"-0.5"};
  EXPECT_THROW(resolve_config({negative}), ConfigError);
}

TEST(GammaRel, ABatchAxisRunsEveryBatchAtTheSameFractionOfItsOwnLimit) {
  const fs::path dir = sgdlaw::testing::scratch_dir("sgdlaw_gamma_rel", "batch");
  std::ofstream(dir / "b.toml") << "[problem]\nd = 64\nM = 16\nsigma = 0.2\n[sgd]\ngamma_rel = 0.5\nN = 1024\n"
                                   "[run]\ntrials = 8\nbackend = \"cpu\"\n[sweep]\nout = \"bs\"\n[[sweep.grid]]\n"
                                   "name = \"g\"\nbatch = [1, 4, 16]\n";
  const std::string cmd = "cd " + dir.string() + " && " SGDLAW_BINARY " sweep b.toml --no-fit";
  ASSERT_EQ(sgdlaw::testing::run_logged(cmd, (dir / "log.txt").string()), 0) << sgdlaw::testing::slurp(dir / "log.txt");
  double previous = 0.0;
  for (const char* b : {"1", "4", "16"}) {
    const auto j =
        nlohmann::json::parse(sgdlaw::testing::slurp(dir / "bs/points" / ("g-batch" + std::string(b)) / "config.json"));
    const double resolved = j["derived"]["resolved_gamma"], limit = j["derived"]["max_stable_gamma"];
    EXPECT_EQ(resolved, 0.5 * limit) << "B = " << b;
    EXPECT_GT(resolved, previous) << "B = " << b << ": a larger batch allows a larger step";
    previous = resolved;
  }
  // sweep.csv carries the resolved step size; a second sweep finds every point finished.
  const CsvTable t = read_csv((dir / "bs/sweep.csv").string());
  EXPECT_NE(t.rows.front()[t.column("gamma")], "0.1");
  ASSERT_EQ(sgdlaw::testing::run_logged(cmd, (dir / "log.txt").string()), 0);
  EXPECT_NE(sgdlaw::testing::slurp(dir / "log.txt").find("ran 0, already complete 3"), std::string::npos)
      << sgdlaw::testing::slurp(dir / "log.txt");
}
