// The CUDA kernel bodies (kernels/reduced_sgd_body.hpp) run on the host through kernels/host_thread.hpp: one
// std::thread per CUDA thread, barriers per block and warp, emulated shuffles. Every launch shape (warp
// teams, block teams with the state in registers, block teams with the state in global memory) must give
// the CPU backend's trials up to rounding (the sums run in another order): 1e-12 relative. Each case's
// trials must also be bit for bit the recorded ones (kRecordedDigests): a change of the kernel bodies that is
// meant to be arithmetic-neutral (branch-free updates, fused passes) must leave every bit where it was.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
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
  std::vector<double> state(static_cast<std::size_t>(kern::state_doubles(shape.state) * c.M * count));
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
  A.optimizer = plan.optimizer;
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

// The ThreadSanitizer build (tests/CMakeLists.txt) runs every case smaller: races show in a few steps, and the
// instrumented barriers are slow. Its trials are not the recorded ones, so it skips the digests.
bool small_runs() { return std::getenv("SGDLAW_KERNEL_HOST_SMALL") != nullptr; }

// FNV-1a over the bit patterns of risk (and bias, variance when split): equal digests, equal trials.
std::uint64_t digest(const HostRun& r, bool split) {
  std::uint64_t h = 1469598103934665603ull;
  auto add = [&](const std::vector<double>& v) {
    for (double x : v) {
      std::uint64_t bits = 0;
      std::memcpy(&bits, &x, sizeof bits);
      for (int k = 0; k < 8; ++k) {
        h ^= (bits >> (8 * k)) & 0xffu;
        h *= 1099511628211ull;
      }
    }
  };
  add(r.risk);
  if (split) {
    add(r.bias);
    add(r.variance);
  }
  return h;
}

// The digests of every case below, recorded before the kernel bodies were made branch-free (2026-12-01).
const std::map<std::string, std::uint64_t>& recorded_digests() {
  static const std::map<std::string, std::uint64_t> d = {
      {"warp split, B = 1", 0x614c6e44b03cbc45ull},
      {"warp unsplit, B = 1", 0x6cb99ee9fccc18fbull},
      {"warp split, B = 3", 0x9a79d5c7ae027002ull},
      {"warp unsplit, B = 3", 0xb4ed2ee38cd13full},
      {"warp K=2", 0x8b2180127a78d69cull},
      {"warp K=4 split, B = 1", 0xa1d846a65ebb3c57ull},
      {"warp K=4 unsplit, B = 1", 0x785b0f0cb0dcb52ull},
      {"warp K=4 split, B = 2", 0xf706daf8c94bb973ull},
      {"warp K=4 unsplit, B = 2", 0x356d8977cccde4fbull},
      {"block registers K=2, B = 1", 0xe611dd5dbdf9aabaull},
      {"block registers K=2, B = 2", 0x45853243e7b1fc2bull},
      {"block K=1 split, B = 1", 0xca5b7d20558074a3ull},
      {"block K=1 unsplit, B = 1", 0x4eff6063b450f458ull},
      {"block K=1 split, B = 2", 0x893e6f22ddfef3dcull},
      {"block K=1 unsplit, B = 2", 0x752567d458fec477ull},
      {"block global split, B = 1", 0x44cd4d487bdca4c8ull},
      {"block global unsplit, B = 1", 0x38328d58d06645ecull},
      {"block global split, B = 2", 0xa003adc1f8355381ull},
      {"block global unsplit, B = 2", 0x8210c8b64ca82795ull},
      {"warp epochs", 0xf7f11d49ca23846ull},
      {"global epochs, B = 2", 0x389c49c5c503740eull},
      {"warp replacement", 0xac673fde80ff00bdull},
      {"global replacement, B = 2", 0x6cbbb2c31463fd33ull},
      // recorded when the schedules of issue 21 arrived (the cases above kept their digests through that change)
      {"warp cosine + warmup", 0x54f171454142f99cull},
      {"warp cosine, epochs", 0x301c03279c52d56dull},
      {"global wsd sqrt, B = 2", 0x6a548dd084b9a3b4ull},
      {"warp table, B = 2", 0x4b0bf8c6e514c06dull},
      // recorded when the optimizers of issue 22 arrived (kGlobalMomentum bodies; every case above unchanged)
      {"heavy_ball split, B = 1", 0x8ae36773348de53bull},
      {"heavy_ball unsplit, B = 2", 0x23d7c1a0b5aebeb8ull},
      {"nesterov unsplit, B = 1", 0xeac2ebb5d590d420ull},
      {"nesterov split, B = 2", 0x1095d4a765987048ull},
      {"dana_constant split, B = 1", 0xbd1c4c91dc76ecaull},
      {"dana_decaying split, B = 2", 0xd7448b06d39d44d8ull},
  };
  return d;
}

void expect_same_as_cpu(Config c, const kern::LaunchShape& shape, const std::string& what) {
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
  if (small_runs()) return;
  const std::uint64_t h = digest(host, c.decomposition);
  const auto it = recorded_digests().find(what);
  if (it == recorded_digests().end())
    ADD_FAILURE() << "no recorded digest for '" << what << "': {\"" << what << "\", 0x" << std::hex << h << "ull},";
  else
    EXPECT_EQ(h, it->second) << what << ": trials differ in some bit from the recorded ones";
}

Config kernel_config(std::int64_t M, std::int64_t batch, bool split) {
  Config c = sgdlaw::testing::small_config();
  c.d = 4 * M + 3;
  c.M = M;
  c.trials = small_runs() ? 3 : 5;
  c.batch = batch;
  c.N = (small_runs() ? 40 : 120) * batch;
  c.decomposition = split;
  c.checkpoint_ratio = 2.0;
  c.checkpoint_min = 16 * batch;
  return c;
}

}  // namespace

TEST(KernelHost, WarpTeamsMatchCpuForBothBatchModesSplitOrNot) {
  for (std::int64_t batch : {1, 3})
    for (bool split : {true, false}) {
      const Config c = kernel_config(37, batch, split);  // M not a multiple of 4; 2 trials per block
      const kern::LaunchShape shape =
          kern::make_shape(kern::TeamKind::kWarp, kern::StateIn::kRegisters, c.M, c.batch, c.trials, 64);
      ASSERT_EQ(shape.blocks, (c.trials + 1) / 2);  // two trials per 64-thread block
      expect_same_as_cpu(c, shape,
                         std::string(split ? "warp split" : "warp unsplit") + ", B = " + std::to_string(batch));
    }
}

TEST(KernelHost, WarpTeamsWithSeveralBlocksPerLane) {
  const Config c = kernel_config(250, 1, true);  // nb = 63: K = 2 Philox blocks per lane
  const kern::LaunchShape shape =
      kern::make_shape(kern::TeamKind::kWarp, kern::StateIn::kRegisters, c.M, c.batch, c.trials, 64);
  ASSERT_EQ(shape.K, 2);
  expect_same_as_cpu(c, shape, "warp K=2");
}

TEST(KernelHost, WarpTeamsWithFourBlocksPerLane) {
  for (std::int64_t batch : {1, 2})
    for (bool split : {true, false}) {
      const Config c = kernel_config(509, batch, split);  // nb = 128: K = 4, the largest warp instance
      const kern::LaunchShape shape =
          kern::make_shape(kern::TeamKind::kWarp, kern::StateIn::kRegisters, c.M, c.batch, c.trials, 64);
      ASSERT_EQ(shape.K, 4);
      expect_same_as_cpu(c, shape,
                         std::string("warp K=4 ") + (split ? "split" : "unsplit") + ", B = " + std::to_string(batch));
    }
}

TEST(KernelHost, BlockTeamsWithRegisterStateMatchCpu) {
  for (std::int64_t batch : {1, 2}) {
    const Config c = kernel_config(301, batch, true);  // 64-thread blocks: nb = 76, K = 2
    const kern::LaunchShape shape =
        kern::make_shape(kern::TeamKind::kBlock, kern::StateIn::kRegisters, c.M, c.batch, c.trials, 64);
    ASSERT_EQ(shape.K, 2);
    expect_same_as_cpu(c, shape, "block registers K=2, B = " + std::to_string(batch));
  }
}

TEST(KernelHost, BlockTeamsWithOneBlockPerThread) {
  for (std::int64_t batch : {1, 2})
    for (bool split : {true, false}) {
      const Config c = kernel_config(243, batch, split);  // 64-thread blocks: nb = 61, K = 1
      const kern::LaunchShape shape =
          kern::make_shape(kern::TeamKind::kBlock, kern::StateIn::kRegisters, c.M, c.batch, c.trials, 64);
      ASSERT_EQ(shape.K, 1);
      expect_same_as_cpu(c, shape,
                         std::string("block K=1 ") + (split ? "split" : "unsplit") + ", B = " + std::to_string(batch));
    }
}

TEST(KernelHost, LargeMPathWithGlobalStateMatchesCpu) {
  for (std::int64_t batch : {1, 2})
    for (bool split : {true, false}) {
      const Config c = kernel_config(523, batch, split);  // the path every M > 8192 takes, on 64-thread blocks
      const kern::LaunchShape shape =
          kern::make_shape(kern::TeamKind::kBlock, kern::StateIn::kGlobal, c.M, c.batch, c.trials, 64);
      expect_same_as_cpu(
          c, shape, std::string("block global ") + (split ? "split" : "unsplit") + ", B = " + std::to_string(batch));
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
    c.N = small_runs() ? 80 : 240;
    expect_same_as_cpu(c, kern::make_shape(kern::TeamKind::kBlock, kern::StateIn::kGlobal, c.M, c.batch, c.trials, 64),
                       sampling == SamplingKind::kEpochs ? "global epochs, B = 2" : "global replacement, B = 2");
  }
}

// The new schedules reach the kernel bodies through ScheduleCursor: cosine with warmup, wsd, and a table (whose
// pieces the CUDA backend uploads; here the host arrays), with a finite dataset for one of them.
TEST(KernelHost, SchedulesWithWarmupDecayAndTablesMatchCpu) {
  Config c = kernel_config(37, 1, true);
  c.schedule = ScheduleKind::kCosine;
  c.warmup = 10;
  c.gamma_min = 0.01;
  const auto warp = [](const Config& k) {
    return kern::make_shape(kern::TeamKind::kWarp, kern::StateIn::kRegisters, k.M, k.batch, k.trials, 64);
  };
  expect_same_as_cpu(c, warp(c), "warp cosine + warmup");
  c.dataset = 23;
  expect_same_as_cpu(c, warp(c), "warp cosine, epochs");
  c.dataset = 0;
  c.schedule = ScheduleKind::kWsd;
  c.decay_shape = DecayShape::kSqrt;
  c.decay_fraction = 0.5;
  c.batch = 2;
  c.N *= 2;
  expect_same_as_cpu(c, kern::make_shape(kern::TeamKind::kBlock, kern::StateIn::kGlobal, c.M, c.batch, c.trials, 64),
                     "global wsd sqrt, B = 2");
  c.schedule = ScheduleKind::kTable;
  c.warmup = 0;
  c.gamma_min = 0.0;
  c.table = {{0, 0.1}, {7, 0.3}, {20, 0.05}};
  c.gamma = 0.3;
  expect_same_as_cpu(c, warp(c), "warp table, B = 2");
}

// Every optimizer but SGD runs the kGlobalMomentum bodies: the CPU fast path's trials up to rounding for each
// optimizer, B = 1 and 2, split or not; and at momentum 0 heavy ball and nesterov are SGD's global path bit for bit.
TEST(KernelHost, MomentumBodiesMatchCpu) {
  struct Case {
    OptimizerKind kind;
    double beta;
    std::int64_t batch;
    bool split;
  };
  for (const Case& k :
       {Case{OptimizerKind::kHeavyBall, 0.8, 1, true}, Case{OptimizerKind::kHeavyBall, 0.8, 2, false},
        Case{OptimizerKind::kNesterov, 0.6, 1, false}, Case{OptimizerKind::kNesterov, 0.6, 2, true},
        Case{OptimizerKind::kDanaConstant, 0.0, 1, true}, Case{OptimizerKind::kDanaDecaying, 0.0, 2, true}}) {
    const std::int64_t batch = k.batch;
    const bool split = k.split;
    Config c = kernel_config(75, batch, split);
    c.optimizer = k.kind;
    c.momentum = k.beta;
    c.gamma = 0.1;
    const kern::LaunchShape shape =
        kern::make_shape(kern::TeamKind::kBlock, kern::StateIn::kGlobalMomentum, c.M, c.batch, c.trials, 64);
    expect_same_as_cpu(
        c, shape, std::string(to_string(k.kind)) + (split ? " split" : " unsplit") + ", B = " + std::to_string(batch));
  }
}

TEST(KernelHost, MomentumBodiesAtZeroMomentumAreSgdBitForBit) {
  for (const auto& [kind, batch] :
       {std::pair{OptimizerKind::kHeavyBall, std::int64_t{1}}, std::pair{OptimizerKind::kNesterov, std::int64_t{2}}}) {
    Config c = kernel_config(75, batch, true);
    Config m = c;
    m.optimizer = kind;
    m.momentum = 0.0;
    const HostRun sgd = run_on_host(
        make_run_plan(c), kern::make_shape(kern::TeamKind::kBlock, kern::StateIn::kGlobal, c.M, c.batch, c.trials, 64));
    const HostRun mom = run_on_host(
        make_run_plan(m),
        kern::make_shape(kern::TeamKind::kBlock, kern::StateIn::kGlobalMomentum, c.M, c.batch, c.trials, 64));
    for (std::size_t i = 0; i < sgd.risk.size(); ++i) {
      ASSERT_EQ(sgd.risk[i], mom.risk[i]) << to_string(kind) << " B=" << batch << " entry " << i;
      ASSERT_EQ(sgd.bias[i], mom.bias[i]) << to_string(kind) << " B=" << batch << " entry " << i;
      ASSERT_EQ(sgd.variance[i], mom.variance[i]) << to_string(kind) << " B=" << batch << " entry " << i;
    }
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
  EXPECT_EQ(kern::choose_launch_shape(256, 1, 10, true).state, kern::StateIn::kGlobalMomentum);
  EXPECT_EQ(kern::choose_launch_shape(256, 1, 10, true).threads, 64);
  EXPECT_EQ(kern::choose_launch_shape(100000, 1, 10, true).threads, 512);
}
