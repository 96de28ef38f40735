#include "sgdlaw/core/deterministic_equivalent.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/power_law_spectrum.hpp"

namespace sgdlaw {
namespace {

using cd = std::complex<double>;
constexpr double kPi = 3.14159265358979323846;
// Im z = kSmoothing * x: the density itself (a wider Cauchy kernel, width proportional to x, would leak mass
// upwards through its log-divergent tail: 0.8% at 4e-3).
constexpr double kSmoothing = 1e-7;
// Log-spaced grid of x: fine enough for the narrowest bumps (the top eigenvalues, relative width ~ 2 / sqrt(M)).
int per_decade(double M) { return std::max(600, static_cast<int>(6.0 * std::sqrt(M))); }

// H's coordinates as (lambda, lambda * c, weight) nodes: every index up to 256, the tail by quadrature.
struct IndexNodes {
  std::vector<double> lambda, lc, w;
};

IndexNodes index_nodes(const Config& c) {
  const double upper = c.d_infinite ? INFINITY : static_cast<double>(c.d);
  const PowerLawSpectrum s = power_law_index_nodes(c.a, c.b, 256, upper, 1.0);
  IndexNodes n;
  for (Eigen::Index i = 0; i < s.lambda.size(); ++i) {
    n.lambda.push_back(s.lambda[i]);
    n.lc.push_back(s.lambda[i] * s.prior_var[i]);
    n.w.push_back(s.weight.size() ? s.weight[i] : 1.0);
  }
  return n;
}

// 1 / (1 + lambda m) in real arithmetic: std::complex's division goes through libgcc's __divdc3 (which guards
// against infinities), took half the time and blocks vectorisation.
inline cd inverse_one_plus(double lambda, cd m) {
  const double den_re = 1.0 + lambda * m.real(), den_im = lambda * m.imag();
  const double inv = 1.0 / (den_re * den_re + den_im * den_im);
  return {den_re * inv, -den_im * inv};
}

// Newton's method for the root m of f(m) = m (-z + Q(m)) - 1, Q(m) = (1/M) sum_i w_i lambda_i / (1 + lambda_i m),
// from a starting guess (the neighbouring grid point's root); returns the root and tr B (Sigma - z)^-1.
struct Resolvent {
  cd m, nu;
};

Resolvent solve_resolvent(const IndexNodes& n, double M, cd z, cd m, bool with_nu = false) {
  const std::size_t count = n.lambda.size();
  for (int it = 0; it < 200; ++it) {
    // q = sum_i w_i lambda_i / (1 + lambda_i m) and its derivative in m, in real arithmetic (inverse_one_plus,
    // spelled out on doubles so that the loop vectorises).
    double q_re = 0.0, q_im = 0.0, dq_re = 0.0, dq_im = 0.0;
    const double m_re = m.real(), m_im = m.imag();
#pragma omp simd reduction(+ : q_re, q_im, dq_re, dq_im)
    for (std::size_t i = 0; i < count; ++i) {
      const double l = n.lambda[i], wl = n.w[i] * l;
      const double den_re = 1.0 + l * m_re, den_im = l * m_im;
      const double inv = 1.0 / (den_re * den_re + den_im * den_im);
      const double r_re = den_re * inv, r_im = -den_im * inv;  // r = 1 / (1 + lambda m)
      q_re += wl * r_re;
      q_im += wl * r_im;
      dq_re -= wl * l * (r_re * r_re - r_im * r_im);
      dq_im -= wl * l * (2.0 * r_re * r_im);
    }
    const cd q = cd(q_re, q_im) / M, dq = cd(dq_re, dq_im) / M;
    const cd f = m * (-z + q) - 1.0, df = -z + q + m * dq;
    const cd step = f / df;
    // Stay on the branch Im m > 0 (Im z > 0): where the step would leave it (in a gap of the spectrum, where Im m
    // is tiny), keep its real part and halve the imaginary part instead.
    cd next = m - step;
    if (next.imag() <= 0.0) next = cd(next.real(), 0.5 * m.imag());
    m = next;
    if (std::abs(step) < 1e-14 * std::abs(m)) break;
  }
  if (!with_nu) return {m, 0.0};
  // nu = sum_i w_i lambda_i (lambda_i c_i) m / (1 + lambda_i m), in real arithmetic as above.
  double nu_re = 0.0, nu_im = 0.0;
  const double m_re = m.real(), m_im = m.imag();
#pragma omp simd reduction(+ : nu_re, nu_im)
  for (std::size_t i = 0; i < count; ++i) {
    const double l = n.lambda[i], wc = n.w[i] * n.lc[i];  // lc = lambda c
    const double den_re = 1.0 + l * m_re, den_im = l * m_im;
    const double inv = 1.0 / (den_re * den_re + den_im * den_im);
    const double num_re = l * m_re, num_im = l * m_im;  // lambda m / (1 + lambda m)
    nu_re += wc * (num_re * den_re + num_im * den_im) * inv;
    nu_im += wc * (num_im * den_re - num_re * den_im) * inv;
  }
  return {m, cd(nu_re, nu_im)};
}

// The 1/M terms of the Gaussian sketch average (real Gaussian entries), at z with the deterministic root m:
//   E[(1/M) tr (Sigma - z)^-1] = m + b / M,  b = -(1/2) d/dz log(1 - A),  A = (1/M) sum_i lambda_i^2 m^2 / (1 +
//   lambda_i m)^2
// (Bai and Silverstein's mean correction), and per column s_i of S, from a second-order expansion of
// s_i^T G s_i = g / (1 + lambda_i g), g = s_i^T G_-i s_i (mean (1/M) tr G_-i, variance 2 m' / M):
//   E[s_i^T G s_i] = m / (1 + lambda_i m) + (1/M) [b / (1 + lambda_i m)^2 - lambda_i m' / (1 + lambda_i m)^3],
// m' = m^2 / (1 - A). Summed against lambda_i (lambda_i c_i) this is the correction dnu of tr B (Sigma - z)^-1.
struct FiniteMTerms {
  cd one_minus_a;  // 1 - A: its argument / (2 pi) is the correction to the count of eigenvalues above x
  cd dnu;          // 1/M correction of tr B (Sigma - z)^-1 (already divided by M)
};

FiniteMTerms finite_m_terms(const IndexNodes& n, double M, cd m, bool with_dnu) {
  cd a_sum = 0.0, s3 = 0.0;
  for (std::size_t i = 0; i < n.lambda.size(); ++i) {
    const double l = n.lambda[i];
    const cd r = inverse_one_plus(l, m), r2 = r * r;
    a_sum += n.w[i] * l * l * r2;
    s3 += n.w[i] * l * l * r2 * r;
  }
  const cd one_minus_a = 1.0 - m * m * a_sum / M;
  if (!with_dnu) return {one_minus_a, 0.0};
  const cd inv_1ma = 1.0 / one_minus_a;
  const cd mp = m * m * inv_1ma, b = m * m * m * inv_1ma * inv_1ma * s3 / M;
  cd dnu = 0.0;
  for (std::size_t i = 0; i < n.lambda.size(); ++i) {
    const double l = n.lambda[i];
    const cd r = inverse_one_plus(l, m), r2 = r * r;
    dnu += n.w[i] * l * n.lc[i] * (b * r2 - l * mp * r2 * r);
  }
  return {one_minus_a, dnu / M};
}

// The density of Sigma's eigenvalues and of the captured signal on a descending log grid of x, with their running
// integrals from the top (trapezoid in log x, dx = x dlog x); stops once every eigenvalue is counted.
struct DensityGrid {
  std::vector<double> logx, count, signal;  // count: eigenvalues above x; signal: sum over them of mu E[u*^2]
  std::vector<double> rho, sig;             // per unit log x: eigenvalues, captured signal
  // 1/M terms (finite_m_terms): correction to the count of eigenvalues above x, and to the captured signal per
  // unit log x (the latter at the kernel width 1e-2 x: a distribution with edge singularities, smoothed; the
  // smoothing's own error is 1% of a 1/M term).
  std::vector<double> count_shift, dsig;
  double dlog = 0.0;
};

DensityGrid density_grid(const IndexNodes& nodes, double M, double x_hi, double x_lo, bool finite_m) {
  const int per = per_decade(M);
  const double dlog = std::log(10.0) / per;
  DensityGrid g;
  g.dlog = dlog;
  // Continuation in x at a wide kernel (1e-2 x), where the root is smooth in x, then down a ladder of kernel
  // widths to kSmoothing at each x (straight at a tiny width, Newton loses the branch at the spectrum's gaps).
  cd m_wide = -1.0 / cd(x_hi, 1e-2 * x_hi);
  double prev_rho = 0.0, prev_sig = 0.0;
  for (int k = 0;; ++k) {
    const double x = x_hi * std::pow(10.0, -static_cast<double>(k) / per);
    if (x < x_lo) break;
    m_wide = solve_resolvent(nodes, M, cd(x, 1e-2 * x), m_wide).m;
    cd m = m_wide;
    for (double width = 1e-3; width > kSmoothing; width *= 0.1) m = solve_resolvent(nodes, M, cd(x, width * x), m).m;
    const Resolvent r = solve_resolvent(nodes, M, cd(x, kSmoothing * x), m, true);
    const double rho = std::max(0.0, r.m.imag() / kPi) * x * M;  // eigenvalues per unit log x
    const double sig = std::max(0.0, r.nu.imag() / kPi);  // captured signal per unit log x: x (x E[u*^2] / x^2) x
    g.logx.push_back(std::log(x));
    g.rho.push_back(rho);
    g.sig.push_back(sig);
    if (finite_m) {
      g.count_shift.push_back(std::arg(finite_m_terms(nodes, M, r.m, false).one_minus_a) / (2.0 * kPi));
      g.dsig.push_back(finite_m_terms(nodes, M, m_wide, true).dnu.imag() / kPi);
    }
    g.count.push_back(k == 0 ? 0.0 : g.count.back() + 0.5 * dlog * (rho + prev_rho));
    g.signal.push_back(k == 0 ? 0.0 : g.signal.back() + 0.5 * dlog * (sig + prev_sig));
    prev_rho = rho;
    prev_sig = sig;
    if (g.count.back() > M * (1.0 - 1e-9) && rho < 1e-9 * M) break;  // below the smallest eigenvalue
  }
  return g;
}

// E[Approx] in closed form: at z = 0 the root m0 > 0 of (1/M) sum_i lambda_i m0 / (1 + lambda_i m0) = 1 (the
// sketch's effective regularisation 1 / m0), and signal - tr B Sigma^-1 = sum_i lambda_i c_i / (1 + lambda_i m0).
double approx_closed_form(const IndexNodes& n, double M, bool finite_m) {
  auto filled = [&](double m0) {
    double f = 0.0;
    for (std::size_t i = 0; i < n.lambda.size(); ++i) f += n.w[i] * n.lambda[i] * m0 / (1.0 + n.lambda[i] * m0);
    return f / M;
  };
  double lo = 0.0, hi = 1.0;
  while (filled(hi) < 1.0) hi *= 2.0;  // filled grows from 0 to the (weighted) count of indices >= M
  for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; ++it) (filled(0.5 * (lo + hi)) < 1.0 ? lo : hi) = 0.5 * (lo + hi);
  const double m0 = 0.5 * (lo + hi);
  double approx = 0.0;
  for (std::size_t i = 0; i < n.lambda.size(); ++i) approx += n.w[i] * n.lc[i] / (1.0 + n.lambda[i] * m0);
  // Its 1/M term: E[tr B Sigma^-1] gains dnu at z = 0 (below the spectrum when M < d: everything real there).
  if (finite_m) approx -= finite_m_terms(n, M, cd(m0, 0.0), true).dnu.real();
  return approx;
}

// Which grid cells become nodes. Above the spectrum Im m(x + i 1e-7 x) is only the Cauchy kernel's leak, about
// 1e-10 M eigenvalues per cell, while a cell inside even the narrowest bump (the top eigenvalue's, mass 1) holds
// 1e-4 M or more: cells above the first one with 1e-8 M are dropped. Kept, they would carry step sizes the sampled
// sketches never see, and at gamma (B + 1) / B above 2 / x the recursion diverges. Below the top, cells down to
// 1e-12 M stay (in the spectrum's gaps the 1/M terms put real mass and signal there).
std::vector<bool> node_cells(const DensityGrid& g, double M) {
  std::size_t top = 0;
  while (top < g.rho.size() && !(g.rho[top] * g.dlog > 1e-8 * M)) ++top;
  std::vector<bool> keep(g.rho.size());
  for (std::size_t k = 0; k < keep.size(); ++k) keep[k] = k >= top && g.rho[k] > 1e-12 * M;
  return keep;
}

// Eigenvalues per unit of rho * dlog such that the kept cells' weights sum to M exactly.
double kept_weight_scale(const DensityGrid& g, const std::vector<bool>& node, double M) {
  double sum = 0.0;
  for (std::size_t k = 0; k < node.size(); ++k)
    if (node[k]) sum += g.rho[k] * g.dlog;
  return M / sum;
}

// Linear interpolation of y over x at t, x ascending (clamped at the ends).
double interpolate(const std::vector<double>& x, const std::vector<double>& y, double t) {
  if (t <= x.front()) return y.front();
  if (t >= x.back()) return y.back();
  const std::size_t j = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), t) - x.begin());
  const double dx = x[j] - x[j - 1];
  return dx > 0.0 ? y[j - 1] + (y[j] - y[j - 1]) * (t - x[j - 1]) / dx : y[j];
}

// The grid's nodes with the 1/M terms. Eigenvalues: the count above x gains arg(1 - A) / (2 pi), a bounded
// function, so the correction to the density is a derivative: a displacement of mass. Each node keeps its weight
// and moves to where the corrected count reaches its own count level (weights stay positive, so contour jumps
// still apply). In the bulk the move is small; at an isolated top eigenvalue the shift is of the order of its own
// mass, so its nodes bunch (the running maximum keeps the count monotone) - to first order in 1/M its linear
// statistics still come out right (checked against the pooled spectra of 2000 sampled sketches). Captured signal:
// its corrected running integral read at the moved cells' boundaries.
void finite_m_nodes(const DensityGrid& g, double M, double captured, std::vector<double>& mu, std::vector<double>& w,
                    std::vector<double>& p0) {
  const std::size_t n = g.rho.size();
  const double per_count = M / g.count.back();
  std::vector<double> level(n), corrected(n), signal(n), neg_logx(n);
  double running = 0.0, dsig_integral = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    level[k] = g.count[k] * per_count;  // eigenvalues above x_k, ascending along the descending grid
    running = std::max(running, level[k] + g.count_shift[k]);  // kept monotone (the shift can wiggle at edges)
    corrected[k] = running;
    if (k > 0) dsig_integral += 0.5 * g.dlog * (g.dsig[k] + g.dsig[k - 1]);
    signal[k] = g.signal[k] + dsig_integral;
    neg_logx[k] = -g.logx[k];
  }
  std::vector<double> moved;  // -log x of each kept node after the move
  std::vector<std::size_t> kept;
  const std::vector<bool> node = node_cells(g, M);
  const double scale = kept_weight_scale(g, node, M);
  for (std::size_t k = 0; k < n; ++k) {
    if (!node[k]) continue;
    kept.push_back(k);
    moved.push_back(interpolate(corrected, neg_logx, level[k]));
  }
  std::vector<double> cell(kept.size());
  double total = 0.0;
  for (std::size_t j = 0; j < kept.size(); ++j) {
    // The first and last nodes take everything above and below them (the corrected signal reaches past the
    // outermost nodes: the real-Gaussian spread of the top eigenvalue is wider than the limit's bump).
    const double upper = j == 0 ? neg_logx.front() : 0.5 * (moved[j] + moved[j - 1]);
    const double lower = j + 1 == kept.size() ? neg_logx.back() : 0.5 * (moved[j] + moved[j + 1]);
    cell[j] = std::max(0.0, interpolate(neg_logx, signal, lower) - interpolate(neg_logx, signal, upper));
    total += cell[j];
  }
  for (std::size_t j = 0; j < kept.size(); ++j) {
    mu.push_back(std::exp(-moved[j]));
    w.push_back(g.rho[kept[j]] * g.dlog * scale);
    p0.push_back(total > 0.0 ? captured * cell[j] / total / (mu.back() * w.back()) : 0.0);
  }
}

}  // namespace

namespace {

DetEquivSpectrum compute_deterministic_equivalent(const Config& c);

}  // namespace

DetEquivSpectrum deterministic_equivalent(const Config& c) {
  // Sweeps ask for the same (a, b, d, M) at every N: keep the last few (it depends on nothing else).
  static std::mutex mu;
  static std::deque<std::pair<std::string, DetEquivSpectrum>> cache;
  const std::string key =
      format_printf("%.17g/%.17g/%lld/%d/%lld/%d", c.a, c.b, static_cast<long long>(c.d), c.d_infinite ? 1 : 0,
                    static_cast<long long>(c.M), c.det_equiv_correction ? 1 : 0);
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [k, v] : cache)
      if (k == key) return v;
  }
  DetEquivSpectrum de = compute_deterministic_equivalent(c);
  std::lock_guard<std::mutex> lock(mu);
  cache.emplace_back(key, de);
  if (cache.size() > 16) cache.pop_front();
  return de;
}

namespace {

DetEquivSpectrum compute_deterministic_equivalent(const Config& c) {
  const IndexNodes nodes = index_nodes(c);
  const double M = static_cast<double>(c.M);
  DetEquivSpectrum out;
  double trace = 0.0;
  for (std::size_t i = 0; i < nodes.lambda.size(); ++i) {
    trace += nodes.w[i] * nodes.lambda[i];
    out.signal += nodes.w[i] * nodes.lc[i];
  }
  // Grid from above the largest eigenvalue down to far below the smallest (hard edge when M is close to d).
  DensityGrid g =
      density_grid(nodes, M, 3.0 * (nodes.lambda[0] + trace / M), 1e-10 * std::pow(M, -c.a), c.det_equiv_correction);
  out.mass = g.count.back() / M;
  if (!(out.mass > 0.99))
    throw std::runtime_error("deterministic equivalent: the density grid holds only " + std::to_string(out.mass) +
                             " of Sigma's eigenvalues");
  // Every grid point with eigenvalues near it is a weighted coordinate: weight = eigenvalues in its log-x cell,
  // E[u*^2] = captured signal / (x * eigenvalues). The captured signal in total is signal - E[Approx] (closed
  // form); the grid only shares it out.
  out.approx = approx_closed_form(nodes, M, c.det_equiv_correction);
  std::vector<double> mu, w, p0;
  if (c.det_equiv_correction) {
    finite_m_nodes(g, M, out.signal - out.approx, mu, w, p0);
  } else {
    const double share = (out.signal - out.approx) / g.signal.back();
    const std::vector<bool> node = node_cells(g, M);
    const double per_count = kept_weight_scale(g, node, M);
    for (std::size_t k = 0; k < g.rho.size(); ++k) {
      if (!node[k]) continue;
      mu.push_back(std::exp(g.logx[k]));
      w.push_back(g.rho[k] * g.dlog * per_count);
      p0.push_back(share * g.sig[k] / (mu.back() * g.rho[k]));
    }
  }
  out.mu = Eigen::Map<Eigen::VectorXd>(mu.data(), static_cast<Eigen::Index>(mu.size()));
  out.weight = Eigen::Map<Eigen::VectorXd>(w.data(), static_cast<Eigen::Index>(w.size()));
  out.p0 = Eigen::Map<Eigen::VectorXd>(p0.data(), static_cast<Eigen::Index>(p0.size()));
  return out;
}

}  // namespace

}  // namespace sgdlaw
