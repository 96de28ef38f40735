#include "sgdlaw/backends/reduced_trial.hpp"

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "sgdlaw/core/sgd_step.hpp"
#include "trial_state.hpp"

namespace sgdlaw {
namespace {

double weighted_square(const double* mu, const double* x, std::int64_t m) {
  double s = 0.0;
#pragma omp simd reduction(+ : s)
  for (std::int64_t j = 0; j < m; ++j) s = sgd::weighted_square_term(s, mu[j], x[j]);
  return s;
}

// Batch B: residuals of all B samples at the current iterate, then one update. Returns false on overflow.
bool steps_batched(TrialState& st, std::int64_t t0, std::int64_t t1) {
  const std::int64_t m = st.m, batch = st.c.batch;
  std::vector<double> z(static_cast<std::size_t>(batch * m)), kb(static_cast<std::size_t>(batch)),
      kv(static_cast<std::size_t>(batch));
  const double* sq = st.sqrt_mu.data();
  double* eb = st.eb.data();
  double* ev = st.ev.data();
  for (std::int64_t t = t0; t < t1; ++t) {
    const double step = st.schedule.at(t) / static_cast<double>(batch);
    for (std::int64_t b = 0; b < batch; ++b) {
      const auto sample = static_cast<std::uint64_t>(t * batch + b);
      st.features(sample, st.g0.data());
      const double xi = st.noise_of(sample);
      const float* g = st.g0.data();
      double* zb = z.data() + b * m;
      double sb = 0.0, sv = 0.0;
#pragma omp simd reduction(+ : sb, sv)
      for (std::int64_t j = 0; j < m; ++j) {
        const double zj = sgd::feature(sq[j], g[j]);
        zb[j] = zj;
        sb = sgd::residual_term(sb, eb[j], zj);
        if (st.split) sv = sgd::residual_term(sv, ev[j], zj);
      }
      kb[b] = sgd::gain_bias(step, sb, xi, st.split);
      kv[b] = sgd::gain_variance(step, sv, xi);
    }
    for (std::int64_t b = 0; b < batch; ++b) {
      const double* zb = z.data() + b * m;
      const double k1 = kb[b], k2 = kv[b];
      for (std::int64_t j = 0; j < m; ++j) eb[j] = sgd::update(eb[j], k1, zb[j]);
      if (st.split)
        for (std::int64_t j = 0; j < m; ++j) ev[j] = sgd::update(ev[j], k2, zb[j]);
    }
    if ((t & 1023) == 1023 && !std::isfinite(eb[0] + (st.split ? ev[0] : 0.0))) return false;
  }
  return true;
}

// B = 1: the update of step t and the residual of step t + 1 share one pass over the error vectors
// (zeta is recomputed from the float normals instead of being stored). Returns false on overflow.
template <bool kSplit>
bool steps_single(TrialState& st, std::int64_t t0, std::int64_t t1) {
  const std::int64_t m = st.m;
  const double* sq = st.sqrt_mu.data();
  double* eb = st.eb.data();
  double* ev = st.ev.data();
  float* gc = st.g0.data();
  float* gn = st.g1.data();
  st.features(static_cast<std::uint64_t>(t0), gc);
  double sb = 0.0, sv = 0.0;
#pragma omp simd reduction(+ : sb, sv)
  for (std::int64_t j = 0; j < m; ++j) {
    const double z = sgd::feature(sq[j], gc[j]);
    sb = sgd::residual_term(sb, eb[j], z);
    if (kSplit) sv = sgd::residual_term(sv, ev[j], z);
  }
  for (std::int64_t t = t0; t < t1; ++t) {
    const double step = st.schedule.at(t);
    const double xi = st.noise_of(static_cast<std::uint64_t>(t));
    const double kb = sgd::gain_bias(step, sb, xi, kSplit);
    const double kv = sgd::gain_variance(step, sv, xi);
    if (t + 1 < t1) {
      st.features(static_cast<std::uint64_t>(t + 1), gn);
      sb = 0.0;
      sv = 0.0;
#pragma omp simd reduction(+ : sb, sv)
      for (std::int64_t j = 0; j < m; ++j) {
        const double zc = sgd::feature(sq[j], gc[j]);
        const double zn = sgd::feature(sq[j], gn[j]);
        eb[j] = sgd::update(eb[j], kb, zc);
        sb = sgd::residual_term(sb, eb[j], zn);
        if (kSplit) {
          ev[j] = sgd::update(ev[j], kv, zc);
          sv = sgd::residual_term(sv, ev[j], zn);
        }
      }
      std::swap(gc, gn);
      if ((t & 1023) == 1023 && !std::isfinite(sb + sv)) return false;
    } else {
      for (std::int64_t j = 0; j < m; ++j) {
        const double zc = sgd::feature(sq[j], gc[j]);
        eb[j] = sgd::update(eb[j], kb, zc);
        if (kSplit) ev[j] = sgd::update(ev[j], kv, zc);
      }
    }
  }
  return true;
}

}  // namespace

double run_reduced_trial(const RunPlan& plan, std::uint32_t global_trial, double* risk, double* bias,
                         double* variance) {
  const Config& c = plan.config;
  const SketchSetup& s = plan.sketch_of(global_trial);
  const TrialTarget target = draw_target(c, s, global_trial);
  const bool split = bias != nullptr;
  const double floor_risk = c.sigma * c.sigma + target.approx;
  const double* mu = s.mu.data();
  const std::int64_t m = c.M;
  TrialState st(c, plan.schedule, s, global_trial, split, target);
  if (!plan.optimizer.is_sgd()) st.start_optimizer(plan.optimizer.kind);
  std::vector<double> sum(split ? static_cast<std::size_t>(m) : 0);

  std::int64_t t = 0;
  const std::size_t n_ck = plan.checkpoints.size();
  for (std::size_t ck = 0; ck < n_ck; ++ck) {
    const std::int64_t until = plan.checkpoints[ck];
    const bool ok = !plan.optimizer.is_sgd() ? steps_with_optimizer(st, plan.optimizer, t, until)
                    : c.batch > 1            ? steps_batched(st, t, until)
                    : split                  ? steps_single<true>(st, t, until)
                                             : steps_single<false>(st, t, until);
    t = until;
    const double excess_b = weighted_square(mu, st.eb.data(), m);
    double excess_v = 0.0, total = excess_b;
    if (split) {
      excess_v = weighted_square(mu, st.ev.data(), m);
      for (std::int64_t j = 0; j < m; ++j) sum[j] = st.eb[j] + st.ev[j];
      total = weighted_square(mu, sum.data(), m);
    }
    if (!ok || !std::isfinite(total) || !std::isfinite(excess_b) || !std::isfinite(excess_v)) {
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
  }
  return target.approx;
}

}  // namespace sgdlaw
