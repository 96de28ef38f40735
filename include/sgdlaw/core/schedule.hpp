#pragma once
// Step-size schedules, evaluated per step on host and device alike. A schedule answers its own questions: its
// step size at step t (at, SGDLAW_HD: kernels and host share it), its constant stretches (stretch_end: the exact
// recursion jumps over each by contour), whether it depends on the horizon (then points on an N axis are separate
// runs), its intrinsic time sum_t gamma_t (N_eff) and its largest step (peak: the stability check). Nothing else in
// sgdlaw looks at a schedule's kind. The kinds:
//   geometric  gamma 2^-floor(t / L), L = steps / log2(steps) unless phase_length is set (Lin et al. 2024);
//   constant   gamma;
//   power      gamma (1 + t / t0)^-p;
//   cosine, linear, wsd   schedule_decay.hpp;
//   table      schedule_table.hpp (a user's piecewise-constant schedule).
// constant, cosine, linear and wsd may start with a linear warmup of W steps: gamma (t + 1) / W for t < W.
// Adding a schedule: its own header (as schedule_decay.hpp), a case in at / stretch_end / depends_on_horizon
// here, its keys in the config field table, a test.
#include <cmath>
#include <cstdint>
#include <vector>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/core/host_device.hpp"
#include "sgdlaw/core/schedule_decay.hpp"
#include "sgdlaw/core/schedule_table.hpp"

namespace sgdlaw {

struct Schedule {
  ScheduleKind kind = ScheduleKind::kGeometric;
  double gamma0 = 0.0;              // the peak step size: no step is larger
  std::int64_t phase_length = 1;    // geometric
  bool phase_from_horizon = false;  // geometric: L = steps / log2(steps), so the schedule depends on N
  double power_p = 0.0, power_t0 = 1.0;
  std::int64_t warmup = 0;
  ScheduleDecay decay;  // cosine, linear, wsd
  ScheduleTable table;  // table

  // Step size for step t = 0, 1, ...
  SGDLAW_HD double at(std::int64_t t) const {
    if (kind == ScheduleKind::kGeometric) {
      const std::int64_t halvings = t / phase_length;
      return halvings >= 1074 ? 0.0 : ldexp(gamma0, -static_cast<int>(halvings));
    }
    if (kind == ScheduleKind::kPower) return gamma0 * pow(1.0 + static_cast<double>(t) / power_t0, -power_p);
    if (t < warmup) return warmup_step(gamma0, t, warmup);
    if (kind == ScheduleKind::kConstant) return gamma0;
    if (kind == ScheduleKind::kTable) return table.at(t);
    return decay.at(gamma0, t);
  }

  // The end (exclusive, at most `limit`) of the stretch of constant step size that holds step t.
  std::int64_t stretch_end(std::int64_t t, std::int64_t limit) const;
  // True when the step size at a given t changes with the horizon N (cosine, linear, wsd, geometric without a
  // fixed phase_length): the iterate after n samples of a horizon-N run is then not that of a horizon-n run.
  bool depends_on_horizon() const;
  double peak() const { return gamma0; }
  // sum_{t0 <= t < t1} gamma_t, a stretch at a time.
  double intrinsic_time(std::int64_t t0, std::int64_t t1) const;
  // How many of the first `steps` steps lie in stretches shorter than `min_jump` (stepped, not jumped).
  std::int64_t stepped_steps(std::int64_t steps, std::int64_t min_jump) const;
};

// The step sizes of steps 0, 1, 2, ... in order, without a 64-bit division per step (kernels use it):
// cursor.gamma equals schedule.at(t) bit for bit at every t. It refers to the schedule (which must outlive it)
// rather than copying it: in a kernel the schedule stays in the launch's parameter space, not in registers.
struct ScheduleCursor {
  const Schedule& s;
  std::int64_t t = 0, phase_left = 0, halvings = 0, next_piece = 1;
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
    } else if (s.kind == ScheduleKind::kTable) {
      if (next_piece < s.table.size && t == s.table.step[next_piece]) gamma = s.table.gamma[next_piece++];
    } else if (s.kind != ScheduleKind::kConstant || t <= s.warmup) {
      gamma = s.at(t);
    }
  }
};

// Geometric phase length in steps: the configured one, or floor(steps / log2(steps)) (at least 1).
std::int64_t geometric_phase_length(std::int64_t steps, std::int64_t configured);

Schedule make_schedule(const Config& c);

// The x-axis value N_eff at each checkpoint (in steps), in one pass over the schedule:
//   geometric: N / log2(N) (Lin et al.'s N / log N, log base 2 as in the halving schedule);
//   every other schedule: B * sum_{t < steps} gamma_t / gamma (samples weighted by relative step size; N for
//   constant without warmup).
std::vector<double> effective_samples(const Config& c, const Schedule& s, const std::vector<std::int64_t>& checkpoints);

}  // namespace sgdlaw
