#include "sgdlaw/fit/gamma_tuning.hpp"

#include <algorithm>
#include <cmath>

#include "sgdlaw/core/errors.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/fit/schedule_tuning.hpp"

namespace sgdlaw {

TunedGamma tune_gamma(const Config& config) {
  if (config.d_infinite && config.sketch == SketchKind::kGaussian)
    throw ConfigError(
        "field 'gamma' = tuned needs one spectrum to tune on: a Gaussian sketch at d = inf is its deterministic "
        "equivalent; use a finite d or sketch = identity");
  const ExactObjective f = exact_objective(config);
  const std::int64_t steps = config.steps();
  const auto excess = [&](double gamma) {
    Config c = config;
    c.gamma = gamma;
    const double e = f.final_excess(make_schedule(c), steps);
    return std::isfinite(e) && e > 0.0 ? std::log(e) : INFINITY;
  };
  const double hi = (1.0 - 1e-6) * f.gamma_limit, lo = std::max(1e-4 * f.gamma_limit, config.gamma_min * 1.000001);
  if (!(lo < hi))
    throw ConfigError("field 'gamma_min' = " + format_shortest(config.gamma_min) +
                      " leaves no step size to tune below the stability limit " + format_shortest(f.gamma_limit));
  const Minimum m = minimise_log(excess, lo, hi);
  TunedGamma t;
  t.gamma = m.x;
  t.excess = std::exp(m.value);
  t.limit = f.gamma_limit;
  t.at_limit = m.x > (1.0 - 1e-3) * hi;
  t.evaluations = f.evaluations;
  return t;
}

}  // namespace sgdlaw
