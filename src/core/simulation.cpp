#include "sgdlaw/core/simulation.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "sgdlaw/core/deterministic_equivalent.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/optimizer.hpp"
#include "sgdlaw/core/parallel_trials.hpp"
#include "sgdlaw/core/stability.hpp"
#include "sgdlaw/core/stopwatch.hpp"

namespace sgdlaw {
namespace {

std::string fmt(double x) { return format_g(x, 6); }

struct MeanSe {
  double mean = 0.0, se = 0.0;
};

// Mean over all trials; SE^2 = (1/K^2) sum_k s_k^2 / T (pooled within-sketch), or s^2 / n when T = 1.
MeanSe mean_se(const RunPlan& plan, const std::function<double(std::int64_t)>& value) {
  const std::int64_t K = plan.config.sketches, T = plan.config.trials, n = K * T;
  MeanSe out;
  double total = 0.0;
  for (std::int64_t g = 0; g < n; ++g) total += value(g);
  out.mean = total / static_cast<double>(n);
  if (T >= 2) {
    double var_sum = 0.0;
    for (std::int64_t k = 0; k < K; ++k) {
      double m = 0.0;
      for (std::int64_t t = 0; t < T; ++t) m += value(k * T + t);
      m /= static_cast<double>(T);
      double ss = 0.0;
      for (std::int64_t t = 0; t < T; ++t) ss += (value(k * T + t) - m) * (value(k * T + t) - m);
      var_sum += ss / static_cast<double>(T - 1) / static_cast<double>(T);
    }
    out.se = std::sqrt(var_sum) / static_cast<double>(K);
  } else if (n >= 2) {
    double ss = 0.0;
    for (std::int64_t g = 0; g < n; ++g) ss += (value(g) - out.mean) * (value(g) - out.mean);
    out.se = std::sqrt(ss / static_cast<double>(n - 1) / static_cast<double>(n));
  }
  return out;
}

}  // namespace

std::vector<ExactCurve> exact_curves(const RunPlan& plan) {
  const Config& c = plan.config;
  std::vector<ExactCurve> out(plan.sketches.size());
  parallel_trials(static_cast<std::int64_t>(plan.sketches.size()), c.threads, [&](std::int64_t k) {
    const SketchSetup& s = plan.sketches[k];
    if (c.wstar == PriorMode::kFixed) {
      const TrialTarget t = s.has_fixed_target ? TrialTarget{{}, s.fixed_ustar, s.fixed_approx} : draw_target(c, s, 0);
      out[k] = exact_expected_risk(weighted_spectrum(s), t.ustar.cwiseAbs2(), t.approx, c.sigma * c.sigma,
                                   plan.schedule, plan.optimizer, c.batch, plan.checkpoints, c.exact_method);
    } else {
      out[k] = exact_expected_risk(weighted_spectrum(s), s.p0_prior, s.approx_prior, c.sigma * c.sigma, plan.schedule,
                                   plan.optimizer, c.batch, plan.checkpoints, c.exact_method);
    }
  });
  return out;
}

std::vector<CurveRow> aggregate(const RunPlan& plan, const TrialResults& tr, const std::vector<ExactCurve>& exact) {
  const Config& c = plan.config;
  const std::int64_t n_ck = static_cast<std::int64_t>(plan.checkpoints.size());
  const double K = static_cast<double>(exact.size());
  std::vector<CurveRow> rows(static_cast<std::size_t>(n_ck));
  const bool mc = tr.trials > 0;
  const MeanSe approx = mc ? mean_se(plan, [&](std::int64_t g) { return tr.approx[g]; }) : MeanSe{};
  const std::vector<double> n_eff = effective_samples(c, plan.schedule, plan.checkpoints);
  for (std::int64_t ck = 0; ck < n_ck; ++ck) {
    CurveRow& r = rows[ck];
    r.steps = plan.checkpoints[ck];
    r.samples = r.steps * c.batch;
    r.trials = tr.trials;
    r.n_eff = n_eff[ck];
    const MeanSe risk = mc ? mean_se(plan, [&](std::int64_t g) { return tr.risk[g * n_ck + ck]; }) : MeanSe{};
    r.risk_mc = risk.mean;
    r.risk_se = risk.se;
    r.approx_mc = approx.mean;
    r.approx_se = approx.se;
    const double sigma2 = c.sigma * c.sigma;
    const MeanSe excess =
        mc ? mean_se(plan, [&](std::int64_t g) { return tr.risk[g * n_ck + ck] - sigma2 - tr.approx[g]; }) : MeanSe{};
    r.excess_mc = excess.mean;
    r.excess_se = excess.se;
    if (mc && tr.has_decomposition) {
      const MeanSe bias = mean_se(plan, [&](std::int64_t g) { return tr.bias[g * n_ck + ck]; });
      const MeanSe var = mean_se(plan, [&](std::int64_t g) { return tr.variance[g * n_ck + ck]; });
      r.bias_mc = bias.mean;
      r.bias_se = bias.se;
      r.variance_mc = var.mean;
      r.variance_se = var.se;
    }
    double sum = 0.0, sum2 = 0.0;
    for (const ExactCurve& e : exact) {
      sum += e.risk[ck];
      sum2 += e.risk[ck] * e.risk[ck];
      r.approx_exact += e.approx / K;
      r.bias_exact += e.bias[ck] / K;
      r.variance_exact += e.variance[ck] / K;
    }
    r.risk_exact = sum / K;
    r.excess_exact = r.bias_exact + r.variance_exact;
    r.risk_exact_sketch_sd = K > 1 ? std::sqrt(std::max(0.0, (sum2 - sum * sum / K) / (K - 1))) : 0.0;
  }
  return rows;
}

// "SGD", or the optimizer with its momentum ("heavy_ball with momentum 0.9"), as messages name it.
std::string optimizer_name(const Config& c) {
  if (c.optimizer == OptimizerKind::kSgd) return "SGD";
  std::string s = to_string(c.optimizer);
  if (c.optimizer == OptimizerKind::kHeavyBall || c.optimizer == OptimizerKind::kNesterov)
    s += " with momentum " + fmt(c.momentum);
  return s;
}

// gamma_rel: gamma = gamma_rel x `limit`, the largest stable step size of the run's own sampled spectra (the
// smallest over its sketches, the number the divergence message quotes), with the schedule rebuilt at it.
void resolve_relative_gamma(RunResult& res, double limit) {
  Config& c = res.plan.config;
  if (!(c.gamma_rel > 0.0)) return;
  if (c.gamma_rel >= 1.0)
    throw ConfigError("field 'gamma_rel' = " + fmt(c.gamma_rel) + " puts gamma at or above the stability limit " +
                      fmt(limit) + " of this run's spectrum (batch " + std::to_string(c.batch) +
                      "): " + optimizer_name(c) + " diverges; use 0 < gamma_rel < 1");
  c.gamma = c.gamma_rel * limit;
  if (c.gamma_min > c.gamma)
    throw ConfigError("field 'gamma_min' = " + fmt(c.gamma_min) +
                      " is above the resolved peak gamma = " + fmt(c.gamma) + " (gamma_rel = " + fmt(c.gamma_rel) +
                      " x the stability limit " + fmt(limit) + "); use gamma_min <= gamma");
  res.plan.schedule = make_schedule(c);
}

// What an unstable peak step size is called in the message: gamma, or the table's first piece above the limit.
std::string unstable_step_name(const RunPlan& plan, const SketchSetup& s) {
  const Config& c = plan.config;
  if (c.schedule != ScheduleKind::kTable) return "field 'gamma' = " + fmt(c.gamma);
  for (std::size_t i = 0; i < c.table.size(); ++i)
    if (!step_size_is_stable(plan.optimizer, c.table[i].gamma, s.mu, c.batch, s.weight.size() ? &s.weight : nullptr))
      return "field 'schedule_table' = '" + c.schedule_table + "', row " + std::to_string(i + 1) + " (step " +
             std::to_string(c.table[i].step) + ", gamma " + fmt(c.table[i].gamma) + "),";
  return "field 'schedule_table' = '" + c.schedule_table + "'";
}

RunResult prepare_run(const Config& config, const Planner& planner) {
  RunResult res;
  auto t0 = std::chrono::steady_clock::now();
  {
    const double need = estimate_host_bytes(config, resolve_threads(config.threads));
    const double have = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGE_SIZE));
    if (have > 0 && need > 0.8 * have)
      throw ConfigError("this run needs about " + fmt(need / 1073741824.0) +
                        " GiB of host memory (M x d matrices for " + std::to_string(config.sketches) +
                        " sketch(es)), more than 80% of the " + fmt(have / 1073741824.0) +
                        " GiB here; reduce 'M', 'd' or 'sketches'");
  }
  res.plan = planner(config);
  const Config& c = res.plan.config;
  std::vector<double> limits;  // per sketch
  for (const SketchSetup& s : res.plan.sketches)
    limits.push_back(max_stable_step_size(res.plan.optimizer, s.mu, c.batch, s.weight.size() ? &s.weight : nullptr));
  res.max_stable_gamma = limits.empty() ? INFINITY : *std::min_element(limits.begin(), limits.end());
  resolve_relative_gamma(res, res.max_stable_gamma);
  for (std::size_t k = 0; k < limits.size(); ++k) {
    const SketchSetup& s = res.plan.sketches[k];
    const double g = limits[k];
    if (!step_size_is_stable(res.plan.optimizer, c.gamma, s.mu, c.batch, s.weight.size() ? &s.weight : nullptr)) {
      throw DivergenceError(unstable_step_name(res.plan, s) + " makes " + optimizer_name(c) + " diverge (sketch " +
                            std::to_string(s.index) + ", tr Sigma = " + fmt(s.mu.sum()) + ", batch " +
                            std::to_string(c.batch) +
                            "): the expected risk grows without bound; stable step "
                            "sizes are gamma < " +
                            fmt(g));
    }
  }
  prepare_det_equiv(res);
  res.setup_seconds = seconds_since(t0);
  return res;
}

void prepare_det_equiv(RunResult& res) {
  const Config& c = res.plan.config;
  if (c.sketch != SketchKind::kGaussian || !c.det_equiv || c.d_infinite) return;  // d = inf: it is the exact curve
  res.det_equiv_spectrum = deterministic_equivalent(c);
  const DetEquivSpectrum& de = res.det_equiv_spectrum;
  // Its nodes carry step sizes of their own: checked like the sampled spectrum's, before anything is stepped.
  // Unstable while the sampled sketches are stable (a small M, whose sampled spectrum sits below the limit's):
  // its column is left out, said, and nothing else changes.
  if (!step_size_is_stable(res.plan.optimizer, c.gamma, de.mu, c.batch, &de.weight)) {
    res.warnings.push_back("the deterministic equivalent is unstable at gamma = " + fmt(c.gamma) +
                           " (its spectrum is stable below gamma = " +
                           fmt(max_stable_step_size(res.plan.optimizer, de.mu, c.batch, &de.weight)) +
                           ", the sampled sketches below " + fmt(res.max_stable_gamma) +
                           "): column risk_det_equiv left out");
    return;
  }
  res.det_equiv_ready = true;
}

ExactCurve det_equiv_curve(const RunPlan& plan, const DetEquivSpectrum& de) {
  const Config& c = plan.config;
  const WeightedSpectrum nodes{de.mu, de.weight};
  // Thousands of grid nodes: contour jumps whenever the schedule allows (unless steps are asked for by name).
  const ExactMethod method = c.exact_method == ExactMethod::kSteps ? ExactMethod::kSteps : ExactMethod::kContour;
  return exact_expected_risk(nodes, de.p0, de.approx, c.sigma * c.sigma, plan.schedule, plan.optimizer, c.batch,
                             plan.checkpoints, method);
}

void compute_exact(RunResult& res) {
  const auto t0 = std::chrono::steady_clock::now();
  res.exact = exact_curves(res.plan);
  const Config& c = res.plan.config;
  res.has_det_equiv = c.sketch == SketchKind::kGaussian && c.det_equiv && (c.d_infinite || res.det_equiv_ready);
  if (res.has_det_equiv)
    res.det_equiv = c.d_infinite ? res.exact[0] : det_equiv_curve(res.plan, res.det_equiv_spectrum);
  if (res.has_det_equiv && !res.det_equiv.finite && !c.d_infinite) {
    res.has_det_equiv = false;  // never an inf in a table
    res.warnings.push_back("the deterministic equivalent overflowed at gamma = " + fmt(c.gamma) +
                           ": column risk_det_equiv left out");
  }
  res.exact_seconds = seconds_since(t0);
  for (std::size_t k = 0; k < res.exact.size(); ++k)
    if (!res.exact[k].finite)
      throw DivergenceError("the exact expected risk overflowed for sketch " + std::to_string(k) +
                            " at gamma = " + fmt(res.plan.config.gamma) + "; use a smaller 'gamma' (stable below " +
                            fmt(res.max_stable_gamma) + ")");
}

void finish_run(RunResult& res) {
  const std::int64_t total = res.trials.trials, n_ck = res.trials.checkpoints;
  std::int64_t diverged = 0, first_bad = -1;
  for (std::int64_t g = 0; g < total; ++g) {
    bool bad = false;
    for (std::int64_t ck = 0; ck < n_ck; ++ck) bad = bad || !std::isfinite(res.trials.risk[g * n_ck + ck]);
    if (bad) {
      ++diverged;
      if (first_bad < 0) first_bad = g;
    }
  }
  if (diverged > 0)
    throw DivergenceError(std::to_string(diverged) + " of " + std::to_string(total) +
                          " trials diverged (first: trial " + std::to_string(first_bad) +
                          ") at gamma = " + fmt(res.plan.config.gamma) +
                          "; the expected risk is stable below gamma = " + fmt(res.max_stable_gamma) +
                          " but single trials fluctuate: use a smaller 'gamma'");
  res.rows = aggregate(res.plan, res.trials, res.exact);
  if (res.has_det_equiv)
    for (std::size_t ck = 0; ck < res.rows.size(); ++ck) res.rows[ck].risk_det_equiv = res.det_equiv.risk[ck];
}

}  // namespace sgdlaw
