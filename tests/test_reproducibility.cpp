// Counter-based streams: same seed, same bits, whatever the thread count; any trial can be re-run alone.
#include <gtest/gtest.h>

#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::small_config;

TEST(Reproducibility, SameSeedSameBitsAcrossThreadCounts) {
  Config c = small_config();
  c.trials = 40;
  c.sketches = 2;
  c.threads = 1;
  const RunResult one = run_simulation(c);
  c.threads = 2;
  const RunResult two = run_simulation(c);
  EXPECT_EQ(one.trials.risk, two.trials.risk);
  EXPECT_EQ(one.trials.bias, two.trials.bias);
  EXPECT_EQ(one.trials.variance, two.trials.variance);
  EXPECT_EQ(one.trials.approx, two.trials.approx);
  c.seed += 1;
  const RunResult other = run_simulation(c);
  EXPECT_NE(one.trials.risk, other.trials.risk);
}

TEST(Reproducibility, OneTrialReRunAloneGivesTheSameNumbers) {
  Config c = small_config();
  c.trials = 30;
  c.sketches = 2;
  const RunResult full = run_simulation(c);
  const RunPlan plan = make_run_plan(c);
  auto backend = make_backend("cpu", 1);
  for (std::int64_t g : {0, 17, 45}) {
    TrialResults one(1, full.trials.checkpoints, true);
    std::atomic<std::int64_t> done{0};
    backend->run_trials(plan, g, 1, one, done);
    for (std::int64_t ck = 0; ck < one.checkpoints; ++ck) {
      EXPECT_EQ(one.risk[ck], full.trials.risk[g * one.checkpoints + ck]) << "trial " << g;
      EXPECT_EQ(one.bias[ck], full.trials.bias[g * one.checkpoints + ck]) << "trial " << g;
    }
    EXPECT_EQ(one.approx[0], full.trials.approx[g]);
  }
}

TEST(Reproducibility, ReferenceTrialReRunAlone) {
  Config c = small_config();
  c.backend = "reference";
  c.d = 64;
  c.M = 16;
  c.N = 300;
  c.trials = 6;
  const RunResult full = run_simulation(c);
  const RunPlan plan = make_run_plan(c);
  auto backend = make_backend("reference", 1);
  TrialResults one(1, full.trials.checkpoints, true);
  std::atomic<std::int64_t> done{0};
  backend->run_trials(plan, 4, 1, one, done);
  for (std::int64_t ck = 0; ck < one.checkpoints; ++ck)
    EXPECT_EQ(one.risk[ck], full.trials.risk[4 * one.checkpoints + ck]);
}
