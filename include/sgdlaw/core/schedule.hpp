#pragma once
// Step-size schedules, evaluated per step on host and device alike.
#include <cmath>
#include <cstdint>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/core/host_device.hpp"

namespace sgdlaw {

struct Schedule {
  ScheduleKind kind = ScheduleKind::kGeometric;
  double gamma0 = 0.0;
  std::int64_t phase_length = 1;  // geometric
  double power_p = 0.0, power_t0 = 1.0;

  // Step size for step t = 0, 1, ...
  SGDLAW_HD double at(std::int64_t t) const {
    if (kind == ScheduleKind::kGeometric) {
      const std::int64_t halvings = t / phase_length;
      return halvings >= 1074 ? 0.0 : ldexp(gamma0, -static_cast<int>(halvings));
    }
    if (kind == ScheduleKind::kConstant) return gamma0;
    return gamma0 * pow(1.0 + static_cast<double>(t) / power_t0, -power_p);
  }
};

// The step sizes of steps 0, 1, 2, ... in order, without a 64-bit division per step (kernels use it):
// cursor.gamma equals schedule.at(t) bit for bit at every t.
struct ScheduleCursor {
  Schedule s;
  std::int64_t t = 0, phase_left = 0, halvings = 0;
  double gamma = 0.0;

  SGDLAW_HD explicit ScheduleCursor(const Schedule& schedule) : s(schedule) {
    phase_left = s.phase_length;
    gamma = s.at(0);
  }
  SGDLAW_HD void advance() {
    ++t;
    if (s.kind == ScheduleKind::kGeometric) {
      if (--phase_left == 0) {
        phase_left = s.phase_length;
        ++halvings;
        gamma = halvings >= 1074 ? 0.0 : ldexp(s.gamma0, -static_cast<int>(halvings));
      }
    } else if (s.kind == ScheduleKind::kPower) {
      gamma = s.at(t);
    }
  }
};

// Geometric phase length in steps: the configured one, or floor(steps / log2(steps)) (at least 1).
std::int64_t geometric_phase_length(std::int64_t steps, std::int64_t configured);

Schedule make_schedule(const Config& c);

// The x-axis value N_eff for a checkpoint after `samples` samples:
//   geometric: N / log2(N) (Lin et al.'s N / log N, log base 2 as in the halving schedule);
//   constant:  N;
//   power:     B * sum_{t < steps} gamma_t / gamma0 (samples weighted by relative step size).
double effective_samples(const Config& c, const Schedule& s, std::int64_t samples);

}  // namespace sgdlaw
