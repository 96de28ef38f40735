#pragma once
// The reduced (eigenbasis) SGD of one trial per team, written once against thread_model.hpp: nvcc runs it in
// kernels/reduced_sgd_kernel.cu, CI runs it on the host through host_thread.hpp (tests/test_kernel_host.cpp).
//
// Coordinates: with nb = ceil(M / 4) Philox blocks, block q yields the normals of coordinates q, q + nb,
// q + 2 nb, q + 3 nb (the planar layout of philox_normals.hpp), so a trial draws the CPU's numbers. Team
// rank r owns the blocks r, r + size, r + 2 size, ...:
//   kRegisters  K blocks per thread; e, sqrt(mu) and the current normals live in registers, 4 K slots each.
//               Used while 4 K size >= M.
//   kGlobal     any M: e lives in global memory (A.state, 2 M doubles per trial), coalesced by block index.
//   kGlobalMomentum  every optimizer but SGD (core/optimizer.hpp), any M: x and the optimizer's second state m
//               in global memory (4 M doubles per trial), the arithmetic of core/optimizer_step.hpp in the CPU
//               fast path's order (backends/reduced_trial_momentum.cpp), so that momentum 0 is SGD's global
//               path bit for bit. Registers hold nothing per coordinate, so the doubled state cannot spill.
// The arithmetic of a step is core/sgd_step.hpp, shared with the CPU fast path. Label noise is drawn by the
// whole team, a chunk of kNoiseChunk samples at a time, into shared memory. For B = 1 the normals of step
// s + 1 are drawn before the team sum of step s (independent work that hides the sum's latency).
//
// Why the register path has no branch per coordinate: a slot whose coordinate does not exist (block q >= nb,
// or j >= M in the last block) holds e = 0 and sqrt(mu) = 0, so its feature is 0, its residual term adds an
// exact 0 and its update leaves e at 0. Its normals are drawn like any other (a Philox counter past nb is a
// valid counter, and the normals are always finite, so 0 * g is 0). The 4 K load-multiply-FMA chains of a step
// then issue without a predicate each, and the sums of the existing coordinates keep their order: every trial
// is bit for bit what the branchy form gave (tests/test_kernel_host.cpp checks recorded digests). The next
// step's normals are drawn at the last step too (one unused draw per trial) so that no pointer to them is
// ever selected: a selected pointer put them in local memory (48-80 B stack frames before).
#include <cstdint>

#include "sgd_team.hpp"
#include "sgdlaw/core/data_reuse.hpp"
#include "sgdlaw/core/optimizer_step.hpp"
#include "sgdlaw/core/philox_normals.hpp"
#include "sgdlaw/core/schedule.hpp"
#include "sgdlaw/core/sgd_step.hpp"

#if defined(__CUDACC__)
#define SGDLAW_UNROLL _Pragma("unroll")
#else
#define SGDLAW_UNROLL
#endif

namespace sgdlaw::kern {

enum class StateIn { kRegisters, kGlobal, kGlobalMomentum };

struct SgdArgs {
  std::uint32_t seed = 0;
  std::int64_t first_trial = 0, count = 0, M = 0, nb = 0, batch = 1, n_checkpoints = 0;
  Schedule schedule;
  const std::int64_t* checkpoints = nullptr;  // step counts, ascending
  const double* mu = nullptr;                 // length M
  const double* sqrt_mu = nullptr;            // length M
  const double* ustar = nullptr;              // M x count, column t = trial first_trial + t
  const double* sigma_eff = nullptr;          // count
  const double* floor = nullptr;              // count: sigma^2 + Approx(w*)
  double* risk = nullptr;                     // count x n_checkpoints
  double* bias = nullptr;                     // same, when split
  double* variance = nullptr;                 // same, when split
  double* state = nullptr;                    // kGlobal: 2 M doubles per trial (eb, ev); kGlobalMomentum: 4 M
  DataReuse reuse;                            // finite dataset (n = 0: every sample fresh)
  Optimizer optimizer;                        // kGlobalMomentum: the update (optimizer.hpp)
};

// Doubles of global state per trial and coordinate.
SGDLAW_HD inline int state_doubles(StateIn s) {
  return s == StateIn::kGlobalMomentum ? 4 : s == StateIn::kGlobal ? 2 : 0;
}

// Shared memory per block: the team mechanism's slots, then per team the noise chunk and 2 B residuals.
SGDLAW_HD inline std::size_t team_shared_bytes(std::int64_t batch) {
  return static_cast<std::size_t>(kNoiseChunk) * sizeof(float) + 2 * static_cast<std::size_t>(batch) * sizeof(double);
}

template <class Team>
struct TeamShared {
  float* noise;
  double* resid;
  template <class Th>
  SGDLAW_HD TeamShared(const Th& th, const Team& team, std::int64_t batch) {
    char* base = th.shared() + Team::kReduceBytes + team.index_in_block() * team_shared_bytes(batch);
    noise = reinterpret_cast<float*>(base);
    resid = reinterpret_cast<double*>(base + kNoiseChunk * sizeof(float));
  }
};

// The coordinates a thread owns and their error values. Registers: arrays of 4 K; global: strided loops.
template <StateIn kState, int K>
struct Coords;

template <int K>
struct Coords<StateIn::kRegisters, K> {
  static constexpr int kSlots = 4 * K;
  double eb[kSlots], ev[kSlots];
  double sq[kSlots];  // sqrt(mu_j) of the slot's coordinate, 0 for a slot without one
  float g[kSlots];    // the current sample's normals
  std::int64_t M = 0, nb = 0;
  int rank = 0, size = 1;
  SGDLAW_HD std::int64_t block_of(int k) const { return rank + static_cast<std::int64_t>(k) * size; }
};

template <int K>
struct Coords<StateIn::kGlobal, K> {
  double* eb = nullptr;
  double* ev = nullptr;
  std::int64_t M = 0, nb = 0;
  int rank = 0, size = 1;
};

template <int K>
struct Coords<StateIn::kGlobalMomentum, K> {
  double* eb = nullptr;
  double* ev = nullptr;
  double* mb = nullptr;  // the optimizer's second state of each run
  double* mv = nullptr;
  std::int64_t M = 0, nb = 0;
  int rank = 0, size = 1;
};

template <class Th, class Team, StateIn kState, int K, bool kSplit>
class SgdTrial {
  static constexpr bool kMomentum = kState == StateIn::kGlobalMomentum;

 public:
  SGDLAW_HD SgdTrial(const Th& th, Team& team, const SgdArgs& A, std::int64_t t)
      : th_(th), team_(team), A_(A), t_(t), sh_(th, team, A.batch) {
    trial_ = static_cast<std::uint32_t>(A.first_trial + t);
    seff_ = A.sigma_eff[t];
    c_.M = A.M;
    c_.nb = A.nb;
    c_.rank = team.rank();
    c_.size = team.size();
    init_state();
  }

  // B = 1 and B > 1 are separate instances (kBatched): each kernel's registers are those of one loop only.
  template <bool kBatched>
  SGDLAW_HD void run() {
    if constexpr (kBatched)
      run_batched();
    else
      run_single();
  }

 private:
  // Registers: f(r, j) for every slot r this thread owns whose coordinate j exists.
  template <class F>
  SGDLAW_HD void each_register(F&& f) const {
    SGDLAW_UNROLL
    for (int k = 0; k < K; ++k) {
      SGDLAW_UNROLL
      for (int w = 0; w < 4; ++w) {
        const std::int64_t q = c_.block_of(k), j = q + w * c_.nb;
        if (q < c_.nb && j < c_.M) f(4 * k + w, j);
      }
    }
  }

  // Registers: f(r) for every slot, existing coordinate or not (see the header: no branch per coordinate).
  template <class F>
  SGDLAW_HD void each_slot(F&& f) const {
    SGDLAW_UNROLL
    for (int r = 0; r < Coords<kState, K>::kSlots; ++r) f(r);
  }

  // Global state: f(j, z) for every coordinate j this thread owns, z its feature in `sample` (drawn here).
  template <class F>
  SGDLAW_HD void each_global_feature(std::uint64_t sample, F&& f) const {
    for (std::int64_t q = c_.rank; q < c_.nb; q += c_.size) {
      const Normals4 n = normals(q, sample);
      SGDLAW_UNROLL
      for (int w = 0; w < 4; ++w) {
        const std::int64_t j = q + w * c_.nb;
        if (j < c_.M) f(j, sgd::feature(A_.sqrt_mu[j], n.v[w]));
      }
    }
  }

  // Global state: f(j) for every coordinate j this thread owns (the same ownership as each_global_feature).
  template <class F>
  SGDLAW_HD void each_global(F&& f) const {
    for (std::int64_t q = c_.rank; q < c_.nb; q += c_.size)
      for (int w = 0; w < 4; ++w)
        if (q + w * c_.nb < c_.M) f(q + w * c_.nb);
  }

  // e = -u*, ev = 0.
  SGDLAW_HD void init_state() {
    const double* u = A_.ustar + t_ * A_.M;
    if constexpr (kState == StateIn::kRegisters) {
      for (int r = 0; r < Coords<kState, K>::kSlots; ++r) {
        c_.eb[r] = c_.ev[r] = c_.sq[r] = 0.0;
        c_.g[r] = 0.0f;
      }
      each_register([&](int r, std::int64_t j) {
        c_.eb[r] = -u[j];
        c_.sq[r] = A_.sqrt_mu[j];
      });
    } else {
      c_.eb = A_.state + state_doubles(kState) * t_ * A_.M;
      c_.ev = c_.eb + A_.M;
      if constexpr (kMomentum) {
        c_.mb = c_.ev + A_.M;
        c_.mv = c_.mb + A_.M;
      }
      each_global([&](std::int64_t j) {
        c_.eb[j] = -u[j];
        c_.ev[j] = 0.0;
        if constexpr (kMomentum) {
          c_.mb[j] = opt::initial_m(A_.optimizer.kind, -u[j]);
          c_.mv[j] = 0.0;
        }
      });
    }
  }

  // The normals of step-sample `sample`: those of the dataset sample it uses (itself without a finite dataset).
  SGDLAW_HD Normals4 normals(std::int64_t q, std::uint64_t sample) const {
    return normals4(A_.seed, trial_, static_cast<std::uint32_t>(q), data_index(A_.reuse, trial_, sample),
                    Purpose::kFeatures);
  }

  // The team draws the label noise of samples [chunk * kNoiseChunk, ...) into shared memory, in the planar
  // layout (kNoiseChunk / 4 Philox blocks), so noise[i] is label_noise_normal of sample chunk * kNoiseChunk + i.
  SGDLAW_HD void fill_noise(std::uint64_t chunk) {
    team_.sync();  // everyone has read the previous chunk
    const int nbn = static_cast<int>(kNoiseChunk / 4);
    for (int q = team_.rank(); q < nbn; q += team_.size()) {
      const Normals4 n = normals4(A_.seed, trial_, static_cast<std::uint32_t>(q), chunk, Purpose::kLabelNoise);
      SGDLAW_UNROLL
      for (int w = 0; w < 4; ++w) sh_.noise[q + w * nbn] = n.v[w];
    }
    team_.sync();
  }

  SGDLAW_HD double noise_of(std::uint64_t sample) {
    // A finite dataset visits samples out of order: each thread draws sample i's noise itself (the number the
    // chunked path gives for sample i).
    if (A_.reuse.n > 0)
      return seff_ * static_cast<double>(label_noise_normal(A_.seed, trial_, data_index(A_.reuse, trial_, sample)));
    const std::uint64_t chunk = sample / static_cast<std::uint64_t>(kNoiseChunk);  // a shift
    if (chunk != noise_chunk_) {  // uniform across the team: every thread asks for the same samples
      noise_chunk_ = chunk;
      fill_noise(chunk);
    }
    return seff_ * static_cast<double>(sh_.noise[sample % kNoiseChunk]);
  }

  // Registers: the normals of `sample` for this thread's K Philox blocks (past nb too: see the header).
  SGDLAW_HD void draw_blocks(std::uint64_t sample, Normals4 (&n)[K]) const {
    SGDLAW_UNROLL
    for (int k = 0; k < K; ++k) n[k] = normals(c_.block_of(k), sample);
  }

  // Registers: g <- the normals of `sample`.
  SGDLAW_HD void load_normals(std::uint64_t sample) {
    Normals4 n[K];
    draw_blocks(sample, n);
    each_slot([&](int r) { c_.g[r] = n[r / 4].v[r % 4]; });
  }

  // g <- normals of `sample` (registers); the partial residuals <eb, z>, <ev, z> over this thread.
  SGDLAW_HD void draw_and_partial(std::uint64_t sample, double& pb, double& pv) {
    pb = pv = 0.0;
    auto add = [&](double eb, double ev, double z) {
      pb = sgd::residual_term(pb, eb, z);
      if (kSplit) pv = sgd::residual_term(pv, ev, z);
    };
    if constexpr (kState == StateIn::kRegisters) {
      load_normals(sample);
      each_slot([&](int r) { add(c_.eb[r], c_.ev[r], sgd::feature(c_.sq[r], c_.g[r])); });
    } else if constexpr (kMomentum) {  // at the evaluation point (nesterov: x + beta (x - m))
      const OptimizerKind k = A_.optimizer.kind;
      each_global_feature(sample, [&](std::int64_t j, double z) {
        add(opt::point(k, sc_, c_.eb[j], c_.mb[j]), kSplit ? opt::point(k, sc_, c_.ev[j], c_.mv[j]) : 0.0, z);
      });
    } else {
      each_global_feature(sample, [&](std::int64_t j, double z) { add(c_.eb[j], c_.ev[j], z); });
    }
  }

  // kGlobalMomentum, B >= 1: one coordinate's run (x, m) <- the step from the gains of every sample of step s,
  // each term by sgd::update in sample order (the CPU's order), normals drawn again per sample.
  SGDLAW_HD void apply_batch_momentum(std::int64_t s) {
    const OptimizerKind k = A_.optimizer.kind;
    for (std::int64_t q = c_.rank; q < c_.nb; q += c_.size) {
      double ab[4], av[4];
      SGDLAW_UNROLL
      for (int w = 0; w < 4; ++w) {  // a slot without a coordinate reads nothing (another thread's may be written)
        const std::int64_t j = q + w * c_.nb;
        ab[w] = av[w] = 0.0;
        if (j >= c_.M) continue;
        ab[w] = opt::start(k, c_.eb[j], opt::point(k, sc_, c_.eb[j], c_.mb[j]));
        if (kSplit) av[w] = opt::start(k, c_.ev[j], opt::point(k, sc_, c_.ev[j], c_.mv[j]));
      }
      for (std::int64_t b = 0; b < A_.batch; ++b) {
        const Normals4 n = normals(q, static_cast<std::uint64_t>(s * A_.batch + b));
        SGDLAW_UNROLL
        for (int w = 0; w < 4; ++w) {
          const std::int64_t j = q + w * c_.nb < c_.M ? q + w * c_.nb : 0;  // sqrt_mu is read-only
          const double z = sgd::feature(A_.sqrt_mu[j], n.v[w]);
          ab[w] = sgd::update(ab[w], sh_.resid[2 * b], z);
          if (kSplit) av[w] = sgd::update(av[w], sh_.resid[2 * b + 1], z);
        }
      }
      SGDLAW_UNROLL
      for (int w = 0; w < 4; ++w) {
        const std::int64_t j = q + w * c_.nb;
        if (j >= c_.M) continue;
        opt::finish(k, sc_, &c_.eb[j], &c_.mb[j], ab[w]);
        if (kSplit) opt::finish(k, sc_, &c_.ev[j], &c_.mv[j], av[w]);
      }
    }
  }

  // e -= gain * z for the normals of `sample` (registers: the stored ones; global: drawn again).
  SGDLAW_HD void apply(std::uint64_t sample, double kb, double kv) {
    if constexpr (kState == StateIn::kRegisters) {
      (void)sample;
      each_slot([&](int r) {
        const double z = sgd::feature(c_.sq[r], c_.g[r]);
        c_.eb[r] = sgd::update(c_.eb[r], kb, z);
        if (kSplit) c_.ev[r] = sgd::update(c_.ev[r], kv, z);
      });
    } else {
      each_global_feature(sample, [&](std::int64_t j, double z) {
        c_.eb[j] = sgd::update(c_.eb[j], kb, z);
        if (kSplit) c_.ev[j] = sgd::update(c_.ev[j], kv, z);
      });
    }
  }

  // Registers, B = 1: the update with the current normals and, in the same pass, the partial residuals of the
  // next sample with the next normals (drawn before the team sum by the caller).
  SGDLAW_HD void apply_and_next(const Normals4 (&next)[K], double kb, double kv, double& pb, double& pv) {
    pb = pv = 0.0;
    each_slot([&](int r) {
      const double z = sgd::feature(c_.sq[r], c_.g[r]);
      c_.eb[r] = sgd::update(c_.eb[r], kb, z);
      if (kSplit) c_.ev[r] = sgd::update(c_.ev[r], kv, z);
      c_.g[r] = next[r / 4].v[r % 4];
      const double zn = sgd::feature(c_.sq[r], c_.g[r]);
      pb = sgd::residual_term(pb, c_.eb[r], zn);
      if (kSplit) pv = sgd::residual_term(pv, c_.ev[r], zn);
    });
  }

  // Global state, B = 1: one pass over the state per step: each coordinate is updated with the normals of
  // `sample` (drawn again) and, while it is in a register, enters the next sample's partial residuals (the same
  // order of terms as draw_and_partial, so the same bits as the two passes it replaces). At the last step the
  // next sample's partials are computed and not used, like the register path's.
  SGDLAW_HD void apply_and_next_global(std::uint64_t sample, double kb, double kv, double& pb, double& pv) {
    pb = pv = 0.0;
    for (std::int64_t q = c_.rank; q < c_.nb; q += c_.size) {
      const Normals4 n = normals(q, sample), nn = normals(q, sample + 1);
      SGDLAW_UNROLL
      for (int w = 0; w < 4; ++w) {
        const std::int64_t j = q + w * c_.nb;
        if (j >= c_.M) continue;
        const double sq = A_.sqrt_mu[j], z = sgd::feature(sq, n.v[w]), zn = sgd::feature(sq, nn.v[w]);
        if constexpr (kMomentum) {  // the CPU fast path's fused loop (reduced_trial_momentum.cpp)
          const OptimizerKind k = A_.optimizer.kind;
          double x = c_.eb[j], m = c_.mb[j];
          opt::finish(k, sc_, &x, &m, sgd::update(opt::start(k, x, opt::point(k, sc_, x, m)), kb, z));
          c_.eb[j] = x;
          c_.mb[j] = m;
          pb = sgd::residual_term(pb, opt::point(k, sc_, x, m), zn);
          if (kSplit) {
            double xv = c_.ev[j], mv = c_.mv[j];
            opt::finish(k, sc_, &xv, &mv, sgd::update(opt::start(k, xv, opt::point(k, sc_, xv, mv)), kv, z));
            c_.ev[j] = xv;
            c_.mv[j] = mv;
            pv = sgd::residual_term(pv, opt::point(k, sc_, xv, mv), zn);
          }
          continue;
        }
        const double eb = sgd::update(c_.eb[j], kb, z);
        c_.eb[j] = eb;
        pb = sgd::residual_term(pb, eb, zn);
        if (kSplit) {
          const double ev = sgd::update(c_.ev[j], kv, z);
          c_.ev[j] = ev;
          pv = sgd::residual_term(pv, ev, zn);
        }
      }
    }
  }

  // The team sums of the partial residuals: the variance part only when the run is split.
  SGDLAW_HD void team_sum(double& pb, double& pv) {
    if constexpr (kSplit)
      team_.sum2(pb, pv);
    else
      team_.sum1(pb);
  }

  // At a checkpoint: the excess risks, summed over the team; rank 0 writes the row.
  SGDLAW_HD void checkpoint(std::int64_t ck) {
    double qb = 0.0, qv = 0.0, qt = 0.0;
    auto add = [&](std::int64_t j, double eb, double ev) {
      const double mu = A_.mu[j];
      qb = sgd::weighted_square_term(qb, mu, eb);
      if (kSplit) {
        qv = sgd::weighted_square_term(qv, mu, ev);
        qt = sgd::weighted_square_term(qt, mu, eb + ev);
      }
    };
    if constexpr (kState == StateIn::kRegisters)
      each_register([&](int r, std::int64_t j) { add(j, c_.eb[r], c_.ev[r]); });
    else
      each_global([&](std::int64_t j) { add(j, c_.eb[j], c_.ev[j]); });
    if constexpr (kSplit) {
      team_.sum2(qb, qv);
      team_.sum1(qt);
    } else {
      team_.sum1(qb);
    }
    if (team_.rank() == 0) {
      const std::int64_t row = t_ * A_.n_checkpoints + ck;
      A_.risk[row] = A_.floor[t_] + (kSplit ? qt : qb);
      if (kSplit) {
        A_.bias[row] = qb;
        A_.variance[row] = qv;
      }
    }
  }

  SGDLAW_HD void run_single() {
    const std::int64_t steps = A_.checkpoints[A_.n_checkpoints - 1];
    ScheduleCursor gamma(A_.schedule);
    double pb, pv;
    if constexpr (kMomentum) sc_ = opt::scalars(A_.optimizer, 0, gamma.gamma, 1.0);
    draw_and_partial(0, pb, pv);
    std::int64_t ck = 0;
    for (std::int64_t s = 0; s < steps; ++s) {
      const double xi = noise_of(static_cast<std::uint64_t>(s));
      Normals4 next[K];
      if constexpr (kState == StateIn::kRegisters) draw_blocks(static_cast<std::uint64_t>(s + 1), next);
      team_sum(pb, pv);
      if constexpr (kMomentum) sc_ = opt::scalars(A_.optimizer, s, gamma.gamma, 1.0);
      const double step = kMomentum ? sc_.step : gamma.gamma;
      const double kb = sgd::gain_bias(step, pb, xi, kSplit), kv = sgd::gain_variance(step, pv, xi);
      if constexpr (kState == StateIn::kRegisters)
        apply_and_next(next, kb, kv, pb, pv);
      else
        apply_and_next_global(static_cast<std::uint64_t>(s), kb, kv, pb, pv);
      gamma.advance();
      if (s + 1 == A_.checkpoints[ck]) checkpoint(ck++);
    }
  }

  SGDLAW_HD void run_batched() {
    const std::int64_t steps = A_.checkpoints[A_.n_checkpoints - 1], B = A_.batch;
    ScheduleCursor gamma(A_.schedule);
    std::int64_t ck = 0;
    for (std::int64_t s = 0; s < steps; ++s) {
      if constexpr (kMomentum) sc_ = opt::scalars(A_.optimizer, s, gamma.gamma, static_cast<double>(B));
      const double step = kMomentum ? sc_.step : gamma.gamma / static_cast<double>(B);
      // Pass 1: every sample's residuals at the current iterate.
      for (std::int64_t b = 0; b < B; ++b) {
        const auto sample = static_cast<std::uint64_t>(s * B + b);
        const double xi = noise_of(sample);
        double pb, pv;
        draw_and_partial(sample, pb, pv);
        team_sum(pb, pv);
        if (team_.rank() == 0) {
          sh_.resid[2 * b] = sgd::gain_bias(step, pb, xi, kSplit);
          sh_.resid[2 * b + 1] = sgd::gain_variance(step, pv, xi);
        }
      }
      team_.sync();
      // Pass 2: the updates, sample by sample in order (as on the CPU), normals drawn again.
      if constexpr (kMomentum) {
        apply_batch_momentum(s);
      } else {
        for (std::int64_t b = 0; b < B; ++b) {
          const auto sample = static_cast<std::uint64_t>(s * B + b);
          if constexpr (kState == StateIn::kRegisters) load_normals(sample);
          apply(sample, sh_.resid[2 * b], sh_.resid[2 * b + 1]);
        }
      }
      team_.sync();  // resid is rewritten by the next step
      gamma.advance();
      if (s + 1 == A_.checkpoints[ck]) checkpoint(ck++);
    }
  }

  const Th& th_;
  Team& team_;
  const SgdArgs& A_;
  std::int64_t t_;
  TeamShared<Team> sh_;
  std::uint32_t trial_ = 0;
  double seff_ = 0.0;
  std::uint64_t noise_chunk_ = ~std::uint64_t{0};
  opt::StepScalars sc_{};  // kGlobalMomentum: this step's scalars
  Coords<kState, K> c_;
};

// One thread's part of a launch: its team runs trial team.index() (teams past the last trial idle; a
// block-wide team never has such threads in part, so barriers stay uniform).
template <class Th, template <class> class TeamT, StateIn kState, int K, bool kSplit, bool kBatched>
SGDLAW_HD void reduced_sgd_body(const Th& th, const SgdArgs& A) {
  TeamT<Th> team{th};
  const std::int64_t t = team.index();
  if (t >= A.count) return;
  SgdTrial<Th, TeamT<Th>, kState, K, kSplit> trial(th, team, A, t);
  trial.template run<kBatched>();
}

}  // namespace sgdlaw::kern
