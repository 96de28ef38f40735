#pragma once
// Fitting y ~ x^-e: log-log least squares, and the saturating form y = y_inf + c x^-e by variable
// projection (for each e the best y_inf, c >= 0 solve a two-column non-negative least-squares problem in
// closed form; e itself is found by a grid scan and GSL's Brent minimiser). Relative (1/y^2) weights, since
// y spans decades.
#include <cstdint>
#include <vector>

namespace sgdlaw {

struct LogLogFit {
  double exponent = 0.0;   // e in y ~ x^-e (minus the log-log slope)
  double intercept = 0.0;  // log y at x = 1
  double r2 = 0.0;
  std::int64_t n = 0;
  bool ok = false;  // at least two usable (positive) points
};

struct SaturatingFit {
  double exponent = 0.0, y_inf = 0.0, c = 0.0;
  double rel_rms = 0.0;  // sqrt(mean ((y - fit) / y)^2)
  bool ok = false;
  bool at_bound = false;  // exponent hit the search range [e_min, e_max]
};

// Points with x in [x_lo, x_hi] and y > 0 are used.
LogLogFit fit_loglog(const std::vector<double>& x, const std::vector<double>& y, double x_lo = 0, double x_hi = 1e300);

SaturatingFit fit_saturating(const std::vector<double>& x, const std::vector<double>& y, double e_min = 0.01,
                             double e_max = 5.0);

// The least-squares slope of log y against log x over every point (all x, y > 0); NaN with fewer than 2 points.
double log_log_slope(const std::vector<double>& x, const std::vector<double>& y);

// d log y / d log x at each point (one-sided at the ends, centred inside); empty if fewer than 2 points.
std::vector<double> local_slopes(const std::vector<double>& x, const std::vector<double>& y);

// Percentile interval of a sample (sorted copy), e.g. level 0.95 -> [2.5%, 97.5%].
struct Interval {
  double lo = 0.0, hi = 0.0, sd = 0.0;
};
Interval percentile_interval(std::vector<double> sample, double level);

}  // namespace sgdlaw
