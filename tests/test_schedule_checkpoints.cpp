#include <gtest/gtest.h>

#include <cmath>

#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/schedule.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;

TEST(Schedule, GeometricHalvesEveryNOverLog2NSteps) {
  Config c = sgdlaw::testing::small_config();
  c.N = 1024;
  c.gamma = 0.4;
  const Schedule s = make_schedule(c);
  EXPECT_EQ(s.phase_length, 102);  // floor(1024 / 10)
  EXPECT_EQ(s.at(0), 0.4);
  EXPECT_EQ(s.at(101), 0.4);
  EXPECT_EQ(s.at(102), 0.2);
  EXPECT_EQ(s.at(204), 0.1);
  EXPECT_DOUBLE_EQ(s.at(1023), 0.4 / std::pow(2.0, 10));
  c.phase_length = 50;
  EXPECT_EQ(make_schedule(c).at(50), 0.2);
  c.batch = 4;  // phases are counted in steps: 1024 / 4 = 256 steps, 256 / 8 = 32 per phase
  c.phase_length = 0;
  EXPECT_EQ(make_schedule(c).phase_length, 32);
}

TEST(Schedule, ConstantAndPower) {
  Config c = sgdlaw::testing::small_config();
  c.schedule = ScheduleKind::kConstant;
  EXPECT_EQ(make_schedule(c).at(12345), c.gamma);
  c.schedule = ScheduleKind::kPower;
  c.power_p = 0.5;
  c.power_t0 = 100;
  EXPECT_DOUBLE_EQ(make_schedule(c).at(300), c.gamma * 0.5);
}

TEST(Schedule, EffectiveSamples) {
  Config c = sgdlaw::testing::small_config();
  const Schedule s = make_schedule(c);
  EXPECT_DOUBLE_EQ(effective_samples(c, s, {1024})[0], 102.4);
  c.schedule = ScheduleKind::kConstant;
  EXPECT_DOUBLE_EQ(effective_samples(c, make_schedule(c), {1024})[0], 1024);
  c.schedule = ScheduleKind::kPower;
  c.power_p = 0.0;  // p = 0 is constant: N_eff = N
  EXPECT_NEAR(effective_samples(c, make_schedule(c), {640})[0], 640, 1e-9);
}

TEST(Checkpoints, GeometricIncreasingAndFinalIncluded) {
  Config c = sgdlaw::testing::small_config();
  c.N = 100000;
  c.batch = 4;
  c.checkpoint_min = 10;
  c.checkpoint_ratio = 1.5;
  const auto cks = checkpoint_steps(c);
  ASSERT_GE(cks.size(), 10u);
  EXPECT_EQ(cks.front(), 3);  // ceil(10 / 4) steps
  EXPECT_EQ(cks.back(), 25000);
  for (std::size_t i = 1; i < cks.size(); ++i) {
    EXPECT_GT(cks[i], cks[i - 1]);
    if (i + 1 < cks.size()) EXPECT_LE(cks[i], static_cast<std::int64_t>(std::ceil(cks[i - 1] * 1.5)));
  }
}

// The kernels step through the schedule with ScheduleCursor (no 64-bit division per step): it must give
// Schedule::at(t) bit for bit.
TEST(Schedule, CursorEqualsAtBitForBit) {
  for (ScheduleKind kind : {ScheduleKind::kGeometric, ScheduleKind::kConstant, ScheduleKind::kPower,
                            ScheduleKind::kCosine, ScheduleKind::kLinear, ScheduleKind::kWsd, ScheduleKind::kTable}) {
    Config c = sgdlaw::testing::small_config();
    c.schedule = kind;
    c.N = 50000;
    c.phase_length = kind == ScheduleKind::kGeometric ? 37 : 0;  // 1351 halvings: past 2^-1074 as well
    const bool warms = kind != ScheduleKind::kGeometric && kind != ScheduleKind::kPower && kind != ScheduleKind::kTable;
    c.warmup = warms ? 777 : 0;
    c.gamma_min = warms && kind != ScheduleKind::kConstant ? 0.003 : 0.0;
    c.decay_shape = DecayShape::kSqrt;
    c.table = {{0, 0.1}, {1, 0.2}, {5000, 0.05}, {49999, 0.01}};
    const Schedule s = make_schedule(c);
    ScheduleCursor cursor(s);
    for (std::int64_t t = 0; t < c.N; ++t, cursor.advance()) ASSERT_EQ(cursor.gamma, s.at(t)) << to_string(kind) << t;
  }
}
