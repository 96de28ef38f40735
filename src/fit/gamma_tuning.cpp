#include "sgdlaw/fit/gamma_tuning.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sgdlaw/core/errors.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/fit/schedule_tuning.hpp"

namespace sgdlaw {

void check_tunable(const Config& config, const std::string& who) {
  if (!has_one_spectrum(config))
    throw ConfigError(who +
                      " needs one spectrum to tune on: a Gaussian sketch at d = inf is its deterministic equivalent; "
                      "use a finite d or sketch = identity");
  // One spectrum and the prior's expectation: several Gaussian sketches would each need their own optimum (and
  // another sketch's limit may lie below it), and a fixed w* is not the prior's.
  if (config.sketches > 1 && config.sketch == SketchKind::kGaussian)
    throw ConfigError(who + " tunes on one spectrum: use sketches = 1 with a Gaussian sketch (got " +
                      std::to_string(config.sketches) + ")");
  if (config.wstar == PriorMode::kFixed) throw ConfigError(who + " tunes the prior's expected risk: use wstar = prior");
}

TunedGamma tune_gamma(const Config& config) {
  check_tunable(config, "field 'gamma' = tuned");
  return tune_gamma(exact_objective(config), config);
}

TunedGamma tune_gamma(const ExactObjective& f, const Config& config) {
  const std::int64_t e0 = f.evaluations;
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
  t.evaluations = f.evaluations - e0;
  return t;
}

}  // namespace sgdlaw
