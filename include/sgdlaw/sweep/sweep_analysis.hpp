#pragma once
// Scaling-law fits of a finished sweep: risk vs M (at the grid's largest N), risk vs N_eff (at its largest
// M), and the compute-optimal frontier, each per group of the grid's other axes (e.g. per a). Every fitted
// slope comes with a bootstrap interval over whole trials (trial t of every point is resampled together:
// points share random streams by trial), the theory slope, a z-score, and the slope of the noise-free exact
// curves over the same window (which shows what finite sizes alone do to the slope).
#include <cstdint>
#include <string>
#include <vector>

#include "sgdlaw/sweep/sweep_spec.hpp"

namespace sgdlaw {

struct FitRow {
  std::string group, quantity, method;
  double slope = 0.0, ci_lo = 0.0, ci_hi = 0.0, boot_sd = 0.0;
  double theory = 0.0, z = 0.0, slope_exact = 0.0;
  double x_lo = 0.0, x_hi = 0.0, y_inf = 0.0;
  double log_prefactor = 0.0;  // fitted line: y = y_inf + exp(log_prefactor) * x^slope
  long n_points = 0;
  bool ok = false;
  std::string note;
  // The batch and the range of (resolved) peak step sizes of the fitted points (gamma_rel, gamma = tuned: each
  // point's own): fits.csv's batch, gamma_lo, gamma_hi.
  std::int64_t batch = 1;
  double gamma_lo = 0.0, gamma_hi = 0.0;
};

struct SweepAnalysis {
  std::vector<FitRow> fits;
  std::string slopes_csv;    // per series point: x, mean, se, exact, local slopes
  std::string frontier_csv;  // per budget: M*, excess*, interior
  std::string report_md;     // human-readable table
  std::string exponents_md;  // local slopes of the exact curves as the size grows, against the theory
};

SweepAnalysis analyze_sweep(const SweepSpec& spec);

// fits.csv, slopes.csv, frontier.csv, report.md into the sweep folder (atomically).
void write_sweep_analysis(const SweepSpec& spec, const SweepAnalysis& a);

}  // namespace sgdlaw
