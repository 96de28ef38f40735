// Schedule tuning on the exact risk (fit/schedule_tuning.hpp) and `sgdlaw schedule` (sweep/schedule_search.hpp):
// the tuned gamma against a brute-force scan, the optimal piecewise-constant schedule at least as good as every
// tuned family member at a = b, and the command's files and refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "sgdlaw/io/csv_table.hpp"
#include "sgdlaw/sweep/schedule_search.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;

TEST(ScheduleSearch, TunedGammaIsTheBruteForceOptimumWithinOnePercentInLog) {
  Config c = sgdlaw::testing::small_config();
  c.sketch = SketchKind::kIdentity;
  c.d = c.M = 64;
  c.sigma = 0.5;
  c.N = 3000;
  c.schedule = ScheduleKind::kConstant;
  const ExactObjective f = exact_objective(c);
  const auto log_excess = [&](double gamma) {
    Config k = c;
    k.gamma = gamma;
    return std::log(f.final_excess(make_schedule(k), k.steps()));
  };
  const double lo = 1e-4 * f.gamma_limit, hi = (1 - 1e-6) * f.gamma_limit;
  const Minimum m = minimise_log(log_excess, lo, hi);
  double best = lo, best_v = INFINITY;
  for (int i = 0; i <= 4000; ++i) {  // the scan: 4001 log-spaced step sizes
    const double gamma = lo * std::pow(hi / lo, i / 4000.0), v = log_excess(gamma);
    if (v < best_v) {
      best_v = v;
      best = gamma;
    }
  }
  ASSERT_GT(best, 1.01 * lo);
  ASSERT_LT(best, hi / 1.01);  // an interior optimum (noise makes large steps costly)
  EXPECT_LT(std::fabs(std::log(m.x) - std::log(best)), 0.01) << m.x << " vs " << best;
  EXPECT_LE(m.value, best_v + 1e-9);
}

TEST(ScheduleSearch, OptimalScheduleBeatsEveryTunedFamilyAtAEqualsB) {
  const auto dir = sgdlaw::testing::scratch_dir("schedsearch", "optimal");
  std::ofstream(dir / "s.toml") << "[problem]\na = 2.0\nb = 2.0\nd = \"inf\"\nhead = 32\nsketch = \"identity\"\n"
                                   "sigma = 0.1\n[schedules]\nN = [1024, 4096]\npieces = 32\niterations = 200\n"
                                   "out = \"o\"\n";
  std::string log;
  ASSERT_EQ(sgdlaw::testing::cli("schedule s.toml --no-plot", dir, &log), 0) << log;
  const CsvTable t = read_csv((dir / "o" / "schedule_search.csv").string());
  const std::vector<double> n = t.numbers("N"), excess = t.numbers("excess");
  int optimal_rows = 0;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    if (t.rows[i][t.column("family")] != "optimal") continue;
    ++optimal_rows;
    for (std::size_t j = 0; j < t.rows.size(); ++j)
      if (n[j] == n[i] && j != i) EXPECT_LE(excess[i], excess[j]) << "N = " << n[i] << " " << t.rows[j][1];
  }
  EXPECT_EQ(optimal_rows, 2);
  EXPECT_EQ(t.rows.size(), 14u);  // 6 families + optimal, at 2 N
  for (const char* f : {"optimal_schedule.csv", "shapes.csv", "report.md", ".sgdlaw"})
    EXPECT_TRUE(std::filesystem::exists(dir / "o" / f)) << f;
  EXPECT_NE(sgdlaw::testing::slurp(dir / "o" / "report.md").find("## Winner at each N"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ScheduleSearch, KeysTheSearchSetsAreRefused) {
  const auto dir = sgdlaw::testing::scratch_dir("schedsearch", "refuse");
  std::ofstream(dir / "g.toml") << "[sgd]\ngamma = 0.1\n[schedules]\nN = [1024]\n";
  std::ofstream(dir / "f.toml") << "[schedules]\nN = [1024]\nfamilies = [\"cosine\", \"sine\"]\n";
  std::ofstream(dir / "n.toml") << "[sgd]\nbatch = 3\n[schedules]\nN = [1024]\n";
  std::string log;
  EXPECT_EQ(sgdlaw::testing::cli("schedule g.toml", dir, &log), 2);
  EXPECT_NE(log.find("field 'gamma' is set by the search"), std::string::npos) << log;
  EXPECT_EQ(sgdlaw::testing::cli("schedule f.toml", dir, &log), 2);
  EXPECT_NE(log.find("[schedules] field 'families'"), std::string::npos) << log;
  EXPECT_EQ(sgdlaw::testing::cli("schedule n.toml", dir, &log), 2);
  EXPECT_NE(log.find("multiple of batch"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(dir / "runs"));
  std::filesystem::remove_all(dir);
}
