#pragma once
// `sgdlaw batch FILE`: steps and samples to a target risk over a grid of batch sizes, the critical batch size and
// the gradient noise scale (issue 23). For each target and each B of the [batch] section: S(B) and E(B) = B S(B)
// under the step size tuned for that horizon (fit/critical_batch.hpp), the gradient noise scale at the end and
// along that run (core/gradient_noise.hpp), and a Monte Carlo run at (B, S(B), tuned gamma) whose final risk is
// compared with the target; per target, McCandlish's hyperbola S = S_min + E_min / B with bootstrap intervals
// for S_min, E_min and B_crit = E_min / S_min. Writes batch.csv (a row per target and B), critical.csv (a row per
// target), noise.csv (B_noise along each run), report.md, and each Monte Carlo check as a run folder under mc/.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sgdlaw/fit/critical_batch.hpp"
#include "sgdlaw/io/config_load.hpp"

namespace sgdlaw {

struct BatchStudySpec {
  std::string source;
  RawSettings base;  // [problem] / [sgd] / [run]: the problem, the schedule's shape, the optimizer, N
  std::vector<std::int64_t> batches;
  // Targets on the excess risk E[R] - sigma^2 - Approx: absolute (target_excess), or multiples of the best
  // excess reachable with the base N samples at any B of the grid (target_ratio).
  std::vector<double> target_excess, target_ratio;
  std::int64_t trials = 1000;     // Monte Carlo trials per check (0: none)
  std::int64_t max_steps = 0;     // the most steps searched; 0: min(2^36, 2^50 / the largest B)
  std::int64_t resamples = 2000;  // bootstrap of the hyperbola fit
  std::string out = "runs/batch";
  std::shared_ptr<const ExactObjective> objective;  // built while the file is checked (at the base batch)
};

BatchStudySpec read_batch_study_spec(const std::string& path);
std::string batch_study_keys_help();

struct BatchPoint {
  std::size_t target = 0;  // index into BatchStudyResult::targets
  StepsToTarget s;
  double seconds = 0.0;
  // The Monte Carlo check at (B, S(B), tuned gamma); trials = 0 when none was run.
  std::int64_t trials = 0;
  double risk_mc = 0.0, risk_se = 0.0, risk_exact = 0.0;
  std::vector<std::int64_t> curve_steps;  // B_noise along the run: checkpoints, excess and B_noise there
  std::vector<double> curve_excess, curve_b_noise;
};

struct BatchTarget {
  double ratio = 0.0;  // 0 for an absolute target
  double excess = 0.0;
  CriticalBatchFit fit;
  double b_noise = 0.0;  // at the target on the smallest B's run
};

struct BatchStudyResult {
  double sigma2 = 0.0, approx = 0.0;
  std::int64_t N = 0;
  std::vector<std::int64_t> batches;
  std::vector<double> best_excess;  // per B: the tuned excess with the base N samples
  std::vector<BatchTarget> targets;
  std::vector<BatchPoint> points;  // per target, per B
};

BatchStudyResult run_batch_study(const BatchStudySpec& spec, const std::function<void(const std::string&)>& say);
void write_batch_study(const BatchStudySpec& spec, const BatchStudyResult& r);

}  // namespace sgdlaw
