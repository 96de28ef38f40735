#pragma once
// What theory predicts for SGD in sketched power-law regression, in one place: every report (fits.csv's
// theory column and the exponents table, the phase map's phases.csv and report.md) takes its exponents from
// here and nowhere else.
//
// Model: lambda_i = i^-a (a > 1), lambda_i E[w*_i^2] = i^-b (b > 1), Gaussian sketch of size M, N samples
// (N_eff = B sum_t gamma_t / gamma, or Lin et al.'s N / log2 N for the geometric schedule). The excess risk
// R - sigma^2 is, up to constants, the sum of these terms (sources beside each):
//   Approx  M^-min(a, b - 1)      (log M at b = a + 1)  the sketch's approximation error: Lin, Wu, Kakade,
//                                 Bartlett, Lee (NeurIPS 2024), Thm 4.1, M^(1-b) for b < a + 1; saturated at
//                                 M^-a above: Paquette, Paquette, Xiao, Pennington, "4+3 phases" (NeurIPS 2024,
//                                 arXiv 2405.15074), F_0(d) ~ d^(-2 alpha + max(0, 1 - 2 beta)) with their
//                                 a = 2 alpha, b = 2 alpha + 2 beta.
//   Bias    N_eff^-(b - 1)/a      Lin et al. Thm 4.2; 4+3's F_pp(r) ~ r^(-(1 + beta/alpha) + 1/(2 alpha)).
//   K_pp    N_eff^-(2 - 1/a)      the bias's saturation (4+3's K_pp): Bias ~ N_eff^-min(b - 1, 2a - 1)/a, also
//                                 measured with sgdlaw's exact recursion (README, "Theory at scale").
//   F_ac    M^-1 N_eff^-(1 - 1/a) for b > a + 1 only (4+3's F_ac, 2 beta > 1).
//   Var     sigma^2 min(M, N_eff^(1/a)) / N_eff   Lin et al. Thm 4.2 (sigma > 0 only).
//
// Compute-optimal frontier (C = M N, cost per sample proportional to M): at M = C^mu, N = C^(1 - mu) each
// term is C^(e_k(mu)) with e_k piecewise linear in mu:
//   Approx  -A mu,  A = min(a, b - 1)          Bias  -(1 - mu)(b - 1)/a        K_pp  -(1 - mu)(2a - 1)/a
//   F_ac    -mu - (1 - mu)(a - 1)/a           Var   min(mu, (1 - mu)/a) - (1 - mu)
// and R* ~ C^r* with r* = min over mu of max_k e_k(mu), attained at mu* (M* ~ C^mu*). compute_optimal()
// solves that exactly (the minimum of a maximum of piecewise-linear functions lies at a crossing of two of
// their pieces) and names the two terms that balance there. Worked out by hand, the phases are:
//   sigma = 0, b < a + 1      (4+3's Ia):  Approx meets Bias:   mu* = 1/(a + 1), r* = -(b - 1)/(a + 1).
//   sigma = 0, a + 1 < b < 2a (4+3's II):  F_ac meets Bias:     M = N^((b - a)/a): mu* = (b - a)/b,
//                                                                r* = -(b - 1)/b. Approx (M^-a = N^-(b - a)) is
//                                                                below the bias there because b > a + 1.
//   sigma = 0, b > 2a         (4+3's III): F_ac meets K_pp:     M = N: mu* = 1/2, r* = -(2a - 1)/(2a).
//   The three agree on their boundaries b = a + 1 and b = 2a (continuity of mu* and r*).
//   sigma > 0 (derived here): the variance, C^(2 mu - 1) while M < N^(1/a), grows with mu faster than any bias
//   term decays, so the frontier is set by whichever of Bias and Var the approximation error meets first:
//     b < a:  Approx meets Bias as without noise (mu* = 1/(a + 1); Var is C^((1 - a)/(a + 1)), below
//             r* = -(b - 1)/(a + 1) exactly when b < a). Phase "Ia".
//     b > a:  Approx meets Var: M^-A = M^2 / C, mu* = 1/(A + 2), r* = -A/(A + 2), A = min(a, b - 1): below
//             b = a + 1 the unsaturated M^(1 - b) (phase "noisy Ia"), above it the saturated M^-a (phase
//             "noisy II/III": with noise, F_ac and K_pp never set the frontier, since at mu* = 1/(a + 2) they
//             are C^-(a^2 + a - 1)/(a(a + 2)) and below, under r* = -a/(a + 2)).
//     The noisy boundaries are b = a (all three terms meet) and b = a + 1 (the approximation error saturates).
//   compute_optimal() is checked against these closed forms over a grid of (a, b, sigma) (tests/test_theory.cpp).
#include <string>
#include <vector>

#include "sgdlaw/core/simulation.hpp"

namespace sgdlaw {

struct ScalingTheory {
  // Exponents of the single laws (negative: the term decreases).
  double approx_m = 0.0;        // Approx ~ M^approx_m = M^-min(a, b - 1)
  bool approx_log = false;      // b == a + 1: Approx ~ M^-a log M
  double bias_n = 0.0;          // Bias ~ N_eff^bias_n = N_eff^-min(b - 1, 2a - 1)/a (K_pp included)
  bool bias_saturated = false;  // b > 2a: the bias decays as K_pp, N_eff^-(2 - 1/a)
  bool has_f_ac = false;        // b > a + 1: F_ac ~ M^-1 N_eff^-(1 - 1/a)
  double variance_n = 0.0;      // the variance's exponent of N_eff once N_eff^(1/a) <= M: -(1 - 1/a) (0 if sigma = 0)
  // The laws a sweep fits: the M law (R - sigma^2 vs M at N_eff^(1/a) >> M) and the N law (R - sigma^2 - Approx
  // vs N_eff at N_eff^(1/a) << M; the bias, or the variance where it decays more slowly).
  double m_law = 0.0, n_law = 0.0;
  // The compute-optimal frontier: M* ~ C^m_star, R* - sigma^2 ~ C^r_star.
  double m_star = 0.0, r_star = 0.0;
  std::string phase;    // "Ia", "II", "III" (sigma = 0, 4+3's names); "Ia", "noisy Ia", "noisy II/III"
  std::string balance;  // the two terms that meet on the frontier, e.g. "approx-bias", "f_ac-bias"
};

ScalingTheory scaling_theory(double a, double b, double sigma);

// The variance term's law, sigma^2 min(M, N_eff^(1/a)) / N_eff (Lin et al. Thm 4.2, constants dropped).
double variance_law(double a, double sigma, double M, double n_eff);

// The compute-optimal exponents by the exact min-max over mu (see the header comment), and the balance.
struct ComputeOptimal {
  double mu = 0.0, r = 0.0;
  std::string balance;
  // The largest term off the envelope at mu* (the bias and K_pp count as one term, the bias) and how much faster
  // than the frontier it falls: next_gap = r* - e_next(mu*) (0 when three terms meet there; "none" and +inf when
  // no other term is present).
  std::string next;
  double next_gap = 0.0;
};
ComputeOptimal compute_optimal(double a, double b, double sigma);

// Whether a phase-map cell's frontier fit should already show the theory's exponents (within `tolerance`, e.g.
// 0.03), predicted from the theory alone with unit constants, before looking at any fit. A law a C^r measured
// with a correction b C^(r - q) (q > 0) bends the fitted exponent by about q (b/a) C^-q; with b/a = 1 at the fit's
// smallest budget c_lo the error is q c_lo^-q. Three corrections are counted, each in its exponent of C at mu*:
//   the next term   below the two that balance: q = r* - e_next(mu*) (the envelope table above); q = 0 when
//                   three terms meet (b = a with noise): never asymptotic;
//   Approx's knee   M^(1-b) against M^-a: q = mu* |a + 1 - b|, when Approx balances (b = a + 1: a log factor,
//                   never asymptotic);
//   the bias's knee N^-(b-1)/a against K_pp's N^-(2a-1)/a: q = (1 - mu*) |2a - b| / a, when the bias balances
//                   (b = 2a: the two meet, never asymptotic).
// The one constant that is known enters: the variance carries sigma^2 (the next term's share is multiplied by
// sigma^2 when the variance is next, by 1 / sigma^2 when it balances). Asymptotic when the three errors together
// are at most tolerance / 2 (half the tolerance: the other unit constants are a guess). `reason` names the
// largest correction when not. Measured on configs/phases.toml (54 cells; docs/theory.md): every cell called
// asymptotic has both fitted exponents within 0.03.
struct AsymptoticCall {
  bool asymptotic = false;
  double predicted_error = 0.0;  // the summed error of the fitted exponents
  std::string reason;            // "" when asymptotic
};
AsymptoticCall frontier_asymptotic(double a, double b, double sigma, double c_lo, double tolerance);

// Levels, not only slopes: the noiseless constant-step bias of the identity model (no sketch, B = 1), from the
// 4+3 authors' notebooks:
//   R(N) (1 - kappa) ~ (1/a) Gamma((b - 1)/a) (2 gamma N)^(-(b - 1)/a),   kappa = gamma sum_j mu_j / (2 - gamma mu_j).
// Derivation: in mean the error of coordinate j decays as (1 - gamma mu_j)^N, so the deterministic part of the
// risk is sum_j j^-b (1 - gamma j^-a)^(2N) ~ integral x^-b exp(-2 gamma N x^-a) dx, which the substitution
// y = 2 gamma N x^-a turns into (1/a) (2 gamma N)^(-(b-1)/a) Gamma((b-1)/a); the rank-one kicks of the exact
// recursion multiply it by 1 / (1 - kappa) (their geometric series). Checked against the exact recursion at
// d = inf, gamma = 0.1, N = 1.7e8 .. 8.9e8: ratios 1.0034 (a = b = 2), 1.0051-1.0058 (a = 1.5, b = 2.5),
// 1.0035 (a = 2, b = 3), by an independent script from the formula (tests/test_theory.cpp asserts 1%).
double constant_step_bias_level(double a, double b, double gamma, double n, double kappa);
// kappa for a weighted spectrum (weights empty: every coordinate once).
double multiplicative_noise_kappa(const std::vector<double>& mu, const std::vector<double>& weight, double gamma);
// The exact curve's final risk over constant_step_bias_level, for a run the level applies to (identity sketch,
// sigma = 0, constant schedule, B = 1, fresh samples); -1 for any other run.
double theory_level_ratio(const RunResult& r);

}  // namespace sgdlaw
