#pragma once
// The decaying part of the cosine, linear and warmup-stable-decay (wsd) schedules, and the linear warmup any of
// them (and constant) may start with. With peak gamma, floor gamma_min and the decay over steps [start, start +
// length):
//   z = (t - start) / length,  gamma_t = gamma_min + (gamma - gamma_min) f(z),
//   f = 1 - z (linear), (1 + cos(pi z)) / 2 (cosine), 1 - sqrt(z) (sqrt), (1 - z)^p (power);
// cosine and linear decay from the end of the warmup (start = warmup), wsd from s0 = steps - floor(fraction x
// steps) (Hagele et al. 2024; fraction 1 with shape power is the (1 - t/N)^delta family of arXiv 2602.06797).
// z < 1 at every step, so the last step is still above the floor, as in every framework's implementation.
#include <cmath>
#include <cstdint>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/core/host_device.hpp"

namespace sgdlaw {

struct ScheduleDecay {
  std::int64_t start = 0;   // first decaying step
  std::int64_t length = 1;  // decaying steps (>= 1)
  double floor = 0.0;       // gamma_min
  DecayShape shape = DecayShape::kLinear;
  double power = 2.0;

  SGDLAW_HD double factor(double z) const {
    switch (shape) {
      case DecayShape::kLinear:
        return 1.0 - z;
      case DecayShape::kCosine:
#if defined(__CUDA_ARCH__)
        return 0.5 * (1.0 + cospi(z));  // cos's large-argument reduction would put a 40-byte array on the stack
#else
        return 0.5 * (1.0 + cos(3.14159265358979323846 * z));
#endif
      case DecayShape::kSqrt:
        return 1.0 - sqrt(z);
      case DecayShape::kPower:
        return pow(1.0 - z, power);
    }
    return 1.0;
  }
  SGDLAW_HD double at(double peak, std::int64_t t) const {
    if (t < start) return peak;
    const double z = static_cast<double>(t - start) / static_cast<double>(length);
    return floor + (peak - floor) * factor(z);
  }
  // The end of the constant stretch holding step t: the stable phase ends at `start`; a decaying step is alone.
  std::int64_t stretch_end(std::int64_t t) const { return t < start ? start : t + 1; }
};

// Linear warmup: gamma_t = gamma (t + 1) / steps for t < steps.
SGDLAW_HD inline double warmup_step(double peak, std::int64_t t, std::int64_t steps) {
  return peak * static_cast<double>(t + 1) / static_cast<double>(steps);
}

}  // namespace sgdlaw
