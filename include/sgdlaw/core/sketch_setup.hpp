#pragma once
// Everything one sketch needs before SGD runs: Sigma = S H S^T, its eigen-decomposition, the map from
// w* to the optimum in Sigma's eigenbasis, and prior expectations of the approximation error and of
// the initial error's second moment.
#include <Eigen/Dense>
#include <cstdint>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/core/exact_contour.hpp"

namespace sgdlaw {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct SketchSetup {
  std::int64_t index = 0;  // sketch k
  std::int64_t d = 0, M = 0;
  bool identity = false;      // S = I (M = d): nothing below that is a matrix is stored
  Eigen::VectorXd lambda;     // spectrum of H, length d
  Eigen::VectorXd prior_var;  // E[w*_i^2] = i^(a - b), length d
  Eigen::VectorXd weight;     // infinite d (identity): quadrature weights of the nodes above; else empty (all 1)
  double tail_error = 0.0;    // infinite d: estimated bound on the tail quadrature's absolute error
  RowMatrix S;                // M x d sketch (Gaussian only)
  Eigen::VectorXd mu;         // eigenvalues of Sigma, descending, length M
  Eigen::MatrixXd Q;          // eigenvectors (columns) of Sigma (Gaussian only)
  RowMatrix A;                // u* = A w*: optimum in the eigenbasis (Gaussian only), M x d
  Eigen::VectorXd p0_prior;   // E_prior[u*_j^2]
  double signal_prior = 0.0;  // E_prior ||w*||_H^2 = sum_i i^-b (truncated at d)
  double approx_prior = 0.0;  // E_prior[Approx] = signal_prior - sum_j mu_j p0_prior_j
  // Set-ups built off the host (CUDA) keep no A; they carry the fixed w*'s target instead (wstar = fixed).
  bool has_fixed_target = false;
  Eigen::VectorXd fixed_ustar;
  double fixed_approx = 0.0;
};

// Per-trial target: w*, its optimum u* in the eigenbasis, and its approximation error.
struct TrialTarget {
  Eigen::VectorXd wstar;  // length d
  Eigen::VectorXd ustar;  // length M
  double approx = 0.0;    // E(<v*, Sx> - <w*, x>)^2 >= 0
};

// The exact recursion's coordinates: mu with weight (all 1 unless d is infinite).
WeightedSpectrum weighted_spectrum(const SketchSetup& s);

// Builds sketch k of the configuration (draws S from the (seed, k) stream).
SketchSetup build_sketch_setup(const Config& c, std::int64_t k);

// Which stream key and purpose a trial's w* comes from (prior mode decides).
TrialTarget draw_target(const Config& c, const SketchSetup& s, std::uint32_t global_trial);

// Eigenvectors are only defined up to sign, and the sign decides which trajectory a trial's random stream
// produces: every backend flips each column so that its largest-magnitude entry is positive.
void normalize_eigenvector_signs(Eigen::MatrixXd& Q);

// z = S x (or x for the identity sketch).
void apply_sketch(const SketchSetup& s, const Eigen::VectorXd& x, Eigen::VectorXd& z);

}  // namespace sgdlaw
