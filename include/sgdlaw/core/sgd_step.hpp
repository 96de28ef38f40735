#pragma once
// The arithmetic of one reduced SGD step in Sigma's eigenbasis, written once for the CPU fast path
// (backends/reduced_trial.cpp) and the CUDA kernels (kernels/reduced_sgd_block.cuh), so that both round the
// same way: every multiply-add is an explicit FMA (the builds disable implicit contraction).
//
// With e = u - u* the error, zeta = sqrt(mu) * g the sample in the eigenbasis and xi its label noise:
//   residual   r   = <e, zeta> - xi
//   update     e' = e - gamma_t / B * sum_b r_b zeta_b
//   excess     E   = sum_j mu_j e_j^2
// The split run carries eb (noise-free, from -u*) and ev (noise-only, from 0) side by side; their sum is the
// full error, so the unsplit run is eb alone with the noise in its residual.
#include <cmath>

#include "sgdlaw/core/host_device.hpp"

namespace sgdlaw::sgd {

SGDLAW_HD inline double feature(double sqrt_mu, float g) { return sqrt_mu * static_cast<double>(g); }

// acc + e * z (one term of a residual <e, zeta>).
SGDLAW_HD inline double residual_term(double acc, double e, double z) { return ::fma(e, z, acc); }

// e - gain * z (one coordinate of the update; gain = step * residual).
SGDLAW_HD inline double update(double e, double gain, double z) { return ::fma(-gain, z, e); }

// acc + mu * e^2 (one term of the excess risk).
SGDLAW_HD inline double weighted_square_term(double acc, double mu, double e) { return ::fma(mu * e, e, acc); }

// The gains of the noise-free (or full) error and of the noise-only error for one sample's residuals.
SGDLAW_HD inline double gain_bias(double step, double resid_b, double xi, bool split) {
  return split ? step * resid_b : step * (resid_b - xi);
}
SGDLAW_HD inline double gain_variance(double step, double resid_v, double xi) { return step * (resid_v - xi); }

}  // namespace sgdlaw::sgd
