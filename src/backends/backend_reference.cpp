// The reference backend: the literal algorithm in d dimensions, deliberately plain. For every sample it
// draws x (Gaussian N(0, H), or Rademacher-scaled with the same covariance), forms z = S x and
// y = <x, w*> + eps, and updates v. Risk is evaluated literally: R(v) = sigma^2 + (S^T v - w*)^T H (S^T v - w*).
// Bias and variance come from coupled runs on the same draws: labels <v*, z> from 0, and true labels from v*.
// It shares no SGD code with the fast path, which is tested against it.
#include <cmath>
#include <limits>
#include <vector>

#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/data_reuse.hpp"
#include "sgdlaw/core/normal_fill.hpp"

namespace sgdlaw {
namespace {

double literal_risk(const SketchSetup& s, const Eigen::VectorXd& v, const Eigen::VectorXd& wstar, double sigma2) {
  const Eigen::VectorXd diff = (s.identity ? v : Eigen::VectorXd(s.S.transpose() * v)) - wstar;
  return sigma2 + diff.cwiseAbs2().dot(s.lambda);
}

void run_literal_trial(const RunPlan& plan, std::uint32_t trial, double* risk, double* bias, double* variance,
                       double* approx_out) {
  const Config& c = plan.config;
  const SketchSetup& s = plan.sketch_of(trial);
  const TrialTarget target = draw_target(c, s, trial);
  const double sigma2 = c.sigma * c.sigma;

  // Best sketched parameter v* = Sigma^-1 S H w*, solved directly (no eigenbasis).
  Eigen::VectorXd vstar;
  if (s.identity) {
    vstar = target.wstar;
  } else {
    const Eigen::MatrixXd sigma = s.S * s.lambda.asDiagonal() * s.S.transpose();
    vstar = sigma.ldlt().solve(s.S * (s.lambda.asDiagonal() * target.wstar));
  }
  const double approx = literal_risk(s, vstar, target.wstar, sigma2) - sigma2;
  *approx_out = approx;

  const bool split = bias != nullptr;
  Eigen::VectorXd v = Eigen::VectorXd::Zero(c.M), vb = Eigen::VectorXd::Zero(c.M), vv = vstar;
  Eigen::VectorXd x(c.d), z(c.M), grad(c.M), grad_b(c.M), grad_v(c.M);
  std::vector<float> g(static_cast<std::size_t>(normal_buffer_size(c.d)));
  const Eigen::VectorXd sqrt_lambda = s.lambda.cwiseSqrt();

  std::int64_t t = 0;
  for (std::size_t ck = 0; ck < plan.checkpoints.size(); ++ck) {
    for (; t < plan.checkpoints[ck]; ++t) {
      grad.setZero();
      grad_b.setZero();
      grad_v.setZero();
      for (std::int64_t b = 0; b < c.batch; ++b) {
        // The dataset sample this step-sample uses (with a finite dataset, the same x and eps on every pass).
        const std::uint64_t sample = data_index(data_reuse_of(c), trial, static_cast<std::uint64_t>(t * c.batch + b));
        fill_normals(c.seed, trial, sample, Purpose::kCovariates, c.d, g.data());
        for (std::int64_t i = 0; i < c.d; ++i) {
          const double gi = static_cast<double>(g[i]);
          x[i] = sqrt_lambda[i] * (c.covariates == CovariateKind::kGaussian ? gi : (gi < 0.0 ? -1.0 : 1.0));
        }
        const double eps =
            c.sigma * static_cast<double>(planar_normal(c.seed, trial, sample, Purpose::kCovariateNoise, 1, 0));
        apply_sketch(s, x, z);
        const double y = x.dot(target.wstar) + eps;
        grad += (v.dot(z) - y) * z;
        if (split) {
          grad_b += (vb.dot(z) - vstar.dot(z)) * z;
          grad_v += (vv.dot(z) - y) * z;
        }
      }
      const double step = plan.schedule.at(t) / static_cast<double>(c.batch);
      v -= step * grad;
      if (split) {
        vb -= step * grad_b;
        vv -= step * grad_v;
      }
    }
    const double r = literal_risk(s, v, target.wstar, sigma2);
    risk[ck] = std::isfinite(r) ? r : std::numeric_limits<double>::infinity();
    if (split) {
      const double rb = literal_risk(s, vb, target.wstar, sigma2) - sigma2 - approx;
      const double rv = literal_risk(s, vv, target.wstar, sigma2) - sigma2 - approx;
      bias[ck] = std::isfinite(rb) ? rb : std::numeric_limits<double>::infinity();
      variance[ck] = std::isfinite(rv) ? rv : std::numeric_limits<double>::infinity();
    }
  }
}

class ReferenceBackend final : public Backend {
 public:
  explicit ReferenceBackend(int threads) : threads_(threads) {}
  std::string name() const override { return "reference"; }
  void run_trials(const RunPlan& plan, std::int64_t first, std::int64_t count, TrialResults& out,
                  std::atomic<std::int64_t>& done) override {
    parallel_trials(count, threads_, [&](std::int64_t i) {
      run_literal_trial(plan, static_cast<std::uint32_t>(first + i), out.risk_row(i), out.bias_row(i),
                        out.variance_row(i), &out.approx[i]);
      done.fetch_add(1);
    });
  }

 private:
  int threads_;
};

}  // namespace

std::unique_ptr<Backend> make_reference_backend(int threads) { return std::make_unique<ReferenceBackend>(threads); }

}  // namespace sgdlaw
