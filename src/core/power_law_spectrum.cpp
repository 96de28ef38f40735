#include "sgdlaw/core/power_law_spectrum.hpp"

#include <cmath>
#include <vector>

#include "sgdlaw/core/optimizer.hpp"

namespace sgdlaw {
namespace {

constexpr int kPanelNodes = 8;
// f'(x0) / 24 - 7 f'''(x0) / 5760 (x0 = J + 1/2) from f at J - 2, J - 1, J, J + 1: exact for cubics.
constexpr double kEndWeights[4] = {17.0 / 5760.0, -17.0 / 1920.0, -21.0 / 640.0, 223.0 / 5760.0};

struct NodeList {
  std::vector<double> x, w;
  void add(double xi, double wi) {
    x.push_back(xi);
    w.push_back(wi);
  }
};

// The tail J < i <= upper (upper may be infinite) of a power-law spectrum as quadrature nodes in the continuous
// index x; reach: the largest gamma * steps any coordinate sees (an infinite tail stops where that moves nothing).
NodeList tail_nodes(double a, double b, std::int64_t head, double upper, double reach, double* error) {
  const double J = static_cast<double>(head), x0 = J + 0.5;
  NodeList t;
  t.add(J + 1.0, kEndWeights[3]);  // Euler-Maclaurin's end terms (coordinates J - 2 .. J carry the rest)
  const bool infinite = std::isinf(upper);
  // Up to X: the run moves no coordinate with gamma N mu < 1e-15 by more than that relative amount.
  const double X = infinite ? std::max(x0 * std::exp(1.0), std::pow(reach * 1e15, 1.0 / a)) : upper + 0.5;
  const int panels = std::max(1, static_cast<int>(std::ceil(std::log(X / x0) * 2.0 * a)));
  const double h = std::log(X / x0) / panels;  // panel width in u = log(x / x0): mu falls by at most e^(1/2)
  std::vector<double> gx, gw;
  gauss_legendre(kPanelNodes, gx, gw);
  for (int p = 0; p < panels; ++p)
    for (int k = 0; k < kPanelNodes; ++k) {
      const double u = h * (p + 0.5 * (gx[k] + 1.0));
      const double x = x0 * std::exp(u);
      t.add(x, 0.5 * h * gw[k] * x);  // dx = x du
    }
  // Frozen remainder: int_X^inf x^-b dx = X^(1-b) / (b - 1), carried by a node at X.
  if (infinite) t.add(X, X / (b - 1.0));
  const double end_terms = 6e-3 * b * (b + 1.0) * (b + 2.0) * (b + 3.0) * std::pow(x0, -b - 4.0);  // 2 x f''''
  const double far_end = infinite ? 1e-15 * std::pow(X, 1.0 - b) / (b - 1.0)  // movement of the remainder
                                  : b * std::pow(X, -b - 1.0) / 24.0;         // upper end term, left out
  const double panels_error = 1e-13 * std::pow(x0, 1.0 - b) / (b - 1.0);      // Gauss-Legendre (tested)
  *error = end_terms + far_end + panels_error;
  return t;
}

PowerLawSpectrum spectrum_at(double a, double b, std::int64_t count, const NodeList& tail) {
  PowerLawSpectrum s;
  const std::int64_t n = count + static_cast<std::int64_t>(tail.x.size());
  s.lambda.resize(n);
  s.prior_var.resize(n);
  for (std::int64_t i = 0; i < n; ++i) {
    const double idx = i < count ? static_cast<double>(i + 1) : tail.x[static_cast<std::size_t>(i - count)];
    s.lambda[i] = std::pow(idx, -a);
    s.prior_var[i] = std::pow(idx, a - b);
  }
  if (!tail.x.empty()) {
    s.weight = Eigen::VectorXd::Ones(n);
    for (int k = 0; k < 3; ++k) s.weight[count - 3 + k] += kEndWeights[k];
    for (std::size_t k = 0; k < tail.w.size(); ++k) s.weight[count + static_cast<std::int64_t>(k)] = tail.w[k];
  }
  return s;
}

}  // namespace

void gauss_legendre(int n, std::vector<double>& x, std::vector<double>& w) {
  x.assign(n, 0.0);
  w.assign(n, 0.0);
  constexpr double kPi = 3.14159265358979323846;
  for (int i = 0; i < n; ++i) {
    double z = std::cos(kPi * (i + 0.75) / (n + 0.5)), dp = 1.0;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1.0, p1 = z;  // Legendre recurrence for P_n(z) and P_n'(z)
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      if (n == 1) p0 = 1.0;
      dp = n * (z * p1 - p0) / (z * z - 1.0);
      const double dz = p1 / dp;
      z -= dz;
      if (std::abs(dz) < 1e-16) break;
    }
    x[i] = z;
    w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
  }
}

PowerLawSpectrum power_law_spectrum(const Config& c) {
  if (!c.d_infinite) return spectrum_at(c.a, c.b, c.d, NodeList{});
  // The tail reaches as far as gamma * steps moves a coordinate. With gamma_rel the step size is resolved from
  // this very spectrum, so the reach uses the bound every stable step size obeys: gamma < 2 / lambda_1 = 2.
  // Other optimizers reach farther (Optimizer::reach_factor), and their stable step sizes go up to 4 (heavy ball).
  const Optimizer o = make_optimizer(c);
  const double gamma = c.gamma_rel > 0.0 || c.gamma_tuned ? (o.is_sgd() ? 2.0 : 4.0) : c.gamma;
  return power_law_index_nodes(c.a, c.b, c.d, INFINITY,
                               gamma * o.reach_factor(c.steps()) * static_cast<double>(c.steps()));
}

PowerLawSpectrum power_law_index_nodes(double a, double b, std::int64_t head, double upper, double reach) {
  if (upper <= static_cast<double>(head)) return spectrum_at(a, b, static_cast<std::int64_t>(upper), NodeList{});
  double error = 0.0;
  PowerLawSpectrum s = spectrum_at(a, b, head, tail_nodes(a, b, head, upper, reach, &error));
  s.tail_error = error;
  return s;
}

}  // namespace sgdlaw
