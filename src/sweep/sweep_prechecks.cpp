#include "sgdlaw/sweep/sweep_prechecks.hpp"

#include <unistd.h>

#include <string>

#include "sgdlaw/backends/run_estimate.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/parallel_trials.hpp"
#include "sgdlaw/core/power_law_spectrum.hpp"
#include "sgdlaw/core/run_plan.hpp"
#include "sgdlaw/core/stability.hpp"
#include "sgdlaw/sweep/sweep_runner.hpp"

namespace sgdlaw {
namespace {

// The longest sibling name a point's folder gets: "<name>.partial-<pid>" (pids have at most 7 digits on Linux).
constexpr std::size_t kLongestSuffix = sizeof(".partial-4194304") - 1;

void check_names(const SweepSpec& spec) {
  for (const SweepPoint& p : spec.points) {
    if (p.grid.empty() || p.grid == "." || p.grid == "..")
      throw ConfigError(spec.source + ": sweep grid name '" + p.grid +
                        "' is not a folder name of its own (each point is a folder named after its grid)");
    if (p.name.size() + kLongestSuffix > 255)
      throw ConfigError(spec.source + ": sweep point '" + p.name.substr(0, 60) + "...' has a " +
                        std::to_string(p.name.size()) + "-byte name; with '.partial-<pid>' it would pass the " +
                        "255-byte limit of a file name: shorten the grid name (at most " +
                        std::to_string(255 - kLongestSuffix) + " bytes in all)");
  }
}

// The identity sketch's spectrum is lambda_i = i^-a itself: its stability is known without a sample.
void check_identity_stability(const SweepSpec& spec) {
  std::string bad;
  int count = 0;
  for (const SweepPoint& p : spec.points) {
    const Config& c = p.config;
    if (c.sketch != SketchKind::kIdentity || c.d_infinite || c.d > 10000000 || c.gamma_rel > 0.0 || c.gamma_tuned)
      continue;
    const PowerLawSpectrum s = power_law_spectrum(c);
    const Optimizer o = make_optimizer(c);
    if (step_size_is_stable(o, c.gamma, s.lambda, c.batch)) continue;
    if (count++ < 3)
      bad += (bad.empty() ? "" : "; ") + p.name + " (gamma = " + format_g(c.gamma, 4) + ", stable below " +
             format_g(max_stable_step_size(o, s.lambda, c.batch), 4) + ")";
  }
  if (count > 0)
    throw DivergenceError(spec.source + ": " + std::to_string(count) + " identity-sketch point(s) diverge: " + bad +
                          (count > 3 ? "; ..." : "") + ". Nothing was run: use a smaller 'gamma' for them");
}

void check_memory(const SweepSpec& spec) {
  const double have = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGE_SIZE));
  if (have <= 0) return;
  for (const SweepPoint& p : spec.points) {
    const double need = estimate_host_bytes(p.config, resolve_threads(p.config.threads));
    if (need > 0.8 * have)
      throw ConfigError(spec.source + ": sweep point " + p.name + " needs about " + format_g(need / 1073741824.0, 3) +
                        " GiB of host memory, more than 80% of the " + format_g(have / 1073741824.0, 3) +
                        " GiB here; nothing was run: reduce its 'M', 'd' or 'sketches'");
  }
}

}  // namespace

void check_points_before_running(const SweepSpec& spec) {
  check_names(spec);
  check_memory(spec);
  check_identity_stability(spec);
}

SweepEstimate estimate_sweep(const SweepSpec& spec) {
  SweepEstimate e;
  for (const SweepPoint& p : spec.points) {
    if (point_state(p) != PointState::kMissing) continue;
    ++e.missing;
    e.seconds += estimate_run(p.config).seconds;
  }
  return e;
}

}  // namespace sgdlaw
