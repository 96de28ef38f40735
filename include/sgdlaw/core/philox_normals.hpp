#pragma once
// Counter-based random numbers shared by every backend.
//
// Philox4x32-10 (Random123) with key = (stream key, seed) and counter = (block, position lo, position hi,
// purpose). The stream key is the global trial index for per-trial draws and the sketch index for sketch
// draws, so any trial (or sketch) can be recomputed alone, on any backend, and gives the same numbers.
//
// Normals are produced four per Philox call by Box-Muller in single precision with polynomial log and
// sincos written here (not libm), so the host and the device evaluate the same formulas. Uniforms carry
// 24 bits, so |z| is capped near 5.9 (probability 4e-9 per draw); see README "Numerics".
// The device pass of nvcc takes cuRAND's Philox where SGDLAW_DEVICE_PHILOX_CURAND is set (the two headers
// cannot share a translation unit: both define a global mulhilo32); everything else takes Random123's.
#if defined(__CUDA_ARCH__) && defined(SGDLAW_DEVICE_PHILOX_CURAND)
#include <curand_philox4x32_x.h>
#define SGDLAW_PHILOX_FROM_CURAND 1
#else
#include <Random123/philox.h>
#endif

#include <cmath>
#include <cstdint>
#include <cstring>

#include "sgdlaw/core/host_device.hpp"

namespace sgdlaw {

// The fourth counter word: which quantity a draw feeds. Distinct purposes never share a counter.
enum class Purpose : std::uint32_t {
  kFeatures = 1,        // reduced path: standard normals g, zeta_j = sqrt(mu_j) g_j
  kLabelNoise = 2,      // reduced path: effective noise xi / sigma_eff
  kPrior = 3,           // w* drawn per trial from the prior
  kPriorFixed = 4,      // the single w* shared by all trials (wstar = "fixed")
  kSketch = 5,          // Gaussian sketch entries, keyed by sketch index
  kCovariates = 6,      // reference path: x in d dimensions
  kCovariateNoise = 7,  // reference path: eps
  kDataOrder = 8,       // finite dataset, epochs: the key of pass e's permutation
  kDataIndex = 9,       // finite dataset, with replacement: the index of each step-sample
};

struct PhiloxWords {
  std::uint32_t w[4];
};

struct Normals4 {
  float v[4];
};

SGDLAW_HD inline float sgdlaw_bits_to_float(std::uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
#endif
}

SGDLAW_HD inline std::uint32_t sgdlaw_float_to_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
#endif
}

// Natural log for u in (0, 1): exponent split, mantissa folded to [sqrt(1/2), sqrt(2)), then
// ln(1 + x) = x q(x) with q a degree-8 polynomial fitted (Chebyshev-weighted least squares) on that range.
// No division, so it vectorises cheaply. Absolute error below 1e-7 on the range used.
SGDLAW_HD inline float fast_log_unit(float u) {
  const std::uint32_t bits = sgdlaw_float_to_bits(u);
  const std::uint32_t m_bits = (bits & 0x007FFFFFu) | 0x3F800000u;  // mantissa as a float in [1, 2)
  // m > sqrt(2): halve m and add one to e. Done on the bit patterns (positive floats order as integers; halving in
  // [1, 2) is one off the exponent field), exact, and with no floating-point operation under a condition (a
  // conditional multiply "could trap" and blocks GCC's if-conversion, so the loop would not vectorise on AVX2).
  const std::uint32_t fold = m_bits > 0x3FB504F3u ? 1u : 0u;  // 0x3FB504F3 = 1.41421356f
  const int e = static_cast<int>((bits >> 23) & 0xFFu) - 127 + static_cast<int>(fold);
  const float m = sgdlaw_bits_to_float(m_bits - (fold << 23));
  const float x = m - 1.0f;
  float q = fmaf(x, 0.0875628889f, -0.143977150f);
  q = fmaf(x, q, 0.149537787f);
  q = fmaf(x, q, -0.165582806f);
  q = fmaf(x, q, 0.199563146f);
  q = fmaf(x, q, -0.250022352f);
  q = fmaf(x, q, 0.333342016f);
  q = fmaf(x, q, -0.499999851f);
  q = fmaf(x, q, 1.0f);
  return fmaf(x, q, static_cast<float>(e) * 0.693147180559945f);
}

// sin and cos of 2*pi*u for u in [0, 1): quadrant reduction then Taylor polynomials on [-pi/4, pi/4].
SGDLAW_HD inline void fast_sincos_2pi(float u, float* s, float* c) {
  const int q = static_cast<int>(fmaf(u, 4.0f, 0.5f));  // 0..4
  const float x = fmaf(-0.25f, static_cast<float>(q), u) * 6.28318530717959f;
  const float x2 = x * x;
  float ps = fmaf(x2, 1.0f / 362880, -1.0f / 5040);
  ps = fmaf(x2, ps, 1.0f / 120);
  ps = fmaf(x2, ps, -1.0f / 6);
  ps = fmaf(x2, ps, 1.0f);
  const float sx = x * ps;
  float cx = fmaf(x2, -1.0f / 3628800, 1.0f / 40320);
  cx = fmaf(x2, cx, -1.0f / 720);
  cx = fmaf(x2, cx, 1.0f / 24);
  cx = fmaf(x2, cx, -0.5f);
  cx = fmaf(x2, cx, 1.0f);
  // Quadrant q & 3: (cos, sin) = (cx, sx), (-sx, cx), (-cx, -sx), (sx, -cx); both forms below are exact and give
  // the same bits. The device takes the selects (the bit form made two kernel instances spill); the host takes
  // one swap and two sign flips of the bit patterns, about 7% faster in the vectorised Box-Muller loop.
#if defined(__CUDA_ARCH__)
  const int qm = q & 3;
  *c = (qm == 0) ? cx : (qm == 1) ? -sx : (qm == 2) ? -cx : sx;
  *s = (qm == 0) ? sx : (qm == 1) ? cx : (qm == 2) ? -sx : -cx;
#else
  const bool swap = (q & 1) != 0;
  const float c0 = swap ? sx : cx, s0 = swap ? cx : sx;
  const std::uint32_t c_sign = static_cast<std::uint32_t>((q + 1) & 2) << 30;
  const std::uint32_t s_sign = static_cast<std::uint32_t>(q & 2) << 30;
  *s = sgdlaw_bits_to_float(sgdlaw_float_to_bits(s0) ^ s_sign);
  *c = sgdlaw_bits_to_float(sgdlaw_float_to_bits(c0) ^ c_sign);
#endif
}

// sqrt(x) for x > 0 without a hardware square root (vsqrtps dominated the vectorised loop): magic-constant
// initial guess of 1/sqrt(x) with the tuned first iteration of Moroz et al. (2018; relative error 6.5e-4),
// then one Newton step whose coefficients are scaled by 1 + 3e-7 so that the error, otherwise one-sided,
// is centred: relative error within about +-5.5e-7 over the range Box-Muller uses (checked exhaustively
// by the tests).
SGDLAW_HD inline float fast_sqrt_positive(float x) {
  float y = sgdlaw_bits_to_float(0x5F1FFFF9u - (sgdlaw_float_to_bits(x) >> 1));
  y = 0.703952253f * y * fmaf(-x, y * y, 2.38924456f);
  y = y * fmaf(-0.500000179f * x, y * y, 1.50000048f);
  return x * y;
}

// Two normals from two 32-bit words. Every multiply-add above is an explicit fmaf and the project builds
// with -ffp-contract=off, so the host (scalar or SIMD) and the device evaluate identical operations.
SGDLAW_HD inline void box_muller(std::uint32_t w0, std::uint32_t w1, float* n0, float* n1) {
  const float u1 = (static_cast<float>(w0 >> 8) + 0.5f) * (1.0f / 16777216.0f);  // (0, 1)
  const float u2 = static_cast<float>(w1 >> 8) * (1.0f / 16777216.0f);           // [0, 1)
  const float r = fast_sqrt_positive(-2.0f * fast_log_unit(u1));
  float s, c;
  fast_sincos_2pi(u2, &s, &c);
  *n0 = r * c;
  *n1 = r * s;
}

// The Philox4x32-10 words at (seed, key; block, position, purpose): counter (block, position lo, position hi,
// purpose), key (key, seed). Random123 on the host; on the device cuRAND's own curand_Philox4x32_10 (the same
// function; CudaBackend.DevicePhiloxMatchesHost checks it word for word on a GPU) unless
// SGDLAW_DEVICE_PHILOX_CURAND is off.
SGDLAW_HD inline PhiloxWords philox_words(std::uint32_t seed, std::uint32_t key, std::uint32_t block,
                                          std::uint64_t position, Purpose purpose) {
  const auto lo = static_cast<std::uint32_t>(position), hi = static_cast<std::uint32_t>(position >> 32);
#if defined(SGDLAW_PHILOX_FROM_CURAND)
  const uint4 r =
      curand_Philox4x32_10(make_uint4(block, lo, hi, static_cast<std::uint32_t>(purpose)), make_uint2(key, seed));
  return {{r.x, r.y, r.z, r.w}};
#else
  r123::Philox4x32 gen;
  r123::Philox4x32::ctr_type ctr = {{block, lo, hi, static_cast<std::uint32_t>(purpose)}};
  r123::Philox4x32::key_type k = {{key, seed}};
  const r123::Philox4x32::ctr_type r = gen(ctr, k);
  return {{r.v[0], r.v[1], r.v[2], r.v[3]}};
#endif
}

// The counters the device-versus-host generator check uses (i = 0, 1, ...): every field varies, the position
// crosses the 32-bit boundary.
struct PhiloxCheckCounter {
  std::uint32_t seed, key, block;
  std::uint64_t position;
  Purpose purpose;
};
SGDLAW_HD inline PhiloxCheckCounter philox_check_counter(std::int64_t i) {
  const auto u = static_cast<std::uint64_t>(i);
  return {static_cast<std::uint32_t>(12345u + (u % 3u)), static_cast<std::uint32_t>(u * 2654435761u),
          static_cast<std::uint32_t>(u % 1021u), (u << 29) + u * 7919u,
          static_cast<Purpose>(1u + static_cast<std::uint32_t>(u % 7u))};
}

// Four standard normals at (seed, key; block, position, purpose).
SGDLAW_HD inline Normals4 normals4(std::uint32_t seed, std::uint32_t key, std::uint32_t block, std::uint64_t position,
                                   Purpose purpose) {
  const PhiloxWords r = philox_words(seed, key, block, position, purpose);
  Normals4 out;
  box_muller(r.w[0], r.w[1], &out.v[0], &out.v[1]);
  box_muller(r.w[2], r.w[3], &out.v[2], &out.v[3]);
  return out;
}

// Layout of a vector of n normals drawn at one (seed, key, position, purpose): with nb = ceil(n / 4)
// Philox blocks, normal i comes from block i % nb, word i / nb ("planar", so that the CPU fills
// contiguous runs with SIMD and a GPU thread per coordinate can compute its own normal).
SGDLAW_HD inline std::uint32_t planar_blocks(std::int64_t n) { return static_cast<std::uint32_t>((n + 3) / 4); }

SGDLAW_HD inline float planar_normal(std::uint32_t seed, std::uint32_t key, std::uint64_t position, Purpose purpose,
                                     std::int64_t n, std::int64_t i) {
  const std::uint32_t nb = planar_blocks(n);
  const std::uint32_t block = static_cast<std::uint32_t>(i % nb);
  const int word = static_cast<int>(i / nb);
  return normals4(seed, key, block, position, purpose).v[word];
}

// Label noise of the reduced path is drawn for kNoiseChunk samples at a time: the standard normal for
// sample q is element q % kNoiseChunk of the planar vector at position q / kNoiseChunk (purpose kLabelNoise).
constexpr std::int64_t kNoiseChunk = 1024;

SGDLAW_HD inline float label_noise_normal(std::uint32_t seed, std::uint32_t trial, std::uint64_t sample) {
  return planar_normal(seed, trial, sample / kNoiseChunk, Purpose::kLabelNoise, kNoiseChunk,
                       static_cast<std::int64_t>(sample % kNoiseChunk));
}

}  // namespace sgdlaw
