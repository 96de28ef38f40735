#pragma once
// The model's spectra, in one place: H = diag(lambda_i), lambda_i = i^-a, and the prior of w*,
// E[w*_i^2] = i^(a - b) (so lambda_i E[w*_i^2] = i^-b; b = a is w* ~ N(0, I)), for i = 1..d.
#include <Eigen/Dense>

#include "sgdlaw/core/config.hpp"

namespace sgdlaw {

struct PowerLawSpectrum {
  Eigen::VectorXd lambda;     // length d
  Eigen::VectorXd prior_var;  // length d
};

PowerLawSpectrum power_law_spectrum(const Config& c);

}  // namespace sgdlaw
