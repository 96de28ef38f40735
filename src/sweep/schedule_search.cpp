#include "sgdlaw/sweep/schedule_search.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/stopwatch.hpp"

namespace sgdlaw {
namespace {

// The family's schedule at horizon n with peak gamma and its second parameter.
Config family_config(const Config& base, const std::string& family, std::int64_t n, double gamma, double param) {
  Config c = base;
  c.N = n;
  c.gamma = gamma;
  c.gamma_rel = 0.0;
  c.warmup = 0;
  c.gamma_min = 0.0;
  c.phase_length = 0;
  if (family == "constant") c.schedule = ScheduleKind::kConstant;
  if (family == "geometric") c.schedule = ScheduleKind::kGeometric;
  if (family == "cosine") c.schedule = ScheduleKind::kCosine;
  if (family == "linear") c.schedule = ScheduleKind::kLinear;
  if (family == "wsd" || family == "power_decay") {
    c.schedule = ScheduleKind::kWsd;
    c.decay_shape = family == "wsd" ? DecayShape::kLinear : DecayShape::kPower;
    c.decay_fraction = family == "wsd" ? param : 1.0;
    c.decay_power = family == "wsd" ? 2.0 : param;
  }
  return c;
}

// The second parameter's grid (wsd: its decay fraction; power_decay: delta of (1 - t/N)^delta); none otherwise.
std::vector<double> param_grid(const std::string& family) {
  if (family == "wsd") return {0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0};
  if (family == "power_decay") return {0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0};
  return {0.0};
}

TunedSchedule tune_family(const ExactObjective& f, const Config& base, const std::string& family, std::int64_t n) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t e0 = f.evaluations, steps = n / base.batch;
  TunedSchedule best;
  best.N = n;
  best.steps = steps;
  best.family = family;
  best.excess = INFINITY;
  best.param_name = family == "wsd" ? "decay_fraction" : family == "power_decay" ? "delta" : "";
  for (double param : param_grid(family)) {
    if (family == "wsd" && std::floor(param * static_cast<double>(steps)) < 1.0) continue;
    const auto log_excess = [&](double gamma) {
      const double e = f.final_excess(make_schedule(family_config(base, family, n, gamma, param)), steps);
      return e > 0.0 ? std::log(e) : INFINITY;
    };
    const Minimum m = minimise_log(log_excess, 1e-4 * f.gamma_limit, (1.0 - 1e-6) * f.gamma_limit);
    if (std::exp(m.value) < best.excess) {
      best.excess = std::exp(m.value);
      best.gamma = m.x;
      best.param = param;
    }
  }
  best.schedule = make_schedule(family_config(base, family, n, best.gamma, best.param));
  best.evaluations = f.evaluations - e0;
  best.seconds = seconds_since(t0);
  return best;
}

// The optimum from the best family member, each piece started at that schedule's mean step size over the piece.
TunedSchedule optimal_at(const ExactObjective& f, const ScheduleSearchSpec& spec, const TunedSchedule& from,
                         std::int64_t steps, PiecewiseResult& out) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<std::int64_t> start = piece_starts(steps, spec.pieces);
  std::vector<double> initial;
  for (std::size_t k = 0; k < start.size(); ++k) {
    const std::int64_t end = k + 1 < start.size() ? start[k + 1] : steps;
    initial.push_back(std::max(1e-12 * f.gamma_limit,
                               from.schedule.intrinsic_time(start[k], end) / static_cast<double>(end - start[k])));
  }
  out = optimal_piecewise(f, steps, start, initial, spec.iterations);
  TunedSchedule t;
  t.N = from.N;
  t.steps = steps;
  t.family = "optimal";
  t.gamma = *std::max_element(out.gamma.begin(), out.gamma.end());
  t.param_name = "pieces";
  t.param = static_cast<double>(start.size());
  t.excess = out.excess;
  t.evaluations = out.evaluations;
  t.seconds = seconds_since(t0);
  return t;
}

}  // namespace

ScheduleSearchResult run_schedule_search(const ScheduleSearchSpec& spec,
                                         const std::function<void(const std::string&)>& say) {
  const Config base = resolve_config({spec.base});
  const ExactObjective f = spec.objective ? *spec.objective : exact_objective(base);
  ScheduleSearchResult r;
  r.sigma2 = f.sigma2;
  r.approx = f.approx;
  r.gamma_limit = f.gamma_limit;
  r.optimal.reserve(spec.N.size());  // tuned "optimal" schedules point into these pieces: no reallocation
  for (std::int64_t n : spec.N) {
    std::size_t best = r.tuned.size();
    for (const std::string& family : spec.families) {
      r.tuned.push_back(tune_family(f, base, family, n));
      const TunedSchedule& t = r.tuned.back();
      if (t.excess < r.tuned[best].excess) best = r.tuned.size() - 1;
      say("N = " + std::to_string(n) + "  " + family + ": gamma " + format_g(t.gamma, 4) +
          (t.param_name.empty() ? "" : ", " + t.param_name + " " + format_g(t.param, 3)) + ", excess " +
          format_g(t.excess, 5) + " (" + std::to_string(t.evaluations) + " exact curves, " + format_g(t.seconds, 2) +
          " s)");
    }
    if (spec.pieces == 0) continue;
    r.optimal.emplace_back();
    const TunedSchedule from = r.tuned[best];
    r.tuned.push_back(optimal_at(f, spec, from, n / base.batch, r.optimal.back()));
    r.tuned.back().schedule = piecewise_schedule(r.optimal.back().start, r.optimal.back().gamma);
    const TunedSchedule& t = r.tuned.back();
    say("N = " + std::to_string(n) + "  optimal (" + std::to_string(r.optimal.back().start.size()) + " pieces, " +
        std::to_string(r.optimal.back().iterations) + " BFGS iterations): excess " + format_g(t.excess, 5) + ", " +
        format_g(t.excess / from.excess, 4) + " x the best family's (" + from.family + "), " + format_g(t.seconds, 2) +
        " s");
  }
  return r;
}

}  // namespace sgdlaw
