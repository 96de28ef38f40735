#include "sgdlaw/sweep/sweep_partition.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <queue>

#include "sgdlaw/core/fnv1a.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/io/run_output.hpp"

namespace sgdlaw {

double point_work(const Config& c) {
  if (!c.monte_carlo) return 1e7 * static_cast<double>(c.sketches);  // exact only: seconds at most, whatever N is
  const double trials = static_cast<double>(c.total_trials());
  const double per_step = static_cast<double>(c.M) + 32.0;
  const double setup = c.sketch == SketchKind::kGaussian ? static_cast<double>(c.M) * static_cast<double>(c.d) : 0.0;
  return trials * (static_cast<double>(c.N) * per_step + setup);
}

namespace {

// LPT: items sorted by decreasing work, each to the currently lightest part (ties: lowest part index).
std::vector<int> lpt(const std::vector<double>& work, int parts) {
  std::vector<std::size_t> order(work.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return work[a] > work[b]; });
  std::vector<double> load(static_cast<std::size_t>(parts), 0.0);
  std::vector<int> out(work.size(), 0);
  for (std::size_t i : order) {
    const auto p = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    out[i] = static_cast<int>(p);
    load[p] += work[i];
  }
  return out;
}

}  // namespace

std::vector<int> assign_points(const SweepSpec& spec, int parts) {
  std::vector<double> work;
  for (const SweepPoint& p : spec.points) work.push_back(point_work(p.config));
  return lpt(work, parts);
}

std::vector<WorkUnit> plan_units(const SweepSpec& spec, const std::vector<std::size_t>& points, int ranks) {
  double total = 0;
  for (std::size_t i : points) total += point_work(spec.points[i].config);
  const double target = total / (4.0 * ranks);
  std::vector<WorkUnit> units;
  std::vector<double> work;
  for (std::size_t i : points) {
    const Config& c = spec.points[i].config;
    const std::int64_t trials = c.monte_carlo ? c.total_trials() : 0;  // exact only: one unit of no trials
    const double w = point_work(c);
    const auto chunks = static_cast<std::int64_t>(
        std::clamp<double>(std::ceil(w / std::max(target, 1.0)), 1.0, std::max(1.0, static_cast<double>(trials))));
    for (std::int64_t k = 0; k < chunks; ++k) {
      WorkUnit u;
      u.point = i;
      u.first = trials * k / chunks;
      u.count = trials * (k + 1) / chunks - u.first;
      units.push_back(u);
      work.push_back(trials > 0 ? w * static_cast<double>(u.count) / static_cast<double>(trials) : w);
    }
  }
  const std::vector<int> rank = lpt(work, ranks);
  for (std::size_t u = 0; u < units.size(); ++u) units[u].rank = rank[u];
  return units;
}

std::string sweep_fingerprint(const SweepSpec& spec) {
  std::uint64_t h = kFnv1aOffset;
  for (const SweepPoint& p : spec.points) h = fnv1a(run_identity(p.config), fnv1a(p.name, h));
  return format_hex64(h);
}

}  // namespace sgdlaw
