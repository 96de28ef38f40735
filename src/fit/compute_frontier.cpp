#include "sgdlaw/fit/compute_frontier.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sgdlaw {
namespace {

// log y at log N = ln by linear interpolation in (log N, log y); NaN outside the grid.
double interp_log(const std::vector<double>& ns, const std::vector<double>& ys, double ln) {
  for (std::size_t j = 0; j + 1 < ns.size(); ++j) {
    const double l0 = std::log(ns[j]), l1 = std::log(ns[j + 1]);
    if (ln >= l0 - 1e-12 && ln <= l1 + 1e-12) {
      if (!(ys[j] > 0 && ys[j + 1] > 0)) return std::numeric_limits<double>::quiet_NaN();
      const double t = (ln - l0) / (l1 - l0);
      return (1 - t) * std::log(ys[j]) + t * std::log(ys[j + 1]);
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

Frontier compute_frontier(const std::vector<double>& ms, const std::vector<double>& ns,
                          const std::vector<std::vector<double>>& excess, double cost_fixed, double cost_per_m,
                          int n_budgets) {
  Frontier fr;
  if (ms.size() < 3 || ns.size() < 2) return fr;
  auto cost = [&](double m) { return cost_fixed + cost_per_m * m; };
  // Budgets reachable by at least three M values: from the third-smallest minimum to the third-largest maximum.
  double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
  {
    std::vector<double> mins, maxs;
    for (double m : ms) {
      mins.push_back(ns.front() * cost(m));
      maxs.push_back(ns.back() * cost(m));
    }
    std::sort(mins.begin(), mins.end());
    std::sort(maxs.begin(), maxs.end());
    lo = mins[2];
    hi = maxs[maxs.size() - 3];
  }
  if (!(hi > lo)) return fr;
  std::vector<double> cs, mstar, rstar;
  for (int b = 0; b < n_budgets; ++b) {
    const double budget = std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * b / (n_budgets - 1));
    std::vector<double> lm, ly;
    for (std::size_t i = 0; i < ms.size(); ++i) {
      const double v = interp_log(ns, excess[i], std::log(budget / cost(ms[i])));
      if (std::isfinite(v)) {
        lm.push_back(std::log(ms[i]));
        ly.push_back(v);
      }
    }
    if (lm.size() < 3) continue;
    std::size_t k = 0;
    for (std::size_t i = 1; i < ly.size(); ++i)
      if (ly[i] < ly[k]) k = i;
    FrontierPoint p;
    p.budget = budget;
    p.interior = k > 0 && k + 1 < ly.size();
    double best_lm = lm[k], best_ly = ly[k];
    if (p.interior) {  // parabola through the three points around the discrete minimum
      const double x0 = lm[k - 1], x1 = lm[k], x2 = lm[k + 1], y0 = ly[k - 1], y1 = ly[k], y2 = ly[k + 1];
      const double d0 = (y1 - y0) / (x1 - x0), d1 = (y2 - y1) / (x2 - x1), a2 = (d1 - d0) / (x2 - x0);
      if (a2 > 0) {
        const double xv = 0.5 * (x0 + x1) - d0 / (2 * a2);
        if (xv > x0 && xv < x2) {
          best_lm = xv;
          best_ly = y0 + d0 * (xv - x0) + a2 * (xv - x0) * (xv - x1);
        }
      }
    }
    p.m_star = std::exp(best_lm);
    p.excess_star = std::exp(best_ly);
    fr.points.push_back(p);
    if (p.interior) {
      cs.push_back(budget);
      mstar.push_back(p.m_star);
      rstar.push_back(p.excess_star);
    }
  }
  fr.m_star_fit = fit_loglog(cs, mstar);
  fr.excess_star_fit = fit_loglog(cs, rstar);
  fr.ok = fr.m_star_fit.ok && fr.excess_star_fit.ok && cs.size() >= 3;
  return fr;
}

}  // namespace sgdlaw
