#pragma once
// Teams: the threads that run one trial together, on top of thread_model.hpp.
//   WarpTeam   32 threads (several trials per block); sums by xor-shuffles only, no block barrier.
//   BlockTeam  the whole block (one trial per block); warp shuffles, then one slot per warp in shared memory
//              (double-buffered, so one block barrier per sum).
// sum2(a, b) leaves the team-wide sums in every thread, bit-identical across threads (the xor butterfly gives
// every lane the same association, and every thread adds the warp slots in the same order). sum1(a) is the
// same for one value, with the same bits as sum2's first (each value's butterfly and slot order are its own).
#include <cstdint>

#include "thread_model.hpp"

namespace sgdlaw::kern {

template <class Th>
SGDLAW_HD inline double warp_butterfly(const Th& th, double v) {
  for (int mask = kWarp / 2; mask > 0; mask >>= 1) v += th.shfl_xor(v, mask);
  return v;
}

template <class Th>
struct WarpTeam {
  static constexpr bool kWholeBlock = false;
  // Bytes of shared memory the team mechanism itself needs per block.
  static constexpr std::size_t kReduceBytes = 0;
  const Th& th;
  SGDLAW_HD int rank() const { return th.thread() & (kWarp - 1); }
  SGDLAW_HD int size() const { return kWarp; }
  SGDLAW_HD int index_in_block() const { return th.thread() / kWarp; }
  SGDLAW_HD int teams_per_block() const { return th.block_size() / kWarp; }
  SGDLAW_HD std::int64_t index() const {
    return static_cast<std::int64_t>(th.block()) * teams_per_block() + index_in_block();
  }
  SGDLAW_HD void sync() const { th.sync_warp(); }
  SGDLAW_HD void sum2(double& a, double& b) {
    a = warp_butterfly(th, a);
    b = warp_butterfly(th, b);
  }
  SGDLAW_HD void sum1(double& a) { a = warp_butterfly(th, a); }
};

template <class Th>
struct BlockTeam {
  static constexpr bool kWholeBlock = true;
  static constexpr std::size_t kReduceBytes = 2 * 2 * kWarp * sizeof(double);  // 2 buffers x 2 values x 32 warps
  const Th& th;
  unsigned parity = 0;
  SGDLAW_HD int rank() const { return th.thread(); }
  SGDLAW_HD int size() const { return th.block_size(); }
  SGDLAW_HD int index_in_block() const { return 0; }
  SGDLAW_HD int teams_per_block() const { return 1; }
  SGDLAW_HD std::int64_t index() const { return th.block(); }
  SGDLAW_HD void sync() const { th.sync_block(); }
  SGDLAW_HD void sum2(double& a, double& b) {
    a = warp_butterfly(th, a);
    b = warp_butterfly(th, b);
    double* slots = reinterpret_cast<double*>(th.shared()) + parity * 2 * kWarp;
    parity ^= 1u;
    const int warp = th.thread() / kWarp, warps = th.block_size() / kWarp;
    if ((th.thread() & (kWarp - 1)) == 0) {
      slots[warp] = a;
      slots[kWarp + warp] = b;
    }
    // One barrier: the other buffer is written next time, and every thread has passed this barrier (so has
    // finished reading that buffer's previous sums) before anyone can get there.
    th.sync_block();
    a = 0.0;
    b = 0.0;
    for (int w = 0; w < warps; ++w) {
      a += slots[w];
      b += slots[kWarp + w];
    }
  }
  SGDLAW_HD void sum1(double& a) {
    a = warp_butterfly(th, a);
    double* slots = reinterpret_cast<double*>(th.shared()) + parity * 2 * kWarp;
    parity ^= 1u;
    const int warp = th.thread() / kWarp, warps = th.block_size() / kWarp;
    if ((th.thread() & (kWarp - 1)) == 0) slots[warp] = a;
    th.sync_block();  // as in sum2: one barrier, double-buffered slots
    a = 0.0;
    for (int w = 0; w < warps; ++w) a += slots[w];
  }
};

}  // namespace sgdlaw::kern
