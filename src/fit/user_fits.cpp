#include "sgdlaw/fit/user_fits.hpp"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_multimin.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "sgdlaw/fit/power_law_fit.hpp"

namespace sgdlaw {
namespace {

struct XY {
  const std::vector<double>* x;
  const std::vector<double>* y;
};

int power_f(const gsl_vector* p, void* data, gsl_vector* f) {
  const XY& d = *static_cast<XY*>(data);
  const double A = gsl_vector_get(p, 0), al = gsl_vector_get(p, 1), B = gsl_vector_get(p, 2);
  for (std::size_t i = 0; i < d.x->size(); ++i) {
    const double xi = (*d.x)[i], yi = (*d.y)[i];
    gsl_vector_set(f, i, (A * std::pow(xi, -al) + B - yi) / yi);
  }
  return GSL_SUCCESS;
}

int power_df(const gsl_vector* p, void* data, gsl_matrix* J) {
  const XY& d = *static_cast<XY*>(data);
  const double A = gsl_vector_get(p, 0), al = gsl_vector_get(p, 1);
  for (std::size_t i = 0; i < d.x->size(); ++i) {
    const double xi = (*d.x)[i], yi = (*d.y)[i], t = std::pow(xi, -al);
    gsl_matrix_set(J, i, 0, t / yi);
    gsl_matrix_set(J, i, 1, -A * std::log(xi) * t / yi);
    gsl_matrix_set(J, i, 2, 1.0 / yi);
  }
  return GSL_SUCCESS;
}

struct ChinchillaData {
  std::vector<double> logN, logD, logL;
  double delta;
};

double huber(double r, double delta) {
  return std::fabs(r) <= delta ? 0.5 * r * r : delta * (std::fabs(r) - 0.5 * delta);
}
double huber_grad(double r, double delta) { return std::fabs(r) <= delta ? r : (r > 0 ? delta : -delta); }

// theta = (log A, log B, log E, alpha, beta).
void chinchilla_eval(const gsl_vector* th, const ChinchillaData& d, double* f, gsl_vector* g) {
  const double la = gsl_vector_get(th, 0), lb = gsl_vector_get(th, 1), le = gsl_vector_get(th, 2);
  const double al = gsl_vector_get(th, 3), be = gsl_vector_get(th, 4);
  double total = 0, g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0;
  for (std::size_t i = 0; i < d.logN.size(); ++i) {
    const double t1 = la - al * d.logN[i], t2 = lb - be * d.logD[i], t3 = le;
    const double mx = std::max(t1, std::max(t2, t3));
    const double e1 = std::exp(t1 - mx), e2 = std::exp(t2 - mx), e3 = std::exp(t3 - mx), s = e1 + e2 + e3;
    const double r = mx + std::log(s) - d.logL[i];
    total += huber(r, d.delta);
    const double h = huber_grad(r, d.delta);
    g0 += h * e1 / s;
    g1 += h * e2 / s;
    g2 += h * e3 / s;
    g3 += -h * e1 / s * d.logN[i];
    g4 += -h * e2 / s * d.logD[i];
  }
  if (f) *f = total;
  if (g) {
    gsl_vector_set(g, 0, g0);
    gsl_vector_set(g, 1, g1);
    gsl_vector_set(g, 2, g2);
    gsl_vector_set(g, 3, g3);
    gsl_vector_set(g, 4, g4);
  }
}

double cf_f(const gsl_vector* th, void* p) {
  double f;
  chinchilla_eval(th, *static_cast<ChinchillaData*>(p), &f, nullptr);
  return f;
}
void cf_df(const gsl_vector* th, void* p, gsl_vector* g) {
  chinchilla_eval(th, *static_cast<ChinchillaData*>(p), nullptr, g);
}
void cf_fdf(const gsl_vector* th, void* p, double* f, gsl_vector* g) {
  chinchilla_eval(th, *static_cast<ChinchillaData*>(p), f, g);
}

ChinchillaFit bfgs_from(const ChinchillaData& d, const double start[5]) {
  ChinchillaFit out;
  gsl_multimin_function_fdf fn{&cf_f, &cf_df, &cf_fdf, 5, const_cast<ChinchillaData*>(&d)};
  gsl_vector* x = gsl_vector_alloc(5);
  for (int k = 0; k < 5; ++k) gsl_vector_set(x, k, start[k]);
  gsl_multimin_fdfminimizer* s = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, 5);
  gsl_multimin_fdfminimizer_set(s, &fn, x, 0.1, 0.1);
  for (int it = 0; it < 500; ++it) {
    if (gsl_multimin_fdfminimizer_iterate(s) != GSL_SUCCESS) break;
    if (gsl_multimin_test_gradient(s->gradient, 1e-10) == GSL_SUCCESS) break;
  }
  const gsl_vector* th = gsl_multimin_fdfminimizer_x(s);
  out.A = std::exp(gsl_vector_get(th, 0));
  out.B = std::exp(gsl_vector_get(th, 1));
  out.E = std::exp(gsl_vector_get(th, 2));
  out.alpha = gsl_vector_get(th, 3);
  out.beta = gsl_vector_get(th, 4);
  out.objective = gsl_multimin_fdfminimizer_minimum(s);
  out.ok = std::isfinite(out.objective) && out.alpha > 0 && out.beta > 0;
  gsl_multimin_fdfminimizer_free(s);
  gsl_vector_free(x);
  return out;
}

}  // namespace

PowerModelFit fit_power_model(const std::vector<double>& x, const std::vector<double>& y) {
  PowerModelFit out;
  if (x.size() < 4) return out;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!(x[i] > 0 && y[i] > 0)) return out;
  const SaturatingFit start = fit_saturating(x, y);
  XY data{&x, &y};
  gsl_error_handler_t* old = gsl_set_error_handler_off();
  gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();  // Levenberg-Marquardt
  gsl_multifit_nlinear_fdf fdf;
  fdf.f = &power_f;
  fdf.df = &power_df;
  fdf.fvv = nullptr;
  fdf.n = x.size();
  fdf.p = 3;
  fdf.params = &data;
  gsl_multifit_nlinear_workspace* w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, x.size(), 3);
  double p0[3] = {std::max(start.c, 1e-12), start.exponent > 0 ? start.exponent : 0.5, start.y_inf};
  gsl_vector_view pv = gsl_vector_view_array(p0, 3);
  int info = 0;
  if (gsl_multifit_nlinear_init(&pv.vector, &fdf, w) == GSL_SUCCESS &&
      gsl_multifit_nlinear_driver(200, 1e-12, 1e-12, 1e-12, nullptr, nullptr, &info, w) == GSL_SUCCESS) {
    const gsl_vector* p = gsl_multifit_nlinear_position(w);
    out.A = gsl_vector_get(p, 0);
    out.alpha = gsl_vector_get(p, 1);
    out.B = gsl_vector_get(p, 2);
    double chi;
    gsl_blas_ddot(gsl_multifit_nlinear_residual(w), gsl_multifit_nlinear_residual(w), &chi);
    out.rel_rms = std::sqrt(chi / static_cast<double>(x.size()));
    gsl_matrix* covar = gsl_matrix_alloc(3, 3);
    if (gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0.0, covar) == GSL_SUCCESS) {
      const double scale = x.size() > 3 ? chi / static_cast<double>(x.size() - 3) : 0.0;
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) out.cov[i][j] = scale * gsl_matrix_get(covar, i, j);
    }
    gsl_matrix_free(covar);
    out.ok = std::isfinite(out.alpha);
  }
  gsl_multifit_nlinear_free(w);
  gsl_set_error_handler(old);
  return out;
}

double ChinchillaFit::G() const { return std::pow(alpha * A / (beta * B), 1.0 / (alpha + beta)); }

ChinchillaFit fit_chinchilla(const std::vector<double>& N, const std::vector<double>& D, const std::vector<double>& L,
                             const std::vector<ChinchillaFit>& starts, double huber_delta) {
  ChinchillaData d;
  d.delta = huber_delta;
  for (std::size_t i = 0; i < N.size(); ++i) {
    if (!(N[i] > 0 && D[i] > 0 && L[i] > 0)) continue;
    d.logN.push_back(std::log(N[i]));
    d.logD.push_back(std::log(D[i]));
    d.logL.push_back(std::log(L[i]));
  }
  ChinchillaFit best;
  best.objective = std::numeric_limits<double>::infinity();
  if (d.logN.size() < 6) return best;
  gsl_error_handler_t* old = gsl_set_error_handler_off();
  auto consider = [&](const double s[5]) {
    const ChinchillaFit f = bfgs_from(d, s);
    if (f.ok && f.objective < best.objective) best = f;
  };
  if (starts.empty()) {  // Hoffmann et al.'s initialisation grid
    for (double al : {0.0, 0.5, 1.0, 1.5, 2.0})
      for (double be : {0.0, 0.5, 1.0, 1.5, 2.0})
        for (double le : {-1.0, -0.5, 0.0, 0.5, 1.0, 1.5})
          for (double la : {0.0, 5.0, 10.0, 15.0, 20.0, 25.0})
            for (double lb : {0.0, 5.0, 10.0, 15.0, 20.0, 25.0}) {
              const double s[5] = {la, lb, le, al, be};
              consider(s);
            }
  } else {
    for (const ChinchillaFit& st : starts) {
      const double s[5] = {std::log(st.A), std::log(st.B), std::log(st.E), st.alpha, st.beta};
      consider(s);
    }
  }
  gsl_set_error_handler(old);
  return best;
}

std::vector<std::vector<std::size_t>> bootstrap_rows(std::size_t rows, const std::vector<std::string>& groups,
                                                     std::int64_t reps, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<std::size_t>> out;
  if (groups.empty()) {
    std::uniform_int_distribution<std::size_t> pick(0, rows - 1);
    for (std::int64_t r = 0; r < reps; ++r) {
      std::vector<std::size_t> idx(rows);
      for (auto& i : idx) i = pick(rng);
      out.push_back(std::move(idx));
    }
    return out;
  }
  std::map<std::string, std::vector<std::size_t>> by_group;
  for (std::size_t i = 0; i < rows; ++i) by_group[groups[i]].push_back(i);
  std::vector<const std::vector<std::size_t>*> members;
  for (const auto& [g, v] : by_group) members.push_back(&v);
  std::uniform_int_distribution<std::size_t> pick(0, members.size() - 1);
  for (std::int64_t r = 0; r < reps; ++r) {
    std::vector<std::size_t> idx;
    for (std::size_t k = 0; k < members.size(); ++k) {
      const auto* m = members[pick(rng)];
      idx.insert(idx.end(), m->begin(), m->end());
    }
    out.push_back(std::move(idx));
  }
  return out;
}

}  // namespace sgdlaw
