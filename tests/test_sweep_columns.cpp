// fits.csv, slopes.csv and the Python reader carry each fit's batch and the step sizes its points ran with
// (issue 23 part 6): with gamma_rel, the resolved gamma of each point (config.json's derived.resolved_gamma).
#include <gtest/gtest.h>

#include <string>

#include "sgdlaw/io/csv_table.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::cli;

TEST(SweepColumns, BatchAndResolvedGammaInFitsSlopesAndTheReader) {
  const auto dir = sgdlaw::testing::scratch_dir("sgdlaw_cols", "sweep");
  {
    std::ofstream f(dir / "s.toml");
    f << "[problem]\nsketch = \"identity\"\nd = 64\na = 1.5\nsigma = 0.2\n[sgd]\ngamma_rel = 0.5\nbatch = 2\n"
         "schedule = \"geometric\"\n[run]\nmonte_carlo = false\nprogress = false\n[sweep]\nout = \"out\"\n"
         "[[sweep.grid]]\nname = \"n\"\nN = [400, 800, 1600, 3200, 6400]\n[fit]\nn_axis_grid = \"n\"\n";
  }
  std::string log;
  ASSERT_EQ(cli("sweep s.toml", dir, &log), 0) << log;
  const CsvTable fits = read_csv((dir / "out" / "fits.csv").string());
  ASSERT_FALSE(fits.rows.empty()) << log;
  const CsvTable slopes = read_csv((dir / "out" / "slopes.csv").string());
  ASSERT_TRUE(slopes.has_column("batch") && slopes.has_column("gamma"));
  // every point ran with gamma_rel x the same spectrum's limit: sweep.csv's gamma column, from each point's
  // config.json (derived.resolved_gamma)
  const CsvTable table = read_csv((dir / "out" / "sweep.csv").string());
  const double resolved = table.numbers("gamma")[0];
  ASSERT_GT(resolved, 0.0);
  for (double b : fits.numbers("batch")) EXPECT_EQ(b, 2.0);
  for (double g : fits.numbers("gamma_lo")) EXPECT_NEAR(g, resolved, 1e-5 * resolved);
  for (double g : fits.numbers("gamma_hi")) EXPECT_NEAR(g, resolved, 1e-5 * resolved);
  for (double g : slopes.numbers("gamma")) EXPECT_NEAR(g, resolved, 1e-5 * resolved);
  for (double b : slopes.numbers("batch")) EXPECT_EQ(b, 2.0);
  // the Python reader (pandas) sees the same columns
  const std::string py = "cd " + dir.string() +
                         " && PYTHONPATH=" SGDLAW_SOURCE_DIR
                         "/python /usr/bin/python3 -c \"import pandas, sgdlaw; s = sgdlaw.read_sweep('out'); "
                         "print(int(s.fits['batch'].iloc[0]), repr(float(s.fits['gamma_lo'].iloc[0])), "
                         "int(s.slopes['batch'].iloc[0]))\"";
  if (sgdlaw::testing::run_logged("/usr/bin/python3 -c 'import pandas'", (dir / "p.txt").string()) != 0)
    GTEST_SKIP() << "no pandas here";
  ASSERT_EQ(sgdlaw::testing::run_logged(py, (dir / "py.txt").string()), 0) << sgdlaw::testing::slurp(dir / "py.txt");
  const std::string out = sgdlaw::testing::slurp(dir / "py.txt");
  EXPECT_EQ(out.rfind("2 ", 0), 0u) << out;
  EXPECT_NE(out.find(" 2\n"), std::string::npos) << out;
}
