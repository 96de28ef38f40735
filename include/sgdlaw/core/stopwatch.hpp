#pragma once
// Wall time since a steady-clock instant, in seconds: the one helper every timing (run stages, tuning,
// bootstrap estimates) uses.
#include <chrono>

namespace sgdlaw {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace sgdlaw
