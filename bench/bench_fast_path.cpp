// Fast-path throughput of the CPU backend in trial*step*M per second (google-benchmark).
// Args: M, trials, steps, decomposition (0/1), threads (0 = all). The sketch set-up is excluded from the
// timing; the per-trial draw of w* and u* = A w* (O(M d), d = 4M) is included, which is why short runs
// (steps = 2000) show a lower rate than long ones.
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>

#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/run_plan.hpp"

namespace {

sgdlaw::Config bench_config(std::int64_t M, std::int64_t trials, std::int64_t steps, bool split) {
  sgdlaw::Config c;
  c.a = 1.5;
  c.b = 1.5;
  c.d = 4 * M;
  c.M = M;
  c.sigma = 0.1;
  c.N = steps;
  c.gamma = 0.1;
  c.schedule = sgdlaw::ScheduleKind::kConstant;
  c.trials = trials;
  c.checkpoint_min = steps;  // one checkpoint at the end
  c.decomposition = split;
  c.progress = false;
  return c;
}

sgdlaw::RunPlan bench_plan(std::int64_t M, std::int64_t trials, std::int64_t steps, bool split) {
  return sgdlaw::make_run_plan(bench_config(M, trials, steps, split));
}

// Times backend->run_trials over the plan's trials and reports trial*step*M per second.
void time_backend(benchmark::State& state, sgdlaw::Backend& backend, const sgdlaw::RunPlan& plan) {
  const sgdlaw::Config& c = plan.config;
  for (auto _ : state) {
    sgdlaw::TrialResults out(c.trials, static_cast<std::int64_t>(plan.checkpoints.size()), c.decomposition);
    std::atomic<std::int64_t> done{0};
    backend.run_trials(plan, 0, c.trials, out, done);
    benchmark::DoNotOptimize(out.risk.data());
  }
  const double work = static_cast<double>(c.trials) * static_cast<double>(c.N) * static_cast<double>(c.M);
  state.counters["trial_step_M_per_s"] = benchmark::Counter(work, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["M"] = static_cast<double>(c.M);
  state.counters["trials"] = static_cast<double>(c.trials);
  state.counters["steps"] = static_cast<double>(c.N);
  state.counters["decomposition"] = c.decomposition ? 1 : 0;
}

void BM_CpuFastPath(benchmark::State& state) {
  const std::int64_t M = state.range(0), trials = state.range(1), steps = state.range(2);
  const bool split = state.range(3) != 0;
  const int threads = static_cast<int>(state.range(4));
  auto backend = sgdlaw::make_cpu_backend(threads);
  time_backend(state, *backend, bench_plan(M, trials, steps, split));
}

// Each optimizer (core/optimizer.hpp) on the same work; arg 0 = sgd, 1 heavy_ball, 2 nesterov, 3 dana_constant,
// 4 dana_decaying. M = 256, 512 trials, 8000 steps, no decomposition, all threads.
void BM_CpuOptimizer(benchmark::State& state) {
  const auto kind = static_cast<sgdlaw::OptimizerKind>(state.range(0));
  sgdlaw::Config c = bench_config(256, 512, 8000, false);
  c.optimizer = kind;
  c.momentum = kind == sgdlaw::OptimizerKind::kHeavyBall || kind == sgdlaw::OptimizerKind::kNesterov ? 0.5 : 0.0;
  auto backend = sgdlaw::make_cpu_backend(0);
  time_backend(state, *backend, sgdlaw::make_run_plan(c));
  state.SetLabel(sgdlaw::to_string(kind));
}

}  // namespace

BENCHMARK(BM_CpuOptimizer)->ArgName("optimizer")->DenseRange(0, 4)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK(BM_CpuFastPath)
    ->ArgNames({"M", "trials", "steps", "split", "threads"})
    ->Args({256, 512, 8000, 0, 0})
    ->Args({256, 512, 8000, 1, 0})
    ->Args({256, 512, 8000, 0, 1})
    ->Args({256, 512, 2000, 0, 0})
    ->Args({64, 512, 4000, 0, 0})
    ->Args({1024, 128, 1000, 0, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The CUDA backend on the same work (skips when this build or machine has no GPU).
void BM_CudaFastPath(benchmark::State& state) {
  const std::int64_t M = state.range(0), trials = state.range(1), steps = state.range(2);
  const bool split = state.range(3) != 0;
  std::unique_ptr<sgdlaw::Backend> backend;
  try {
    backend = sgdlaw::make_cuda_backend();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    for (auto _ : state) {
    }
    return;
  }
  time_backend(state, *backend, backend->make_plan(bench_config(M, trials, steps, split)));
}

BENCHMARK(BM_CudaFastPath)
    ->ArgNames({"M", "trials", "steps", "split"})
    ->Args({256, 10000, 8000, 0})
    ->Args({256, 10000, 8000, 1})
    ->Args({1024, 4096, 4000, 0})
    ->Args({64, 20000, 20000, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
