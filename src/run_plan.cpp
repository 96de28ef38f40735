#include "sgdlaw/run_plan.hpp"

#include "sgdlaw/checkpoints.hpp"
#include "sgdlaw/parallel_trials.hpp"

namespace sgdlaw {

RunPlan make_run_plan(const Config& c) {
  RunPlan p;
  p.config = c;
  p.schedule = make_schedule(c);
  p.checkpoints = checkpoint_steps(c);
  p.sketches.resize(static_cast<std::size_t>(c.sketches));
  // Sketches are independent; build them on as many threads as there are sketches (Eigen itself is serial).
  parallel_trials(c.sketches, c.threads, [&](std::int64_t k) { p.sketches[k] = build_sketch_setup(c, k); });
  return p;
}

}  // namespace sgdlaw
