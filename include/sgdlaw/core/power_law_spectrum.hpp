#pragma once
// The model's spectra, in one place: H = diag(lambda_i), lambda_i = i^-a, and the prior of w*,
// E[w*_i^2] = i^(a - b) (so lambda_i E[w*_i^2] = i^-b; b = a is w* ~ N(0, I)), for i = 1..d.
//
// d = infinity (Config::d_infinite) gives a weighted spectrum for the exact recursion: coordinates 1..J (J = d, the
// head) one by one, then the tail sum over i > J of any smooth function f of the coordinate by the midpoint form of
// Euler-Maclaurin,
//   sum_{i > J} f(i) = int_{J + 1/2}^inf f(x) dx + f'(J + 1/2) / 24 - 7 f'''(J + 1/2) / 5760 + ...,
// where the end terms are a finite difference over coordinates J - 2 .. J + 1 (exact for cubics: extra weights on
// the head's last three coordinates and a node of weight 223/5760 at J + 1, every weight positive), and
// the integral by Gauss-Legendre panels in log x (8 nodes per panel, mu falling by e^(1/2) per panel) up to X where
// gamma N mu(X) < 1e-15; beyond X nothing moves during the run, and one frozen node carries sum_{i > X} i^-b.
// Every coordinate's second moment is a smooth function of its mu and prior, so the rule sums them all.
#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "sgdlaw/core/config.hpp"

namespace sgdlaw {

struct PowerLawSpectrum {
  Eigen::VectorXd lambda;     // length d, or the nodes (infinite d)
  Eigen::VectorXd prior_var;  // length d, or the nodes
  Eigen::VectorXd weight;     // empty (finite d: every weight 1), or the quadrature weights
  double tail_error = 0.0;    // infinite d: estimated bound on the absolute error of the initial risk sum
};

PowerLawSpectrum power_law_spectrum(const Config& c);

// Indices 1..upper (upper may be INFINITY) as coordinates 1..head plus the tail quadrature above (upper <= head:
// every index); reach: the largest gamma * steps (an infinite tail stops where nothing moves).
PowerLawSpectrum power_law_index_nodes(double a, double b, std::int64_t head, double upper, double reach);

// Nodes and weights of n-point Gauss-Legendre quadrature on [-1, 1].
void gauss_legendre(int n, std::vector<double>& x, std::vector<double>& w);

}  // namespace sgdlaw
