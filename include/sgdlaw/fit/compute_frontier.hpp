#pragma once
// Compute-optimal frontier from a grid of (M, N) results: for budgets C = N * (cost_fixed + cost_per_m * M)
// on a log grid, interpolate log excess risk along log N for each M, find the best M on the iso-compute line
// (parabolic refinement in log-log around the best grid M), and fit M*(C) and R*(C) by log-log least squares
// over the budgets whose optimum is interior.
#include <vector>

#include "sgdlaw/fit/power_law_fit.hpp"

namespace sgdlaw {

struct FrontierPoint {
  double budget = 0.0, m_star = 0.0, excess_star = 0.0;
  bool interior = false;  // the best M is not at the edge of the M grid
};

struct Frontier {
  std::vector<FrontierPoint> points;
  LogLogFit m_star_fit;       // exponent = -(slope of log M* vs log C): M* ~ C^(-exponent)
  LogLogFit excess_star_fit;  // R* - sigma^2 ~ C^(-exponent)
  bool ok = false;
};

// excess[i][j]: excess risk at M = ms[i], N = ns[j] (both strictly increasing).
Frontier compute_frontier(const std::vector<double>& ms, const std::vector<double>& ns,
                          const std::vector<std::vector<double>>& excess, double cost_fixed, double cost_per_m,
                          int n_budgets = 24);

}  // namespace sgdlaw
