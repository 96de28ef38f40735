// The CUDA kernel bodies (kernels/reduced_sgd_body.hpp) run on the host through kernels/host_thread.hpp: one
// std::thread per CUDA thread, barriers per block and warp, emulated shuffles. Every launch shape (warp
// teams, block teams with the state in registers, block teams with the state in global memory) must give
// the CPU backend's trials up to rounding (the sums run in another order): 1e-12 relative.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <vector>

#include "host_thread.hpp"
#include "launch_shape.hpp"
#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/run_plan.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::rel_diff;

namespace {

struct HostRun {
  std::vector<double> risk, bias, variance, approx;
};

// Runs every trial of sketch 0 of the plan through the kernel body with the given shape, on the host.
HostRun run_on_host(const RunPlan& plan, const kern::LaunchShape& shape) {
  const Config& c = plan.config;
  const SketchSetup& s = plan.sketches[0];
  const std::int64_t count = c.trials, n_ck = static_cast<std::int64_t>(plan.checkpoints.size());
  std::vector<double> mu(s.mu.data(), s.mu.data() + c.M), sqrt_mu(static_cast<std::size_t>(c.M));
  for (std::int64_t j = 0; j < c.M; ++j) sqrt_mu[j] = std::sqrt(mu[j]);
  std::vector<double> ustar(static_cast<std::size_t>(c.M * count)), seff(count), floor(count);
  HostRun out;
  out.approx.resize(count);
  for (std::int64_t t = 0; t < count; ++t) {
    const TrialTarget target = draw_target(c, s, static_cast<std::uint32_t>(t));
    for (std::int64_t j = 0; j < c.M; ++j) ustar[t * c.M + j] = target.ustar[j];
    floor[t] = c.sigma * c.sigma + target.approx;
    seff[t] = std::sqrt(floor[t]);
    out.approx[t] = target.approx;
  }
  out.risk.assign(static_cast<std::size_t>(count * n_ck), 0.0);
  out.bias = out.variance = out.risk;
  std::vector<double> state(shape.state == kern::StateIn::kGlobal ? 2 * c.M * count : 0);
  kern::SgdArgs A;
  A.seed = c.seed;
  A.first_trial = 0;
  A.count = count;
  A.M = c.M;
  A.nb = (c.M + 3) / 4;
  A.batch = c.batch;
  A.n_checkpoints = n_ck;
  A.schedule = plan.schedule;
  A.checkpoints = plan.checkpoints.data();
  A.mu = mu.data();
  A.sqrt_mu = sqrt_mu.data();
  A.ustar = ustar.data();
  A.sigma_eff = seff.data();
  A.floor = floor.data();
  A.risk = out.risk.data();
  A.bias = out.bias.data();
  A.variance = out.variance.data();
  A.state = state.data();
  A.reuse = data_reuse_of(c);
  kern::dispatch_variant(
      shape, c.decomposition, c.batch > 1, [&](auto team, auto st, auto k, auto split, auto batched) {
        kern::host_launch(
            static_cast<int>(shape.blocks), shape.threads, shape.shared_bytes, [&](const kern::HostThread& th) {
              kern::run_variant<kern::HostThread, decltype(team)::value, decltype(st)::value, decltype(k)::value,
                                decltype(split)::value, decltype(batched)::value>(th, A);
            });
      });
  return out;
}

void expect_same_as_cpu(Config c, const kern::LaunchShape& shape, const char* what) {
  const RunPlan plan = make_run_plan(c);
  TrialResults cpu(c.trials, static_cast<std::int64_t>(plan.checkpoints.size()), c.decomposition);
  std::atomic<std::int64_t> done{0};
  make_backend("cpu", 1)->run_trials(plan, 0, c.trials, cpu, done);
  const HostRun host = run_on_host(plan, shape);
  double worst = 0.0;
  for (std::size_t i = 0; i < cpu.risk.size(); ++i) {
    ASSERT_TRUE(std::isfinite(host.risk[i])) << what << " entry " << i;
    worst = std::max(worst, rel_diff(host.risk[i], cpu.risk[i]));
    if (c.decomposition) {
      worst = std::max(worst, rel_diff(host.bias[i], cpu.bias[i]));
      worst = std::max(worst, rel_diff(host.variance[i], cpu.variance[i]));
    }
  }
  for (std::int64_t t = 0; t < c.trials; ++t) EXPECT_EQ(host.approx[t], cpu.approx[t]);
  EXPECT_LT(worst, 1e-12) << what;
  ::testing::Test::RecordProperty(what, std::to_string(worst));
}

Config kernel_config(std::int64_t M, std::int64_t batch, bool split) {
  Config c = sgdlaw::testing::small_config();
  c.d = 4 * M + 3;
  c.M = M;
  c.trials = 5;
  c.batch = batch;
  c.N = 120 * batch;
  c.decomposition = split;
  c.checkpoint_ratio = 2.0;
  c.checkpoint_min = 16 * batch;
  return c;
}

}  // namespace

TEST(KernelHost, WarpTeamsMatchCpuForBothBatchModesSplitOrNot) {
  for (std::int64_t batch : {1, 3})
    for (bool split : {true, false}) {
      const Config c = kernel_config(37, batch, split);  // M not a multiple of 4; 2 trials per block, 3 blocks
      const kern::LaunchShape shape =
          kern::make_shape(kern::TeamKind::kWarp, kern::StateIn::kRegisters, c.M, c.batch, c.trials, 64);
      ASSERT_EQ(shape.blocks, 3);
      expect_same_as_cpu(c, shape, split ? "warp split" : "warp unsplit");
    }
}

TEST(KernelHost, WarpTeamsWithSeveralBlocksPerLane) {
  const Config c = kernel_config(250, 1, true);  // nb = 63: K = 2 Philox blocks per lane
  const kern::LaunchShape shape =
      kern::make_shape(kern::TeamKind::kWarp, kern::StateIn::kRegisters, c.M, c.batch, c.trials, 64);
  ASSERT_EQ(shape.K, 2);
  expect_same_as_cpu(c, shape, "warp K=2");
}

TEST(KernelHost, BlockTeamsWithRegisterStateMatchCpu) {
  for (std::int64_t batch : {1, 2}) {
    const Config c = kernel_config(301, batch, true);  // 64-thread blocks: nb = 76, K = 2
    const kern::LaunchShape shape =
        kern::make_shape(kern::TeamKind::kBlock, kern::StateIn::kRegisters, c.M, c.batch, c.trials, 64);
    ASSERT_EQ(shape.K, 2);
    expect_same_as_cpu(c, shape, "block registers");
  }
}

TEST(KernelHost, LargeMPathWithGlobalStateMatchesCpu) {
  for (std::int64_t batch : {1, 2})
    for (bool split : {true, false}) {
      const Config c = kernel_config(523, batch, split);  // the path every M > 8192 takes, on 64-thread blocks
      const kern::LaunchShape shape =
          kern::make_shape(kern::TeamKind::kBlock, kern::StateIn::kGlobal, c.M, c.batch, c.trials, 64);
      expect_same_as_cpu(c, shape, "block global");
    }
}

TEST(KernelHost, FiniteDatasetsMatchCpu) {
  for (SamplingKind sampling : {SamplingKind::kEpochs, SamplingKind::kReplacement}) {
    Config c = kernel_config(37, 1, true);
    c.dataset = 23;  // about 5 passes
    c.sampling = sampling;
    expect_same_as_cpu(c,
                       kern::make_shape(kern::TeamKind::kWarp, kern::StateIn::kRegisters, c.M, c.batch, c.trials, 64),
                       sampling == SamplingKind::kEpochs ? "warp epochs" : "warp replacement");
    c.batch = 2;
    c.N = 240;
    expect_same_as_cpu(c, kern::make_shape(kern::TeamKind::kBlock, kern::StateIn::kGlobal, c.M, c.batch, c.trials, 64),
                       "global, B = 2");
  }
}

TEST(KernelHost, ShapesChosenByM) {
  EXPECT_EQ(kern::choose_launch_shape(256, 1, 1000).team, kern::TeamKind::kWarp);
  EXPECT_EQ(kern::choose_launch_shape(256, 1, 1000).blocks, 250);
  EXPECT_EQ(kern::choose_launch_shape(512, 1, 10).K, 4);
  EXPECT_EQ(kern::choose_launch_shape(1024, 1, 10).team, kern::TeamKind::kBlock);
  EXPECT_EQ(kern::choose_launch_shape(1024, 1, 10).threads, 256);
  EXPECT_EQ(kern::choose_launch_shape(4096, 1, 10).team, kern::TeamKind::kBlock);
  EXPECT_EQ(kern::choose_launch_shape(4096, 1, 10).K, 2);
  EXPECT_EQ(kern::choose_launch_shape(4097, 1, 10).state, kern::StateIn::kGlobal);
  EXPECT_EQ(kern::choose_launch_shape(131072, 1, 10).state, kern::StateIn::kGlobal);
}
