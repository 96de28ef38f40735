#pragma once
// How a sweep's work is split between shards (job-array elements) and MPI ranks, deterministically from the
// sweep file alone, so every process computes the same split and a resumed shard redoes only its own points.
#include <cstdint>
#include <string>
#include <vector>

#include "sgdlaw/sweep/sweep_spec.hpp"

namespace sgdlaw {

// Relative cost of a point: trials * steps * (M + per-step overhead) + set-up.
double point_work(const Config& c);

// Longest-processing-time-first assignment of points to parts: result[i] = part of point i.
std::vector<int> assign_points(const SweepSpec& spec, int parts);

// A unit of work for MPI: trials [first, first + count) of one point.
struct WorkUnit {
  std::size_t point = 0;
  std::int64_t first = 0, count = 0;
  int rank = 0;
};
// Splits the listed points into units so that no unit is much larger than total / (4 * ranks), then
// assigns units to ranks (LPT). Units of one point are consecutive in the result.
std::vector<WorkUnit> plan_units(const SweepSpec& spec, const std::vector<std::size_t>& points, int ranks);

// Fingerprint of everything that determines the results (every point's configuration, output folders
// excluded): shards and merges refuse to mix sweeps whose fingerprints differ.
std::string sweep_fingerprint(const SweepSpec& spec);

}  // namespace sgdlaw
