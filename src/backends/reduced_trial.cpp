#include "sgdlaw/backends/reduced_trial.hpp"

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "sgdlaw/core/data_reuse.hpp"
#include "sgdlaw/core/normal_fill.hpp"
#include "sgdlaw/core/sgd_step.hpp"

namespace sgdlaw {
namespace {

double weighted_square(const double* mu, const double* x, std::int64_t m) {
  double s = 0.0;
#pragma omp simd reduction(+ : s)
  for (std::int64_t j = 0; j < m; ++j) s = sgd::weighted_square_term(s, mu[j], x[j]);
  return s;
}

// Everything one trial's SGD needs. eb is the noise-free error (from -u*), ev the noise-only error (from 0);
// without the split, eb alone carries the full error (from -u*, with noise).
struct TrialState {
  const Config& c;
  const Schedule& schedule;
  std::uint32_t trial;
  std::int64_t m;
  bool split;
  double sigma_eff;
  std::vector<double> sqrt_mu, eb, ev;
  std::vector<float> g0, g1, noise;
  std::uint64_t noise_chunk = ~std::uint64_t{0};
  DataReuse reuse;

  TrialState(const Config& cfg, const Schedule& sched, const SketchSetup& s, std::uint32_t g, bool do_split,
             const TrialTarget& target)
      : c(cfg),
        schedule(sched),
        trial(g),
        m(cfg.M),
        split(do_split),
        sigma_eff(std::sqrt(cfg.sigma * cfg.sigma + target.approx)),
        sqrt_mu(static_cast<std::size_t>(m)),
        eb(static_cast<std::size_t>(m)),
        ev(do_split ? static_cast<std::size_t>(m) : 0, 0.0),
        g0(static_cast<std::size_t>(normal_buffer_size(m))),
        g1(g0.size()),
        noise(static_cast<std::size_t>(normal_buffer_size(kNoiseChunk))),
        reuse(data_reuse_of(cfg)) {
    for (std::int64_t j = 0; j < m; ++j) {
      sqrt_mu[j] = std::sqrt(s.mu[j]);
      eb[j] = -target.ustar[j];
    }
  }

  // The dataset sample that step-sample `sample` uses (itself without a finite dataset).
  std::uint64_t index(std::uint64_t sample) const { return data_index(reuse, trial, sample); }

  void features(std::uint64_t sample, float* g) const {
    fill_normals(c.seed, trial, index(sample), Purpose::kFeatures, m, g);
  }

  double noise_of(std::uint64_t sample) {
    // A finite dataset visits samples out of order: the noise of sample i directly (the same number the
    // chunked path gives for sample i, so pass 0 of `epochs` equals the fresh run bit for bit).
    if (reuse.n > 0) return sigma_eff * static_cast<double>(label_noise_normal(c.seed, trial, index(sample)));
    if (sample / kNoiseChunk != noise_chunk) {
      noise_chunk = sample / kNoiseChunk;
      fill_normals(c.seed, trial, noise_chunk, Purpose::kLabelNoise, kNoiseChunk, noise.data());
    }
    return sigma_eff * static_cast<double>(noise[sample % kNoiseChunk]);
  }
};

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
  std::vector<double> sum(split ? static_cast<std::size_t>(m) : 0);

  std::int64_t t = 0;
  const std::size_t n_ck = plan.checkpoints.size();
  for (std::size_t ck = 0; ck < n_ck; ++ck) {
    const std::int64_t until = plan.checkpoints[ck];
    const bool ok = c.batch > 1 ? steps_batched(st, t, until)
                    : split     ? steps_single<true>(st, t, until)
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
