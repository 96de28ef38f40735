#include "sgdlaw/core/schedule.hpp"

#include <algorithm>

namespace sgdlaw {

std::int64_t geometric_phase_length(std::int64_t steps, std::int64_t configured) {
  if (configured > 0) return configured;
  if (steps < 2) return 1;
  return std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::floor(static_cast<double>(steps) / std::log2(static_cast<double>(steps)))));
}

Schedule make_schedule(const Config& c) {
  Schedule s;
  s.gamma0 = c.gamma;
  s.kind = c.schedule;
  if (c.schedule == ScheduleKind::kGeometric) s.phase_length = geometric_phase_length(c.steps(), c.phase_length);
  if (c.schedule == ScheduleKind::kPower) {
    s.power_p = c.power_p;
    s.power_t0 = c.power_t0;
  }
  return s;
}

double effective_samples(const Config& c, const Schedule& s, std::int64_t samples) {
  const double n = static_cast<double>(samples);
  switch (c.schedule) {
    case ScheduleKind::kGeometric:
      return samples >= 2 ? n / std::log2(n) : n;
    case ScheduleKind::kConstant:
      return n;
    case ScheduleKind::kPower: {
      double sum = 0.0;
      const std::int64_t steps = samples / c.batch;
      for (std::int64_t t = 0; t < steps; ++t) sum += s.at(t);
      return static_cast<double>(c.batch) * sum / s.gamma0;
    }
  }
  return n;
}

}  // namespace sgdlaw
