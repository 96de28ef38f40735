#include "sgdlaw/core/checkpoints.hpp"

#include <algorithm>
#include <cmath>

namespace sgdlaw {

std::int64_t first_checkpoint(const Config& c) {
  return std::max<std::int64_t>(1, (c.checkpoint_min + c.batch - 1) / c.batch);
}

std::int64_t next_checkpoint(std::int64_t s, std::int64_t steps, double ratio) {
  const double next = std::ceil(static_cast<double>(s) * ratio);  // may exceed any int64
  return next >= static_cast<double>(steps) ? steps : std::max(s + 1, static_cast<std::int64_t>(next));
}

std::vector<std::int64_t> checkpoint_steps(const Config& c) {
  const std::int64_t steps = c.steps();
  std::vector<std::int64_t> out;
  for (std::int64_t s = first_checkpoint(c); s < steps; s = next_checkpoint(s, steps, c.checkpoint_ratio))
    out.push_back(s);
  out.push_back(steps);
  return out;
}

}  // namespace sgdlaw
