#include "sgdlaw/fit/power_law_fit.hpp"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sgdlaw {

LogLogFit fit_loglog(const std::vector<double>& x, const std::vector<double>& y, double x_lo, double x_hi) {
  LogLogFit f;
  double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] >= x_lo && x[i] <= x_hi && x[i] > 0 && y[i] > 0)) continue;
    const double lx = std::log(x[i]), ly = std::log(y[i]);
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
    syy += ly * ly;
    ++f.n;
  }
  if (f.n < 2) return f;
  const double n = static_cast<double>(f.n);
  const double vxx = sxx - sx * sx / n, vxy = sxy - sx * sy / n, vyy = syy - sy * sy / n;
  if (!(vxx > 0)) return f;
  const double slope = vxy / vxx;
  f.exponent = -slope;
  f.intercept = (sy - slope * sx) / n;
  f.r2 = vyy > 0 ? vxy * vxy / (vxx * vyy) : 1.0;
  f.ok = true;
  return f;
}

namespace {

struct VarProData {
  const std::vector<double>* x;
  const std::vector<double>* y;
};

// For fixed e: min over y_inf, c >= 0 of sum w (y - y_inf - c x^-e)^2 with w = 1/y^2 (exact 2-variable NNLS).
double projected_sse(double e, const VarProData& d, double* y_inf, double* c) {
  const auto& x = *d.x;
  const auto& y = *d.y;
  double s11 = 0, s12 = 0, s22 = 0, b1 = 0, b2 = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double w = 1.0 / (y[i] * y[i]), f = std::pow(x[i], -e);
    s11 += w;
    s12 += w * f;
    s22 += w * f * f;
    b1 += w * y[i];
    b2 += w * f * y[i];
    syy += w * y[i] * y[i];
  }
  auto sse = [&](double r, double k) {
    return syy - 2 * (r * b1 + k * b2) + r * r * s11 + 2 * r * k * s12 + k * k * s22;
  };
  double best = std::numeric_limits<double>::infinity(), br = 0, bc = 0;
  const double det = s11 * s22 - s12 * s12;
  if (det > 1e-300 * s11 * s22) {
    const double r = (b1 * s22 - b2 * s12) / det, k = (b2 * s11 - b1 * s12) / det;
    if (r >= 0 && k >= 0) {
      best = sse(r, k);
      br = r;
      bc = k;
    }
  }
  if (!std::isfinite(best)) {
    const double k = std::max(0.0, b2 / s22), r = std::max(0.0, b1 / s11);
    const double only_c = sse(0.0, k), only_r = sse(r, 0.0);
    if (only_c <= only_r) {
      best = only_c;
      bc = k;
    } else {
      best = only_r;
      br = r;
    }
  }
  if (y_inf) *y_inf = br;
  if (c) *c = bc;
  return std::max(best, 0.0);
}

double gsl_objective(double e, void* params) {
  return projected_sse(e, *static_cast<VarProData*>(params), nullptr, nullptr);
}

}  // namespace

SaturatingFit fit_saturating(const std::vector<double>& x_in, const std::vector<double>& y_in, double e_min,
                             double e_max) {
  SaturatingFit f;
  std::vector<double> x, y;
  for (std::size_t i = 0; i < x_in.size(); ++i)
    if (x_in[i] > 0 && y_in[i] > 0) {
      x.push_back(x_in[i]);
      y.push_back(y_in[i]);
    }
  if (x.size() < 3) return f;
  VarProData data{&x, &y};
  // Coarse scan brackets the global minimum; Brent refines it.
  const int n_grid = 250;
  const double step = (e_max - e_min) / n_grid;
  int best_i = 0;
  double best = std::numeric_limits<double>::infinity();
  std::vector<double> vals(n_grid + 1);
  for (int i = 0; i <= n_grid; ++i) {
    vals[i] = projected_sse(e_min + step * i, data, nullptr, nullptr);
    if (vals[i] < best) {
      best = vals[i];
      best_i = i;
    }
  }
  double e = e_min + step * best_i;
  if (best_i > 0 && best_i < n_grid && vals[best_i] < vals[best_i - 1] && vals[best_i] < vals[best_i + 1]) {
    gsl_error_handler_t* old = gsl_set_error_handler_off();
    gsl_min_fminimizer* s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
    gsl_function F{&gsl_objective, &data};
    if (gsl_min_fminimizer_set_with_values(s, &F, e, vals[best_i], e - step, vals[best_i - 1], e + step,
                                           vals[best_i + 1]) == GSL_SUCCESS) {
      for (int it = 0; it < 100; ++it) {
        if (gsl_min_fminimizer_iterate(s) != GSL_SUCCESS) break;
        if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(s), gsl_min_fminimizer_x_upper(s), 1e-9, 0.0) ==
            GSL_SUCCESS)
          break;
      }
      e = gsl_min_fminimizer_x_minimum(s);
    }
    gsl_min_fminimizer_free(s);
    gsl_set_error_handler(old);
  } else {
    f.at_bound = best_i == 0 || best_i == n_grid;
  }
  const double sse = projected_sse(e, data, &f.y_inf, &f.c);
  f.exponent = e;
  f.rel_rms = std::sqrt(sse / static_cast<double>(x.size()));
  f.ok = f.c > 0;
  return f;
}

double log_log_slope(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() < 2) return NAN;
  const auto n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double lx = std::log(x[i]), ly = std::log(y[i]);
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

std::vector<double> local_slopes(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> out;
  const std::size_t n = x.size();
  if (n < 2) return out;
  auto slope = [&](std::size_t i, std::size_t j) { return std::log(y[j] / y[i]) / std::log(x[j] / x[i]); };
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(i == 0 ? slope(0, 1) : i + 1 == n ? slope(n - 2, n - 1) : slope(i - 1, i + 1));
  return out;
}

Interval percentile_interval(std::vector<double> s, double level) {
  Interval iv;
  s.erase(std::remove_if(s.begin(), s.end(), [](double v) { return !std::isfinite(v); }), s.end());
  if (s.empty()) return iv;
  std::sort(s.begin(), s.end());
  auto q = [&](double p) {
    const double pos = p * static_cast<double>(s.size() - 1);
    const auto i = static_cast<std::size_t>(std::floor(pos));
    const double frac = pos - static_cast<double>(i);
    return i + 1 < s.size() ? s[i] * (1 - frac) + s[i + 1] * frac : s[i];
  };
  iv.lo = q((1 - level) / 2);
  iv.hi = q(1 - (1 - level) / 2);
  double mean = 0;
  for (double v : s) mean += v;
  mean /= static_cast<double>(s.size());
  double ss = 0;
  for (double v : s) ss += (v - mean) * (v - mean);
  iv.sd = s.size() > 1 ? std::sqrt(ss / static_cast<double>(s.size() - 1)) : 0.0;
  return iv;
}

}  // namespace sgdlaw
