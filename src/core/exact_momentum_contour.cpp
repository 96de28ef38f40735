// Contour jumps of the heavy-ball and Nesterov recursions (exact_momentum.hpp) over a stretch of constant step
// size: the block form of exact_contour.hpp's Sherman-Morrison resolvent.
//
// Over the stretch every coordinate's moments s_j = (Pxx, Pxv, Pvv), in the velocity basis v = x - m, follow
//   s_j' = A_j s_j + u_j (T + s2),   T = sum_k w_k mu_k f.s_k,   u_j = (mu_j / B) gamma^2 (1, 1, 1),
// where f.s = Pxx + 2 lambda Pxv + lambda^2 Pvv is E[p^2] (p = x + lambda v; lambda = 0 heavy ball, beta nesterov)
// and A_j = G_j + (mu_j^2 / B) gamma^2 (1, 1, 1) f^T, G_j the map P -> F P F^T of
//   F = I - E,  E = [[gamma mu, -(beta - gamma mu lambda)], [gamma mu, 1 - beta + gamma mu lambda]]
// (x' = x + beta v - gamma g, v' = beta v - gamma g, g = mu p + n). In this basis E has the small entries where the
// slow mode is small (det E = gamma mu, a sum without cancellation), and I - G = E. + .E^T - E . E^T is formed
// from E, so zeta - A_j = (zeta - 1) + (I - A_j) keeps its accuracy as the contour hugs zeta = 1. The generating
// functions S_j(zeta) = sum_n s_j(n) zeta^(-n-1) = R_j (s_j(0) + u_j Theta), R_j = (zeta - A_j)^-1, with
//   T(zeta) = (g_0 + g_u s2 / (zeta - 1)) / (1 - g_u),  Theta = T + s2 / (zeta - 1),
//   g_0 = sum_j w_j mu_j f.R_j s_j(0),  g_u = sum_j w_j mu_j f.R_j u_j,
// and s_j(n) is the Talbot integral of zeta^n S_j. Unlike SGD's, a block's eigenvalues can be complex (an
// underdamped coordinate: modulus det F = beta (heavy ball) or beta (1 - gamma mu) (nesterov)); the contour does not
// enclose them, so the modes they carry are dropped, which is exact to within beta^n: jumps are taken only over
// stretches of at least momentum_contour_min_steps(beta) steps, where beta^n < e^-45.
#include <array>
#include <cmath>
#include <complex>
#include <vector>

#include "sgdlaw/core/exact_momentum.hpp"

namespace sgdlaw {
namespace {

using cd = std::complex<double>;
using Vec3 = std::array<cd, 3>;

// I - A_j in the velocity basis (rows and columns Pxx, Pxv, Pvv).
struct Block {
  double m[3][3];
};

Block block(double gamma, double beta, double lambda, double mu, double inv_b) {
  const double e11 = gamma * mu, e12 = -(beta - gamma * mu * lambda), e21 = gamma * mu,
               e22 = 1.0 - beta + gamma * mu * lambda;
  Block b{{{2 * e11 - e11 * e11, 2 * e12 - 2 * e11 * e12, -e12 * e12},
           {e21 - e11 * e21, e11 + e22 - e11 * e22 - e12 * e21, e12 - e12 * e22},
           {-e21 * e21, 2 * e21 - 2 * e21 * e22, 2 * e22 - e22 * e22}}};
  const double self = mu * mu * inv_b * gamma * gamma;  // - (mu^2 / B) gamma^2 (1, 1, 1) f^T
  const double f[3] = {1.0, 2.0 * lambda, lambda * lambda};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) b.m[r][c] -= self * f[c];
  return b;
}

// (eps I + B) y = rhs for two right-hand sides, by Gaussian elimination with partial pivoting.
void solve(const Block& b, cd eps, Vec3& y1, Vec3& y2) {
  cd a[3][3];
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) a[r][c] = b.m[r][c] + (r == c ? eps : cd(0.0));
  for (int k = 0; k < 3; ++k) {
    int p = k;
    for (int r = k + 1; r < 3; ++r)
      if (std::abs(a[r][k]) > std::abs(a[p][k])) p = r;
    if (p != k) {
      for (int c = 0; c < 3; ++c) std::swap(a[k][c], a[p][c]);
      std::swap(y1[k], y1[p]);
      std::swap(y2[k], y2[p]);
    }
    for (int r = k + 1; r < 3; ++r) {
      const cd l = a[r][k] / a[k][k];
      for (int c = k; c < 3; ++c) a[r][c] -= l * a[k][c];
      y1[r] -= l * y1[k];
      y2[r] -= l * y2[k];
    }
  }
  for (int k = 2; k >= 0; --k) {
    for (int c = k + 1; c < 3; ++c) {
      y1[k] -= a[k][c] * y1[c];
      y2[k] -= a[k][c] * y2[c];
    }
    y1[k] /= a[k][k];
    y2[k] /= a[k][k];
  }
}

cd dot_f(const Vec3& y, double lambda) { return y[0] + 2.0 * lambda * y[1] + lambda * lambda * y[2]; }

// (xx, xm, mm) -> (xx, xv, vv) with v = x - m, and back.
Vec3 to_velocity(const PairMoments& p, Eigen::Index j) {
  const double xx = p.xx[j], xm = p.xm[j], mm = p.mm[j];
  return {cd(xx), cd(xx - xm), cd(xx - 2.0 * xm + mm)};
}
void from_velocity(const double s[3], PairMoments& p, Eigen::Index j) {
  p.xx[j] = s[0];
  p.xm[j] = s[0] - s[1];
  p.mm[j] = s[0] - 2.0 * s[1] + s[2];
}

}  // namespace

std::int64_t momentum_contour_min_steps(double beta) {
  if (!(beta > 0.0)) return kContourMinSteps;
  return std::max<std::int64_t>(kContourMinSteps, static_cast<std::int64_t>(std::ceil(45.0 / -std::log(beta))));
}

void momentum_contour_advance(const WeightedSpectrum& s, const Optimizer& o, double gamma, std::int64_t n, double inv_b,
                              double noise, PairMoments& bias, PairMoments& var) {
  const double beta = o.momentum, lambda = o.kind == OptimizerKind::kNesterov ? beta : 0.0;
  const double t = static_cast<double>(n) + 1.0;
  const std::vector<ContourNode> nodes = talbot_nodes(t);
  const Eigen::Index m = s.mu.size();
  const double g2 = gamma * gamma;
  // First pass: the traces' generating functions at every node.
  std::vector<cd> theta_b(nodes.size()), theta_v(nodes.size()), common(nodes.size());
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const ContourNode& nd = nodes[k];
    cd g0b = 0.0, g0v = 0.0, gu = 0.0;
    for (Eigen::Index j = 0; j < m; ++j) {
      const double mu = s.mu[j], wm = s.w[j] * mu;
      const Block b = block(gamma, beta, lambda, mu, inv_b);
      Vec3 yb = to_velocity(bias, j), yv = to_velocity(var, j);
      solve(b, nd.eps, yb, yv);
      Vec3 yu = {cd(mu * inv_b * g2), cd(mu * inv_b * g2), cd(mu * inv_b * g2)}, unused = {};
      solve(b, nd.eps, yu, unused);
      g0b += wm * dot_f(yb, lambda);
      g0v += wm * dot_f(yv, lambda);
      gu += wm * dot_f(yu, lambda);
    }
    theta_b[k] = g0b / (1.0 - gu);
    theta_v[k] = (g0v + gu * noise / nd.eps) / (1.0 - gu) + noise / nd.eps;
    common[k] = (2.0 / kContourNodes) * std::exp(t * nd.z) * nd.dz / cd(0.0, 1.0);
  }
  // Second pass: each coordinate's moments after n steps.
  for (Eigen::Index j = 0; j < m; ++j) {
    const double mu = s.mu[j];
    const Block b = block(gamma, beta, lambda, mu, inv_b);
    double nb[3] = {0.0, 0.0, 0.0}, nv[3] = {0.0, 0.0, 0.0};
    const Vec3 sb0 = to_velocity(bias, j), sv0 = to_velocity(var, j);
    for (std::size_t k = 0; k < nodes.size(); ++k) {
      Vec3 yb = sb0, yv = sv0;
      solve(b, nodes[k].eps, yb, yv);
      Vec3 yu = {cd(mu * inv_b * g2), cd(mu * inv_b * g2), cd(mu * inv_b * g2)}, unused = {};
      solve(b, nodes[k].eps, yu, unused);
      for (int r = 0; r < 3; ++r) {
        nb[r] += (common[k] * (yb[r] + yu[r] * theta_b[k])).real();
        nv[r] += (common[k] * (yv[r] + yu[r] * theta_v[k])).real();
      }
    }
    from_velocity(nb, bias, j);
    from_velocity(nv, var, j);
  }
}

}  // namespace sgdlaw
