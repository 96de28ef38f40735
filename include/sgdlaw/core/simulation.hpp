#pragma once
// One run from configuration to curves: set-up, stability check, exact recursion, Monte Carlo on a backend,
// divergence check, aggregation.
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sgdlaw/core/deterministic_equivalent.hpp"
#include "sgdlaw/core/errors.hpp"
#include "sgdlaw/core/exact_recursion.hpp"
#include "sgdlaw/core/run_plan.hpp"
#include "sgdlaw/core/trial_results.hpp"

namespace sgdlaw {

struct CurveRow {
  std::int64_t steps = 0, samples = 0, trials = 0;
  double n_eff = 0.0;
  double risk_mc = 0.0, risk_se = 0.0, risk_exact = 0.0, risk_exact_sketch_sd = 0.0;
  double risk_det_equiv = NAN;  // deterministic equivalent of the sketch average (Gaussian sketch), else NaN
  double approx_mc = 0.0, approx_se = 0.0, approx_exact = 0.0;
  // The excess over the floor, R - sigma^2 - Approx(w*), per trial: its mean and SE (exact: bias + variance).
  double excess_mc = 0.0, excess_se = 0.0, excess_exact = 0.0;
  double bias_mc = 0.0, bias_se = 0.0, bias_exact = 0.0;
  double variance_mc = 0.0, variance_se = 0.0, variance_exact = 0.0;
};

struct RunResult {
  RunPlan plan;
  std::string backend;
  TrialResults trials{0, 0, false};
  std::vector<ExactCurve> exact;  // per sketch
  bool has_det_equiv = false;
  ExactCurve det_equiv;  // the deterministic equivalent's curve (Gaussian sketch, det_equiv = true)
  // Finite d: the deterministic equivalent's spectrum, built and checked for stability by prepare_run (so an
  // unstable one is never stepped through), used by compute_exact.
  bool det_equiv_ready = false;
  DetEquivSpectrum det_equiv_spectrum;
  std::vector<std::string> warnings;  // said by the CLI and recorded in config.json (e.g. a column left out)
  std::vector<CurveRow> rows;
  double max_stable_gamma = 0.0;  // smallest over sketches
  double setup_seconds = 0.0, exact_seconds = 0.0, mc_seconds = 0.0;
  double kernel_seconds = -1.0;  // of the Monte Carlo phase, on backends with device kernels (else -1)
  // The exact curve's last value over the theory's level for it (sweep/theory.hpp), where the theory gives
  // one for this configuration; -1 elsewhere.
  double theory_level_ratio = -1.0;
  std::int64_t resumed_trials = 0;  // loaded from an interrupted run's saved chunks (trial_chunks.hpp)
  // gamma = "tuned" (fit/gamma_tuning.hpp): how it was resolved; evaluations = 0 when not tuned.
  struct GammaTuning {
    double limit = 0.0, excess = 0.0;
    bool at_limit = false;
    std::int64_t evaluations = 0;
  } gamma_tuning;
};

// Per-sketch exact curves (prior expectation, or the fixed w*'s own).
std::vector<ExactCurve> exact_curves(const RunPlan& plan);

// Means and standard errors over trials; standard errors are conditional on the drawn sketches (pooled
// within-sketch variance), which is the right yardstick against the exact curve of those sketches.
std::vector<CurveRow> aggregate(const RunPlan& plan, const TrialResults& trials, const std::vector<ExactCurve>& exact);

// The stages of a run (sweep/point_pipeline.hpp strings them together with a source of trials):
// prepare_run checks host memory, builds the plan with `planner` (a backend's own set-up, or the host's
// make_run_plan) and refuses a divergent step size; compute_exact adds the exact curves; finish_run (once
// res.trials holds every trial) refuses diverged trials and aggregates.
using Planner = std::function<RunPlan(const Config&)>;
RunResult prepare_run(const Config& config, const Planner& planner = make_run_plan);
void compute_exact(RunResult& res);

// Finite d, Gaussian sketch, det_equiv: builds res.det_equiv_spectrum and checks gamma against it (called by
// prepare_run). An unstable one leaves the column out with a warning instead of stepping its nodes.
void prepare_det_equiv(RunResult& res);
// The exact recursion on the deterministic equivalent of a Gaussian sketch (deterministic_equivalent.hpp).
ExactCurve det_equiv_curve(const RunPlan& plan, const DetEquivSpectrum& spectrum);
void finish_run(RunResult& res);

}  // namespace sgdlaw
