#include "sgdlaw/backends/run_estimate.hpp"

#include <atomic>
#include <chrono>
#include <cmath>

#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/exact_momentum.hpp"
#include "sgdlaw/core/exact_recursion.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/optimizer.hpp"
#include "sgdlaw/core/parallel_trials.hpp"
#include "sgdlaw/core/run_plan.hpp"

namespace sgdlaw {
namespace {

// trial*step*M per second of one thread of the CPU fast path: a few milliseconds at M = 256, identity sketch
// (no eigen-decomposition), measured once per process.
double measured_rate() {
  static const double rate = [] {
    Config c;
    c.sketch = SketchKind::kIdentity;
    c.d = c.M = 256;
    c.N = 2000;
    c.trials = 4;
    c.gamma = 0.05;
    c.schedule = ScheduleKind::kConstant;
    c.checkpoint_min = c.N;
    c.decomposition = false;
    c.progress = false;
    const RunPlan plan = make_run_plan(c);
    TrialResults out(c.trials, static_cast<std::int64_t>(plan.checkpoints.size()), false);
    std::atomic<std::int64_t> done{0};
    auto backend = make_cpu_backend(1);
    const auto t0 = std::chrono::steady_clock::now();
    backend->run_trials(plan, 0, c.trials, out, done);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return static_cast<double>(c.trials * c.N * c.M) / std::max(s, 1e-6);
  }();
  return rate;
}

}  // namespace

RunEstimate estimate_run(const Config& c) {
  RunEstimate e;
  const int threads = resolve_threads(c.threads);
  e.host_bytes = estimate_host_bytes(c, threads);
  e.rate = measured_rate();
  const double M = static_cast<double>(c.M), d = static_cast<double>(c.d);
  const double units = c.work_units() * (c.backend == "reference" ? 4.0 * d / M : 1.0);
  const double setup =
      c.sketch == SketchKind::kGaussian ? static_cast<double>(c.sketches) * (M * M * d + 10.0 * M * M * M) / 2e9 : 0.0;
  // Contour jumps cost about 400 coordinate-steps per coordinate per checkpoint or stretch (16 nodes, 3 passes);
  // the schedule says how many steps lie outside its long constant stretches (those are stepped).
  // Other optimizers (optimizer.hpp): their step costs about 4 of SGD's (three moments per coordinate; measured,
  // bench/RESULTS.md), a heavy-ball or nesterov jump about 5 of SGD's (3 x 3 complex solves), and DANA never jumps.
  const Optimizer o = make_optimizer(c);
  const double step_cost = o.is_sgd() ? 1.0 : 4.0, jump_cost = o.is_sgd() ? 400.0 : 2000.0;
  const bool jumps = !o.time_varying() && c.exact_method != ExactMethod::kSteps &&
                     (c.exact_method == ExactMethod::kContour || c.steps() >= kContourAutoSteps);
  const double coords = c.d_infinite ? M + 400.0 : M;
  const std::int64_t min_jump = o.is_sgd() ? kContourMinSteps : momentum_contour_min_steps(o.momentum);
  const double stepped =
      jumps ? static_cast<double>(make_schedule(c).stepped_steps(c.steps(), min_jump)) : 1.0 * c.steps();
  const double per_coordinate =
      jumps
          ? jump_cost * (2.0 * std::log2(static_cast<double>(c.steps()) + 2.0) / std::log2(c.checkpoint_ratio) + 64.0) +
                step_cost * stepped
          : step_cost * stepped;
  const double exact =
      static_cast<double>(c.sketches) * coords * std::min(per_coordinate, step_cost * c.steps()) / 2.4e9;
  e.seconds = setup + exact + units / (e.rate * threads);
  return e;
}

std::string RunEstimate::text() const {
  return format_gib(host_bytes) + ", ~" + format_g(seconds, 2) + " s on the CPU (" + format_g(rate, 2) +
         " trial*step*M/s/thread here)";
}

}  // namespace sgdlaw
