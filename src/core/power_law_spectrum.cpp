#include "sgdlaw/core/power_law_spectrum.hpp"

#include <cmath>

namespace sgdlaw {

PowerLawSpectrum power_law_spectrum(const Config& c) {
  PowerLawSpectrum s;
  s.lambda.resize(c.d);
  s.prior_var.resize(c.d);
  for (std::int64_t i = 0; i < c.d; ++i) {
    const double idx = static_cast<double>(i + 1);
    s.lambda[i] = std::pow(idx, -c.a);
    s.prior_var[i] = std::pow(idx, c.a - c.b);
  }
  return s;
}

}  // namespace sgdlaw
