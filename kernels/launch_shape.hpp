#pragma once
// Which kernel variant runs a launch, and with what shape; shared by the CUDA launcher
// (reduced_sgd_kernel.cu) and the host runs of the same bodies (tests/test_kernel_host.cpp).
//   M <= 512           a warp per trial, 4 trials per 128-thread block, K = 1..4 Philox blocks per lane
//                      (K = 8, i.e. M up to 1024 on a warp, spills: 32 coordinates per lane is too many)
//   M <= 4096          a 256-thread (M <= 1024) or 512-thread block per trial, K = 1..2, state in registers
//   larger M           a 1024-thread block per trial, state in global memory (any M)
//   momentum           every optimizer but SGD: a block per trial (a power of two >= nb threads, 64 .. 512),
//                      state in global memory (kGlobalMomentum: x and m of each run)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "reduced_sgd_body.hpp"

namespace sgdlaw::kern {

enum class TeamKind { kWarp, kBlock };

struct LaunchShape {
  TeamKind team = TeamKind::kWarp;
  StateIn state = StateIn::kRegisters;
  int K = 1;
  int threads = 128;
  std::int64_t blocks = 0;
  std::size_t shared_bytes = 0;
};

constexpr int kWarpTeamThreads = 128, kBlockTeamThreads = 512, kGlobalTeamThreads = 1024;
// The momentum bodies keep x, m and the step's scalars live at once: at 1024 threads (64 registers) their B = 1
// instances spilled 36-172 B, at 512 (128 registers) none does (scripts/check_spills.sh).
constexpr int kMomentumTeamThreads = 512;

inline int pow2_at_least(std::int64_t n) {
  int k = 1;
  while (k < n) k *= 2;
  return k;
}

// The shape for a team kind and state; threads per block may be lowered (host tests use small blocks).
inline LaunchShape make_shape(TeamKind team, StateIn state, std::int64_t M, std::int64_t batch, std::int64_t count,
                              int threads) {
  LaunchShape s;
  s.team = team;
  s.state = state;
  s.threads = threads;
  const std::int64_t nb = (M + 3) / 4;
  const int team_size = team == TeamKind::kWarp ? kWarp : threads;
  const int teams = threads / team_size;
  s.K = state == StateIn::kRegisters ? pow2_at_least((nb + team_size - 1) / team_size) : 1;
  s.blocks = (count + teams - 1) / teams;
  s.shared_bytes = (team == TeamKind::kBlock ? BlockTeam<int>::kReduceBytes : 0) +
                   static_cast<std::size_t>(teams) * team_shared_bytes(batch);
  return s;
}

inline LaunchShape choose_launch_shape(std::int64_t M, std::int64_t batch, std::int64_t count, bool momentum = false) {
  if (momentum) {
    const int threads = std::min(kMomentumTeamThreads, std::max(64, pow2_at_least((M + 3) / 4)));
    return make_shape(TeamKind::kBlock, StateIn::kGlobalMomentum, M, batch, count, threads);
  }
  // Warps up to K = 4 (M <= 512): K = 8 (32 coordinates per lane) spills.
  if (M <= 512) return make_shape(TeamKind::kWarp, StateIn::kRegisters, M, batch, count, kWarpTeamThreads);
  if (M <= 4096)
    return make_shape(TeamKind::kBlock, StateIn::kRegisters, M, batch, count,
                      (M + 3) / 4 <= kBlockTeamThreads / 2 ? kBlockTeamThreads / 2 : kBlockTeamThreads);
  return make_shape(TeamKind::kBlock, StateIn::kGlobal, M, batch, count, kGlobalTeamThreads);
}

template <int V>
using IntC = std::integral_constant<int, V>;

// Calls fn(team, state, K, split, batched) with compile-time constants for the variants that exist (each is
// its own kernel, so that none carries the registers of another); throws for others.
template <class Fn>
void dispatch_variant(const LaunchShape& s, bool split, bool batched, Fn&& fn) {
  auto with_batched = [&](auto team, auto state, auto k, auto sp) {
    if (batched)
      fn(team, state, k, sp, std::true_type{});
    else
      fn(team, state, k, sp, std::false_type{});
  };
  auto with_split = [&](auto team, auto state, auto k) {
    if (split)
      with_batched(team, state, k, std::true_type{});
    else
      with_batched(team, state, k, std::false_type{});
  };
  using W = IntC<static_cast<int>(TeamKind::kWarp)>;
  using Bk = IntC<static_cast<int>(TeamKind::kBlock)>;
  using R = IntC<static_cast<int>(StateIn::kRegisters)>;
  using G = IntC<static_cast<int>(StateIn::kGlobal)>;
  if (s.state == StateIn::kGlobal) return with_split(Bk{}, G{}, IntC<1>{});
  if (s.state == StateIn::kGlobalMomentum)
    return with_split(Bk{}, IntC<static_cast<int>(StateIn::kGlobalMomentum)>{}, IntC<1>{});
  if (s.team == TeamKind::kWarp) {
    switch (s.K) {
      case 1:
        return with_split(W{}, R{}, IntC<1>{});
      case 2:
        return with_split(W{}, R{}, IntC<2>{});
      case 4:
        return with_split(W{}, R{}, IntC<4>{});
    }
  } else {
    switch (s.K) {
      case 1:
        return with_split(Bk{}, R{}, IntC<1>{});
      case 2:
        return with_split(Bk{}, R{}, IntC<2>{});
    }
  }
  throw std::logic_error("no reduced-SGD kernel variant with K = " + std::to_string(s.K));
}

// The body of a variant, for any thread model.
template <class Th, int kTeam, int kState, int K, bool kSplit, bool kBatched>
SGDLAW_HD void run_variant(const Th& th, const SgdArgs& A) {
  if constexpr (kTeam == static_cast<int>(TeamKind::kWarp))
    reduced_sgd_body<Th, WarpTeam, static_cast<StateIn>(kState), K, kSplit, kBatched>(th, A);
  else
    reduced_sgd_body<Th, BlockTeam, static_cast<StateIn>(kState), K, kSplit, kBatched>(th, A);
}

}  // namespace sgdlaw::kern
