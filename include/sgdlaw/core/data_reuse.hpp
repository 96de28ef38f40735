#pragma once
// Finite datasets (multi-pass SGD): which of the n samples step-sample s uses. Sample i of trial t is the
// counter-based draw at position i (features and label noise), so a dataset costs no memory and every pass
// sees the same sample i with the same noise.
//   epochs       pass e = s / n visits the samples in a random order: pass 0 in order (so a dataset of n >= N
//                samples is exactly the fresh-sample run), pass e >= 1 by a keyed bijection of [0, n): a
//                4-round Feistel network on the smallest even-bit square domain, with cycle walking.
//   replacement  every step-sample draws an index uniformly from [0, n).
// Both are functions of (seed, trial, s) alone: a trial is re-runnable alone, on any backend, bit for bit.
#include <cstdint>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/core/host_device.hpp"
#include "sgdlaw/core/philox_normals.hpp"

namespace sgdlaw {

struct DataReuse {
  std::int64_t n = 0;  // dataset size; 0: every sample fresh
  SamplingKind sampling = SamplingKind::kEpochs;
  std::uint32_t seed = 0;
};

SGDLAW_HD inline std::uint32_t feistel_round(std::uint32_t half, std::uint32_t key, std::uint32_t round) {
  std::uint32_t h = half * 0x9E3779B1u + key + round * 0x85EBCA77u;
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  return h;
}

// A bijection of [0, n) keyed by (seed, trial, pass).
SGDLAW_HD inline std::uint64_t keyed_permutation(std::uint64_t k, std::uint64_t n, std::uint32_t seed,
                                                 std::uint32_t trial, std::uint64_t pass) {
  int bits = 2;
  while ((std::uint64_t{1} << bits) < n) bits += 2;
  const int half = bits / 2;
  const std::uint64_t mask = (std::uint64_t{1} << half) - 1;
  const PhiloxWords key = philox_words(seed, trial, 0, pass, Purpose::kDataOrder);
  std::uint64_t x = k;
  do {  // cycle walking: values >= n are mapped again until they land in [0, n)
    std::uint64_t l = x >> half, r = x & mask;
    for (std::uint32_t round = 0; round < 4; ++round) {
      const std::uint64_t f = feistel_round(static_cast<std::uint32_t>(r), key.w[round], round) & mask;
      const std::uint64_t nl = r;
      r = l ^ f;
      l = nl;
    }
    x = (l << half) | r;
  } while (x >= n);
  return x;
}

// The dataset index of step-sample s of trial `trial` (s itself when there is no finite dataset).
SGDLAW_HD inline std::uint64_t data_index(const DataReuse& d, std::uint32_t trial, std::uint64_t s) {
  if (d.n <= 0) return s;
  const auto n = static_cast<std::uint64_t>(d.n);
  if (d.sampling == SamplingKind::kReplacement) {
    const PhiloxWords w = philox_words(d.seed, trial, 0, s, Purpose::kDataIndex);
    const std::uint64_t u = (static_cast<std::uint64_t>(w.w[0]) << 32) | w.w[1];
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(u) * n) >> 64);
  }
  const std::uint64_t pass = s / n, k = s % n;
  return pass == 0 ? k : keyed_permutation(k, n, d.seed, trial, pass);
}

inline DataReuse data_reuse_of(const Config& c) { return {c.dataset, c.sampling, c.seed}; }

}  // namespace sgdlaw
