#include "sgdlaw/reduced_trial.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "sgdlaw/normal_fill.hpp"

namespace sgdlaw {
namespace {

double weighted_square(const double* mu, const double* x, std::int64_t m) {
  double s = 0.0;
#pragma omp simd reduction(+ : s)
  for (std::int64_t j = 0; j < m; ++j) s += mu[j] * x[j] * x[j];
  return s;
}

}  // namespace

double run_reduced_trial(const RunPlan& plan, std::uint32_t global_trial, double* risk, double* bias,
                         double* variance) {
  const Config& c = plan.config;
  const SketchSetup& s = plan.sketch_of(global_trial);
  const TrialTarget target = draw_target(c, s, global_trial);
  const std::int64_t m = c.M, batch = c.batch;
  const bool split = bias != nullptr;
  const double sigma2 = c.sigma * c.sigma;
  const double sigma_eff = std::sqrt(sigma2 + target.approx);
  const double floor_risk = sigma2 + target.approx;
  const double* mu = s.mu.data();

  std::vector<double> sqrt_mu(static_cast<std::size_t>(m));
  for (std::int64_t j = 0; j < m; ++j) sqrt_mu[j] = std::sqrt(mu[j]);
  // eb: noise-free error, started at -u*; ev: noise-only error, started at 0. Without the split,
  // eb alone carries the full error (started at -u*, with noise).
  std::vector<double> eb(static_cast<std::size_t>(m)), ev(split ? static_cast<std::size_t>(m) : 0, 0.0);
  for (std::int64_t j = 0; j < m; ++j) eb[j] = -target.ustar[j];
  const std::int64_t nbuf = normal_buffer_size(m + 1);
  std::vector<float> g(static_cast<std::size_t>(nbuf));
  std::vector<double> z(static_cast<std::size_t>(batch * m));
  std::vector<double> rb(static_cast<std::size_t>(batch)), rv(static_cast<std::size_t>(batch));
  std::vector<double> sum(static_cast<std::size_t>(m));

  std::int64_t t = 0;
  std::size_t ck = 0;
  const auto n_ck = plan.checkpoints.size();
  bool finite = true;
  while (ck < n_ck) {
    const std::int64_t until = plan.checkpoints[ck];
    for (; t < until && finite; ++t) {
      const double step = plan.schedule.at(t) / static_cast<double>(batch);
      for (std::int64_t b = 0; b < batch; ++b) {
        const std::uint64_t sample = static_cast<std::uint64_t>(t * batch + b);
        fill_normals(c.seed, global_trial, sample, Purpose::kFeatures, m + 1, g.data());
        const double xi = sigma_eff * static_cast<double>(g[m]);
        double* zb = z.data() + b * m;
        double sb = 0.0, sv = 0.0;
        if (split) {
#pragma omp simd reduction(+ : sb, sv)
          for (std::int64_t j = 0; j < m; ++j) {
            const double zj = sqrt_mu[j] * static_cast<double>(g[j]);
            zb[j] = zj;
            sb += eb[j] * zj;
            sv += ev[j] * zj;
          }
          rb[b] = step * sb;
          rv[b] = step * (sv - xi);
        } else {
#pragma omp simd reduction(+ : sb)
          for (std::int64_t j = 0; j < m; ++j) {
            const double zj = sqrt_mu[j] * static_cast<double>(g[j]);
            zb[j] = zj;
            sb += eb[j] * zj;
          }
          rb[b] = step * (sb - xi);
        }
      }
      for (std::int64_t b = 0; b < batch; ++b) {
        const double* zb = z.data() + b * m;
        const double kb = rb[b];
        for (std::int64_t j = 0; j < m; ++j) eb[j] -= kb * zb[j];
        if (split) {
          const double kv = rv[b];
          for (std::int64_t j = 0; j < m; ++j) ev[j] -= kv * zb[j];
        }
      }
      if ((t & 1023) == 1023 && !std::isfinite(eb[0] + (split ? ev[0] : 0.0))) finite = false;
    }
    double excess_b = weighted_square(mu, eb.data(), m);
    double excess_v = 0.0, total = excess_b;
    if (split) {
      excess_v = weighted_square(mu, ev.data(), m);
      for (std::int64_t j = 0; j < m; ++j) sum[j] = eb[j] + ev[j];
      total = weighted_square(mu, sum.data(), m);
    }
    if (!finite || !std::isfinite(total) || !std::isfinite(excess_b) || !std::isfinite(excess_v)) {
      finite = false;
      const double inf = std::numeric_limits<double>::infinity();
      for (; ck < n_ck; ++ck) {
        risk[ck] = inf;
        if (split) bias[ck] = variance[ck] = inf;
      }
      break;
    }
    risk[ck] = floor_risk + total;
    if (split) {
      bias[ck] = excess_b;
      variance[ck] = excess_v;
    }
    ++ck;
  }
  return target.approx;
}

}  // namespace sgdlaw
