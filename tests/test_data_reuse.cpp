// Finite datasets (multi-pass SGD): the sample order and indices, the fresh-sample limit bit for bit, the fast
// path against the literal d-dimensional one, and many passes against the least-squares solution's closed form.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sgdlaw/core/data_reuse.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;

TEST(DataReuse, EachPassIsAPermutationAndPassesDiffer) {
  for (std::uint64_t n : {1ull, 2ull, 37ull, 1000ull, 4097ull}) {
    std::vector<std::uint64_t> a, b;
    for (std::uint64_t k = 0; k < n; ++k) {
      a.push_back(keyed_permutation(k, n, 7, 3, 1));
      b.push_back(keyed_permutation(k, n, 7, 3, 2));
    }
    std::vector<std::uint64_t> sorted = a;
    std::sort(sorted.begin(), sorted.end());
    for (std::uint64_t k = 0; k < n; ++k) ASSERT_EQ(sorted[k], k) << "n = " << n;
    if (n >= 37) EXPECT_NE(a, b) << n;
  }
  DataReuse d{10, SamplingKind::kEpochs, 7};
  for (std::uint64_t s = 0; s < 10; ++s) EXPECT_EQ(data_index(d, 0, s), s);  // pass 0 in order
}

TEST(DataReuse, ReplacementIndicesAreUniform) {
  const DataReuse d{10, SamplingKind::kReplacement, 5};
  std::vector<int> counts(10, 0);
  const int draws = 100000;
  for (int s = 0; s < draws; ++s) ++counts[data_index(d, 1, static_cast<std::uint64_t>(s))];
  for (int c : counts) EXPECT_LT(std::abs(c - draws / 10), 5 * std::sqrt(draws * 0.1 * 0.9)) << c;
}

TEST(DataReuse, DatasetOfAtLeastNSamplesIsTheFreshRunBitForBit) {
  for (const char* backend : {"cpu", "reference"}) {
    Config c = sgdlaw::testing::small_config();
    c.backend = backend;
    c.d = 64;
    c.M = 16;
    c.N = 600;
    c.trials = 20;
    const RunResult fresh = run_simulation(c);
    for (std::int64_t n : {600, 1200}) {
      c.dataset = n;
      const RunResult reused = run_simulation(c);
      EXPECT_EQ(reused.trials.risk, fresh.trials.risk) << backend << " n = " << n;
      EXPECT_EQ(reused.trials.bias, fresh.trials.bias) << backend << " n = " << n;
    }
  }
}

TEST(DataReuse, FastPathAgreesWithTheLiteralPathWithinMonteCarloError) {
  for (SamplingKind sampling : {SamplingKind::kEpochs, SamplingKind::kReplacement}) {
    Config c = sgdlaw::testing::small_config();
    c.d = 48;
    c.M = 12;
    c.N = 3000;
    c.dataset = 150;  // 20 passes
    c.sampling = sampling;
    c.trials = 300;
    c.decomposition = false;
    const RunResult fast = run_simulation(c);
    c.backend = "reference";
    c.trials = 200;
    c.seed += 1;  // independent trials: compare the means
    const RunResult ref = run_simulation(c);
    for (std::size_t k = 0; k < fast.rows.size(); ++k) {
      const double se = std::hypot(fast.rows[k].risk_se, ref.rows[k].risk_se);
      EXPECT_LT(std::fabs(fast.rows[k].risk_mc - ref.rows[k].risk_mc), 4 * se) << to_string(sampling) << " row " << k;
    }
  }
}

// Identity sketch, d = 20, n = 50 samples, 2000 passes with the geometric schedule: SGD ends at the
// least-squares fit of the n samples, whose expected risk for Gaussian x ~ N(0, H) is
// sigma^2 (1 + d / (n - d - 1)) whatever H and w* (E[(X^T X)^-1] = H^-1 / (n - d - 1), Wishart).
TEST(DataReuse, ManyPassesReachTheLeastSquaresRisk) {
  Config c = sgdlaw::testing::small_config();
  c.sketch = SketchKind::kIdentity;
  c.a = 1.5;
  c.b = 1.5;
  c.d = c.M = 20;
  c.sigma = 0.5;
  c.gamma = 0.3;
  c.N = 100000;
  c.dataset = 50;
  c.trials = 300;
  c.decomposition = false;
  const RunResult r = run_simulation(c);
  const double theory = 0.25 * (1.0 + 20.0 / 29.0);
  const CurveRow& last = r.rows.back();
  EXPECT_LT(std::fabs(last.risk_mc - theory), 4 * last.risk_se + 0.01 * theory)
      << "MC " << last.risk_mc << " +- " << last.risk_se << ", least squares " << theory;
  // The one-pass (fresh-data) exact risk is far lower: reuse is not fresh data.
  EXPECT_LT(last.risk_exact, theory - 0.1);
}
