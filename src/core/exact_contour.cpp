#include "sgdlaw/core/exact_contour.hpp"

#include <cmath>
#include <complex>
#include <vector>

#include "sgdlaw/core/exact_recursion_step.hpp"
#include "sgdlaw/core/stability.hpp"

namespace sgdlaw {
namespace {

using cd = std::complex<double>;

// expm1 of a complex number without cancellation when |z| is small.
cd expm1_complex(cd z) {
  const double x = z.real(), y = z.imag();
  const double s = std::sin(0.5 * y);
  return {std::expm1(x) * std::cos(y) - 2.0 * s * s, std::exp(x) * std::sin(y)};
}

}  // namespace

std::vector<ContourNode> talbot_nodes(double t) {
  constexpr double kSigma = -0.6122, kM = 0.5017, kK = 0.6407, kNu = 0.2645;
  constexpr double kPi = 3.14159265358979323846;
  const int q = kContourNodes;
  const double scale = q / t;
  std::vector<ContourNode> nodes;
  for (int k = q / 2; k < q; ++k) {  // theta > 0; the other half are complex conjugates
    const double th = -kPi + (k + 0.5) * (2.0 * kPi / q);
    const double cot = std::cos(kK * th) / std::sin(kK * th);
    const double sn = std::sin(kK * th);
    ContourNode n;
    n.z = scale * cd(kSigma + kM * th * cot, kNu * th);
    n.dz = scale * cd(kM * cot - kM * kK * th / (sn * sn), kNu);
    n.eps = expm1_complex(n.z);
    nodes.push_back(n);
  }
  return nodes;
}

namespace {

// 1 - alpha and the kick factor per coordinate, formed without cancellation.
struct StepFactors {
  std::vector<double> beta;  // 1 - alpha_i = g mu (2 - g mu (1 + 1/B))
  double c = 0.0;            // gamma^2 / B
};

StepFactors step_factors(const WeightedSpectrum& s, double gamma, double inv_batch) {
  StepFactors f;
  f.c = gamma * gamma * inv_batch;
  f.beta.resize(static_cast<std::size_t>(s.mu.size()));
  for (Eigen::Index i = 0; i < s.mu.size(); ++i) {
    const double gm = gamma * s.mu[i];
    f.beta[i] = gm * (2.0 - gm * (1.0 + inv_batch));
  }
  return f;
}

}  // namespace

double weighted_trace(const WeightedSpectrum& s, const Eigen::VectorXd& p) {
  double t = 0.0;
  for (Eigen::Index j = 0; j < p.size(); ++j) t += s.w[j] * s.mu[j] * p[j];
  return t;
}

double weighted_grad_norm2(const WeightedSpectrum& s, const Eigen::VectorXd& p) {
  double t = 0.0;
  for (Eigen::Index j = 0; j < p.size(); ++j) t += s.w[j] * s.mu[j] * s.mu[j] * p[j];
  return t;
}

bool contour_map_is_stable(const WeightedSpectrum& s, double gamma, std::int64_t batch) {
  return (s.w.array() >= 0.0).all() && step_size_is_stable(gamma, s.mu, batch, &s.w);
}

void step_advance(const WeightedSpectrum& s, const Schedule& schedule, std::int64_t t0, std::int64_t n,
                  double inv_batch, double noise, SecondMoments& p) {
  const Eigen::Index m = s.mu.size();
  const double* mu = s.mu.data();
  const double* w = s.w.data();
  double* pb = p.bias.data();
  double* pv = p.variance.data();
  double tb = 0.0, tv = 0.0;
  for (Eigen::Index j = 0; j < m; ++j) {
    tb += w[j] * mu[j] * pb[j];
    tv += w[j] * mu[j] * pv[j];
  }
  for (std::int64_t t = t0; t < t0 + n; ++t) {
    const double gamma = schedule.at(t), tv_noise = tv + noise;
    double nb = 0.0, nv = 0.0;
#pragma omp simd reduction(+ : nb, nv)
    for (Eigen::Index j = 0; j < m; ++j) {
      exact_coordinate_step(gamma, inv_batch, mu[j], tb, tv_noise, &pb[j], &pv[j]);
      nb += w[j] * mu[j] * pb[j];
      nv += w[j] * mu[j] * pv[j];
    }
    tb = nb;
    tv = nv;
  }
}

void contour_advance(const WeightedSpectrum& s, const Schedule& schedule, std::int64_t t0, std::int64_t n,
                     double inv_batch, double noise, SecondMoments& p) {
  const double gamma = schedule.at(t0);
  if (n <= 0 || gamma == 0.0) return;
  if (n < kContourMinSteps) return step_advance(s, schedule, t0, n, inv_batch, noise, p);
  const StepFactors f = step_factors(s, gamma, inv_batch);
  const double t = static_cast<double>(n) + 1.0;
  const std::vector<ContourNode> nodes = talbot_nodes(t);
  const Eigen::Index m = s.mu.size();
  // Quadrature weights of the kick part: p_i += c mu_i sum_k Re[W_k / (eps_k + beta_i)], one set per vector.
  std::vector<cd> wb(nodes.size()), wv(nodes.size());
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const ContourNode& nd = nodes[k];
    cd g_b = 0.0, g_v = 0.0, g_mu = 0.0;
    for (Eigen::Index i = 0; i < m; ++i) {
      const cd r = 1.0 / (nd.eps + f.beta[i]);
      const double wm = s.w[i] * s.mu[i];
      g_b += (wm * p.bias[i]) * r;
      g_v += (wm * p.variance[i]) * r;
      g_mu += (wm * s.mu[i]) * r;
    }
    // Generating functions of the traces plus noise: sum_s (T_s + s2) zeta^(-s-1) (bias: s2 = 0).
    const cd h_b = g_b / (1.0 - f.c * g_mu);
    const cd h_v = (g_v + f.c * noise * g_mu / nd.eps) / (1.0 - f.c * g_mu) + noise / nd.eps;
    const cd common = (2.0 / kContourNodes) * std::exp(t * nd.z) * nd.dz / cd(0.0, 1.0);
    wb[k] = common * h_b;
    wv[k] = common * h_v;
  }
  const double nn = static_cast<double>(n);
  for (Eigen::Index i = 0; i < m; ++i) {
    double kick_b = 0.0, kick_v = 0.0;
    for (std::size_t k = 0; k < nodes.size(); ++k) {
      const cd r = 1.0 / (nodes[k].eps + f.beta[i]);
      kick_b += (wb[k] * r).real();
      kick_v += (wv[k] * r).real();
    }
    const double decay = std::exp(nn * std::log1p(-f.beta[i]));
    p.bias[i] = decay * p.bias[i] + f.c * s.mu[i] * kick_b;
    p.variance[i] = decay * p.variance[i] + f.c * s.mu[i] * kick_v;
  }
}

}  // namespace sgdlaw
