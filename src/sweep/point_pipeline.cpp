#include "sgdlaw/sweep/point_pipeline.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>

#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/parallel_trials.hpp"
#include "sgdlaw/fit/gamma_tuning.hpp"
#include "sgdlaw/io/trial_chunks.hpp"

namespace sgdlaw {

RunResult run_point(const Config& config, const Planner& planner, const std::string& backend_name,
                    const TrialSource& trials) {
  // 0. gamma = "tuned": the step size minimising this run's exact final risk, before anything else uses gamma
  Config c = config;
  RunResult::GammaTuning tuning;
  if (c.gamma_tuned) {
    const TunedGamma t = tune_gamma(c);
    c.gamma = t.gamma;
    tuning = {t.limit, t.excess, t.at_limit, t.evaluations};
  }
  RunResult res = prepare_run(c, planner);  // 1. prepare
  res.gamma_tuning = tuning;
  res.backend = backend_name;
  compute_exact(res);  // 2. exact curves
  if (config.monte_carlo) {
    trials(res);  // 3. trials from the source
  } else {
    res.trials = TrialResults(0, static_cast<std::int64_t>(res.plan.checkpoints.size()), false);
  }
  finish_run(res);  // 4. divergence check and aggregation
  return res;
}

TrialSource local_trials(Backend& backend, const ProgressFn& progress) {
  return [&backend, progress](RunResult& res) {
    const Config& config = res.plan.config;
    const auto t0 = std::chrono::steady_clock::now();
    const double kernel0 = backend.kernel_seconds();
    const std::int64_t total = config.total_trials(), n_ck = static_cast<std::int64_t>(res.plan.checkpoints.size());
    res.trials = TrialResults(total, n_ck, config.decomposition);
    std::atomic<std::int64_t> done{0};
    const std::vector<TrialChunk> chunks =
        plan_chunks(total, resolve_threads(config.threads), backend.chunk_trials(config));
    for (const TrialChunk& chunk : chunks) {
      if (chunks.size() > 1 && load_chunk(config, chunk, res.trials)) {
        done += chunk.count;
        res.resumed_trials += chunk.count;
      } else {
        TrialResults part(chunk.count, n_ck, config.decomposition);
        auto job = std::async(std::launch::async,
                              [&]() { backend.run_trials(res.plan, chunk.first, chunk.count, part, done); });
        while (job.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready)
          if (progress) progress(done.load(), total);
        job.get();
        if (chunks.size() > 1) save_chunk(config, chunk, part);
        res.trials.copy_rows_from(part, chunk.first);
      }
      if (progress) progress(done.load(), total);
    }
    res.mc_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (kernel0 >= 0.0) res.kernel_seconds = backend.kernel_seconds() - kernel0;
  };
}

RunResult run_simulation(const Config& config, const ProgressFn& progress, const StageFn& stage) {
  // Exact-only runs need no trials: the host's set-up and recursion (weighted spectra for d = inf) serve them.
  std::unique_ptr<Backend> backend = make_backend(config.monte_carlo ? config.backend : "cpu", config.threads);
  Backend& b = *backend;
  auto say = [&](const std::string& m) {
    if (stage) stage(m);
  };
  const TrialSource trials = local_trials(b, progress);
  return run_point(
      config,
      [&](const Config& c) {
        say("set-up of " + std::to_string(c.sketches) + " sketch(es) on " + b.name() + " (M = " + std::to_string(c.M) +
            ", d = " + std::to_string(c.d) + ")");
        RunPlan plan = b.make_plan(c);
        const bool de = c.sketch == SketchKind::kGaussian && c.det_equiv && !c.d_infinite;
        say("exact recursion (" + std::to_string(c.steps()) + " steps x " + std::to_string(plan.sketches[0].mu.size()) +
            " coordinates per sketch)" + (de ? " and the deterministic equivalent (its spectrum checked first)" : ""));
        return plan;
      },
      b.name(),
      [&](RunResult& res) {
        if (config.monte_carlo) say("Monte Carlo: " + std::to_string(config.total_trials()) + " trials");
        trials(res);
      });
}

}  // namespace sgdlaw
