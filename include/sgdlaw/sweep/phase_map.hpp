#pragma once
// The regime map (`sgdlaw phases phases.toml`): over a grid of (a, b, sigma), the compute-optimal frontier of the
// exact expected risk at d = infinity (Gaussian sketch by its deterministic equivalent, every (M, N) of the grid by
// contour jumps), which term dominates along it, the fitted exponents of M* and R* - sigma^2 against the theory's
// rates, and Monte Carlo spot checks at a few points.
//
// The theory (every law, phase and exponent, and which cells are expected to be asymptotic) is the theory
// module's (sweep/theory.hpp), stated there once with its sources and derivations.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sgdlaw/fit/compute_frontier.hpp"
#include "sgdlaw/io/config_load.hpp"
#include "sgdlaw/sweep/theory.hpp"

namespace sgdlaw {

struct PhaseSpec {
  std::string source, out = "runs/phases";
  RawSettings base;  // [problem], [sgd], [run] of the file (a, b, sigma, M, N, d, sketch are set per point)
  std::vector<double> a, b, sigma;
  std::vector<std::int64_t> M, N;                    // the (M, N) grid of every point's frontier
  std::vector<std::pair<double, double>> mc_points;  // (a, b) of the Monte Carlo spot checks (first sigma)
  std::int64_t mc_d = 4096, mc_trials = 100, mc_sketches = 4;
  double mc_work = 4e9;  // trial*step*M budget of one spot check (picks the largest budget that fits)
  int threads = 0;
};

// Reads the [phases] section (and the base settings) of a phases file; errors name the field.
PhaseSpec read_phase_spec(const std::string& path);
// The [phases] keys with their types, ranges, defaults and help, for `sgdlaw phases --help`.
std::string phase_keys_help();

// The frontier's theory for one (a, b, sigma), from sweep/theory.hpp.
struct PhaseTheory {
  double m_star = 0.0, r_star = 0.0;  // exponents: M* ~ C^m_star, R* - sigma^2 ~ C^r_star
  double beta = 0.0;                  // bias exponent of N_eff, min(b - 1, 2a - 1) / a
  std::string phase;                  // "Ia", "II", "III", "noisy Ia", "noisy II/III"
  std::string balance;                // the terms that meet: "approx-bias", "f_ac-bias", ..., or "all three"
};
PhaseTheory phase_theory(double a, double b, double sigma);

struct PhasePoint {
  double a = 0.0, b = 0.0, sigma = 0.0;
  Frontier frontier;
  PhaseTheory theory;
  // At the largest budget with an interior optimum: its budget, M*, N = C / M*, and each term of the risk there.
  double budget = 0.0, m_star = 0.0, n_star = 0.0, approx = 0.0, bias = 0.0, variance = 0.0;
  std::string dominant;   // the largest of approx, bias, variance there
  std::string balancing;  // the larger of bias and variance there (the term the approximation error balances)
  std::string error;      // why the point could not be mapped (e.g. an unstable step size), else empty
  // The theory module's call, before looking at the fit: are the fitted exponents expected within 0.03 of the
  // theory at this grid's budgets (from the smallest budget the frontier fit uses, c_lo)? (theory.hpp)
  double c_lo = 0.0;
  AsymptoticCall call;
};

struct McCheck {
  double a = 0.0, b = 0.0, sigma = 0.0;
  std::int64_t M = 0, N = 0, d = 0;
  double risk_mc = 0.0, risk_se = 0.0, risk_exact = 0.0, z = 0.0;
  double risk_det_equiv = 0.0;  // the deterministic equivalent at the same finite d
  double risk_map = 0.0;        // the map's value (d = infinity)
  std::string dominant_exact;   // the largest term of the sampled sketches' exact decomposition
};

struct PhaseMap {
  std::vector<PhasePoint> points;
  std::vector<McCheck> checks;
};

using PhaseLog = std::function<void(const std::string&)>;
PhaseMap compute_phase_map(const PhaseSpec& spec, const PhaseLog& log = nullptr);

// One point of the map (exposed for tests).
PhasePoint map_point(const PhaseSpec& spec, double a, double b, double sigma);

// phases.csv, frontiers.csv, mc_checks.csv and report.md into spec.out.
void write_phase_map(const PhaseSpec& spec, const PhaseMap& map);

}  // namespace sgdlaw
