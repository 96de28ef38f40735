#pragma once
// Internal to backends: the state of one Monte Carlo trial of the CPU fast path (reduced_trial.cpp for SGD,
// reduced_trial_momentum.cpp for the other optimizers): its error vectors, its normals and its label noise.
#include <cmath>
#include <cstdint>
#include <vector>

#include "sgdlaw/core/data_reuse.hpp"
#include "sgdlaw/core/normal_fill.hpp"
#include "sgdlaw/core/optimizer_step.hpp"
#include "sgdlaw/core/run_plan.hpp"

namespace sgdlaw {

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
  std::vector<double> mb, mv;  // the optimizer's second state (optimizer.hpp) per run; empty for SGD
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

  // The second state of a non-SGD optimizer, from the initial errors (optimizer_step.hpp: initial_m).
  void start_optimizer(OptimizerKind k) {
    mb.resize(eb.size());
    mv.resize(ev.size());
    for (std::size_t j = 0; j < eb.size(); ++j) mb[j] = opt::initial_m(k, eb[j]);
    for (std::size_t j = 0; j < ev.size(); ++j) mv[j] = opt::initial_m(k, ev[j]);
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

// Optimizer steps t0 .. t1 - 1 for any optimizer but SGD (reduced_trial_momentum.cpp). false on overflow.
bool steps_with_optimizer(TrialState& st, const Optimizer& o, std::int64_t t0, std::int64_t t1);

}  // namespace sgdlaw
