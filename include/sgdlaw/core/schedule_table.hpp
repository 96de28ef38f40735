#pragma once
// A user's own schedule: piecewise-constant pieces (step_k, gamma_k), step_0 = 0, steps increasing; gamma_k holds
// on [step_k, step_{k+1}) and the last piece to the end of the run. Every piece is one constant stretch, so the
// exact curve jumps over each piece by contour (O(M) per piece, whatever its length). The arrays live outside
// the schedule (host: an interned copy that lives as long as the process; CUDA: a device copy per launch), so the
// schedule stays a small trivially copyable value that kernels take by value.
#include <cstdint>
#include <vector>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/core/host_device.hpp"

namespace sgdlaw {

struct ScheduleTable {
  std::int64_t size = 0;
  const std::int64_t* step = nullptr;
  const double* gamma = nullptr;

  // The piece holding step t: the largest k with step[k] <= t (step[0] = 0).
  SGDLAW_HD std::int64_t piece(std::int64_t t) const {
    std::int64_t lo = 0, hi = size;  // step[lo] <= t < step[hi] (step[size] = +inf)
    while (hi - lo > 1) {
      const std::int64_t mid = lo + (hi - lo) / 2;
      if (step[mid] <= t) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
  SGDLAW_HD double at(std::int64_t t) const { return gamma[piece(t)]; }
  std::int64_t stretch_end(std::int64_t t, std::int64_t limit) const {
    const std::int64_t k = piece(t);
    return k + 1 < size && step[k + 1] < limit ? step[k + 1] : limit;
  }
};

// The rows as a ScheduleTable whose arrays stay valid until the process ends (one copy per distinct table).
ScheduleTable intern_table(const std::vector<Config::TableRow>& rows);

}  // namespace sgdlaw
