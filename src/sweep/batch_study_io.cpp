// The files of `sgdlaw batch`: batch.csv (a row per target and B), critical.csv (the hyperbola per target),
// noise.csv (B_noise along each tuned run) and report.md (B_crit with intervals, its exponent in the target, and
// the Monte Carlo checks' agreement with the targets).
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/fit/power_law_fit.hpp"
#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/csv_writer.hpp"
#include "sgdlaw/sweep/batch_study.hpp"

namespace sgdlaw {
namespace {

std::string g(double x, int digits = 4) { return std::isfinite(x) ? format_g(x, digits) : "-"; }

// (risk_mc - target risk) / SE of a point's check; NaN without one.
double z_target(const BatchStudyResult& r, const BatchPoint& p) {
  if (p.trials == 0 || !(p.risk_se > 0.0)) return NAN;
  return (p.risk_mc - (r.sigma2 + r.approx + r.targets[p.target].excess)) / p.risk_se;
}

// (risk_mc - risk_exact) / SE at the found point: the Monte Carlo confirmation of the exact curve there.
double z_exact(const BatchPoint& p) {
  return p.trials > 0 && p.risk_se > 0.0 ? (p.risk_mc - p.risk_exact) / p.risk_se : NAN;
}

void write_points(const std::string& out, const BatchStudyResult& r) {
  CsvWriter t(
      {"target",         "target_ratio", "target_excess",    "batch",    "steps",   "steps_interp",  "samples",
       "samples_interp", "gamma",        "gamma_over_limit", "at_limit", "excess",  "excess_before", "b_noise",
       "trials",         "risk_exact",   "risk_mc",          "risk_se",  "z_exact", "z_target",      "evaluations",
       "seconds"},
      10);
  CsvWriter n({"target", "batch", "step", "samples", "excess", "b_noise"}, 8);
  for (const BatchPoint& p : r.points) {
    const BatchTarget& tg = r.targets[p.target];
    t.cell(static_cast<std::int64_t>(p.target));
    if (tg.ratio > 0.0) {
      t.cell(tg.ratio);
    } else {
      t.empty_cell();
    }
    t.cell(tg.excess).cell(p.s.batch).cell(p.s.steps).cell(p.s.steps_interp).cell(p.s.steps * p.s.batch);
    t.cell(p.s.steps_interp * static_cast<double>(p.s.batch)).cell(p.s.tuned.gamma);
    t.cell(p.s.tuned.gamma / p.s.tuned.limit).cell(p.s.tuned.at_limit ? "true" : "false").cell(p.s.tuned.excess);
    t.cell(p.s.excess_before).cell(p.s.b_noise).cell(p.trials);
    if (p.trials > 0) {
      t.cell(p.risk_exact).cell(p.risk_mc).cell(p.risk_se).cell(z_exact(p)).cell(z_target(r, p));
    } else {
      t.empty_cell().empty_cell().empty_cell().empty_cell().empty_cell();
    }
    t.cell(p.s.evaluations).cell(p.seconds).end_row();
    for (std::size_t i = 0; i < p.curve_steps.size(); ++i) {
      n.cell(static_cast<std::int64_t>(p.target)).cell(p.s.batch).cell(p.curve_steps[i]);
      n.cell(p.curve_steps[i] * p.s.batch).cell(p.curve_excess[i]).cell(p.curve_b_noise[i]).end_row();
    }
  }
  write_file_atomically(out + "/batch.csv", t.text());
  write_file_atomically(out + "/noise.csv", n.text());
}

void write_fits(const std::string& out, const BatchStudyResult& r) {
  CsvWriter c({"target", "target_ratio", "target_excess", "target_risk", "status", "s_min", "s_min_lo", "s_min_hi",
               "e_min", "e_min_lo", "e_min_hi", "b_crit", "b_crit_lo", "b_crit_hi", "rms_log", "resamples", "b_noise",
               "b_crit_over_b_noise"},
              8);
  for (std::size_t k = 0; k < r.targets.size(); ++k) {
    const BatchTarget& tg = r.targets[k];
    const CriticalBatchFit& f = tg.fit;
    c.cell(static_cast<std::int64_t>(k));
    if (tg.ratio > 0.0) {
      c.cell(tg.ratio);
    } else {
      c.empty_cell();
    }
    c.cell(tg.excess).cell(tg.excess + r.sigma2 + r.approx).cell(f.status);
    c.cell(f.s_min).cell(f.s_min_ci.lo).cell(f.s_min_ci.hi).cell(f.e_min).cell(f.e_min_ci.lo).cell(f.e_min_ci.hi);
    c.cell(f.b_crit).cell(f.b_crit_ci.lo).cell(f.b_crit_ci.hi).cell(f.rms_log).cell(f.resamples);
    c.cell(tg.b_noise).cell(f.b_crit / tg.b_noise).end_row();
  }
  write_file_atomically(out + "/critical.csv", c.text());
}

std::string targets_table(const BatchStudyResult& r) {
  std::string md =
      "| target excess | ratio | B_crit [95%] | S_min | E_min | rms log misfit | B_noise at target | "
      "B_crit / B_noise |\n|---|---|---|---|---|---|---|---|\n";
  for (const BatchTarget& t : r.targets) {
    const CriticalBatchFit& f = t.fit;
    md += "| " + g(t.excess) + " | " + (t.ratio > 0 ? g(t.ratio, 3) : "-") + " | " +
          (f.resolved ? g(f.b_crit) + " [" + g(f.b_crit_ci.lo, 3) + ", " + g(f.b_crit_ci.hi, 3) + "]"
                      : std::string("unresolved (") + f.status + ")") +
          " | " + g(f.s_min) + " | " + g(f.e_min) + " | " + g(f.rms_log, 3) + " | " + g(t.b_noise) + " | " +
          g(f.b_crit / t.b_noise, 3) + " |\n";
  }
  return md;
}

// The exponents of B_crit and B_noise in the target excess over the resolved targets.
std::string exponents(const BatchStudyResult& r) {
  std::vector<double> e, c, n;
  for (const BatchTarget& t : r.targets)
    if (t.fit.resolved) {
      e.push_back(t.excess);
      c.push_back(t.fit.b_crit);
      n.push_back(t.b_noise);
    }
  if (e.size() < 2) return "Fewer than two resolved targets: no exponent in the target.\n";
  return "Over the " + std::to_string(e.size()) + " resolved targets, B_crit ~ target^" + g(log_log_slope(e, c), 3) +
         " and B_noise ~ target^" + g(log_log_slope(e, n), 3) + " (least squares in log-log).\n";
}

// The checks: Monte Carlo against the exact risk at (B, S(B)) confirms the curve S(B) was read from; against the
// target it also carries the whole-step gap target - exact(S), which is large where S is a few steps (the fit
// uses the interpolated S, which has no such gap).
std::string checks(const BatchStudyResult& r) {
  double worst_exact = 0.0, worst_target = 0.0, gap_at_worst = 0.0;
  std::size_t n = 0;
  for (const BatchPoint& p : r.points) {
    const double ze = z_exact(p), zt = z_target(r, p);
    if (!std::isfinite(ze)) continue;
    ++n;
    worst_exact = std::max(worst_exact, std::fabs(ze));
    if (std::fabs(zt) > worst_target) {
      worst_target = std::fabs(zt);
      gap_at_worst = (r.targets[p.target].excess - p.s.tuned.excess) / p.risk_se;
    }
  }
  if (n == 0) return "No Monte Carlo checks (trials = 0).\n";
  return std::to_string(n) + " Monte Carlo checks at (B, S(B), tuned gamma): the largest |risk_mc - exact| / SE is " +
         g(worst_exact, 3) +
         (worst_exact <= 4.0 ? " (all within 4 SE)" : " (some beyond 4 SE: see batch.csv z_exact)") +
         "; the largest |risk_mc - target| / SE is " + g(worst_target, 3) + ", where the target lies " +
         g(gap_at_worst, 3) + " SE above the exact risk after the whole number of steps S(B).\n";
}

}  // namespace

void write_batch_study(const BatchStudySpec& spec, const BatchStudyResult& r) {
  std::filesystem::create_directories(spec.out);
  write_points(spec.out, r);
  write_fits(spec.out, r);
  std::string md = "# Critical batch size: " + spec.source + "\n\nsgdlaw " + std::string(version_string()) +
                   ". For each target on the excess risk E[R] - sigma^2 - Approx (sigma^2 = " + g(r.sigma2) +
                   ", Approx = " + g(r.approx) +
                   "), S(B) is the fewest steps whose exact final excess, at the step size tuned for that horizon, "
                   "reaches it; E(B) = B S(B). The fit is McCandlish's S = S_min + E_min / B (relative least "
                   "squares; intervals: bootstrap over the B grid), B_crit = E_min / S_min; B_noise = tr Cov(g) / "
                   "|G|^2 from the exact second moments at the target on the smallest B's run.\n\n";
  md += "Best tuned excess with N = " + std::to_string(r.N) + " samples, per B:";
  for (std::size_t i = 0; i < r.batches.size(); ++i)
    md += (i ? ", " : " ") + std::string("B = ") + std::to_string(r.batches[i]) + ": " + g(r.best_excess[i]);
  md += ".\n\n## Critical batch size per target\n\n" + targets_table(r) + "\n" + exponents(r) + "\n";
  md += "## Monte Carlo checks\n\n" + checks(r);
  write_file_atomically(spec.out + "/report.md", md);
}

}  // namespace sgdlaw
