#pragma once
// Power-law fits of a series measured over trials, with intervals from the bootstrap over whole trials:
// trial t of every point is resampled together (points share random streams by trial index, so their
// errors are correlated; resampling trials keeps that correlation).
#include <cstdint>
#include <random>
#include <vector>

#include "sgdlaw/fit/power_law_fit.hpp"

namespace sgdlaw {

struct TrialSeries {
  std::vector<double> x;
  std::vector<std::vector<double>> y;  // [point][trial]

  std::vector<double> means() const;
  std::vector<double> std_errors() const;
  std::vector<double> means(const std::vector<std::size_t>& trials) const;
  std::size_t trials() const;  // smallest trial count over points
};

// reps resamples of trial indices 0..trials-1, deterministic in seed. With per_sketch < trials (several
// sketches of per_sketch trials each, trial g in sketch g / per_sketch) the resampling is two-stage: sketches
// with replacement, then trials within each drawn sketch, so intervals include sketch-to-sketch variation.
std::vector<std::vector<std::size_t>> bootstrap_trial_indices(std::size_t trials, std::int64_t reps, std::uint32_t seed,
                                                              std::size_t per_sketch = 0);

struct BootstrapFit {
  LogLogFit ols;            // on the means, x in [lo, hi]
  SaturatingFit sat;        // on the means, all x
  Interval ols_ci, sat_ci;  // of the slopes (-exponent)
};

BootstrapFit bootstrap_fit(const TrialSeries& s, double lo, double hi, std::int64_t reps, double level,
                           std::uint32_t seed, std::size_t per_sketch = 0);

}  // namespace sgdlaw
