// The reference backend: the literal algorithm in d dimensions, deliberately plain. For every sample it
// draws x (Gaussian N(0, H), or Rademacher-scaled with the same covariance), forms z = S x and
// y = <x, w*> + eps, and updates v. Risk is evaluated literally: R(v) = sigma^2 + (S^T v - w*)^T H (S^T v - w*).
// Bias and variance come from coupled runs on the same draws: labels <v*, z> from 0, and true labels from v*.
// It shares no SGD code with the fast path, which is tested against it (only the per-step scalars of
// optimizer_step.hpp, so both read the optimizer's definitions the same way).
#include <cmath>
#include <limits>
#include <vector>

#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/data_reuse.hpp"
#include "sgdlaw/core/normal_fill.hpp"
#include "sgdlaw/core/optimizer_step.hpp"

namespace sgdlaw {
namespace {

double literal_risk(const SketchSetup& s, const Eigen::VectorXd& v, const Eigen::VectorXd& wstar, double sigma2) {
  const Eigen::VectorXd diff = (s.identity ? v : Eigen::VectorXd(s.S.transpose() * v)) - wstar;
  return sigma2 + diff.cwiseAbs2().dot(s.lambda);
}

// One literal run: the iterate v, the optimizer's second state m (the previous iterate for heavy_ball and
// nesterov, DANA's buffer y), and the step's gradient sum. SGD is v -= (gamma / B) sum_b (<v, z> - y) z, as
// before the optimizers existed, so its trials are unchanged; heavy_ball and nesterov at beta = 0 add exact zeros.
struct LiteralRun {
  Eigen::VectorXd v, m, p, grad;  // p: nesterov's look-ahead point (the others take the gradient at v itself)
  opt::StepScalars s;
  bool ahead = false;
  LiteralRun(std::int64_t M, const Eigen::VectorXd& v0, const Optimizer& o)
      : v(v0), m(o.is_dana() ? Eigen::VectorXd::Zero(M) : v0), grad(M), ahead(o.kind == OptimizerKind::kNesterov) {}
  const Eigen::VectorXd& point() const { return ahead ? p : v; }
  void begin(const Optimizer& o, std::int64_t t, double gamma, std::int64_t batch) {
    s = opt::scalars(o, t, gamma, static_cast<double>(batch));
    if (ahead) p = v + s.beta * (v - m);
    grad.setZero();
  }
  void add(const Eigen::VectorXd& z, double label) { grad += (point().dot(z) - label) * z; }
  void finish(const Optimizer& o) {
    switch (o.kind) {
      case OptimizerKind::kSgd:
        v -= s.step * grad;
        break;
      case OptimizerKind::kHeavyBall: {
        const Eigen::VectorXd next = v - s.step * grad + s.beta * (v - m);
        m = v;
        v = next;
        break;
      }
      case OptimizerKind::kNesterov:
        m = v;
        v = p - s.step * grad;
        break;
      default:  // dana: y' = (1 - Delta) y + g, v' = v - gamma2 g - gamma3 y'  (g = grad / B, s.step = 1 / B)
        m = s.keep * m + s.step * grad;
        v -= s.g2 * s.step * grad + s.g3 * m;
    }
  }
};

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
  // Three coupled runs (full, noise-free toward v*, noise-only from v*), each with the optimizer's second state.
  LiteralRun full(c.M, Eigen::VectorXd::Zero(c.M), plan.optimizer),
      clean(c.M, Eigen::VectorXd::Zero(c.M), plan.optimizer), noisy(c.M, vstar, plan.optimizer);
  Eigen::VectorXd x(c.d), z(c.M);
  std::vector<float> g(static_cast<std::size_t>(normal_buffer_size(c.d)));
  const Eigen::VectorXd sqrt_lambda = s.lambda.cwiseSqrt();

  std::int64_t t = 0;
  for (std::size_t ck = 0; ck < plan.checkpoints.size(); ++ck) {
    for (; t < plan.checkpoints[ck]; ++t) {
      full.begin(plan.optimizer, t, plan.schedule.at(t), c.batch);
      if (split) {
        clean.begin(plan.optimizer, t, plan.schedule.at(t), c.batch);
        noisy.begin(plan.optimizer, t, plan.schedule.at(t), c.batch);
      }
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
        full.add(z, y);
        if (split) {
          clean.add(z, vstar.dot(z));
          noisy.add(z, y);
        }
      }
      full.finish(plan.optimizer);
      if (split) {
        clean.finish(plan.optimizer);
        noisy.finish(plan.optimizer);
      }
    }
    const Eigen::VectorXd& v = full.v;
    const Eigen::VectorXd& vb = clean.v;
    const Eigen::VectorXd& vv = noisy.v;
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
