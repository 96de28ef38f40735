#include "sgdlaw/core/stability.hpp"

namespace sgdlaw {
namespace {

// The supremum of stable step sizes in [lo, hi] (stable at lo, not at hi), by bisection to relative 1e-12.
template <class Stable>
double bisect_stable(double lo, double hi, Stable&& stable) {
  for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (stable(mid) ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace

bool step_size_is_stable(double gamma, const Eigen::VectorXd& mu, std::int64_t batch, const Eigen::VectorXd* weight) {
  const double B = static_cast<double>(batch);
  const double c = (B + 1.0) / B;
  double sum = 0.0;
  for (Eigen::Index j = 0; j < mu.size(); ++j) {
    const double denom = 2.0 - gamma * mu[j] * c;
    if (!(denom > 0.0)) return false;
    sum += (weight ? (*weight)[j] : 1.0) * mu[j] / denom;
  }
  return gamma / B * sum < 1.0;
}

double max_stable_step_size(const Eigen::VectorXd& mu, std::int64_t batch, const Eigen::VectorXd* weight) {
  const double hi = 2.0 * static_cast<double>(batch) / ((static_cast<double>(batch) + 1.0) * mu.maxCoeff());
  return bisect_stable(0.0, hi, [&](double g) { return step_size_is_stable(g, mu, batch, weight); });
}

}  // namespace sgdlaw

namespace sgdlaw {
namespace {

// mu q for one coordinate, or a negative number when the block's deterministic part is not contracting.
double noise_response(const LinearStep& L, double mu) {
  using R = long double;
  const R l1 = 1.0L + L.lookahead, l2 = -static_cast<R>(L.lookahead);
  const R fxx = L.ax - L.kx * mu * l1, fxm = L.am - L.kx * mu * l2;
  const R fmx = L.bx + L.km * mu * l1, fmm = L.bm + L.km * mu * l2;
  const R det = fxx * fmm - fxm * fmx, tr = fxx + fmm;
  if (!(std::fabs(det) < 1.0L && std::fabs(tr) < 1.0L + det)) return -1.0;
  Eigen::Matrix<R, 3, 3> G;
  G << fxx * fxx, 2 * fxx * fxm, fxm * fxm, fxx * fmx, fxx * fmm + fxm * fmx, fxm * fmm, fmx * fmx, 2 * fmx * fmm,
      fmm * fmm;
  const Eigen::Matrix<R, 3, 1> rhs(static_cast<R>(L.kx) * L.kx, -static_cast<R>(L.kx) * L.km,
                                   static_cast<R>(L.km) * L.km);
  const Eigen::Matrix<R, 3, 1> P = (Eigen::Matrix<R, 3, 3>::Identity() - G).fullPivLu().solve(rhs);
  const R q = l1 * l1 * P[0] + 2 * l1 * l2 * P[1] + l2 * l2 * P[2];
  return static_cast<double>(mu * q);
}

}  // namespace

bool step_size_is_stable(const Optimizer& o, double gamma, const Eigen::VectorXd& mu, std::int64_t batch,
                         const Eigen::VectorXd* weight) {
  if (o.is_sgd()) return step_size_is_stable(gamma, mu, batch, weight);
  if (o.is_dana()) return step_size_is_stable(gamma + o.dana_gamma3(0, gamma), mu, batch, weight);
  const LinearStep L = o.linear(0, gamma);
  const double B = static_cast<double>(batch);
  double sum = 0.0, small_limit = -1.0;
  for (Eigen::Index j = 0; j < mu.size(); ++j) {
    double h;  // mu_j q_j
    if (gamma * mu[j] < 1e-7) {
      if (small_limit < 0.0) small_limit = noise_response(L, mu[j]);
      h = small_limit;
    } else {
      h = noise_response(L, mu[j]);
    }
    if (!(h >= 0.0)) return false;
    const double self = mu[j] * h / B;
    if (!(self < 1.0)) return false;
    sum += (weight ? (*weight)[j] : 1.0) * mu[j] * h / B / (1.0 - self);
  }
  return sum < 1.0;
}

double max_stable_step_size(const Optimizer& o, const Eigen::VectorXd& mu, std::int64_t batch,
                            const Eigen::VectorXd* weight) {
  if (o.is_sgd()) return max_stable_step_size(mu, batch, weight);
  double lo = 0.0, hi = max_stable_step_size(mu, batch, weight);
  for (int k = 0; k < 64 && step_size_is_stable(o, hi, mu, batch, weight); ++k) {
    lo = hi;
    hi *= 2.0;
  }
  return bisect_stable(lo, hi, [&](double g) { return step_size_is_stable(o, g, mu, batch, weight); });
}

}  // namespace sgdlaw
