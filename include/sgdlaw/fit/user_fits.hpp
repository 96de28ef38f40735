#pragma once
// Fits for users' own measurements (`sgdlaw fit`):
//  - power:      y = A x^-alpha + B, least squares on relative residuals (y - f) / y by GSL's
//                Levenberg-Marquardt (what scipy's curve_fit does, with relative weights), started from the
//                variable-projection solution so it needs no hand-picked initial guess;
//  - chinchilla: L(N, D) = E + A / N^alpha + B / D^beta (Hoffmann et al. 2022): Huber loss (delta 1e-3) on
//                log residuals, parameterised by log A, log B, log E through log-sum-exp, minimised by GSL's
//                BFGS from a grid of starts; compute-optimal allocation under C = 6 N D.
// Both with percentile bootstrap intervals over rows, or over whole groups (e.g. trials) when given.
#include <cstdint>
#include <string>
#include <vector>

namespace sgdlaw {

struct PowerModelFit {
  double A = 0.0, alpha = 0.0, B = 0.0;
  double rel_rms = 0.0;
  // Covariance of (A, alpha, B) from the Jacobian at the optimum, scaled by the residual variance
  // chi^2 / (n - 3) (as scipy's curve_fit gives pcov with absolute_sigma = False).
  double cov[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  bool ok = false;
};
PowerModelFit fit_power_model(const std::vector<double>& x, const std::vector<double>& y);

struct ChinchillaFit {
  double E = 0.0, A = 0.0, B = 0.0, alpha = 0.0, beta = 0.0;
  double objective = 0.0;  // sum of Huber losses
  bool ok = false;
  // Compute-optimal allocation under C = 6 N D: N_opt = G (C/6)^a, D_opt = (C/6)^b / G.
  double a() const { return beta / (alpha + beta); }
  double b() const { return alpha / (alpha + beta); }
  double G() const;
};
// starts: explicit initial points; empty = Hoffmann et al.'s grid of 5400 starts.
ChinchillaFit fit_chinchilla(const std::vector<double>& N, const std::vector<double>& D, const std::vector<double>& L,
                             const std::vector<ChinchillaFit>& starts = {}, double huber_delta = 1e-3);

// Row indices of bootstrap replicates: whole groups resampled when `groups` is non-empty, rows otherwise.
std::vector<std::vector<std::size_t>> bootstrap_rows(std::size_t rows, const std::vector<std::string>& groups,
                                                     std::int64_t reps, std::uint32_t seed);

}  // namespace sgdlaw
