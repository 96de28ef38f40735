#pragma once
// The sketch average without sampling sketches: the deterministic equivalent of Sigma = S H S^T for a Gaussian
// sketch (entries N(0, 1/M)), as M and d grow.
//
// Leave-one-out (Silverstein-Bai) gives the Stieltjes transform m(z) = (1/M) tr (Sigma - z)^-1 as the root of
//   m = 1 / (-z + (1/M) sum_i lambda_i / (1 + lambda_i m)),
// with density rho(x) = Im m(x + i0) / pi of Sigma's eigenvalues, and, with B = S H C H S^T (C the prior's
// covariance), tr B (Sigma - z)^-1 = sum_i lambda_i^2 c_i m / (1 + lambda_i m), whose density over x is the prior
// mass sum_j (q_j^T B q_j) delta(x - mu_j) = sum_j mu_j^2 E[u*_j^2] delta(x - mu_j). Both densities are taken on a
// log grid of x fine enough for the narrowest bumps (the top eigenvalues), and every grid cell becomes a weighted
// coordinate of the exact recursion (weight: M rho(x) dx eigenvalues; E[u*^2]: the cell's captured signal over
// x times that count); E[Approx] in closed form: sum_i lambda_i c_i / (1 + lambda_i m0), m0 = m(0) (the sketch's
// effective ridge is 1 / m0). The exact recursion on these coordinates is the expected risk of the average sketch
// (the approach of Paquette, Paquette, Xiao and Pennington's power-law random features analysis). Sums over i use the
// power-law tail quadrature beyond 256 coordinates, so d = inf costs the same as d = 10^4.
//
// That is the M -> infinity limit. With det_equiv_correction (the default) the 1/M terms of real Gaussian sketches
// are added: Bai-Silverstein's mean correction b(z) = -(1/2) d/dz log(1 - A(z)) of (1/M) tr (Sigma - z)^-1, which
// moves the count of eigenvalues above x by arg(1 - A) / (2 pi) (each grid node is displaced accordingly, its
// weight kept), and the second-order term of each column's s_i^T (Sigma - z)^-1 s_i, which corrects the overlaps
// and E[Approx]. Against 400 sampled sketches the curve is then within about 2 standard errors at M = 32..256
// (the limit alone: 4-7); the fluctuation term (the recursion is nonlinear in the spectrum) is not modelled.
#include <Eigen/Dense>

#include "sgdlaw/core/config.hpp"

namespace sgdlaw {

struct DetEquivSpectrum {
  Eigen::VectorXd mu;      // grid of eigenvalue levels, descending
  Eigen::VectorXd p0;      // E[u*^2] per eigenvalue at that level
  Eigen::VectorXd weight;  // eigenvalues in the level's cell (they sum to M)
  double approx = 0.0;     // E[Approx]
  double signal = 0.0;     // sum_i lambda_i c_i
  double mass = 0.0;       // integral of the density found on the grid (1 when the grid covers the spectrum)
};

// For the configuration's a, b, d (finite or inf) and M (a Gaussian sketch).
DetEquivSpectrum deterministic_equivalent(const Config& c);

}  // namespace sgdlaw
