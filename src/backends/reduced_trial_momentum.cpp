// The CPU fast path of every optimizer but SGD (optimizer.hpp): per step, the residuals of the B samples at the
// evaluation point, then one update of (x, m) per coordinate with the shared arithmetic of optimizer_step.hpp.
// The sums and updates run in the same order as SGD's (reduced_trial.cpp), so heavy_ball and nesterov at
// momentum 0 give SGD's trials bit for bit (tests/test_optimizers.cpp). Two passes over the state per sample
// at B > 1, as for SGD; at B = 1 the update and the next residual share one pass, as for SGD.
#include <cmath>
#include <utility>
#include <vector>

#include "sgdlaw/core/sgd_step.hpp"
#include "trial_state.hpp"

namespace sgdlaw {

namespace {

// B = 1: the update of step t and the residual of step t + 1 share one pass, in the order of SGD's
// steps_single (reduced_trial.cpp), so that the sums round alike. The evaluation point's beta is the same at
// every step (nesterov; the others evaluate at x).
template <OptimizerKind k, bool kSplit>
bool steps_single(TrialState& st, const Optimizer& o, std::int64_t t0, std::int64_t t1) {
  const std::int64_t m = st.m;
  const double* sq = st.sqrt_mu.data();
  double *xb = st.eb.data(), *xv = st.ev.data(), *mb = st.mb.data(), *mv = st.mv.data();
  float* gc = st.g0.data();
  float* gn = st.g1.data();
  st.features(static_cast<std::uint64_t>(t0), gc);
  const opt::StepScalars s = opt::scalars(o, t0, st.schedule.at(t0), 1.0);
  double sb = 0.0, sv = 0.0;
#pragma omp simd reduction(+ : sb, sv)
  for (std::int64_t j = 0; j < m; ++j) {
    const double z = sgd::feature(sq[j], gc[j]);
    sb = sgd::residual_term(sb, opt::point(k, s, xb[j], mb[j]), z);
    if (kSplit) sv = sgd::residual_term(sv, opt::point(k, s, xv[j], mv[j]), z);
  }
  for (std::int64_t t = t0; t < t1; ++t) {
    const opt::StepScalars sc = opt::scalars(o, t, st.schedule.at(t), 1.0);
    const double xi = st.noise_of(static_cast<std::uint64_t>(t));
    const double kb = sgd::gain_bias(sc.step, sb, xi, kSplit);
    const double kv = sgd::gain_variance(sc.step, sv, xi);
    const bool more = t + 1 < t1;
    if (more) st.features(static_cast<std::uint64_t>(t + 1), gn);
    sb = 0.0;
    sv = 0.0;
#pragma omp simd reduction(+ : sb, sv)
    for (std::int64_t j = 0; j < m; ++j) {
      const double zc = sgd::feature(sq[j], gc[j]);
      const double zn = sgd::feature(sq[j], gn[j]);
      double x = xb[j], y = mb[j];
      opt::finish(k, sc, &x, &y, sgd::update(opt::start(k, x, opt::point(k, sc, x, y)), kb, zc));
      xb[j] = x;
      mb[j] = y;
      sb = sgd::residual_term(sb, opt::point(k, sc, x, y), zn);
      if (kSplit) {
        double xx = xv[j], yy = mv[j];
        opt::finish(k, sc, &xx, &yy, sgd::update(opt::start(k, xx, opt::point(k, sc, xx, yy)), kv, zc));
        xv[j] = xx;
        mv[j] = yy;
        sv = sgd::residual_term(sv, opt::point(k, sc, xx, yy), zn);
      }
    }
    std::swap(gc, gn);
    if ((t & 1023) == 1023 && !std::isfinite(sb + sv)) return false;
  }
  return true;
}

// B > 1: the residuals of all B samples at the evaluation point, then one update (SGD's steps_batched order).
bool steps_batched(TrialState& st, const Optimizer& o, std::int64_t t0, std::int64_t t1) {
  const std::int64_t m = st.m, batch = st.c.batch;
  const OptimizerKind k = o.kind;
  std::vector<double> z(static_cast<std::size_t>(batch * m)), kb(static_cast<std::size_t>(batch)),
      kv(static_cast<std::size_t>(batch)), pb(static_cast<std::size_t>(m)), pv(st.split ? pb.size() : 0);
  const double* sq = st.sqrt_mu.data();
  double *xb = st.eb.data(), *xv = st.ev.data(), *mb = st.mb.data(), *mv = st.mv.data();
  for (std::int64_t t = t0; t < t1; ++t) {
    const opt::StepScalars s = opt::scalars(o, t, st.schedule.at(t), static_cast<double>(batch));
    for (std::int64_t j = 0; j < m; ++j) pb[j] = opt::point(k, s, xb[j], mb[j]);
    if (st.split)
      for (std::int64_t j = 0; j < m; ++j) pv[j] = opt::point(k, s, xv[j], mv[j]);
    for (std::int64_t b = 0; b < batch; ++b) {
      const auto sample = static_cast<std::uint64_t>(t * batch + b);
      st.features(sample, st.g0.data());
      const double xi = st.noise_of(sample);
      const float* g = st.g0.data();
      double* zb = z.data() + b * m;
      const double* p1 = pb.data();
      const double* p2 = pv.data();
      double sb = 0.0, sv = 0.0;
#pragma omp simd reduction(+ : sb, sv)
      for (std::int64_t j = 0; j < m; ++j) {
        const double zj = sgd::feature(sq[j], g[j]);
        zb[j] = zj;
        sb = sgd::residual_term(sb, p1[j], zj);
        if (st.split) sv = sgd::residual_term(sv, p2[j], zj);
      }
      kb[b] = sgd::gain_bias(s.step, sb, xi, st.split);
      kv[b] = sgd::gain_variance(s.step, sv, xi);
    }
    for (std::int64_t j = 0; j < m; ++j) {
      double a = opt::start(k, xb[j], pb[j]);
      for (std::int64_t b = 0; b < batch; ++b) a = sgd::update(a, kb[b], z[b * m + j]);
      opt::finish(k, s, &xb[j], &mb[j], a);
    }
    if (st.split)
      for (std::int64_t j = 0; j < m; ++j) {
        double a = opt::start(k, xv[j], pv[j]);
        for (std::int64_t b = 0; b < batch; ++b) a = sgd::update(a, kv[b], z[b * m + j]);
        opt::finish(k, s, &xv[j], &mv[j], a);
      }
    if ((t & 1023) == 1023 && !std::isfinite(xb[0] + (st.split ? xv[0] : 0.0))) return false;
  }
  return true;
}

}  // namespace

bool steps_with_optimizer(TrialState& st, const Optimizer& o, std::int64_t t0, std::int64_t t1) {
  if (st.c.batch > 1) return steps_batched(st, o, t0, t1);
  switch (o.kind) {
    case OptimizerKind::kHeavyBall:
      return st.split ? steps_single<OptimizerKind::kHeavyBall, true>(st, o, t0, t1)
                      : steps_single<OptimizerKind::kHeavyBall, false>(st, o, t0, t1);
    case OptimizerKind::kNesterov:
      return st.split ? steps_single<OptimizerKind::kNesterov, true>(st, o, t0, t1)
                      : steps_single<OptimizerKind::kNesterov, false>(st, o, t0, t1);
    case OptimizerKind::kDanaConstant:
      return st.split ? steps_single<OptimizerKind::kDanaConstant, true>(st, o, t0, t1)
                      : steps_single<OptimizerKind::kDanaConstant, false>(st, o, t0, t1);
    default:
      return st.split ? steps_single<OptimizerKind::kDanaDecaying, true>(st, o, t0, t1)
                      : steps_single<OptimizerKind::kDanaDecaying, false>(st, o, t0, t1);
  }
}

}  // namespace sgdlaw
