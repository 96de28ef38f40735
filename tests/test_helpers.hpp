#pragma once
#include <cmath>
#include <string>

#include "sgdlaw/config_load.hpp"

namespace sgdlaw::testing {

// A small valid configuration for tests; callers change what they exercise.
inline Config small_config() {
  Config c;
  c.a = 2.0;
  c.b = 2.0;
  c.d = 256;
  c.M = 32;
  c.sigma = 0.3;
  c.N = 2000;
  c.gamma = 0.2;
  c.trials = 200;
  c.seed = 12345;
  c.backend = "cpu";
  c.progress = false;
  c.checkpoint_ratio = 1.6;
  return c;
}

inline double rel_diff(double x, double y) { return std::fabs(x - y) / std::max(std::fabs(y), 1e-300); }

}  // namespace sgdlaw::testing
