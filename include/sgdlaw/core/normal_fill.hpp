#pragma once
// Fast CPU generation of a vector of normals in the planar layout of philox_normals.hpp.
#include <cstdint>

#include "sgdlaw/core/philox_normals.hpp"

namespace sgdlaw {

// Floats `out` must hold for n normals (room for whole SIMD chunks of Philox blocks).
std::int64_t normal_buffer_size(std::int64_t n);

// out[i] = planar_normal(seed, key, position, purpose, n, i) for i < n, bit for bit.
void fill_normals(std::uint32_t seed, std::uint32_t key, std::uint64_t position, Purpose purpose, std::int64_t n,
                  float* out);

// Same, always through the portable scalar code (used by tests to check the SIMD path).
void fill_normals_portable(std::uint32_t seed, std::uint32_t key, std::uint64_t position, Purpose purpose,
                           std::int64_t n, float* out);

// Which Philox implementation fill_normals uses on this build ("avx512", "avx2" or "portable").
const char* normal_fill_isa();

}  // namespace sgdlaw
