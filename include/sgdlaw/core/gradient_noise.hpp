#pragma once
// The gradient noise scale of McCandlish, Kaplan, Amodei et al. (arXiv 1812.06162, eq. 2.3-2.4, "B_simple"),
// B_noise = tr Cov(g) / |G|^2, from the exact second moments of the run, for Gaussian data.
//
// Derivation. In Sigma's eigenbasis one sample is x ~ N(0, diag mu) with label noise xi ~ N(0, s2),
// s2 = sigma^2 + Approx (the part of y the sketch cannot fit is independent of Sx for Gaussian data), and the
// iterate's error is u = v - v*. The per-sample gradient of (1/2)(<v, x> - y)^2 is g = x (x^T u - xi), with
// mean G = E[g | u] = diag(mu) u. By Isserlis' theorem E[x x^T u u^T x x^T] = 2 Lambda u u^T Lambda +
// Lambda (u^T Lambda u), so
//   E[|g|^2 | u]  = 2 sum_j mu_j^2 u_j^2 + tr Sigma (sum_j mu_j u_j^2) + s2 tr Sigma,
//   tr Cov(g | u) = sum_j mu_j^2 u_j^2 + tr Sigma (sum_j mu_j u_j^2 + s2).
// Over the run's randomness (w*, the data so far) E[u_j^2] = p_j, the exact recursion's second moments, and
// sum_j mu_j p_j is the excess risk; McCandlish's ratio of expectations is then
//   B_noise = 1 + tr Sigma (excess + s2) / sum_j mu_j^2 p_j,
// with every sum over the weighted nodes at d = inf (the tail's nodes carry weights). The formula is checked
// against a Monte Carlo estimate of E|g|^2 and E|G|^2 over fresh samples, in NumPy written from this
// definition (tests/independent/gradient_noise.py).
#include <cmath>

namespace sgdlaw {

// trace_sigma = sum_j w_j mu_j; grad_norm2 = E|G|^2 = sum_j w_j mu_j^2 p_j (ExactCurve::grad_norm2);
// excess = sum_j w_j mu_j p_j; noise = sigma^2 + Approx. NaN where |G|^2 is not positive.
inline double gradient_noise_scale(double trace_sigma, double grad_norm2, double excess, double noise) {
  return grad_norm2 > 0.0 ? 1.0 + trace_sigma * (excess + noise) / grad_norm2 : NAN;
}

}  // namespace sgdlaw
