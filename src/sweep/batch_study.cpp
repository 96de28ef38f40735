#include "sgdlaw/sweep/batch_study.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/gradient_noise.hpp"
#include "sgdlaw/core/stopwatch.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"

namespace sgdlaw {
namespace {

// The tuned run at (B, S(B)) as a configuration: its batch, horizon and step size.
Config found_config(const Config& base, const StepsToTarget& s) {
  Config c = base;
  c.batch = s.batch;
  c.N = s.steps * s.batch;
  c.gamma = s.tuned.gamma;
  c.gamma_rel = 0.0;
  c.gamma_tuned = false;
  return c;
}

// B_noise along the tuned run, at about 40 log-spaced steps up to S(B).
void noise_along_run(const ExactObjective& f, const Config& base, BatchPoint& p) {
  std::vector<std::int64_t> ck;
  for (int k = 0; k <= 40; ++k) {
    const auto t = static_cast<std::int64_t>(std::llround(std::pow(static_cast<double>(p.s.steps), k / 40.0)));
    if (ck.empty() || t > ck.back()) ck.push_back(t);
  }
  const ExactCurve e = exact_expected_risk(f.nodes, f.p0, f.approx, f.sigma2, make_schedule(found_config(base, p.s)),
                                           f.optimizer, f.batch, ck, ExactMethod::kAuto);
  const double trace = (f.nodes.w.array() * f.nodes.mu.array()).sum();
  for (std::size_t i = 0; i < ck.size(); ++i) {
    const double excess = e.bias[i] + e.variance[i];
    p.curve_steps.push_back(ck[i]);
    p.curve_excess.push_back(excess);
    p.curve_b_noise.push_back(gradient_noise_scale(trace, e.grad_norm2[i], excess, f.sigma2 + f.approx));
  }
}

// The Monte Carlo check: an ordinary run folder under the study's mc/ (its saved chunks make it resumable).
void monte_carlo_check(const BatchStudySpec& spec, const Config& base, std::size_t k, BatchPoint& p) {
  Config c = found_config(base, p.s);
  c.monte_carlo = true;
  c.trials = spec.trials;
  c.out = spec.out + "/mc/target" + std::to_string(k) + "-B" + std::to_string(p.s.batch);
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = run_simulation(c);
  write_run_outputs(r, RunMeta{version_string(), seconds_since(t0), "batch " + spec.source + " check", "own run"},
                    c.out);
  const CurveRow& last = r.rows.back();
  p.trials = last.trials;
  p.risk_mc = last.risk_mc;
  p.risk_se = last.risk_se;
  p.risk_exact = last.risk_exact;
}

std::vector<BatchTarget> make_targets(const BatchStudySpec& spec, double best) {
  std::vector<BatchTarget> t;
  for (double r : spec.target_ratio) t.push_back({r, r * best, {}, 0.0});
  for (double e : spec.target_excess) t.push_back({0.0, e, {}, 0.0});
  return t;
}

}  // namespace

BatchStudyResult run_batch_study(const BatchStudySpec& spec, const std::function<void(const std::string&)>& say) {
  const Config base = resolve_config({spec.base});
  const ExactObjective f0 = spec.objective ? *spec.objective : exact_objective(base);
  BatchStudyResult r;
  r.sigma2 = f0.sigma2;
  r.approx = f0.approx;
  r.N = base.N;
  r.batches = spec.batches;
  std::vector<ExactObjective> fb;
  for (std::int64_t b : spec.batches) {
    fb.push_back(at_batch(f0, b));
    Config c = base;
    c.batch = b;
    r.best_excess.push_back(tune_gamma(fb.back(), c).excess);
    say("B = " + std::to_string(b) + ": tuned excess with N = " + std::to_string(base.N) + " samples " +
        format_g(r.best_excess.back(), 5) + " (stability limit " + format_g(fb.back().gamma_limit, 4) + ")");
  }
  r.targets = make_targets(spec, *std::min_element(r.best_excess.begin(), r.best_excess.end()));
  const char* field = spec.target_ratio.empty() ? "target_excess" : "target_ratio";
  for (std::size_t k = 0; k < r.targets.size(); ++k) {
    std::vector<double> batch, steps;
    for (std::size_t i = 0; i < fb.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      // Perfect scaling from the previous B is the first guess (S halves as B doubles below B_crit).
      const std::int64_t guess =
          i == 0 ? base.N / spec.batches[0]
                 : std::max<std::int64_t>(1, r.points.back().s.steps * spec.batches[i - 1] / spec.batches[i]);
      BatchPoint p;
      p.target = k;
      p.s = steps_to_target(fb[i], base, r.targets[k].excess, guess, spec.max_steps, field);
      noise_along_run(fb[i], base, p);
      if (spec.trials > 0) monte_carlo_check(spec, base, k, p);
      p.seconds = seconds_since(t0);
      say("target " + format_g(r.targets[k].excess, 4) + ", B = " + std::to_string(p.s.batch) +
          ": S = " + std::to_string(p.s.steps) + ", E = " + std::to_string(p.s.steps * p.s.batch) + ", gamma " +
          format_g(p.s.tuned.gamma, 4) + ", B_noise " + format_g(p.s.b_noise, 4) +
          (p.trials > 0 ? ", Monte Carlo " + format_g(p.risk_mc, 5) + " +- " + format_g(p.risk_se, 2) : "") + " (" +
          format_g(p.seconds, 2) + " s)");
      batch.push_back(static_cast<double>(p.s.batch));
      steps.push_back(p.s.steps_interp);
      r.points.push_back(std::move(p));
    }
    r.targets[k].fit = fit_critical_batch(batch, steps, spec.resamples, 0.95, 20231 + static_cast<std::uint32_t>(k));
    r.targets[k].b_noise = r.points[r.points.size() - fb.size()].s.b_noise;
    const CriticalBatchFit& c = r.targets[k].fit;
    say("target " + format_g(r.targets[k].excess, 4) + ": " +
        (c.resolved
             ? "B_crit " + format_g(c.b_crit, 4) + " [" + format_g(c.b_crit_ci.lo, 3) + ", " +
                   format_g(c.b_crit_ci.hi, 3) + "], S_min " + format_g(c.s_min, 4) + ", E_min " + format_g(c.e_min, 4)
             : std::string("the hyperbola is unresolved (") + c.status + ")") +
        "; B_noise " + format_g(r.targets[k].b_noise, 4));
  }
  return r;
}

}  // namespace sgdlaw
