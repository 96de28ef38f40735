#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sgdlaw/core/normal_fill.hpp"
#include "sgdlaw/core/philox_normals.hpp"

using namespace sgdlaw;

TEST(PhiloxNormals, MatchesRandom123Philox4x32_10) {
  // Our vectorised Philox must produce Random123's words: compare via the normals they map to.
  r123::Philox4x32 gen;
  const r123::Philox4x32::ctr_type ctr = {{5, 77, 0, static_cast<std::uint32_t>(Purpose::kFeatures)}};
  const r123::Philox4x32::key_type key = {{7, 1}};
  const auto r = gen(ctr, key);
  float expect[4];
  box_muller(r.v[0], r.v[1], &expect[0], &expect[1]);
  box_muller(r.v[2], r.v[3], &expect[2], &expect[3]);
  const std::int64_t n = 4 * 40;  // 40 blocks; block 5 holds normals 5, 45, 85, 125
  std::vector<float> fast(normal_buffer_size(n)), portable(normal_buffer_size(n));
  fill_normals(1, 7, 77, Purpose::kFeatures, n, fast.data());
  fill_normals_portable(1, 7, 77, Purpose::kFeatures, n, portable.data());
  for (int w = 0; w < 4; ++w) {
    EXPECT_EQ(fast[5 + 40 * w], expect[w]);
    EXPECT_EQ(portable[5 + 40 * w], expect[w]);
  }
}

TEST(PhiloxNormals, SimdPathBitIdenticalToPortableAndPlanarAccessor) {
  for (std::int64_t n : {1, 3, 4, 5, 31, 64, 257, 1000}) {
    std::vector<float> fast(normal_buffer_size(n)), portable(normal_buffer_size(n));
    fill_normals(42, 3, 123456789012ull, Purpose::kFeatures, n, fast.data());
    fill_normals_portable(42, 3, 123456789012ull, Purpose::kFeatures, n, portable.data());
    for (std::int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(fast[i], portable[i]) << "n=" << n << " i=" << i;
      ASSERT_EQ(fast[i], planar_normal(42, 3, 123456789012ull, Purpose::kFeatures, n, i)) << "n=" << n << " i=" << i;
    }
  }
}

TEST(PhiloxNormals, MomentsAreStandardNormal) {
  const std::int64_t n = 1000;
  std::vector<float> g(normal_buffer_size(n));
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  const int reps = 2000;
  for (int rep = 0; rep < reps; ++rep) {
    fill_normals(9, 11, rep, Purpose::kFeatures, n, g.data());
    for (std::int64_t i = 0; i < n; ++i) {
      const double x = g[i];
      s1 += x;
      s2 += x * x;
      s3 += x * x * x;
      s4 += x * x * x * x;
    }
  }
  const double cnt = static_cast<double>(n) * reps;
  // 2e6 draws: standard errors are 7e-4 (mean), 1e-3 (var), 3.5e-3 (third), 7e-3 (fourth).
  EXPECT_NEAR(s1 / cnt, 0.0, 4 * 7.1e-4);
  EXPECT_NEAR(s2 / cnt, 1.0, 4 * 1.0e-3);
  EXPECT_NEAR(s3 / cnt, 0.0, 4 * 3.5e-3);
  EXPECT_NEAR(s4 / cnt, 3.0, 4 * 7.0e-3);
}

TEST(PhiloxNormals, PolynomialLogSqrtAndSincosAreAccurate) {
  for (float u = 1e-7f; u < 1.0f; u *= 1.37f) EXPECT_NEAR(fast_log_unit(u), std::log(static_cast<double>(u)), 2e-6);
  // Every float in the range Box-Muller uses (-2 ln u for 24-bit u: about 6e-8 .. 34).
  double lo = 1.0, hi = 1.0;
  for (std::uint32_t bits = 0x33000000u; bits < 0x42100000u; ++bits) {
    const float x = sgdlaw_bits_to_float(bits);
    const double r = fast_sqrt_positive(x) / std::sqrt(static_cast<double>(x));
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  EXPECT_GT(lo, 1.0 - 5.5e-7);
  EXPECT_LT(hi, 1.0 + 5.0e-7);
  for (int i = 0; i < 4096; ++i) {
    const float u = static_cast<float>(i) / 4096.0f;
    float s, c;
    fast_sincos_2pi(u, &s, &c);
    EXPECT_NEAR(s, std::sin(2 * M_PI * u), 2e-6);
    EXPECT_NEAR(c, std::cos(2 * M_PI * u), 2e-6);
  }
}

TEST(PhiloxNormals, DistinctStreamsDiffer) {
  const std::int64_t n = 64;
  std::vector<float> a(normal_buffer_size(n)), b(normal_buffer_size(n)), c(normal_buffer_size(n));
  fill_normals(1, 2, 3, Purpose::kFeatures, n, a.data());
  fill_normals(1, 3, 3, Purpose::kFeatures, n, b.data());
  fill_normals(1, 2, 3, Purpose::kPrior, n, c.data());
  int same_ab = 0, same_ac = 0;
  for (int i = 0; i < n; ++i) {
    same_ab += a[i] == b[i];
    same_ac += a[i] == c[i];
  }
  EXPECT_EQ(same_ab, 0);
  EXPECT_EQ(same_ac, 0);
}
