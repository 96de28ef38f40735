#pragma once
// Where curves are sampled: geometrically spaced sample counts, multiples of the batch, final N included.
#include <cstdint>
#include <vector>

#include "sgdlaw/core/config.hpp"

namespace sgdlaw {

// Step counts (after that many SGD steps) at which risk is recorded, strictly increasing, last = steps.
std::vector<std::int64_t> checkpoint_steps(const Config& c);

}  // namespace sgdlaw
