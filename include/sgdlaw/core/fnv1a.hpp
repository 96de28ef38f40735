#pragma once
// FNV-1a 64-bit hash, the one sgdlaw uses everywhere it fingerprints bytes (configurations, resume chunks,
// output files, sweeps). Pass the previous value as `h` to hash data in pieces.
#include <cstddef>
#include <cstdint>
#include <string>

namespace sgdlaw {

constexpr std::uint64_t kFnv1aOffset = 1469598103934665603ull;

inline std::uint64_t fnv1a(const void* data, std::size_t n, std::uint64_t h = kFnv1aOffset) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

inline std::uint64_t fnv1a(const std::string& s, std::uint64_t h = kFnv1aOffset) {
  return fnv1a(s.data(), s.size(), h);
}

}  // namespace sgdlaw
