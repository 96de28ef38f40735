#pragma once
// One Monte Carlo trial of the exact Gaussian reduction: SGD on e = u - u* in Sigma's eigenbasis,
// zeta = sqrt(mu) * g with g the planar normals at (seed, trial, sample, features), and label noise
// xi = sigma_eff * label_noise_normal(seed, trial, sample). O(M) per sample.
#include <cstdint>

#include "sgdlaw/core/run_plan.hpp"

namespace sgdlaw {

// Writes risk (sigma^2 + Approx + excess) and, when bias/variance are non-null, the excess risk of the
// coupled noise-free run from -u* and noise-only run from 0, at every checkpoint. A trial whose error
// becomes non-finite writes +inf from there on. Returns Approx(w*).
double run_reduced_trial(const RunPlan& plan, std::uint32_t global_trial, double* risk, double* bias, double* variance);

}  // namespace sgdlaw
