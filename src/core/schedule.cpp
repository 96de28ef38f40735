#include "sgdlaw/core/schedule.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

namespace sgdlaw {

std::int64_t Schedule::stretch_end(std::int64_t t, std::int64_t limit) const {
  std::int64_t end = limit;
  if (kind == ScheduleKind::kGeometric) {
    end = (t / phase_length + 1) * phase_length;
  } else if (kind == ScheduleKind::kPower || t < warmup) {
    end = t + 1;
  } else if (kind == ScheduleKind::kTable) {
    end = table.stretch_end(t, limit);
  } else if (kind != ScheduleKind::kConstant) {
    end = decay.stretch_end(t);
  }
  return std::min(end, limit);
}

bool Schedule::depends_on_horizon() const {
  switch (kind) {
    case ScheduleKind::kGeometric:
      return phase_from_horizon;
    case ScheduleKind::kConstant:
    case ScheduleKind::kPower:
    case ScheduleKind::kTable:
      return false;
    case ScheduleKind::kCosine:
    case ScheduleKind::kLinear:
    case ScheduleKind::kWsd:
      return true;
  }
  return true;
}

namespace {

// sum += gamma_t for t0 <= t < t1, a stretch at a time (a single step adds gamma_t itself, so a per-step
// schedule sums exactly as a plain loop over steps would).
void add_intrinsic_time(const Schedule& s, std::int64_t t0, std::int64_t t1, double& sum) {
  for (std::int64_t t = t0, end = t0; t < t1; t = end) {
    end = s.stretch_end(t, t1);
    sum += end - t == 1 ? s.at(t) : s.at(t) * static_cast<double>(end - t);
  }
}

}  // namespace

double Schedule::intrinsic_time(std::int64_t t0, std::int64_t t1) const {
  double sum = 0.0;
  add_intrinsic_time(*this, t0, t1, sum);
  return sum;
}

std::int64_t Schedule::stepped_steps(std::int64_t steps, std::int64_t min_jump) const {
  // Per kind, without walking every step: the warmup and the decay are stepped, the stable parts jumped.
  const std::int64_t w = std::min(warmup, steps);
  switch (kind) {
    case ScheduleKind::kGeometric:
      return phase_length < min_jump ? steps : 0;
    case ScheduleKind::kConstant:
      return w;
    case ScheduleKind::kPower:
    case ScheduleKind::kCosine:
    case ScheduleKind::kLinear:
      return steps;
    case ScheduleKind::kWsd:
      return w + std::max<std::int64_t>(0, steps - std::max(decay.start, w));
    case ScheduleKind::kTable: {
      std::int64_t n = 0;
      for (std::int64_t k = 0; k < table.size && table.step[k] < steps; ++k) {
        const std::int64_t end = k + 1 < table.size ? std::min(table.step[k + 1], steps) : steps;
        if (end - table.step[k] < min_jump) n += end - table.step[k];
      }
      return n;
    }
  }
  return steps;
}

std::int64_t geometric_phase_length(std::int64_t steps, std::int64_t configured) {
  if (configured > 0) return configured;
  if (steps < 2) return 1;
  return std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::floor(static_cast<double>(steps) / std::log2(static_cast<double>(steps)))));
}

ScheduleTable intern_table(const std::vector<Config::TableRow>& rows) {
  struct Stored {
    std::vector<std::int64_t> step;
    std::vector<double> gamma;
  };
  static std::mutex mutex;
  static std::map<std::vector<std::pair<std::int64_t, double>>, std::unique_ptr<Stored>> store;
  std::vector<std::pair<std::int64_t, double>> key;
  for (const Config::TableRow& r : rows) key.emplace_back(r.step, r.gamma);
  const std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<Stored>& s = store[key];
  if (!s) {
    s = std::make_unique<Stored>();
    for (const auto& [step, gamma] : key) {
      s->step.push_back(step);
      s->gamma.push_back(gamma);
    }
  }
  return {static_cast<std::int64_t>(s->step.size()), s->step.data(), s->gamma.data()};
}

Schedule make_schedule(const Config& c) {
  Schedule s;
  s.gamma0 = c.gamma;
  s.kind = c.schedule;
  s.warmup = c.warmup;
  const std::int64_t steps = c.steps();
  s.decay.floor = c.gamma_min;
  switch (c.schedule) {
    case ScheduleKind::kGeometric:
      s.phase_length = geometric_phase_length(steps, c.phase_length);
      s.phase_from_horizon = c.phase_length == 0;
      break;
    case ScheduleKind::kPower:
      s.power_p = c.power_p;
      s.power_t0 = c.power_t0;
      break;
    case ScheduleKind::kCosine:
    case ScheduleKind::kLinear:
      s.decay.shape = c.schedule == ScheduleKind::kCosine ? DecayShape::kCosine : DecayShape::kLinear;
      s.decay.start = c.warmup;
      s.decay.length = std::max<std::int64_t>(1, steps - c.warmup);
      break;
    case ScheduleKind::kWsd: {
      const auto decaying = static_cast<std::int64_t>(std::floor(c.decay_fraction * static_cast<double>(steps)));
      s.decay.shape = c.decay_shape;
      s.decay.power = c.decay_power;
      s.decay.start = steps - decaying;
      s.decay.length = std::max<std::int64_t>(1, decaying);
      break;
    }
    case ScheduleKind::kTable:
      s.table = intern_table(c.table);
      break;
    case ScheduleKind::kConstant:
      break;
  }
  return s;
}

std::vector<double> effective_samples(const Config& c, const Schedule& s,
                                      const std::vector<std::int64_t>& checkpoints) {
  std::vector<double> out;
  double sum = 0.0;
  std::int64_t t = 0;
  for (const std::int64_t ck : checkpoints) {
    const double n = static_cast<double>(ck * c.batch);
    if (c.schedule == ScheduleKind::kGeometric) {
      out.push_back(ck * c.batch >= 2 ? n / std::log2(n) : n);
    } else if (c.schedule == ScheduleKind::kConstant && c.warmup == 0) {
      out.push_back(n);
    } else {
      add_intrinsic_time(s, t, ck, sum);
      t = ck;
      out.push_back(static_cast<double>(c.batch) * sum / s.gamma0);
    }
  }
  return out;
}

}  // namespace sgdlaw
