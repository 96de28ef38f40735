#pragma once
// Where curves are sampled: geometrically spaced sample counts, multiples of the batch, final N included.
#include <cstdint>
#include <vector>

#include "sgdlaw/core/config.hpp"

namespace sgdlaw {

// The first checkpoint in steps, and the one after step s (s x ratio rounded up, at least s + 1, never past
// `steps`; computed in double so that no ratio overflows). checkpoint_steps and the configuration check that
// bounds their number both walk these.
std::int64_t first_checkpoint(const Config& c);
std::int64_t next_checkpoint(std::int64_t s, std::int64_t steps, double ratio);

// Step counts (after that many SGD steps) at which risk is recorded, strictly increasing, last = steps.
std::vector<std::int64_t> checkpoint_steps(const Config& c);

}  // namespace sgdlaw
