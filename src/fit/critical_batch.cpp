#include "sgdlaw/fit/critical_batch.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>

#include "sgdlaw/core/errors.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/gradient_noise.hpp"
#include "sgdlaw/core/stability.hpp"

namespace sgdlaw {

ExactObjective at_batch(const ExactObjective& f, std::int64_t batch) {
  ExactObjective g = f;
  g.batch = batch;
  g.gamma_limit = max_stable_step_size(g.optimizer, g.nodes.mu, batch, &g.nodes.w);
  g.evaluations = 0;
  return g;
}

namespace {

struct Probe {
  const ExactObjective& f;
  const Config& base;
  TunedGamma at(std::int64_t steps) const {
    Config c = base;
    c.batch = f.batch;
    c.N = steps * f.batch;
    return tune_gamma(f, c);
  }
};

}  // namespace

StepsToTarget steps_to_target(const ExactObjective& f, const Config& base, double target, std::int64_t first_guess,
                              std::int64_t max_steps, const char* field) {
  const std::int64_t e0 = f.evaluations;
  const Probe probe{f, base};
  std::int64_t lo = 0, hi = std::clamp<std::int64_t>(first_guess, 1, max_steps);  // h(lo) > target >= h(hi)
  TunedGamma t_lo, t_hi = probe.at(hi);
  while (t_hi.excess > target) {  // too few steps: double
    if (hi >= max_steps)
      throw ConfigError("field '" + std::string(field) + "': the target excess " + format_g(target, 4) +
                        " is not reached within " + std::to_string(max_steps) + " steps at batch " +
                        std::to_string(f.batch) + " (tuned excess there " + format_g(t_hi.excess, 4) +
                        "); lower the target's ratio or raise max_steps");
    lo = hi;
    t_lo = t_hi;
    hi = std::min(max_steps, 2 * hi);
    t_hi = probe.at(hi);
  }
  const auto narrow = [&](std::int64_t m) {  // m becomes the new miss or the new hit
    const TunedGamma t = probe.at(m);
    (t.excess > target ? lo : hi) = m;
    (t.excess > target ? t_lo : t_hi) = t;
  };
  while (lo == 0 && hi > 1) narrow(hi / 2);  // enough steps already: halve until a miss
  while (lo > 0 && hi - lo > 1)              // bisection in log steps, to the whole step
    narrow(std::clamp<std::int64_t>(std::llround(std::sqrt(static_cast<double>(lo) * static_cast<double>(hi))), lo + 1,
                                    hi - 1));
  StepsToTarget s;
  s.batch = f.batch;
  s.steps = hi;
  s.tuned = t_hi;
  s.excess_before = lo > 0 ? t_lo.excess : NAN;
  s.steps_interp = static_cast<double>(hi);
  if (lo > 0 && t_lo.excess > t_hi.excess) {
    const double u = std::log(t_lo.excess / target) / std::log(t_lo.excess / t_hi.excess);
    s.steps_interp = std::exp(std::log(static_cast<double>(lo)) + u * std::log(static_cast<double>(hi) / lo));
  }
  Config c = base;
  c.batch = f.batch;
  c.N = hi * f.batch;
  c.gamma = t_hi.gamma;
  const ExactCurve e = exact_expected_risk(f.nodes, f.p0, f.approx, f.sigma2, make_schedule(c), f.optimizer, f.batch,
                                           {hi}, ExactMethod::kContour);
  s.grad_norm2 = e.grad_norm2.back();
  s.b_noise = gradient_noise_scale((f.nodes.w.array() * f.nodes.mu.array()).sum(), s.grad_norm2,
                                   e.bias.back() + e.variance.back(), f.sigma2 + f.approx);
  s.evaluations = f.evaluations - e0;
  return s;
}

namespace {

struct Line {
  double s_min = NAN, e_min = NAN;
};

// Weighted least squares of S = s_min + e_min / B with weights 1 / S^2, over the points idx.
Line fit_line(const std::vector<double>& batch, const std::vector<double>& steps, const std::vector<std::size_t>& idx) {
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i : idx) {
    const double w = 1.0 / (steps[i] * steps[i]), x = 1.0 / batch[i], y = steps[i];
    sw += w;
    sx += w * x;
    sy += w * y;
    sxx += w * x * x;
    sxy += w * x * y;
  }
  const double det = sw * sxx - sx * sx;
  if (!(det > 0.0)) return {};
  return {(sxx * sy - sx * sxy) / det, (sw * sxy - sx * sy) / det};
}

std::size_t distinct(const std::vector<double>& batch, const std::vector<std::size_t>& idx) {
  std::set<double> s;
  for (std::size_t i : idx) s.insert(batch[i]);
  return s.size();
}

// Percentiles over a sample that may hold +inf (B_crit above the grid): a bound that falls among them is +inf.
Interval interval_with_unbounded(std::vector<double> s, double level) {
  std::sort(s.begin(), s.end());
  const auto q = [&](double p) {
    const double pos = p * static_cast<double>(s.size() - 1);
    const auto i = static_cast<std::size_t>(std::floor(pos));
    const double frac = pos - static_cast<double>(i);
    if (i + 1 >= s.size() || frac == 0.0) return s[i];
    return std::isinf(s[i + 1]) ? INFINITY : s[i] * (1 - frac) + s[i + 1] * frac;
  };
  Interval iv;
  iv.lo = q((1 - level) / 2);
  iv.hi = q(1 - (1 - level) / 2);
  iv.sd = std::isinf(s.back()) ? INFINITY : percentile_interval(s, level).sd;
  return iv;
}

}  // namespace

CriticalBatchFit fit_critical_batch(const std::vector<double>& batch, const std::vector<double>& steps,
                                    std::int64_t resamples, double level, std::uint32_t seed) {
  std::vector<std::size_t> all(batch.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  if (distinct(batch, all) < 3) throw ConfigError("the critical batch fit needs at least 3 distinct batch sizes");
  CriticalBatchFit out;
  const Line l = fit_line(batch, steps, all);
  out.status = !(std::isfinite(l.s_min) && std::isfinite(l.e_min)) ? "unresolved"
               : l.s_min <= 0.0                                    ? "above_grid"
               : l.e_min <= 0.0                                    ? "below_grid"
                                                                   : "ok";
  out.resolved = std::string(out.status) == "ok";
  if (!out.resolved) return out;
  out.s_min = l.s_min;
  out.e_min = l.e_min;
  out.b_crit = l.e_min / l.s_min;
  double ss = 0.0;
  for (std::size_t i : all) ss += std::pow(std::log(steps[i] / (l.s_min + l.e_min / batch[i])), 2);
  out.rms_log = std::sqrt(ss / static_cast<double>(all.size()));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, all.size() - 1);
  std::vector<double> s_b, e_b, c_b;
  std::vector<std::size_t> idx(all.size());
  for (std::int64_t r = 0; r < resamples; ++r) {
    do {
      for (std::size_t& i : idx) i = pick(rng);
    } while (distinct(batch, idx) < 3);
    const Line b = fit_line(batch, steps, idx);
    // A resample whose hyperbola has no positive S_min puts B_crit above the grid (+inf: an interval that
    // reaches it has no upper bound, an empty cell), one without a positive E_min below it (0).
    s_b.push_back(b.s_min);
    e_b.push_back(b.e_min);
    c_b.push_back(!(b.s_min > 0.0) ? INFINITY : !(b.e_min > 0.0) ? 0.0 : b.e_min / b.s_min);
  }
  out.resamples = resamples;
  if (resamples > 1) {
    out.s_min_ci = percentile_interval(s_b, level);
    out.e_min_ci = percentile_interval(e_b, level);
    out.b_crit_ci = interval_with_unbounded(c_b, level);
  }
  return out;
}

}  // namespace sgdlaw
