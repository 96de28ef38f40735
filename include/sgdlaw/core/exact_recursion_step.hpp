#pragma once
// One step of the exact expected-risk recursion for Gaussian features in Sigma's eigenbasis.
//
// With e = u - u*, zeta ~ N(0, diag mu), effective noise variance s2 = sigma^2 + Approx, batch B:
//   E[e'e'^T]_jj = alpha_j p_j + (gamma^2 / B) mu_j (sum_k mu_k p_k + s2),
//   alpha_j = (1 - gamma mu_j)^2 + gamma^2 mu_j^2 / B,
// which follows from Isserlis' theorem (E[zz^T P zz^T] = 2 Sigma P Sigma + tr(Sigma P) Sigma); the diagonal
// closes on itself because Sigma is diagonal in this basis. Bias (s2 = 0, from p0) and variance (from 0,
// with s2) are run side by side; their sum is the total.
#include <cstdint>

#include "sgdlaw/core/host_device.hpp"

namespace sgdlaw {

SGDLAW_HD inline void exact_coordinate_step(double gamma, double inv_batch, double mu, double trace_bias,
                                            double trace_var_plus_noise, double* pb, double* pv) {
  const double gm = gamma * mu;
  const double alpha = (1.0 - gm) * (1.0 - gm) + gm * gm * inv_batch;
  const double kick = gamma * gamma * inv_batch * mu;
  *pb = alpha * *pb + kick * trace_bias;
  *pv = alpha * *pv + kick * trace_var_plus_noise;
}

}  // namespace sgdlaw
