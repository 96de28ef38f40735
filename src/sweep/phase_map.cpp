#include "sgdlaw/sweep/phase_map.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/deterministic_equivalent.hpp"
#include "sgdlaw/core/exact_recursion.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/parallel_trials.hpp"
#include "sgdlaw/core/stability.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "sgdlaw/sweep/theory.hpp"

namespace sgdlaw {
namespace {

RawValue number_value(double x) { return {format_shortest(x), RawValue::Origin::kTomlNumber}; }
RawValue integer_value(std::int64_t x) { return {std::to_string(x), RawValue::Origin::kTomlNumber}; }

// The configuration of one (a, b, sigma, M, N): the file's settings with these set.
Config point_config(const PhaseSpec& spec, double a, double b, double sigma, std::int64_t M, std::int64_t N,
                    bool infinite) {
  RawSettings over;
  over["a"] = number_value(a);
  over["b"] = number_value(b);
  over["sigma"] = number_value(sigma);
  over["M"] = integer_value(M);
  over["N"] = integer_value(N);
  over["sketch"] = {"gaussian", RawValue::Origin::kTomlString};
  over["d"] = infinite ? RawValue{"inf", RawValue::Origin::kTomlString} : integer_value(spec.mc_d);
  over["monte_carlo"] = {infinite ? "false" : "true", RawValue::Origin::kTomlBool};
  over["progress"] = {"false", RawValue::Origin::kTomlBool};
  return resolve_config({spec.base, over});
}

// The exact d = inf curve of the deterministic equivalent at the end of c's run alone.
ExactCurve final_risk(const DetEquivSpectrum& de, const Config& c) {
  return exact_expected_risk({de.mu, de.weight}, de.p0, de.approx, c.sigma * c.sigma, make_schedule(c),
                             make_optimizer(c), c.batch, {c.steps()}, ExactMethod::kAuto);
}

// log-log linear interpolation of y along x at x0 (clamped to the grid).
double interp_loglog(const std::vector<double>& x, const std::vector<double>& y, double x0) {
  if (x0 <= x.front()) return y.front();
  if (x0 >= x.back()) return y.back();
  std::size_t j = 1;
  while (x[j] < x0) ++j;
  const double t = std::log(x0 / x[j - 1]) / std::log(x[j] / x[j - 1]);
  if (!(y[j - 1] > 0 && y[j] > 0)) return (1 - t) * y[j - 1] + t * y[j];
  return std::exp((1 - t) * std::log(y[j - 1]) + t * std::log(y[j]));
}

std::size_t nearest_log(const std::vector<double>& xs, double x) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < xs.size(); ++i)
    if (std::abs(std::log(xs[i] / x)) < std::abs(std::log(xs[best] / x))) best = i;
  return best;
}

std::string largest_term(double approx, double bias, double variance) {
  if (approx >= bias && approx >= variance) return "approx";
  return bias >= variance ? "bias" : "variance";
}

// The exact terms of every (M, N) of the grid: approx per M, bias and variance per (M, N).
struct TermGrid {
  std::vector<double> ms, ns, approx;
  std::vector<std::vector<double>> bias, variance, excess;
};

TermGrid term_grid(const PhaseSpec& spec, double a, double b, double sigma) {
  TermGrid g;
  for (std::int64_t m : spec.M) g.ms.push_back(static_cast<double>(m));
  for (std::int64_t n : spec.N) g.ns.push_back(static_cast<double>(n));
  for (std::int64_t m : spec.M) {
    const Config c0 = point_config(spec, a, b, sigma, m, spec.N.front(), true);
    const DetEquivSpectrum de = deterministic_equivalent(c0);
    const WeightedSpectrum nodes{de.mu, de.weight};
    if (!(nodes.w.array() >= 0.0).all() ||
        !step_size_is_stable(make_optimizer(c0), c0.gamma, nodes.mu, c0.batch, &nodes.w))
      throw DivergenceError("gamma = " + format_g(c0.gamma, 4) + " is not stable at M = " + std::to_string(m));
    g.approx.push_back(de.approx);
    std::vector<double> bias, variance, excess;
    for (std::int64_t n : spec.N) {
      Config c = c0;
      c.N = n;
      const ExactCurve e = final_risk(de, c);
      bias.push_back(e.bias.back());
      variance.push_back(e.variance.back());
      excess.push_back(de.approx + e.bias.back() + e.variance.back());
    }
    g.bias.push_back(bias);
    g.variance.push_back(variance);
    g.excess.push_back(excess);
  }
  return g;
}

}  // namespace

PhaseTheory phase_theory(double a, double b, double sigma) {
  const ScalingTheory s = scaling_theory(a, b, sigma);  // the one statement of the theory (theory.hpp)
  PhaseTheory t;
  t.beta = -s.bias_n;
  t.m_star = s.m_star;
  t.r_star = s.r_star;
  t.phase = s.phase;
  t.balance = sigma > 0.0 && b == a ? "all three" : s.balance;
  return t;
}

PhasePoint map_point(const PhaseSpec& spec, double a, double b, double sigma) {
  PhasePoint p;
  p.a = a;
  p.b = b;
  p.sigma = sigma;
  p.theory = phase_theory(a, b, sigma);
  const TermGrid g = term_grid(spec, a, b, sigma);
  p.frontier = compute_frontier(g.ms, g.ns, g.excess, 0.0, 1.0, 16);
  const FrontierPoint* top = nullptr;
  for (const FrontierPoint& f : p.frontier.points)
    if (f.interior) top = &f;
  if (!top) {
    p.error = "no budget has its optimum inside the M grid (widen M)";
    return p;
  }
  p.c_lo = top->budget;
  for (const FrontierPoint& f : p.frontier.points)
    if (f.interior) p.c_lo = std::min(p.c_lo, f.budget);
  p.call = frontier_asymptotic(a, b, sigma, p.c_lo, 0.03);
  p.budget = top->budget;
  p.m_star = top->m_star;
  const std::size_t i = nearest_log(g.ms, top->m_star);
  p.n_star = top->budget / g.ms[i];
  p.approx = g.approx[i];
  p.bias = interp_loglog(g.ns, g.bias[i], p.n_star);
  p.variance = interp_loglog(g.ns, g.variance[i], p.n_star);
  p.dominant = largest_term(p.approx, p.bias, p.variance);
  p.balancing = p.bias >= p.variance ? "bias" : "variance";
  return p;
}

namespace {

// A Monte Carlo run (finite d, sampled sketches) at the frontier point of the largest budget it can afford.
McCheck spot_check(const PhaseSpec& spec, const PhasePoint& p) {
  McCheck m;
  m.a = p.a;
  m.b = p.b;
  m.sigma = p.sigma;
  const double per_run = static_cast<double>(spec.mc_trials * spec.mc_sketches);
  const FrontierPoint* pick = nullptr;
  for (const FrontierPoint& f : p.frontier.points)
    if (f.interior && f.budget * per_run <= spec.mc_work) pick = &f;
  if (!pick) throw ConfigError("[phases] mc_work = " + format_g(spec.mc_work, 3) + " affords no frontier budget");
  std::vector<double> ms;
  for (std::int64_t v : spec.M) ms.push_back(static_cast<double>(v));
  m.M = spec.M[nearest_log(ms, pick->m_star)];
  m.N = std::max<std::int64_t>(16, std::llround(pick->budget / static_cast<double>(m.M)));
  m.d = spec.mc_d;
  Config c = point_config(spec, p.a, p.b, p.sigma, m.M, m.N, false);
  c.trials = spec.mc_trials;
  c.sketches = spec.mc_sketches;
  // Each check is an ordinary run folder under the map's (its saved chunks make an interrupted map resumable).
  c.out = spec.out + "/mc-" + format_shortest(p.a) + "-" + format_shortest(p.b) + "-" + format_shortest(p.sigma);
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = run_simulation(c);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  write_run_outputs(r, RunMeta{version_string(), wall, "phases " + spec.source + " spot check", "own run"}, c.out);
  const CurveRow& last = r.rows.back();
  m.risk_mc = last.risk_mc;
  m.risk_se = last.risk_se;
  m.risk_exact = last.risk_exact;
  m.z = last.risk_se > 0 ? (last.risk_mc - last.risk_exact) / last.risk_se : 0.0;
  m.risk_det_equiv = last.risk_det_equiv;
  m.dominant_exact = largest_term(last.approx_exact, last.bias_exact, last.variance_exact);
  const Config ci = point_config(spec, p.a, p.b, p.sigma, m.M, m.N, true);
  m.risk_map = final_risk(deterministic_equivalent(ci), ci).risk.back();
  return m;
}

}  // namespace

PhaseMap compute_phase_map(const PhaseSpec& spec, const PhaseLog& log) {
  struct Key {
    double a, b, sigma;
  };
  std::vector<Key> keys;
  for (double s : spec.sigma)
    for (double a : spec.a)
      for (double b : spec.b) keys.push_back({a, b, s});
  PhaseMap map;
  map.points.resize(keys.size());
  std::mutex mu;
  std::size_t done = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const int threads = std::max<int>(1, std::min<std::int64_t>(resolve_threads(spec.threads), keys.size()));
  parallel_trials(static_cast<std::int64_t>(keys.size()), spec.threads, [&](std::int64_t k) {
    const Key& key = keys[static_cast<std::size_t>(k)];
    try {
      map.points[k] = map_point(spec, key.a, key.b, key.sigma);
    } catch (const std::exception& e) {
      map.points[k] = PhasePoint{};
      map.points[k].a = key.a;
      map.points[k].b = key.b;
      map.points[k].sigma = key.sigma;
      map.points[k].theory = phase_theory(key.a, key.b, key.sigma);
      map.points[k].error = e.what();
    }
    std::lock_guard<std::mutex> lock(mu);
    ++done;
    // Every point costs about the same (the same M x N grid): after the first, an estimate of the whole map.
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::string eta =
        done == 1 && keys.size() > 1
            ? format_printf(" (one point took %.3g s: the map's %zu points ~%.3g s on %d thread(s))", elapsed,
                            keys.size(), elapsed * static_cast<double>(keys.size()) / threads, threads)
        : done < keys.size() ? format_printf(" (%.3g s left)", elapsed / static_cast<double>(done) *
                                                                   static_cast<double>(keys.size() - done))
                             : std::string();
    if (log)
      log(format_printf("[%zu/%zu] a=%g b=%g sigma=%g: %s%s", done, keys.size(), key.a, key.b, key.sigma,
                        map.points[k].error.empty() ? map.points[k].dominant.c_str() : map.points[k].error.c_str(),
                        eta.c_str()));
  });
  for (const auto& [a, b] : spec.mc_points)
    for (const PhasePoint& p : map.points)
      if (p.a == a && p.b == b && p.sigma == spec.sigma.front() && p.error.empty()) {
        map.checks.push_back(spot_check(spec, p));
        if (log) log(format_printf("Monte Carlo check a=%g b=%g: z = %.2f", a, b, map.checks.back().z));
      }
  return map;
}

}  // namespace sgdlaw
