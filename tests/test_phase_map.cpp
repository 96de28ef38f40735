// The regime map (sweep/phase_map.hpp): theory formulas, the map's dominant term against the decomposition columns
// of ordinary runs, exponents against theory where the asymptotic balance is reached, and the phases file's errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "sgdlaw/sweep/phase_map.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::rel_diff;
using sgdlaw::testing::run_logged;

namespace {

std::string write_phases_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

const char* kSmallMap = R"(
[problem]
sigma = 0.1
[sgd]
gamma = 0.1
[phases]
a = [2.0]
b = [1.5]
M = [4, 8, 16, 32, 64, 128, 256]
N = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304]
)";

}  // namespace

TEST(PhaseMap, TheoryRatesAndBoundaries) {
  const PhaseTheory below = phase_theory(2.0, 1.5, 0.1);  // b < a: approx meets bias
  EXPECT_EQ(below.balance, "approx-bias");
  EXPECT_EQ(below.phase, "Ia");
  EXPECT_NEAR(below.m_star, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(below.r_star, -0.5 / 3.0, 1e-12);
  // b > a + 1, sigma > 0: the saturated approximation error M^-a meets the variance: 1/(a + 2), -a/(a + 2)
  // (the unsaturated M^(1-b) gave 1/(b + 1) = 0.25 and -0.5 here before).
  const PhaseTheory above = phase_theory(1.5, 3.0, 0.1);
  EXPECT_EQ(above.balance, "approx-variance");
  EXPECT_EQ(above.phase, "noisy II/III");
  EXPECT_NEAR(above.m_star, 1.0 / 3.5, 1e-12);
  EXPECT_NEAR(above.r_star, -1.5 / 3.5, 1e-12);
  const PhaseTheory at = phase_theory(2.0, 2.0, 0.1);  // b = a: both formulas give 1/(a+1), -(a-1)/(a+1)
  EXPECT_NEAR(at.m_star, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(at.r_star, -1.0 / 3.0, 1e-12);
  // sigma = 0, b > 2a (4+3's phase III): F_ac meets the saturated bias K_pp at M = N.
  const PhaseTheory saturated = phase_theory(1.5, 5.0, 0.0);
  EXPECT_NEAR(saturated.beta, 2.0 / 1.5, 1e-12);
  EXPECT_EQ(saturated.phase, "III");
  EXPECT_EQ(saturated.balance, "f_ac-k_pp");
  EXPECT_NEAR(saturated.m_star, 0.5, 1e-12);
  EXPECT_NEAR(saturated.r_star, -2.0 / 3.0, 1e-12);
}

TEST(PhaseMap, DominantTermAgreesWithOrdinaryRunsAndExponentsWithTheory) {
  const PhaseSpec spec = read_phase_spec(write_phases_file("phases_small.toml", kSmallMap));
  const PhasePoint p = map_point(spec, 2.0, 1.5, 0.1);
  ASSERT_TRUE(p.error.empty()) << p.error;
  ASSERT_TRUE(p.frontier.ok);
  // b < a: the approx-bias balance is the asymptotic one; the exponents are within finite-size bending of theory.
  EXPECT_NEAR(-p.frontier.m_star_fit.exponent, p.theory.m_star, 0.05);
  EXPECT_NEAR(-p.frontier.excess_star_fit.exponent, p.theory.r_star, 0.03);
  EXPECT_EQ(p.balancing, "bias");
  // Ordinary exact-only runs at the map's frontier point: d = inf (the same deterministic equivalent) and a finite d
  // with 20 sampled sketches; the largest term of their decomposition columns is the map's.
  std::vector<double> ms;
  for (std::int64_t m : spec.M) ms.push_back(static_cast<double>(m));
  std::int64_t M = spec.M[0];
  for (std::int64_t m : spec.M)
    if (std::abs(std::log(m / p.m_star)) < std::abs(std::log(M / p.m_star))) M = m;
  Config c = resolve_config({spec.base});
  c.a = 2.0;
  c.b = 1.5;
  c.M = M;
  c.N = std::llround(p.n_star);
  c.monte_carlo = false;
  c.d_infinite = true;
  c.d = 4096;
  const CurveRow inf = run_simulation(c).rows.back();
  EXPECT_LT(rel_diff(inf.approx_exact, p.approx), 1e-9);
  EXPECT_LT(rel_diff(inf.bias_exact, p.bias), 0.05);  // the map interpolates between grid values of N
  c.d_infinite = false;
  c.d = 8192;
  c.sketches = 20;
  const CurveRow sampled = run_simulation(c).rows.back();
  auto largest = [](const CurveRow& r) {
    return r.approx_exact >= r.bias_exact && r.approx_exact >= r.variance_exact ? "approx"
           : r.bias_exact >= r.variance_exact                                   ? "bias"
                                                                                : "variance";
  };
  EXPECT_EQ(largest(inf), p.dominant);
  EXPECT_EQ(largest(sampled), p.dominant);
}

TEST(PhaseMap, PhasesFileErrorsNameTheField) {
  auto error_of = [](const std::string& text) {
    try {
      read_phase_spec(write_phases_file("phases_bad.toml", text));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("[problem]\nsigma = 0.1\n").find("[phases] section"), std::string::npos);
  EXPECT_NE(error_of("[phases]\na = [0.5]\nb = [2]\nM = [4, 8, 16]\nN = [64, 128, 256]\n").find("'a'"),
            std::string::npos);
  EXPECT_NE(error_of("[phases]\na = [2]\nb = [2]\nM = [4, 16, 8]\nN = [64, 128, 256]\n").find("increasing"),
            std::string::npos);
  EXPECT_NE(error_of("[phases]\na = [2]\nb = [2]\nM = [4, 8]\nN = [64, 128, 256]\n").find("at least 3"),
            std::string::npos);
  EXPECT_NE(error_of("[phases]\na = [2]\nb = [2]\nM = [4, 8, 16]\nN = [64, 128, 256]\nbogus = 1\n").find("'bogus'"),
            std::string::npos);
}

TEST(PhaseMap, CommandWritesTablesAndReport) {
  const std::string dir = ::testing::TempDir() + "phases_cli";
  std::filesystem::remove_all(dir);
  const std::string file = write_phases_file("phases_cli.toml", std::string(kSmallMap) + "mc_points = [[2.0, 1.5]]\n" +
                                                                    "mc_d = 1024\nmc_trials = 20\nmc_sketches = 2\n");
  const std::string log = dir + ".log";
  ASSERT_EQ(run_logged(std::string(SGDLAW_BINARY) + " phases " + file + " --out " + dir + " --no-plot", log), 0)
      << sgdlaw::testing::slurp(log);
  for (const char* f : {"phases.csv", "frontiers.csv", "mc_checks.csv", "report.md"})
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + f)) << f;
  EXPECT_TRUE(std::filesystem::exists(dir + "/mc-2-1.5-0.1/curves.csv"));  // the spot check's own run folder
  const std::string report = sgdlaw::testing::slurp(dir + "/report.md");
  EXPECT_NE(report.find("| 2 | 1.5 | 0.1 | Ia: approx-bias | bias |"), std::string::npos) << report;
}

// The theory module calls, before any fit, which cells should show the asymptotic exponents at the grid's budgets
// (theory.hpp's frontier_asymptotic); on a small map over both sides of b = a + 1 with and without noise, every
// cell it calls asymptotic has both fitted exponents within 0.03, and every other cell says which term has not
// separated.
TEST(PhaseMap, CellsTheTheoryCallsAsymptoticAreWithinThreeHundredths) {
  const PhaseSpec spec = read_phase_spec(write_phases_file("phases_asymptotic.toml", R"(
[problem]
sigma = 0.1
[sgd]
gamma = 0.1
[phases]
a = [2.0]
b = [1.25, 1.5, 2.5, 5.0]
sigma = [0.1, 0.0]
M = [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
N = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456, 1073741824, 4294967296]
mc_points = []
)"));
  const PhaseMap map = compute_phase_map(spec);
  int called = 0;
  for (const PhasePoint& p : map.points) {
    ASSERT_TRUE(p.error.empty() && p.frontier.ok) << p.a << " " << p.b << " " << p.sigma << ": " << p.error;
    if (!p.call.asymptotic) {
      EXPECT_FALSE(p.call.reason.empty()) << p.b << " " << p.sigma;
      continue;
    }
    ++called;
    EXPECT_NEAR(-p.frontier.m_star_fit.exponent, p.theory.m_star, 0.03) << "b = " << p.b << ", sigma = " << p.sigma;
    EXPECT_NEAR(-p.frontier.excess_star_fit.exponent, p.theory.r_star, 0.03)
        << "b = " << p.b << ", sigma = " << p.sigma;
  }
  EXPECT_GE(called, 3) << "a test that calls nothing asymptotic checks nothing";
  EXPECT_LT(called, static_cast<int>(map.points.size())) << "b = 2.5 and 5 with noise are not asymptotic here";
}
