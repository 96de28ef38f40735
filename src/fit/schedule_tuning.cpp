#include "sgdlaw/fit/schedule_tuning.hpp"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_multimin.h>

#include <algorithm>
#include <cmath>

#include "sgdlaw/core/errors.hpp"
#include "sgdlaw/core/run_plan.hpp"
#include "sgdlaw/core/stability.hpp"

namespace sgdlaw {

double ExactObjective::final_excess(const Schedule& s, std::int64_t steps) const {
  ++evaluations;
  const ExactCurve e =
      exact_expected_risk(nodes, p0, approx, sigma2, s, optimizer, batch, {steps}, ExactMethod::kContour);
  return e.finite ? e.bias.back() + e.variance.back() : INFINITY;
}

ExactObjective exact_objective(const Config& config) {
  Config c = config;
  c.monte_carlo = false;
  c.sketches = 1;
  if (!has_one_spectrum(c))
    throw ConfigError(
        "schedule tuning at d = inf needs the identity sketch (a Gaussian sketch's average at d = inf is its "
        "deterministic equivalent, not one spectrum); use sketch = identity or a finite d");
  const RunPlan plan = make_run_plan(c);
  const SketchSetup& s = plan.sketches[0];
  ExactObjective f;
  f.nodes = weighted_spectrum(s);
  f.p0 = s.p0_prior;
  f.approx = s.approx_prior;
  f.sigma2 = c.sigma * c.sigma;
  f.batch = c.batch;
  f.optimizer = plan.optimizer;
  f.gamma_limit = max_stable_step_size(f.optimizer, f.nodes.mu, c.batch, &f.nodes.w);
  return f;
}

namespace {

struct ScalarFn {
  const std::function<double(double)>* f;
};

double log_fn(double u, void* p) {
  const double v = (*static_cast<ScalarFn*>(p)->f)(std::exp(u));
  return std::isfinite(v) ? v : 1e300;
}

}  // namespace

Minimum minimise_log(const std::function<double(double)>& f, double lo, double hi, int grid) {
  const double a = std::log(lo), b = std::log(hi);
  std::vector<double> u(static_cast<std::size_t>(grid)), v(u.size());
  ScalarFn fn{&f};
  std::size_t best = 0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    u[i] = a + (b - a) * static_cast<double>(i) / static_cast<double>(grid - 1);
    v[i] = log_fn(u[i], &fn);
    if (v[i] < v[best]) best = i;
  }
  Minimum m{std::exp(u[best]), v[best]};
  if (best == 0 || best + 1 == u.size()) return m;  // at an end of the range: no bracket
  gsl_function F{&log_fn, &fn};
  gsl_set_error_handler_off();
  gsl_min_fminimizer* s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
  if (gsl_min_fminimizer_set_with_values(s, &F, u[best], v[best], u[best - 1], v[best - 1], u[best + 1], v[best + 1]) ==
      GSL_SUCCESS) {
    for (int it = 0; it < 60; ++it) {
      if (gsl_min_fminimizer_iterate(s) != GSL_SUCCESS) break;
      if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(s), gsl_min_fminimizer_x_upper(s), 1e-4, 0.0) == GSL_SUCCESS)
        break;
    }
    if (gsl_min_fminimizer_f_minimum(s) < m.value)
      m = {std::exp(gsl_min_fminimizer_x_minimum(s)), gsl_min_fminimizer_f_minimum(s)};
  }
  gsl_min_fminimizer_free(s);
  return m;
}

std::vector<std::int64_t> piece_starts(std::int64_t steps, int pieces) {
  std::vector<std::int64_t> s{0};
  const int half = std::max(1, pieces / 2), rest = std::max(1, pieces - half);
  const double mid = 0.5 * static_cast<double>(steps);
  for (int k = 1; k < half; ++k)  // 1 .. steps / 2, log-spaced
    s.push_back(static_cast<std::int64_t>(std::llround(std::pow(mid, static_cast<double>(k) / half))));
  for (int k = rest; k >= 1; --k)  // steps - steps / 2 .. steps - 1, log-spaced in the steps to go
    s.push_back(steps - static_cast<std::int64_t>(std::llround(std::pow(mid, static_cast<double>(k) / rest))));
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  while (!s.empty() && s.back() >= steps) s.pop_back();
  return s;
}

Schedule piecewise_schedule(const std::vector<std::int64_t>& start, const std::vector<double>& gamma) {
  Schedule s;
  s.kind = ScheduleKind::kTable;
  s.table = {static_cast<std::int64_t>(start.size()), start.data(), gamma.data()};
  s.gamma0 = *std::max_element(gamma.begin(), gamma.end());
  return s;
}

namespace {

struct PiecewiseFn {
  const ExactObjective* f;
  std::int64_t steps;
  const std::vector<std::int64_t>* start;
  double cap;
  std::vector<double> gamma;
};

void gammas_of(const gsl_vector* u, PiecewiseFn& p) {
  for (std::size_t k = 0; k < p.gamma.size(); ++k) p.gamma[k] = p.cap / (1.0 + std::exp(-gsl_vector_get(u, k)));
}

double piecewise_risk(const gsl_vector* u, void* param) {
  auto& p = *static_cast<PiecewiseFn*>(param);
  gammas_of(u, p);
  const double r = p.f->final_excess(piecewise_schedule(*p.start, p.gamma), p.steps);
  return std::isfinite(r) && r > 0.0 ? std::log(r) : 1e300;
}

void piecewise_gradient(const gsl_vector* u, void* param, gsl_vector* g) {
  const double r0 = piecewise_risk(u, param);
  gsl_vector* v = gsl_vector_alloc(u->size);
  gsl_vector_memcpy(v, u);
  for (std::size_t k = 0; k < u->size; ++k) {
    const double h = 1e-5 * std::max(1.0, std::fabs(gsl_vector_get(u, k)));
    gsl_vector_set(v, k, gsl_vector_get(u, k) + h);
    gsl_vector_set(g, k, (piecewise_risk(v, param) - r0) / h);
    gsl_vector_set(v, k, gsl_vector_get(u, k));
  }
  gsl_vector_free(v);
}

void piecewise_both(const gsl_vector* u, void* param, double* f, gsl_vector* g) {
  *f = piecewise_risk(u, param);
  piecewise_gradient(u, param, g);
}

}  // namespace

PiecewiseResult optimal_piecewise(const ExactObjective& f, std::int64_t steps, const std::vector<std::int64_t>& start,
                                  const std::vector<double>& initial, int max_iterations) {
  const std::size_t k = start.size();
  PiecewiseFn p{&f, steps, &start, f.gamma_limit * (1.0 - 1e-9), std::vector<double>(k)};
  const std::int64_t evaluations0 = f.evaluations;
  gsl_vector* u = gsl_vector_alloc(k);
  for (std::size_t i = 0; i < k; ++i) {
    const double x = std::clamp(initial[i] / p.cap, 1e-12, 1.0 - 1e-9);
    gsl_vector_set(u, i, std::log(x / (1.0 - x)));
  }
  gsl_multimin_function_fdf F{&piecewise_risk, &piecewise_gradient, &piecewise_both, k, &p};
  gsl_set_error_handler_off();
  gsl_multimin_fdfminimizer* m = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, k);
  gsl_multimin_fdfminimizer_set(m, &F, u, 0.1, 0.1);
  PiecewiseResult out;
  for (out.iterations = 0; out.iterations < max_iterations; ++out.iterations) {
    const double before = gsl_multimin_fdfminimizer_minimum(m);
    if (gsl_multimin_fdfminimizer_iterate(m) != GSL_SUCCESS) break;
    const double after = gsl_multimin_fdfminimizer_minimum(m);
    if (before - after <= 1e-9) break;  // log excess: a relative gain below 1e-9
  }
  gammas_of(gsl_multimin_fdfminimizer_x(m), p);
  out.start = start;
  out.gamma = p.gamma;
  out.excess = f.final_excess(piecewise_schedule(start, out.gamma), steps);
  out.evaluations = f.evaluations - evaluations0;
  gsl_multimin_fdfminimizer_free(m);
  gsl_vector_free(u);
  return out;
}

}  // namespace sgdlaw
