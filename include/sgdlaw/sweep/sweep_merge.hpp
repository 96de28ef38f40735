#pragma once
// Combining shard outputs (`sgdlaw sweep --shard i/n --sweep-out DIR_i`, e.g. job-array elements) into one
// sweep folder. Refuses shards made from another configuration (sweep fingerprint, and each point's resolved
// configuration) or by another sgdlaw version, and conflicting copies of a point. Copies are atomic (copy
// beside, then rename). Shards that died part-way contribute the points they finished.
#include <string>
#include <vector>

#include "sgdlaw/sweep/sweep_spec.hpp"

namespace sgdlaw {

struct MergeSummary {
  long copied = 0, already = 0, missing = 0;
};

MergeSummary merge_shards(const SweepSpec& spec, const std::vector<std::string>& shard_dirs,
                          const std::string& version);

}  // namespace sgdlaw
