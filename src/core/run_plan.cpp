#include "sgdlaw/core/run_plan.hpp"

#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/parallel_trials.hpp"

namespace sgdlaw {

double estimate_host_bytes(const Config& c, int threads) {
  const double M = static_cast<double>(c.M), d = static_cast<double>(c.d), K = static_cast<double>(c.sketches);
  // d = inf: a weighted spectrum of head + tail nodes (identity) or a density grid (Gaussian), a few vectors each.
  const double per_sketch = c.d_infinite                        ? 8.0 * 8.0 * (d + M + 1e5)
                            : c.sketch == SketchKind::kGaussian ? 8.0 * (2.0 * M * d + 3.0 * M * M)
                                                                : 8.0 * 2.0 * d;
  const double per_thread =
      8.0 * (2.0 * M * make_optimizer(c).state_per_coordinate() + 2.0 * M + 2.0 * d + static_cast<double>(c.batch) * M);
  const double checkpoints = static_cast<double>(checkpoint_steps(c).size());  // bounded by the config check
  const double results = 8.0 * static_cast<double>(c.total_trials()) * checkpoints * 3.0 * 2.0;  // + a chunk copy
  return K * per_sketch + threads * per_thread + results;
}

RunPlan make_run_plan(const Config& c) {
  RunPlan p;
  p.config = c;
  p.schedule = make_schedule(c);
  p.optimizer = make_optimizer(c);
  p.checkpoints = checkpoint_steps(c);
  p.sketches.resize(static_cast<std::size_t>(c.sketches));
  // Sketches are independent; build them on as many threads as there are sketches (Eigen itself is serial).
  parallel_trials(c.sketches, c.threads, [&](std::int64_t k) { p.sketches[k] = build_sketch_setup(c, k); });
  return p;
}

}  // namespace sgdlaw
