#include "sgdlaw/core/sketch_setup.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <vector>

#include "sgdlaw/core/deterministic_equivalent.hpp"
#include "sgdlaw/core/errors.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/normal_fill.hpp"
#include "sgdlaw/core/power_law_spectrum.hpp"

namespace sgdlaw {

void normalize_eigenvector_signs(Eigen::MatrixXd& Q) {
  for (Eigen::Index j = 0; j < Q.cols(); ++j) {
    Eigen::Index arg = 0;
    Q.col(j).cwiseAbs().maxCoeff(&arg);
    if (Q(arg, j) < 0) Q.col(j) = -Q.col(j);
  }
}

WeightedSpectrum weighted_spectrum(const SketchSetup& s) {
  return {s.mu, s.weight.size() ? s.weight : Eigen::VectorXd::Ones(s.mu.size())};
}

SketchSetup build_sketch_setup(const Config& c, std::int64_t k) {
  SketchSetup s;
  s.index = k;
  s.d = c.d;
  s.M = c.M;
  s.identity = c.sketch == SketchKind::kIdentity;
  if (c.d_infinite && !s.identity) {
    // A Gaussian sketch of an infinite H: its sketch average, the deterministic equivalent (exact-only runs).
    const DetEquivSpectrum de = deterministic_equivalent(c);
    s.mu = de.mu;
    s.weight = de.weight;
    s.p0_prior = de.p0;
    s.approx_prior = de.approx;
    s.signal_prior = de.signal;
    return s;
  }
  PowerLawSpectrum spectrum = power_law_spectrum(c);
  s.lambda = std::move(spectrum.lambda);
  s.prior_var = std::move(spectrum.prior_var);
  s.weight = std::move(spectrum.weight);
  s.tail_error = spectrum.tail_error;
  s.signal_prior = s.weight.size() ? s.lambda.cwiseProduct(s.weight).dot(s.prior_var) : s.lambda.dot(s.prior_var);

  if (s.identity) {
    s.mu = s.lambda;  // already descending
    s.p0_prior = s.prior_var;
    s.approx_prior = 0.0;
    return s;
  }

  // S: row r is the normal vector at (seed, key = k, position = r, purpose = sketch), scaled by 1/sqrt(M).
  s.S.resize(c.M, c.d);
  std::vector<float> buf(normal_buffer_size(c.d));
  const double scale = 1.0 / std::sqrt(static_cast<double>(c.M));
  for (std::int64_t r = 0; r < c.M; ++r) {
    fill_normals(c.seed, static_cast<std::uint32_t>(k), static_cast<std::uint64_t>(r), Purpose::kSketch, c.d,
                 buf.data());
    for (std::int64_t i = 0; i < c.d; ++i) s.S(r, i) = scale * static_cast<double>(buf[i]);
  }

  // Sigma = (S H^1/2)(S H^1/2)^T
  const RowMatrix SH_half = s.S * s.lambda.cwiseSqrt().asDiagonal();
  Eigen::MatrixXd sigma = Eigen::MatrixXd::Zero(c.M, c.M);
  sigma.selfadjointView<Eigen::Lower>().rankUpdate(SH_half);
  sigma = sigma.selfadjointView<Eigen::Lower>();

  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(sigma);
  if (eig.info() != Eigen::Success) throw std::runtime_error("eigen-decomposition of Sigma = S H S^T failed");
  s.mu = eig.eigenvalues().reverse();
  s.Q = eig.eigenvectors().rowwise().reverse();
  normalize_eigenvector_signs(s.Q);
  if (!(s.mu[c.M - 1] > 0.0))  // a configuration that cannot be computed in doubles: exit 2, with why
    throw ConfigError("field 'a' = " + format_shortest(c.a) + " with M = " + std::to_string(c.M) + ", d = " +
                      std::to_string(c.d) + " makes Sigma = S H S^T singular to working precision: the eigenvalues " +
                      "lambda_i = i^-a underflow against the largest (M^-a = " + format_g(std::pow(c.M, -c.a), 3) +
                      ", smallest eigenvalue of Sigma " + format_g(s.mu[c.M - 1], 3) +
                      "); use a smaller a, a smaller d, or M well below d");

  // A = diag(1/mu) Q^T S H: u* = Q^T Sigma^-1 S H w*.
  s.A = s.mu.cwiseInverse().asDiagonal() * (s.Q.transpose() * s.S) * s.lambda.asDiagonal();
  s.p0_prior = s.A.cwiseAbs2() * s.prior_var;
  s.approx_prior = std::max(0.0, s.signal_prior - s.mu.dot(s.p0_prior));
  return s;
}

TrialTarget draw_target(const Config& c, const SketchSetup& s, std::uint32_t global_trial) {
  TrialTarget t;
  const bool fixed = c.wstar == PriorMode::kFixed;
  std::vector<float> buf(normal_buffer_size(c.d));
  fill_normals(c.seed, fixed ? 0u : global_trial, 0, fixed ? Purpose::kPriorFixed : Purpose::kPrior, c.d, buf.data());
  t.wstar.resize(c.d);
  for (std::int64_t i = 0; i < c.d; ++i) t.wstar[i] = std::sqrt(s.prior_var[i]) * static_cast<double>(buf[i]);
  if (s.identity) {
    t.ustar = t.wstar;
    t.approx = 0.0;
  } else {
    t.ustar = s.A * t.wstar;
    const double signal = t.wstar.cwiseAbs2().dot(s.lambda);
    t.approx = std::max(0.0, signal - s.mu.dot(t.ustar.cwiseAbs2()));
  }
  return t;
}

void apply_sketch(const SketchSetup& s, const Eigen::VectorXd& x, Eigen::VectorXd& z) {
  if (s.identity) {
    z = x;
  } else {
    z.noalias() = s.S * x;
  }
}

}  // namespace sgdlaw
