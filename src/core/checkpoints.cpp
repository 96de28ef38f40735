#include "sgdlaw/core/checkpoints.hpp"

#include <algorithm>
#include <cmath>

namespace sgdlaw {

std::vector<std::int64_t> checkpoint_steps(const Config& c) {
  const std::int64_t steps = c.steps();
  std::vector<std::int64_t> out;
  std::int64_t s = std::max<std::int64_t>(1, (c.checkpoint_min + c.batch - 1) / c.batch);
  while (s < steps) {
    out.push_back(s);
    const double next = std::ceil(static_cast<double>(s) * c.checkpoint_ratio);  // may exceed any int64
    s = next >= static_cast<double>(steps) ? steps : std::max(s + 1, static_cast<std::int64_t>(next));
  }
  out.push_back(steps);
  return out;
}

}  // namespace sgdlaw
