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
    const auto next = static_cast<std::int64_t>(std::ceil(static_cast<double>(s) * c.checkpoint_ratio));
    s = std::max(s + 1, next);
  }
  out.push_back(steps);
  return out;
}

}  // namespace sgdlaw
