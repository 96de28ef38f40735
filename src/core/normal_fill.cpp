#include "sgdlaw/core/normal_fill.hpp"

#include <cstring>
#include <vector>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace sgdlaw {
namespace {

constexpr std::uint32_t kChunk =
    16;  // Philox blocks per chunk: 16 float lanes for Box-Muller, two 8-lane Philox vectors
constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;

// Philox4x32-10 words for blocks [0, nb_padded) into four planar word arrays.
void philox_words_portable(std::uint32_t seed, std::uint32_t key, std::uint64_t position, Purpose purpose,
                           std::uint32_t nb, std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2,
                           std::uint32_t* w3) {
  const auto p_lo = static_cast<std::uint32_t>(position), p_hi = static_cast<std::uint32_t>(position >> 32);
  for (std::uint32_t j = 0; j < nb; ++j) {
    std::uint32_t c0 = j, c1 = p_lo, c2 = p_hi, c3 = static_cast<std::uint32_t>(purpose);
    std::uint32_t k0 = key, k1 = seed;
    for (int r = 0; r < 10; ++r) {
      const std::uint64_t q0 = static_cast<std::uint64_t>(kMul0) * c0;
      const std::uint64_t q1 = static_cast<std::uint64_t>(kMul1) * c2;
      const std::uint32_t n0 = static_cast<std::uint32_t>(q1 >> 32) ^ c1 ^ k0;
      const std::uint32_t n2 = static_cast<std::uint32_t>(q0 >> 32) ^ c3 ^ k1;
      c1 = static_cast<std::uint32_t>(q1);
      c3 = static_cast<std::uint32_t>(q0);
      c0 = n0;
      c2 = n2;
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    w0[j] = c0;
    w1[j] = c1;
    w2[j] = c2;
    w3[j] = c3;
  }
}

#if defined(__AVX512F__) || defined(__AVX2__)
// The ten rounds' keys (Weyl sequence from (key, seed)) that the SIMD paths broadcast; the portable loop above
// advances its own copy, as an independent reference.
struct PhiloxRoundKeys {
  std::uint32_t k0[10], k1[10];
};

PhiloxRoundKeys philox_round_keys(std::uint32_t key, std::uint32_t seed) {
  PhiloxRoundKeys rk;
  for (int r = 0; r < 10; ++r) {
    rk.k0[r] = key + static_cast<std::uint32_t>(r) * kWeyl0;
    rk.k1[r] = seed + static_cast<std::uint32_t>(r) * kWeyl1;
  }
  return rk;
}
#endif

#if defined(__AVX512F__)
// Eight blocks per vector in 64-bit lanes: vpmuludq gives the 32x32->64 products directly.
void philox_words_avx512(std::uint32_t seed, std::uint32_t key, std::uint64_t position, Purpose purpose,
                         std::uint32_t nb_padded, std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2,
                         std::uint32_t* w3) {
  const __m512i m0 = _mm512_set1_epi64(kMul0), m1 = _mm512_set1_epi64(kMul1);
  const PhiloxRoundKeys rk = philox_round_keys(key, seed);
  __m512i k0[10], k1[10];
  for (int r = 0; r < 10; ++r) {
    k0[r] = _mm512_set1_epi64(rk.k0[r]);
    k1[r] = _mm512_set1_epi64(rk.k1[r]);
  }
  const __m512i c1i = _mm512_set1_epi64(static_cast<std::uint32_t>(position));
  const __m512i c2i = _mm512_set1_epi64(static_cast<std::uint32_t>(position >> 32));
  const __m512i c3i = _mm512_set1_epi64(static_cast<std::uint32_t>(purpose));
  const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  for (std::uint32_t j = 0; j < nb_padded; j += 8) {
    __m512i c0 = _mm512_add_epi64(_mm512_set1_epi64(j), lane), c1 = c1i, c2 = c2i, c3 = c3i;
#pragma GCC unroll 10
    for (int r = 0; r < 10; ++r) {
      const __m512i q0 = _mm512_mul_epu32(c0, m0), q1 = _mm512_mul_epu32(c2, m1);
      const __m512i n0 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(q1, 32), c1, k0[r], 0x96);
      const __m512i n2 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(q0, 32), c3, k1[r], 0x96);
      c1 = q1;
      c3 = q0;
      c0 = n0;
      c2 = n2;
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w0 + j), _mm512_cvtepi64_epi32(c0));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w1 + j), _mm512_cvtepi64_epi32(c1));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w2 + j), _mm512_cvtepi64_epi32(c2));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w3 + j), _mm512_cvtepi64_epi32(c3));
  }
}
#endif

#if defined(__AVX2__) && !defined(__AVX512F__)
// Four blocks per vector in 64-bit lanes (vpmuludq gives the 32x32->64 products directly; GCC's own
// vectorisation of the portable loop spends most of its time shuffling 32-bit lanes); kVectors independent vectors
// per iteration hide the multiply's latency (the rounds of one vector form a dependent chain).
constexpr int kVectors = 4;  // 16 blocks: one kChunk
void philox_words_avx2(std::uint32_t seed, std::uint32_t key, std::uint64_t position, Purpose purpose,
                       std::uint32_t nb_padded, std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2,
                       std::uint32_t* w3) {
  const __m256i m0 = _mm256_set1_epi64x(kMul0), m1 = _mm256_set1_epi64x(kMul1);
  const PhiloxRoundKeys rk = philox_round_keys(key, seed);
  __m256i k0[10], k1[10];
  for (int r = 0; r < 10; ++r) {
    k0[r] = _mm256_set1_epi64x(rk.k0[r]);
    k1[r] = _mm256_set1_epi64x(rk.k1[r]);
  }
  const __m256i c1i = _mm256_set1_epi64x(static_cast<std::uint32_t>(position));
  const __m256i c2i = _mm256_set1_epi64x(static_cast<std::uint32_t>(position >> 32));
  const __m256i c3i = _mm256_set1_epi64x(static_cast<std::uint32_t>(purpose));
  const __m256i lane = _mm256_set_epi64x(3, 2, 1, 0), four = _mm256_set1_epi64x(4);
  const __m256i pack = _mm256_set_epi32(7, 5, 3, 1, 6, 4, 2, 0);  // the low words of the four lanes first
  for (std::uint32_t j = 0; j < nb_padded; j += 4 * kVectors) {
    __m256i x0[kVectors], x1[kVectors], x2[kVectors], x3[kVectors];
    x0[0] = _mm256_add_epi64(_mm256_set1_epi64x(j), lane);
    for (int v = 1; v < kVectors; ++v) x0[v] = _mm256_add_epi64(x0[v - 1], four);
    for (int v = 0; v < kVectors; ++v) {
      x1[v] = c1i;
      x2[v] = c2i;
      x3[v] = c3i;
    }
#pragma GCC unroll 10
    for (int r = 0; r < 10; ++r) {
#pragma GCC unroll 4
      for (int v = 0; v < kVectors; ++v) {
        const __m256i q0 = _mm256_mul_epu32(x0[v], m0), q1 = _mm256_mul_epu32(x2[v], m1);
        const __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(q1, 32), x1[v]), k0[r]);
        const __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(q0, 32), x3[v]), k1[r]);
        x1[v] = q1;  // the high words are garbage from here on; only the low words are used and stored
        x3[v] = q0;
        x0[v] = n0;
        x2[v] = n2;
      }
    }
    std::uint32_t* outs[4] = {w0, w1, w2, w3};
    const __m256i* planes[4] = {x0, x1, x2, x3};
    for (int k = 0; k < 4; ++k)
      for (int v = 0; v < kVectors; ++v)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(outs[k] + j + 4 * v),
                         _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(planes[k][v], pack)));
  }
}
#endif

// Box-Muller over planar words into the planar normal layout (one loop, shared by both Philox paths).
void box_muller_planar(std::uint32_t blocks, const std::uint32_t* __restrict w0, const std::uint32_t* __restrict w1,
                       const std::uint32_t* __restrict w2, const std::uint32_t* __restrict w3, float* __restrict out) {
  const std::size_t nb = blocks;  // size_t indices: 32-bit unsigned index arithmetic blocks vectorisation
  for (std::size_t j = 0; j < nb; ++j) {
    float a, b, c, d;
    box_muller(w0[j], w1[j], &a, &b);
    box_muller(w2[j], w3[j], &c, &d);
    out[j] = a;
    out[nb + j] = b;
    out[2 * nb + j] = c;
    out[3 * nb + j] = d;
  }
}

struct WordScratch {
  std::vector<std::uint32_t> w;
  std::vector<float> normals;
  std::uint32_t* get(std::uint32_t nb_padded) {
    if (w.size() < 4u * nb_padded) w.resize(4u * nb_padded);
    return w.data();
  }
  float* get_normals(std::uint32_t nb_padded) {
    if (normals.size() < 4u * nb_padded) normals.resize(4u * nb_padded);
    return normals.data();
  }
};

thread_local WordScratch scratch;

std::uint32_t padded(std::uint32_t nb) { return (nb + kChunk - 1) / kChunk * kChunk; }

}  // namespace

std::int64_t normal_buffer_size(std::int64_t n) { return 4 * static_cast<std::int64_t>(padded(planar_blocks(n))); }

void fill_normals_portable(std::uint32_t seed, std::uint32_t key, std::uint64_t position, Purpose purpose,
                           std::int64_t n, float* out) {
  const std::uint32_t nb = planar_blocks(n), np = padded(nb);
  std::uint32_t* w = scratch.get(np);
  philox_words_portable(seed, key, position, purpose, nb, w, w + np, w + 2 * np, w + 3 * np);
  box_muller_planar(nb, w, w + np, w + 2 * np, w + 3 * np, out);
}

void fill_normals(std::uint32_t seed, std::uint32_t key, std::uint64_t position, Purpose purpose, std::int64_t n,
                  float* out) {
#if defined(__AVX512F__) || defined(__AVX2__)
  const std::uint32_t nb = planar_blocks(n), np = padded(nb);
  std::uint32_t* w = scratch.get(np);
#if defined(__AVX512F__)
  philox_words_avx512(seed, key, position, purpose, np, w, w + np, w + 2 * np, w + 3 * np);
#else
  philox_words_avx2(seed, key, position, purpose, np, w, w + np, w + 2 * np, w + 3 * np);
#endif
  if (nb == np) {
    box_muller_planar(nb, w, w + np, w + 2 * np, w + 3 * np, out);
  } else {
    // Transform whole SIMD chunks (no scalar tail), then move the four planes to stride nb.
    float* tmp = scratch.get_normals(np);
    box_muller_planar(np, w, w + np, w + 2 * np, w + 3 * np, tmp);
    for (int plane = 0; plane < 4; ++plane)
      std::memcpy(out + static_cast<std::size_t>(plane) * nb, tmp + static_cast<std::size_t>(plane) * np,
                  nb * sizeof(float));
  }
#else
  fill_normals_portable(seed, key, position, purpose, n, out);
#endif
}

const char* normal_fill_isa() {
#if defined(__AVX512F__)
  return "avx512";
#elif defined(__AVX2__)
  return "avx2";
#else
  return "portable";
#endif
}

}  // namespace sgdlaw
