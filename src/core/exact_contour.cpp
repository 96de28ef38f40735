#include "sgdlaw/core/exact_contour.hpp"

#include <cmath>
#include <complex>
#include <vector>

#include "sgdlaw/core/exact_recursion_step.hpp"

namespace sgdlaw {
namespace {

using cd = std::complex<double>;

// expm1 of a complex number without cancellation when |z| is small.
cd expm1_complex(cd z) {
  const double x = z.real(), y = z.imag();
  const double s = std::sin(0.5 * y);
  return {std::expm1(x) * std::cos(y) - 2.0 * s * s, std::exp(x) * std::sin(y)};
}

// One node of the modified Talbot contour z(theta) = (Q/t)(sigma + m theta cot(k theta) + i nu theta).
struct ContourNode {
  cd z, dz, eps;  // z, dz/dtheta, e^z - 1
};

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

bool contour_map_is_stable(const WeightedSpectrum& s, double gamma, double inv_batch) {
  const StepFactors f = step_factors(s, gamma, inv_batch);
  double g_mu = 0.0;  // sum w mu^2 / (1 - alpha): the secular function at zeta = 1
  for (Eigen::Index i = 0; i < s.mu.size(); ++i) {
    if (!(f.beta[i] > 0.0) || f.beta[i] > 1.0 || s.w[i] < 0.0) return false;
    g_mu += s.w[i] * s.mu[i] * s.mu[i] / f.beta[i];
  }
  return f.c * g_mu < 1.0;
}

void step_advance(const WeightedSpectrum& s, double gamma, double inv_batch, double s2, std::int64_t n,
                  Eigen::VectorXd& p) {
  const Eigen::Index m = s.mu.size();
  const double* mu = s.mu.data();
  const double* w = s.w.data();
  double* pj = p.data();
  double trace = 0.0;
  for (Eigen::Index j = 0; j < m; ++j) trace += w[j] * mu[j] * pj[j];
  for (std::int64_t t = 0; t < n; ++t) {
    const double tr_noise = trace + s2;
    double next = 0.0;
#pragma omp simd reduction(+ : next)
    for (Eigen::Index j = 0; j < m; ++j) {
      double unused = 0.0;
      exact_coordinate_step(gamma, inv_batch, mu[j], 0.0, tr_noise, &unused, &pj[j]);
      next += w[j] * mu[j] * pj[j];
    }
    trace = next;
  }
}

void contour_advance(const WeightedSpectrum& s, double gamma, double inv_batch, double s2, std::int64_t n,
                     Eigen::VectorXd& p) {
  if (n <= 0) return;
  if (n < kContourMinSteps || gamma == 0.0) {
    if (gamma != 0.0) step_advance(s, gamma, inv_batch, s2, n, p);
    return;
  }
  const StepFactors f = step_factors(s, gamma, inv_batch);
  const double t = static_cast<double>(n) + 1.0;
  const std::vector<ContourNode> nodes = talbot_nodes(t);
  const Eigen::Index m = s.mu.size();
  // Weights W_k of the quadrature for the kick part: p_i += c mu_i sum_k Re[W_k / (eps_k + beta_i)].
  std::vector<cd> weight(nodes.size());
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const ContourNode& nd = nodes[k];
    cd g_p = 0.0, g_mu = 0.0;
    for (Eigen::Index i = 0; i < m; ++i) {
      const cd r = 1.0 / (nd.eps + f.beta[i]);
      const double wm = s.w[i] * s.mu[i];
      g_p += (wm * p[i]) * r;
      g_mu += (wm * s.mu[i]) * r;
    }
    // Generating function of the traces plus noise: sum_s (T_s + s2) zeta^(-s-1).
    const cd h = (g_p + f.c * s2 * g_mu / nd.eps) / (1.0 - f.c * g_mu) + s2 / nd.eps;
    weight[k] = (2.0 / kContourNodes) * std::exp(t * nd.z) * nd.dz * h / cd(0.0, 1.0);
  }
  const double nn = static_cast<double>(n);
  for (Eigen::Index i = 0; i < m; ++i) {
    double kick = 0.0;
    for (std::size_t k = 0; k < nodes.size(); ++k) kick += (weight[k] / (nodes[k].eps + f.beta[i])).real();
    p[i] = std::exp(nn * std::log1p(-f.beta[i])) * p[i] + f.c * s.mu[i] * kick;
  }
}

}  // namespace sgdlaw
