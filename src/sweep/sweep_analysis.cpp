#include "sgdlaw/sweep/sweep_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/text.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/fit/bootstrap_fit.hpp"
#include "sgdlaw/fit/compute_frontier.hpp"
#include "sgdlaw/fit/power_law_fit.hpp"
#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/csv_table.hpp"
#include "sgdlaw/io/csv_writer.hpp"
#include "sgdlaw/sweep/sweep_runner.hpp"
#include "sgdlaw/sweep/theory.hpp"

namespace sgdlaw {
namespace {

// A finished point: per-trial values at the final checkpoint and the exact curve's last row.
struct PointData {
  const SweepPoint* p = nullptr;
  std::vector<double> risk, approx;
  double n_eff = 0, risk_exact = 0, approx_exact = 0, bias_exact = 0, variance_exact = 0;
  double gamma = 0;  // the peak step size it ran with (gamma_rel and gamma = tuned: config.json's resolved_gamma)
};

double resolved_gamma(const SweepPoint& p) {
  if (!(p.config.gamma_rel > 0.0) && !p.config.gamma_tuned) return p.config.gamma;
  const nlohmann::json j = nlohmann::json::parse(read_text_file(p.config.out + "/config.json"), nullptr, false);
  return j.is_object() && j.contains("derived") && j["derived"].is_object() ? j["derived"].value("resolved_gamma", NAN)
                                                                            : NAN;
}

PointData load_point(const SweepPoint& p) {
  PointData d;
  d.p = &p;
  const CsvTable curves = read_csv(p.config.out + "/curves.csv");
  const std::size_t last = curves.rows.size() - 1;
  d.n_eff = curves.numbers("N_eff")[last];
  d.risk_exact = curves.numbers("risk_exact")[last];
  d.approx_exact = curves.numbers("approx_exact")[last];
  d.bias_exact = curves.numbers("bias_exact")[last];
  d.variance_exact = curves.numbers("variance_exact")[last];
  d.gamma = resolved_gamma(p);
  if (!p.config.monte_carlo) {  // exact-only point: the exact value stands in for the trials (no sampling noise)
    d.risk.push_back(d.risk_exact);
    d.approx.push_back(d.approx_exact);
    return d;
  }
  const CsvTable trials = read_csv(p.config.out + "/trials.csv");
  const auto n = trials.numbers("N"), risk = trials.numbers("risk"), approx = trials.numbers("approx");
  for (std::size_t i = 0; i < n.size(); ++i)
    if (n[i] == static_cast<double>(p.config.N)) {
      d.risk.push_back(risk[i]);
      d.approx.push_back(approx[i]);
    }
  if (d.risk.empty()) throw std::runtime_error(p.config.out + "/trials.csv has no rows at the final N");
  return d;
}

// Points of one grid that differ only in M and N form a group: "<grid>;a=..;b=..[;other axes]".
std::string group_key(const SweepPoint& p) {
  std::string key = p.grid + format_printf(";a=%g;b=%g", p.config.a, p.config.b);
  for (const auto& [k, v] : p.axis_values)
    if (k != "M" && k != "N" && k != "a" && k != "b") key += ";" + k + "=" + v;
  return key;
}

// The points of a group at the largest value of `held` (N for the M axis, M for the N axis), sorted by `axis`.
std::vector<const SweepPoint*> along_axis(const std::vector<const SweepPoint*>& pts, std::int64_t Config::*held,
                                          std::int64_t Config::*axis) {
  std::int64_t top = 0;
  for (const SweepPoint* p : pts) top = std::max(top, p->config.*held);
  std::vector<const SweepPoint*> sel;
  for (const SweepPoint* p : pts)
    if (p->config.*held == top) sel.push_back(p);
  std::sort(sel.begin(), sel.end(),
            [&](const SweepPoint* a, const SweepPoint* b) { return a->config.*axis < b->config.*axis; });
  return sel;
}

// A series along one axis: per-trial values plus the exact curve at the same points.
struct Series : TrialSeries {
  std::vector<double> y_exact;
  std::vector<double> gamma;  // per point: the step size it ran with
  std::int64_t batch = 1;
  bool exact_only = false;     // every point ran without trials (monte_carlo = false)
  std::size_t per_sketch = 0;  // trials per sketch (two-stage bootstrap when there are several sketches)
};

FitRow fit_row(const std::string& group, const std::string& quantity, const std::string& method) {
  FitRow r;
  r.group = group;
  r.quantity = quantity;
  r.method = method;
  return r;
}

// Exact-only series have no trials to resample: the exact slope, with no sampling error.
void mark_exact_only(FitRow& r) {
  r.ci_lo = r.ci_hi = r.slope;
  r.boot_sd = 0.0;
  r.z = 0.0;
  r.note = "exact only (no trials): no interval";
}

void fill_interval(FitRow& row, const std::vector<double>& boot, double level) {
  if (!row.ok) {  // no point estimate: an interval of the replicates that happened to fit would mislead
    row.note = "fit failed (too few interior points or positive values)";
    return;
  }
  const Interval iv = percentile_interval(boot, level);
  row.ci_lo = iv.lo;
  row.ci_hi = iv.hi;
  row.boot_sd = iv.sd;
  row.z = iv.sd > 0 ? (row.slope - row.theory) / iv.sd : 0.0;
}

// OLS (in the window) and saturating fits of one series, with bootstrap intervals.
void fit_series(const Series& s, const std::string& group, const std::string& quantity, double theory, double lo,
                double hi, const FitSpec& f, std::vector<FitRow>& out) {
  const BootstrapFit bf = bootstrap_fit(s, lo, hi, f.bootstrap, f.confidence, f.bootstrap_seed, s.per_sketch);
  const LogLogFit fe = fit_loglog(s.x, s.y_exact, lo, hi);
  const SaturatingFit fse = fit_saturating(s.x, s.y_exact);
  const double x_min = *std::min_element(s.x.begin(), s.x.end()), x_max = *std::max_element(s.x.begin(), s.x.end());
  FitRow ols = fit_row(group, quantity, "loglog_ols"), sat = fit_row(group, quantity, "saturating");
  ols.slope = -bf.ols.exponent;
  ols.log_prefactor = bf.ols.intercept;
  sat.log_prefactor = bf.sat.c > 0 ? std::log(bf.sat.c) : 0.0;
  ols.ok = bf.ols.ok && bf.ols.n >= 3;  // a line through two points has no error estimate worth the name
  ols.n_points = bf.ols.n;
  ols.slope_exact = -fe.exponent;
  ols.x_lo = std::max(lo, x_min);
  ols.x_hi = std::min(hi, x_max);
  sat.slope = -bf.sat.exponent;
  sat.ok = bf.sat.ok;
  sat.y_inf = bf.sat.y_inf;
  sat.n_points = static_cast<long>(s.x.size());
  sat.slope_exact = -fse.exponent;
  sat.x_lo = x_min;
  sat.x_hi = x_max;
  if (bf.sat.at_bound) sat.note = "exponent at the search bound";
  for (FitRow* r : {&ols, &sat}) {
    if (!r->ok) {
      r->theory = theory;
      r->note = "fit failed (fewer than 3 points in the window)";
      out.push_back(*r);
      continue;
    }
    const Interval& iv = r == &ols ? bf.ols_ci : bf.sat_ci;
    r->theory = theory;
    r->ci_lo = iv.lo;
    r->ci_hi = iv.hi;
    r->boot_sd = iv.sd;
    r->z = iv.sd > 0 ? (r->slope - theory) / iv.sd : 0.0;
    if (s.exact_only) mark_exact_only(*r);
    out.push_back(*r);
  }
}

std::string report_markdown(const std::vector<FitRow>& fits, double confidence) {
  std::string md =
      "| group | quantity | method | fitted slope | " + format_printf("%g%%", 100 * confidence) +
      " CI (bootstrap over trials) | theory | fit - theory | z | exact-curve slope | points | x range | note |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const FitRow& r : fits)
    if (!r.ok)
      md += format_printf("| %s | %s | %s | - | - | %.3f | - | - | - | %ld | %.4g .. %.4g | %s |\n", r.group.c_str(),
                          r.quantity.c_str(), r.method.c_str(), r.theory, r.n_points, r.x_lo, r.x_hi, r.note.c_str());
    else
      md += format_printf(
          "| %s | %s | %s | %.3f | [%.3f, %.3f] | %.3f | %+.3f | %.1f | %.3f | %ld | %.4g .. %.4g | %s |\n",
          r.group.c_str(), r.quantity.c_str(), r.method.c_str(), r.slope, r.ci_lo, r.ci_hi, r.theory,
          r.slope - r.theory, r.z, r.slope_exact, r.n_points, r.x_lo, r.x_hi, r.note.c_str());
  return md;
}

// Everything one analysis accumulates; each axis and the frontier add to it.
class SweepAnalyzer {
 public:
  explicit SweepAnalyzer(const SweepSpec& spec)
      : spec_(spec),
        f_(spec.fit),
        slopes_({"group", "axis", "x", "excess_mc", "excess_se", "excess_exact", "local_slope_mc", "local_slope_exact",
                 "in_regime", "batch", "gamma"},
                6),
        frontier_(
            {"group", "budget", "m_star", "excess_star", "interior", "source", "excess_star_lo", "excess_star_hi"}, 6) {
  }

  // One scaling axis (M at the largest N, or N_eff at the largest M) of every group of a grid.
  struct Axis {
    std::int64_t Config::*held;
    std::int64_t Config::*along;
    const char* held_name;  // "N" or "M", in the group label
    const char* x_name;     // "M" or "N_eff", in slopes.csv
    bool n_axis;
  };

  void axis(const std::string& grid, const Axis& ax) {
    for (const auto& [group, pts] : points_of(grid)) {
      const std::vector<const SweepPoint*> sel = along_axis(pts, ax.held, ax.along);
      if (sel.size() < 3) continue;
      const Config& c0 = sel[0]->config;
      const bool minus_approx = ax.n_axis && f_.n_axis_subtract_approx;
      Series s;
      s.exact_only = !c0.monte_carlo;
      s.per_sketch = s.exact_only ? 1 : static_cast<std::size_t>(c0.trials);  // exact only: one value per point
      s.batch = c0.batch;
      const double sigma2 = c0.sigma * c0.sigma;
      for (const SweepPoint* p : sel) {
        const PointData& d = get(*p);
        s.x.push_back(ax.n_axis ? d.n_eff : static_cast<double>(p->config.M));
        std::vector<double> y;
        for (std::size_t t = 0; t < d.risk.size(); ++t)
          y.push_back(d.risk[t] - sigma2 - (minus_approx ? d.approx[t] : 0.0));
        s.y.push_back(y);
        s.y_exact.push_back(minus_approx ? d.bias_exact + d.variance_exact : d.risk_exact - sigma2);
        s.gamma.push_back(d.gamma);
      }
      // d = inf with the identity sketch has no model size: its held M is "inf" (M holds the head size there).
      const bool infinite_m = ax.n_axis && c0.d_infinite && c0.sketch == SketchKind::kIdentity;
      const std::string label =
          group + ";" + ax.held_name + "=" + (infinite_m ? std::string("inf") : std::to_string(c0.*ax.held));
      // The theory's regime (Lin et al.): the M law holds while M << N_eff^(1/a), the N law while
      // N_eff^(1/a) << M. Points beyond `regime` (c * N_eff^(1/a) in M, or (c M)^a in N_eff) bend the slope.
      const double c = ax.n_axis ? f_.n_regime : f_.m_regime;
      const bool unbounded = ax.n_axis && c0.d_infinite && c0.sketch == SketchKind::kIdentity;  // M = d = inf
      const double regime = c <= 0 || unbounded ? INFINITY
                            : ax.n_axis         ? std::pow(c * static_cast<double>(c0.M), c0.a)
                                                : c * std::pow(get(*sel[0]).n_eff, 1.0 / c0.a);
      const std::size_t first_fit = fits_.size();
      const ScalingTheory th = scaling_theory(c0.a, c0.b, c0.sigma);
      const double theory = ax.n_axis ? th.n_law : th.m_law;
      if (ax.n_axis)
        fit_series(s, label, minus_approx ? "risk-sigma2-approx vs N_eff" : "risk-sigma2 vs N_eff", theory,
                   f_.n_eff_window_lo, std::min(f_.n_eff_window_hi, regime), f_, fits_);
      else
        fit_series(s, label, "risk-sigma2 vs M", theory, f_.m_window_lo, std::min(f_.m_window_hi, regime), f_, fits_);
      note_regime(first_fit, s, regime, c, ax);
      for (std::size_t k = first_fit; k < fits_.size(); ++k) {  // the batch and step sizes the fitted points ran with
        fits_[k].batch = s.batch;
        fits_[k].gamma_lo = fits_[k].gamma_hi = NAN;  // fmin / fmax skip a point whose gamma was not recorded
        for (const double g : s.gamma) {
          fits_[k].gamma_lo = std::fmin(fits_[k].gamma_lo, g);
          fits_[k].gamma_hi = std::fmax(fits_[k].gamma_hi, g);
        }
      }
      append_slopes(label, ax.x_name, s, regime);
      const double lo = ax.n_axis ? f_.n_eff_window_lo : f_.m_window_lo;
      append_exponents(label, ax.x_name, s, theory, lo,
                       std::min(ax.n_axis ? f_.n_eff_window_hi : f_.m_window_hi, regime));
    }
  }

  // The compute-optimal frontier of every complete M x N group of a grid.
  void frontier(const std::string& grid) {
    for (const auto& [group, pts] : points_of(grid)) frontier_of_group(group, pts);
  }

  SweepAnalysis finish() {
    SweepAnalysis out;
    out.fits = std::move(fits_);
    out.slopes_csv = slopes_.text();
    out.frontier_csv = frontier_.text();
    out.report_md = report_markdown(out.fits, f_.confidence);
    if (!exponents_.empty())
      out.exponents_md =
          "| group | axis | theory | the fit's window | exact-curve local slopes in it (x: slope) | at its largest x | "
          "within 0.01 of theory from |\n|---|---|---|---|---|---|---|\n" +
          exponents_;
    return out;
  }

 private:
  const PointData& get(const SweepPoint& p) {
    auto it = data_.find(p.name);
    if (it == data_.end()) it = data_.emplace(p.name, load_point(p)).first;
    return it->second;
  }

  std::map<std::string, std::vector<const SweepPoint*>> points_of(const std::string& grid) const {
    std::map<std::string, std::vector<const SweepPoint*>> groups;
    for (const SweepPoint& p : spec_.points)
      if (p.grid == grid && point_state(p) == PointState::kDone) groups[group_key(p)].push_back(&p);
    return groups;
  }

  void append_slopes(const std::string& group, const std::string& axis, const Series& s, double regime) {
    const auto m = s.means(), se = s.std_errors();
    const auto lm = local_slopes(s.x, m), le = local_slopes(s.x, s.y_exact);
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      slopes_.cell(group).cell(axis).cell(s.x[i]).cell(m[i]).cell(se[i]).cell(s.y_exact[i]);
      lm.empty() ? slopes_.empty_cell() : slopes_.cell(lm[i]);
      le.empty() ? slopes_.empty_cell() : slopes_.cell(le[i]);
      slopes_.cell(s.x[i] <= regime ? "1" : "0").cell(s.batch).cell(s.gamma[i]).end_row();
    }
  }

  // A row of the exponents table over the fit's own window [lo, hi] (the points its OLS fit used): the exact
  // curve's local slopes between neighbours, the last one, and the smallest x from which every local slope stays
  // within 0.01 of the theory's exponent. Points outside the window bend by design and are left out.
  void append_exponents(const std::string& group, const std::string& axis, const Series& s, double theory, double lo,
                        double hi) {
    std::vector<std::size_t> in;
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (s.x[i] >= lo && s.x[i] <= hi) in.push_back(i);
    const std::string window = format_g(lo, 3) + " .. " + (hi >= 1e299 ? std::string("inf") : format_g(hi, 3));
    if (in.size() < 2) {
      exponents_ += "| " + group + " | " + axis + " | " + format_printf("%.3f", theory) + " | " + window +
                    " | fewer than 2 points in the window | - | - |\n";
      return;
    }
    auto slope = [&](std::size_t k) {
      const std::size_t i = in[k], j = in[k - 1];
      return std::log(s.y_exact[i] / s.y_exact[j]) / std::log(s.x[i] / s.x[j]);
    };
    std::string list, from = "not reached";
    for (std::size_t k = 1; k < in.size(); ++k)
      list += (list.empty() ? "" : ", ") + format_g(s.x[in[k]], 3) + ": " + format_printf("%.3f", slope(k));
    for (std::size_t k = in.size(); k-- > 1 && std::abs(slope(k) - theory) <= 0.01;)
      from = axis + " = " + format_g(s.x[in[k]], 3);
    const double last = slope(in.size() - 1);
    exponents_ += "| " + group + " | " + axis + " | " + format_printf("%.3f", theory) + " | " + window + " | " + list +
                  " | " + format_printf("%.3f (%+.3f)", last, last - theory) + " | " + from + " |\n";
  }

  // Notes on the fits just made (rows from `first`) about points outside the theory's regime: the OLS window
  // leaves them out (said), the saturating fit uses every point (warned), and no regime check (c = 0) is warned.
  void note_regime(std::size_t first, const Series& s, double regime, double c, const Axis& ax) {
    std::size_t outside = 0;
    for (double x : s.x) outside += x > regime;
    const std::string where =
        ax.n_axis ? "N_eff^(1/a) <= " + format_g(c, 3) + " M" : "M <= " + format_g(c, 3) + " N_eff^(1/a)";
    for (std::size_t i = first; i < fits_.size(); ++i) {
      FitRow& r = fits_[i];
      std::string note;
      if (c <= 0)
        note = "regime check off (" + std::string(ax.n_axis ? "n_regime" : "m_regime") + " = 0): slopes may bend";
      else if (outside > 0 && r.method == "loglog_ols")
        note = std::to_string(outside) + " of " + std::to_string(s.x.size()) + " points outside the regime (" + where +
               " = " + format_g(regime, 4) + ") left out";
      else if (outside > 0)
        note = "WARNING: uses " + std::to_string(outside) + " points outside the regime (" + where + ")";
      if (!note.empty()) r.note = r.note.empty() ? note : r.note + "; " + note;
    }
  }

  void frontier_of_group(const std::string& group, const std::vector<const SweepPoint*>& pts);

  // frontier.csv rows: Monte Carlo (with a bootstrap interval of R* at each budget) and exact.
  void write_frontier_rows(const std::string& group, const Frontier& fr, const Frontier& fe,
                           const std::vector<std::vector<double>>& per_budget) {
    for (const auto* fx : {&fr, &fe})
      for (std::size_t i = 0; i < fx->points.size(); ++i) {
        const FrontierPoint& q = fx->points[i];
        frontier_.cell(group).cell(q.budget).cell(q.m_star).cell(q.excess_star);
        frontier_.cell(q.interior ? "1" : "0").cell(fx == &fr ? "monte_carlo" : "exact");
        if (fx == &fr && i < per_budget.size() && !per_budget[i].empty()) {
          const Interval iv = percentile_interval(per_budget[i], f_.confidence);
          frontier_.cell(iv.lo).cell(iv.hi);
        } else {
          frontier_.empty_cell().empty_cell();
        }
        frontier_.end_row();
      }
  }

  const SweepSpec& spec_;
  const FitSpec& f_;
  std::map<std::string, PointData> data_;  // by point name
  std::vector<FitRow> fits_;
  CsvWriter slopes_, frontier_;
  std::string exponents_;  // rows of the exponents table
};

std::vector<double> sorted_unique(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

void SweepAnalyzer::frontier_of_group(const std::string& group, const std::vector<const SweepPoint*>& pts) {
  std::vector<double> ms, ns;
  for (const SweepPoint* p : pts) {
    ms.push_back(static_cast<double>(p->config.M));
    ns.push_back(static_cast<double>(p->config.N));
  }
  ms = sorted_unique(ms);
  ns = sorted_unique(ns);
  if (ms.size() < 3 || ns.size() < 2 || pts.size() != ms.size() * ns.size()) return;
  // Series indexed [i * |N| + j].
  Series s;
  s.exact_only = !pts[0]->config.monte_carlo;
  s.per_sketch = s.exact_only ? 1 : static_cast<std::size_t>(pts[0]->config.trials);
  std::vector<const SweepPoint*> cell(ms.size() * ns.size(), nullptr);
  for (const SweepPoint* p : pts) {
    const auto i = std::lower_bound(ms.begin(), ms.end(), static_cast<double>(p->config.M)) - ms.begin();
    const auto j = std::lower_bound(ns.begin(), ns.end(), static_cast<double>(p->config.N)) - ns.begin();
    cell[static_cast<std::size_t>(i) * ns.size() + static_cast<std::size_t>(j)] = p;
  }
  const double sigma2 = pts[0]->config.sigma * pts[0]->config.sigma;
  for (const SweepPoint* p : cell) {
    const PointData& d = get(*p);
    std::vector<double> y;
    for (double r : d.risk) y.push_back(r - sigma2);
    s.y.push_back(y);
    s.y_exact.push_back(d.risk_exact - sigma2);
    s.x.push_back(0);
  }
  auto frontier_of = [&](const std::vector<double>& flat) {
    std::vector<std::vector<double>> grid(ms.size(), std::vector<double>(ns.size()));
    for (std::size_t i = 0; i < ms.size(); ++i)
      for (std::size_t j = 0; j < ns.size(); ++j) grid[i][j] = flat[i * ns.size() + j];
    return compute_frontier(ms, ns, grid, f_.cost_fixed, f_.cost_per_m);
  };
  const Frontier fr = frontier_of(s.means());
  const Frontier fe = frontier_of(s.y_exact);
  const double a = pts[0]->config.a, b = pts[0]->config.b;
  FitRow mrow = fit_row(group, "M* vs C", "frontier"), rrow = fit_row(group, "R*-sigma2 vs C", "frontier");
  mrow.slope = -fr.m_star_fit.exponent;
  rrow.slope = -fr.excess_star_fit.exponent;
  mrow.log_prefactor = fr.m_star_fit.intercept;
  rrow.log_prefactor = fr.excess_star_fit.intercept;
  mrow.slope_exact = -fe.m_star_fit.exponent;
  rrow.slope_exact = -fe.excess_star_fit.exponent;
  const ScalingTheory th = scaling_theory(a, b, pts[0]->config.sigma);
  mrow.theory = th.m_star;
  rrow.theory = th.r_star;
  mrow.ok = rrow.ok = fr.ok;
  mrow.n_points = rrow.n_points = fr.m_star_fit.n;
  if (!fr.points.empty()) {
    mrow.x_lo = rrow.x_lo = fr.points.front().budget;
    mrow.x_hi = rrow.x_hi = fr.points.back().budget;
  }
  std::vector<double> bm, br;
  std::vector<std::vector<double>> per_budget(fr.points.size());  // replicates of R* at each budget
  if (f_.bootstrap > 0)
    for (const auto& idx : bootstrap_trial_indices(s.trials(), f_.bootstrap, f_.bootstrap_seed, s.per_sketch)) {
      const Frontier fb = frontier_of(s.means(idx));
      bm.push_back(fb.ok ? -fb.m_star_fit.exponent : NAN);
      br.push_back(fb.ok ? -fb.excess_star_fit.exponent : NAN);
      for (std::size_t i = 0; i < per_budget.size() && i < fb.points.size(); ++i)
        per_budget[i].push_back(fb.points[i].excess_star);
    }
  write_frontier_rows(group, fr, fe, per_budget);
  fill_interval(mrow, bm, f_.confidence);
  fill_interval(rrow, br, f_.confidence);
  if (s.exact_only && mrow.ok) {
    mark_exact_only(mrow);
    mark_exact_only(rrow);
  }
  fits_.push_back(mrow);
  fits_.push_back(rrow);
}

}  // namespace

SweepAnalysis analyze_sweep(const SweepSpec& spec) {
  SweepAnalyzer an(spec);
  for (const std::string& grid : spec.fit.m_axis_grids) an.axis(grid, {&Config::N, &Config::M, "N", "M", false});
  for (const std::string& grid : spec.fit.n_axis_grids) an.axis(grid, {&Config::M, &Config::N, "M", "N_eff", true});
  for (const std::string& grid : spec.fit.frontier_grids) an.frontier(grid);
  return an.finish();
}

namespace {

namespace fs = std::filesystem;

// The points that failed (their error.json), by grid: a section of report.md, empty when none did.
std::string failed_points_md(const SweepSpec& spec) {
  std::map<std::string, std::vector<std::string>> by_grid;
  for (const SweepPoint& p : spec.points) {
    const PointState state = point_state(p);
    if (state == PointState::kDone ||
        (state != PointState::kFailed && !fs::exists(fs::path(p.config.out) / "error.json")))
      continue;
    std::string why = "see error.json";
    try {
      why = nlohmann::json::parse(read_text_file(p.config.out + "/error.json")).value("error", why);
    } catch (const std::exception&) {
    }
    by_grid[p.grid].push_back("`" + p.name + "`: " + cut(why));
  }
  if (by_grid.empty()) return "";
  std::string md =
      "## Failed points\n\nThese points have no results (their error.json says why); the fits and "
      "tables leave them out.\n\n";
  for (const auto& [grid, lines] : by_grid) {
    md += "- grid `" + grid + "`: " + std::to_string(lines.size()) + " point(s)\n";
    for (const std::string& l : lines) md += "  - " + l + "\n";
  }
  return md + "\n";
}

// report.md: title, version and date, the failed points, the fits with notes, how the regime windows work, the
// figures, and the sweep file as it was read.
std::string full_report(const SweepSpec& spec, const SweepAnalysis& a) {
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  const FitSpec& f = spec.fit;
  std::string md = "# Sweep report: " + spec.source + "\n\n";
  md += std::string("sgdlaw ") + version_string() + ", written " + date + ". Folder `" + spec.out + "`, " +
        std::to_string(spec.points.size()) + " points.\n\n" + failed_points_md(spec) + "## Fits\n\n" + a.report_md +
        "\n";
  if (!a.exponents_md.empty())
    md +=
        "## Asymptotic exponents of the exact curves\n\nLocal slopes d log R / d log x of the exact expected "
        "risk (R - sigma^2, or R - sigma^2 - Approx on an N axis that subtracts it) between neighbouring points, "
        "as the size grows, over the same window as the fit (points outside it bend by design): finite-size "
        "bending measured, not assumed. The last column is the size from which every local slope is within 0.01 "
        "of the theory's exponent.\n\n" +
        a.exponents_md + "\n";
  md += "Slopes are d log(excess risk) / d log x. The M law is fitted where M <= m_regime N_eff^(1/a)\n(m_regime = " +
        format_g(f.m_regime, 3) +
        "), the N law where N_eff^(1/a) <= n_regime M (n_regime = " + format_g(f.n_regime, 3) +
        "); outside, the other\nterm dominates and slopes bend. The note column says what a window left out, and "
        "`slopes.csv` flags\nevery point (`in_regime`). Intervals are bootstrap percentile intervals over whole trials "
        "(two-stage\nwhere points have several sketches); z = (fit - theory) / bootstrap sd.\n\n";
  if (!f.inferred.empty()) {
    md += "Fits inferred from the grids ([fit] names none):\n\n";
    for (const std::string& line : f.inferred) md += "- " + line + "\n";
    md += "\n";
  }
  md += "## Figures\n\nWritten by `sgdlaw plot " + spec.out +
        "`: [risk vs M](risk_vs_M.png), [risk vs N_eff](risk_vs_Neff.png), "
        "[decomposition](decomposition.png), [frontier](frontier.png) (those the fits above make).\n\n";
  std::string file;
  try {
    file = read_text_file(spec.source);
  } catch (const std::exception&) {
    file = "(could not read " + spec.source + ")\n";
  }
  md += "## Sweep file `" + spec.source + "`\n\n```toml\n" + file + (file.empty() || file.back() == '\n' ? "" : "\n") +
        "```\n";
  return md;
}

}  // namespace

void write_sweep_analysis(const SweepSpec& spec, const SweepAnalysis& a) {
  CsvWriter csv({"group", "grid",          "a",       "b",      "held",  "held_value",  "quantity", "method", "slope",
                 "ci_lo", "ci_hi",         "boot_sd", "theory", "z",     "slope_exact", "n_points", "x_lo",   "x_hi",
                 "y_inf", "log_prefactor", "ok",      "note",   "batch", "gamma_lo",    "gamma_hi"},
                6);
  for (const FitRow& r : a.fits) {
    // The packed group "grid;a=..;b=..[;other axes][;N=.. or ;M=..]" also as columns, for pandas.
    std::vector<std::string> parts;
    for (std::size_t pos = 0; pos <= r.group.size();) {
      const auto end = std::min(r.group.find(';', pos), r.group.size());
      parts.push_back(r.group.substr(pos, end - pos));
      pos = end + 1;
    }
    auto value_of = [&](const std::string& key) {
      for (const std::string& s : parts)
        if (s.rfind(key + "=", 0) == 0) return s.substr(key.size() + 1);
      return std::string();
    };
    const std::string held = !value_of("N").empty() ? "N" : !value_of("M").empty() ? "M" : "";
    csv.cell(r.group).cell(parts[0]).cell(value_of("a")).cell(value_of("b")).cell(held);
    held.empty() ? csv.empty_cell() : csv.cell(value_of(held));
    // A failed fit has no numbers, only its reason in `note` (empty cells, as report.md's "-").
    const auto fitted = [&](double v) { return r.ok ? v : NAN; };
    csv.cell(r.quantity).cell(r.method).cell(fitted(r.slope)).cell(fitted(r.ci_lo)).cell(fitted(r.ci_hi));
    csv.cell(fitted(r.boot_sd)).cell(r.theory).cell(fitted(r.z)).cell(fitted(r.slope_exact));
    csv.cell(static_cast<std::int64_t>(r.n_points)).cell(r.x_lo).cell(r.x_hi).cell(fitted(r.y_inf));
    csv.cell(fitted(r.log_prefactor)).cell(r.ok ? "1" : "0").cell(r.note);
    csv.cell(r.batch).cell(r.gamma_lo).cell(r.gamma_hi).end_row();
  }
  write_file_atomically(spec.out + "/fits.csv", csv.text());
  write_file_atomically(spec.out + "/slopes.csv", a.slopes_csv);
  write_file_atomically(spec.out + "/frontier.csv", a.frontier_csv);
  write_file_atomically(spec.out + "/report.md", full_report(spec, a));
}

}  // namespace sgdlaw
