// The fitters recover known exponents (and honest intervals) from synthetic curves.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "sgdlaw/fit/bootstrap_fit.hpp"
#include "sgdlaw/fit/compute_frontier.hpp"
#include "sgdlaw/fit/power_law_fit.hpp"
#include "sgdlaw/fit/user_fits.hpp"
#include "sgdlaw/io/csv_table.hpp"

using namespace sgdlaw;

namespace {

std::vector<double> geometric(double lo, double hi, int n) {
  std::vector<double> x;
  for (int i = 0; i < n; ++i) x.push_back(lo * std::pow(hi / lo, static_cast<double>(i) / (n - 1)));
  return x;
}

// T trials of y = floor + c x^-e with multiplicative noise, trial effects shared across points (as with
// common random numbers) plus independent per-point noise.
TrialSeries synthetic(double e, double c, double floor, double noise, int trials, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g;
  TrialSeries s;
  s.x = geometric(4, 4096, 9);
  s.y.assign(s.x.size(), std::vector<double>(trials));
  for (int t = 0; t < trials; ++t) {
    const double shared = noise * g(rng);
    for (std::size_t i = 0; i < s.x.size(); ++i)
      s.y[i][t] = (floor + c * std::pow(s.x[i], -e)) * (1.0 + shared + noise * g(rng));
  }
  return s;
}

}  // namespace

TEST(Fits, LogLogRecoversExactPowerLaw) {
  const auto x = geometric(1, 1e4, 12);
  std::vector<double> y;
  for (double v : x) y.push_back(3.0 * std::pow(v, -0.7));
  const LogLogFit f = fit_loglog(x, y);
  ASSERT_TRUE(f.ok);
  EXPECT_NEAR(f.exponent, 0.7, 1e-12);
  EXPECT_NEAR(std::exp(f.intercept), 3.0, 1e-10);
  EXPECT_NEAR(f.r2, 1.0, 1e-12);
  // The window restricts the points.
  EXPECT_EQ(fit_loglog(x, y, 10, 1000).n, 6);
}

TEST(Fits, SaturatingRecoversExponentAndFloor) {
  const auto x = geometric(1, 1e5, 15);
  std::vector<double> y;
  for (double v : x) y.push_back(0.25 + 2.0 * std::pow(v, -0.45));
  const SaturatingFit f = fit_saturating(x, y);
  ASSERT_TRUE(f.ok);
  EXPECT_NEAR(f.exponent, 0.45, 1e-6);
  EXPECT_NEAR(f.y_inf, 0.25, 1e-6);
  EXPECT_NEAR(f.c, 2.0, 1e-5);
  // Without a floor it finds y_inf = 0; log-log OLS is biased by a floor, the saturating form is not.
  std::vector<double> y0;
  for (double v : x) y0.push_back(2.0 * std::pow(v, -0.45));
  EXPECT_NEAR(fit_saturating(x, y0).y_inf, 0.0, 1e-9);
  EXPECT_LT(fit_loglog(x, y).exponent, 0.3);
}

TEST(Fits, BootstrapIntervalsCoverTheTruth) {
  // 60 independent synthetic experiments (with and without a floor): the 95% bootstrap interval over trials
  // must cover the true slope in most of them (a check that the intervals are honest, not decorative).
  int covered_ols = 0, covered_sat = 0, n = 0;
  for (std::uint32_t seed = 1; seed <= 60; ++seed) {
    const bool with_floor = seed % 2 == 0;
    const TrialSeries s = synthetic(0.6, 1.0, with_floor ? 0.004 : 0.0, 0.08, 120, seed);
    const BootstrapFit f = bootstrap_fit(s, 0, 1e300, 300, 0.95, seed + 1000);
    if (!with_floor) covered_ols += f.ols_ci.lo <= -0.6 && -0.6 <= f.ols_ci.hi;
    covered_sat += f.sat_ci.lo <= -0.6 && -0.6 <= f.sat_ci.hi;
    ++n;
  }
  EXPECT_GE(covered_ols, 25);  // of 30 floorless experiments (nominal 28.5)
  EXPECT_GE(covered_sat, 50);  // of 60 (nominal 57)
}

TEST(Fits, BootstrapIntervalWidthShrinksWithTrials) {
  const BootstrapFit small = bootstrap_fit(synthetic(0.6, 1.0, 0.0, 0.1, 50, 3), 0, 1e300, 300, 0.95, 9);
  const BootstrapFit large = bootstrap_fit(synthetic(0.6, 1.0, 0.0, 0.1, 800, 3), 0, 1e300, 300, 0.95, 9);
  EXPECT_LT(large.ols_ci.hi - large.ols_ci.lo, 0.5 * (small.ols_ci.hi - small.ols_ci.lo));
}

TEST(Fits, FrontierOfAnExactTwoTermLaw) {
  // R(M, N) = M^-(a-1) + N^-(a-1)/a with cost C = M N: M* ~ C^(1/(a+1)), R* ~ C^-((a-1)/(a+1)).
  for (double a : {1.5, 2.0}) {
    const auto ms = geometric(2, 4096, 12), ns = geometric(64, 1 << 24, 19);
    std::vector<std::vector<double>> r(ms.size(), std::vector<double>(ns.size()));
    for (std::size_t i = 0; i < ms.size(); ++i)
      for (std::size_t j = 0; j < ns.size(); ++j) r[i][j] = std::pow(ms[i], 1 - a) + std::pow(ns[j], (1 - a) / a);
    const Frontier f = compute_frontier(ms, ns, r, 0.0, 1.0, 30);
    ASSERT_TRUE(f.ok);
    EXPECT_NEAR(-f.m_star_fit.exponent, 1 / (a + 1), 0.03) << "a=" << a;
    EXPECT_NEAR(-f.excess_star_fit.exponent, (1 - a) / (a + 1), 0.03) << "a=" << a;
  }
}

TEST(Fits, PowerModelOnShippedExample) {
  const CsvTable t = read_csv(std::string(SGDLAW_SOURCE_DIR) + "/examples/power_law.csv");
  const auto x = t.numbers("N"), y = t.numbers("loss");
  const PowerModelFit f = fit_power_model(x, y);
  ASSERT_TRUE(f.ok);
  EXPECT_NEAR(f.alpha, 0.35, 0.02);
  EXPECT_NEAR(f.B, 0.8, 0.01);
  EXPECT_NEAR(f.A, 2.5, 0.3);
  std::vector<double> boot;
  for (const auto& idx : bootstrap_rows(x.size(), {}, 300, 5)) {
    std::vector<double> xb, yb;
    for (std::size_t i : idx) {
      xb.push_back(x[i]);
      yb.push_back(y[i]);
    }
    boot.push_back(fit_power_model(xb, yb).alpha);
  }
  const Interval iv = percentile_interval(boot, 0.95);
  EXPECT_LE(iv.lo, 0.35);
  EXPECT_GE(iv.hi, 0.35);
  EXPECT_LT(iv.hi - iv.lo, 0.05);
}

TEST(Fits, ChinchillaOnShippedExample) {
  const CsvTable t = read_csv(std::string(SGDLAW_SOURCE_DIR) + "/examples/chinchilla.csv");
  const ChinchillaFit f = fit_chinchilla(t.numbers("N"), t.numbers("D"), t.numbers("loss"));
  ASSERT_TRUE(f.ok);
  EXPECT_NEAR(f.alpha, 0.34, 0.03);
  EXPECT_NEAR(f.beta, 0.28, 0.03);
  EXPECT_NEAR(f.E, 1.69, 0.05);
  EXPECT_NEAR(f.a(), 0.28 / 0.62, 0.03);  // N_opt ~ C^(beta / (alpha + beta))
}

TEST(Fits, ChinchillaExactDataIsRecoveredTightly) {
  std::vector<double> N, D, L;
  for (double n : geometric(1e6, 1e10, 7))
    for (double d : geometric(1e8, 1e12, 7)) {
      N.push_back(n);
      D.push_back(d);
      L.push_back(2.0 + 300.0 / std::pow(n, 0.3) + 500.0 / std::pow(d, 0.35));
    }
  const ChinchillaFit f = fit_chinchilla(N, D, L);
  EXPECT_NEAR(f.alpha, 0.3, 1e-3);
  EXPECT_NEAR(f.beta, 0.35, 1e-3);
  EXPECT_NEAR(f.E, 2.0, 1e-3);
}

TEST(Fits, GroupBootstrapResamplesWholeGroups) {
  const std::vector<std::string> groups = {"a", "a", "b", "b", "b", "c"};
  for (const auto& idx : bootstrap_rows(groups.size(), groups, 50, 1)) {
    // Every group appears with all its rows or none: count rows per group modulo the group size.
    int a = 0, b = 0, c = 0;
    for (std::size_t i : idx) (groups[i] == "a" ? a : groups[i] == "b" ? b : c)++;
    EXPECT_EQ(a % 2, 0);
    EXPECT_EQ(b % 3, 0);
    EXPECT_EQ(a / 2 + b / 3 + c, 3);
  }
}

TEST(Fits, TwoStageBootstrapResamplesSketchesThenTrials) {
  // 3 sketches x 4 trials: every replicate is 3 blocks of 4 indices, each block inside one sketch.
  for (const auto& idx : bootstrap_trial_indices(12, 40, 7, 4)) {
    ASSERT_EQ(idx.size(), 12u);
    for (std::size_t k = 0; k < 3; ++k) {
      const std::size_t sketch = idx[k * 4] / 4;
      for (std::size_t t = 0; t < 4; ++t) EXPECT_EQ(idx[k * 4 + t] / 4, sketch);
    }
  }
  // With one sketch it is the ordinary bootstrap over trials.
  const auto plain = bootstrap_trial_indices(12, 5, 7, 12);
  const auto plain2 = bootstrap_trial_indices(12, 5, 7);
  EXPECT_EQ(plain, plain2);
}

TEST(Fits, TwoStageIntervalsWidenWithSketchToSketchVariation) {
  // Each sketch shifts the whole curve by a common random factor: trials within a sketch cannot see it.
  std::mt19937_64 rng(5);
  std::normal_distribution<double> g;
  TrialSeries s;
  s.x = {4, 8, 16, 32, 64};
  const int sketches = 6, per = 50;
  s.y.assign(s.x.size(), std::vector<double>(sketches * per));
  for (int k = 0; k < sketches; ++k) {
    const double tilt = 0.15 * g(rng);  // sketch-level change of slope
    for (int t = 0; t < per; ++t)
      for (std::size_t i = 0; i < s.x.size(); ++i)
        s.y[i][k * per + t] = std::pow(s.x[i], -0.5 + tilt) * (1 + 0.05 * g(rng));
  }
  const BootstrapFit naive = bootstrap_fit(s, 0, 1e300, 300, 0.95, 3);
  const BootstrapFit clustered = bootstrap_fit(s, 0, 1e300, 300, 0.95, 3, per);
  EXPECT_GT(clustered.ols_ci.hi - clustered.ols_ci.lo, 3 * (naive.ols_ci.hi - naive.ols_ci.lo));
}

// The power fit's covariance (curve_fit's pcov) agrees with the spread of bootstrap refits: standard errors
// of alpha and B within a factor 1.6 of the bootstrap standard deviations on the shipped example.
TEST(Fits, PowerFitCovarianceMatchesTheBootstrapSpread) {
  const CsvTable t = read_csv(std::string(SGDLAW_SOURCE_DIR) + "/examples/power_law.csv");
  const auto x = t.numbers("N"), y = t.numbers("loss");
  const PowerModelFit f = fit_power_model(x, y);
  ASSERT_TRUE(f.ok);
  std::vector<double> alphas, bs;
  for (const auto& idx : bootstrap_rows(x.size(), {}, 300, 11)) {
    std::vector<double> xb, yb;
    for (std::size_t i : idx) {
      xb.push_back(x[i]);
      yb.push_back(y[i]);
    }
    const PowerModelFit b = fit_power_model(xb, yb);
    if (!b.ok) continue;
    alphas.push_back(b.alpha);
    bs.push_back(b.B);
  }
  auto sd = [](const std::vector<double>& v) {
    double m = 0, s = 0;
    for (double e : v) m += e;
    m /= static_cast<double>(v.size());
    for (double e : v) s += (e - m) * (e - m);
    return std::sqrt(s / static_cast<double>(v.size() - 1));
  };
  const double se_alpha = std::sqrt(f.cov[1][1]), se_b = std::sqrt(f.cov[2][2]);
  EXPECT_GT(se_alpha, sd(alphas) / 1.6);
  EXPECT_LT(se_alpha, sd(alphas) * 1.6);
  EXPECT_GT(se_b, sd(bs) / 1.6);
  EXPECT_LT(se_b, sd(bs) * 1.6);
}
