// Reading a phases file and writing the regime map's tables and report.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "section_table.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/text.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/csv_writer.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/io/toml_values.hpp"
#include "sgdlaw/sweep/phase_map.hpp"

namespace sgdlaw {

PhaseSpec read_phase_spec(const std::string& path) {
  const SectionFile file = read_section_file(path, "phases file", "phases", "a, b, M, N lists");
  PhaseSpec s;
  s.source = path;
  s.base = file.base;
  read_phase_keys(file.section(), path, s);  // phase_fields.cpp: every key with its type and range
  const Config base = resolve_config({s.base});
  if (s.sigma.empty()) s.sigma.push_back(base.sigma);
  if (base.gamma_tuned)
    throw ConfigError(path +
                      ": field 'gamma' = tuned is not for a phases map (every point of its M x N grid steps "
                      "with one gamma); give a number");
  if (base.gamma_rel > 0.0)
    throw ConfigError(path +
                      ": field 'gamma_rel' is not for a phases map (every point of its M x N grid steps with "
                      "one gamma, checked against each M's spectrum); give 'gamma'");
  // A spot check is made at a point of the map (its frontier picks the check's M and N): refused before
  // anything is computed when its (a, b) is not one of the map's.
  for (const auto& [a, b] : s.mc_points)
    if (std::find(s.a.begin(), s.a.end(), a) == s.a.end() || std::find(s.b.begin(), s.b.end(), b) == s.b.end())
      throw ConfigError(path + ": [phases] field 'mc_points' holds [" + format_g(a, 6) + ", " + format_g(b, 6) +
                        "], which is not a point of the map (its a and b must be among the map's a and b)");
  return s;
}

namespace {

// Whether a cell's fitted exponents are at the theory's asymptote (both within 0.03) and, if not, which term
// has not separated yet: the measured decomposition has approx, bias (F_pp, K_pp and F_ac together) and
// variance, so the theory's growing term is compared with the one the approximation error meets at the
// largest budget.
// Whether both fitted exponents are within 0.03 of the theory's.
bool fit_within(const PhasePoint& p) {
  return p.error.empty() && p.frontier.ok && std::fabs(-p.frontier.m_star_fit.exponent - p.theory.m_star) <= 0.03 &&
         std::fabs(-p.frontier.excess_star_fit.exponent - p.theory.r_star) <= 0.03;
}

// The theory module's call (theory.hpp's frontier_asymptotic), as phases.csv and report.md state it.
std::string theory_call(const PhasePoint& p) {
  if (!p.error.empty() || !p.frontier.ok) return "no fit";
  return p.call.asymptotic ? "yes" : "no: " + p.call.reason;
}

std::string asymptotic_note(const PhasePoint& p) {
  if (!p.error.empty() || !p.frontier.ok) return "no fit";
  if (fit_within(p)) return "asymptotic";
  const bool theory_var = p.theory.balance.find("variance") != std::string::npos;
  if (theory_var && p.balancing == "bias")
    return "pre-asymptotic: the variance has not yet overtaken the bias at these budgets";
  if (!theory_var && p.balancing == "variance")
    return "pre-asymptotic: the variance still dominates the bias at these budgets";
  if (p.theory.balance.rfind("f_ac", 0) == 0)
    return "pre-asymptotic: F_ac has not yet separated from the unsaturated approximation error";
  if (p.b > p.a + 1.0)
    return "pre-asymptotic: the approximation error's unsaturated part M^(1-b) still counts at these M";
  return "pre-asymptotic: the fit spans budgets where the next term still counts";
}

std::string phases_csv(const PhaseMap& map) {
  CsvWriter csv({"a",
                 "b",
                 "sigma",
                 "phase",
                 "balance",
                 "beta",
                 "theory_m_star",
                 "fit_m_star",
                 "theory_r_star",
                 "fit_r_star",
                 "r_star_minus_theory",
                 "budget",
                 "m_star",
                 "n_star",
                 "approx",
                 "bias",
                 "variance",
                 "approx_share",
                 "bias_share",
                 "variance_share",
                 "dominant",
                 "balancing",
                 "asymptotic",
                 "predicted_error",
                 "fit_within_0.03",
                 "measured_note",
                 "interior_budgets",
                 "error"},
                6);
  for (const PhasePoint& p : map.points) {
    const bool ok = p.error.empty() && p.frontier.ok;
    std::int64_t interior = 0;
    for (const FrontierPoint& f : p.frontier.points) interior += f.interior;
    csv.cell(p.a).cell(p.b).cell(p.sigma).cell(p.theory.phase).cell(p.theory.balance).cell(p.theory.beta);
    csv.cell(p.theory.m_star);
    ok ? csv.cell(-p.frontier.m_star_fit.exponent) : csv.empty_cell();
    csv.cell(p.theory.r_star);
    ok ? csv.cell(-p.frontier.excess_star_fit.exponent) : csv.empty_cell();
    ok ? csv.cell(-p.frontier.excess_star_fit.exponent - p.theory.r_star) : csv.empty_cell();
    csv.cell(p.budget).cell(p.m_star).cell(p.n_star).cell(p.approx).cell(p.bias).cell(p.variance);
    const double total = p.approx + p.bias + p.variance;  // each term's share of the excess on the frontier
    csv.cell(p.approx / total).cell(p.bias / total).cell(p.variance / total);
    csv.cell(p.dominant).cell(p.balancing).cell(theory_call(p));
    ok ? csv.cell(p.call.predicted_error) : csv.empty_cell();
    csv.cell(ok ? (fit_within(p) ? "yes" : "no") : "").cell(asymptotic_note(p)).cell(interior).cell(p.error).end_row();
  }
  return csv.text();
}

std::string frontiers_csv(const PhaseMap& map) {
  CsvWriter csv({"a", "b", "sigma", "budget", "m_star", "excess_star", "interior"}, 6);
  for (const PhasePoint& p : map.points)
    for (const FrontierPoint& f : p.frontier.points)
      csv.cell(p.a)
          .cell(p.b)
          .cell(p.sigma)
          .cell(f.budget)
          .cell(f.m_star)
          .cell(f.excess_star)
          .cell(f.interior ? "1" : "0")
          .end_row();
  return csv.text();
}

std::string checks_csv(const PhaseMap& map) {
  CsvWriter csv({"a", "b", "sigma", "M", "N", "d", "risk_mc", "risk_se", "risk_exact", "z", "risk_det_equiv",
                 "det_equiv_minus_mc_rel", "risk_map_d_inf", "dominant_exact"},
                6);
  for (const McCheck& m : map.checks)
    csv.cell(m.a)
        .cell(m.b)
        .cell(m.sigma)
        .cell(m.M)
        .cell(m.N)
        .cell(m.d)
        .cell(m.risk_mc)
        .cell(m.risk_se)
        .cell(m.risk_exact)
        .cell(m.z)
        .cell(m.risk_det_equiv)
        .cell((m.risk_det_equiv - m.risk_mc) / m.risk_mc)
        .cell(m.risk_map)
        .cell(m.dominant_exact)
        .end_row();
  return csv.text();
}

// Which cells the theory calls asymptotic and whether their fits agree; which are pre-asymptotic and why.
std::string asymptotic_summary(const PhaseMap& map) {
  int called = 0, agree = 0;
  std::string pre, wrong;
  for (const PhasePoint& p : map.points) {
    if (!p.error.empty() || !p.frontier.ok) continue;
    const std::string cell = format_printf("a = %g, b = %g, sigma = %g", p.a, p.b, p.sigma);
    if (p.call.asymptotic) {
      ++called;
      agree += fit_within(p);
      if (!fit_within(p)) wrong += "- " + cell + "\n";
    } else {
      pre += "- " + cell + ": " + p.call.reason + format_printf(" (predicted error %.3f)", p.call.predicted_error) +
             (fit_within(p) ? "; its fit is within 0.03 all the same\n" : "\n");
    }
  }
  std::string md = format_printf(
      "\nThe theory module calls %d cells asymptotic at these budgets (frontier_asymptotic in "
      "include/sgdlaw/sweep/theory.hpp: the corrections to the balancing terms, with unit constants, move the "
      "exponents by at most 0.015 from the smallest budget the fit uses); %d of them have both fitted exponents "
      "within 0.03 of the theory.\n",
      called, agree);
  if (!wrong.empty()) md += "\nCalled asymptotic but not within 0.03:\n\n" + wrong;
  if (!pre.empty()) md += "\nPre-asymptotic at these budgets, and the term that has not yet separated:\n\n" + pre;
  return md;
}

std::string report(const PhaseSpec& spec, const PhaseMap& map) {
  std::string md = "# Regime map: " + spec.source + "\n\nsgdlaw " + version_string() +
                   ". Exact expected risk at d = infinity (Gaussian sketch by its deterministic equivalent), "
                   "compute-optimal frontier over the (M, N) grid with C = M N.\n\n"
                   "Theory (sgdlaw's theory module, include/sgdlaw/sweep/theory.hpp, with sources): Approx ~ "
                   "M^-min(a, b-1) (saturated above b = a + 1); Bias ~ N_eff^(-beta), beta = min(b - 1, 2a - 1) / a "
                   "(4+3's F_pp and, above b = 2a, K_pp); F_ac ~ M^-1 N_eff^-(1-1/a) for b > a + 1; Variance ~ "
                   "sigma^2 min(M, N_eff^(1/a)) / N_eff. Frontier phases (C = M N): sigma = 0: Ia (b < a + 1, approx "
                   "meets bias: M* ~ C^(1/(a+1)), R* ~ C^(-(b-1)/(a+1))), II (a + 1 < b < 2a, F_ac meets bias: "
                   "C^((b-a)/b), C^(-(b-1)/b)), III (b > 2a, F_ac meets K_pp: C^(1/2), C^(-(2a-1)/(2a))); sigma > 0: "
                   "Ia for b < a, else approx meets variance (M* ~ C^(1/(A+2)), R* ~ C^(-A/(A+2)), A = min(a, "
                   "b - 1)). The measured decomposition has three columns: F_ac and K_pp are in the exact bias.\n\n"
                   "The theory's balance is asymptotic: with a small sigma the variance overtakes the bias only at "
                   "very large budgets, and until then the measured exponents follow the approx-bias balance (the "
                   "'balancing' column says which term the approximation error meets at the largest budget).\n\n"
                   "| a | b | sigma | phase: balance (theory) | balancing (measured) | M* exponent fit / theory | R* "
                   "exponent fit / theory | dominant at the largest budget | approx / bias / variance there | "
                   "asymptotic? (theory's call) / fit within 0.03 |\n"
                   "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const PhasePoint& p : map.points) {
    if (!p.error.empty() || !p.frontier.ok) {
      md +=
          format_printf("| %g | %g | %g | %s: %s | - | - | - | - | %s | no fit |\n", p.a, p.b, p.sigma,
                        p.theory.phase.c_str(), p.theory.balance.c_str(),
                        p.error.empty() ? "frontier fit failed (fewer than 2 budgets with an interior optimum: widen M)"
                                        : p.error.c_str());
      continue;
    }
    md += format_printf("| %g | %g | %g | %s: %s | %s | %.3f / %.3f | %.3f / %.3f | %s | %.3g / %.3g / %.3g | %s |\n",
                        p.a, p.b, p.sigma, p.theory.phase.c_str(), p.theory.balance.c_str(), p.balancing.c_str(),
                        -p.frontier.m_star_fit.exponent, p.theory.m_star, -p.frontier.excess_star_fit.exponent,
                        p.theory.r_star, p.dominant.c_str(), p.approx, p.bias, p.variance,
                        (theory_call(p) + " / " + (fit_within(p) ? "yes" : "no")).c_str());
  }
  md += asymptotic_summary(map);
  if (!map.checks.empty()) {
    md +=
        "\n## Monte Carlo spot checks (finite d, sampled sketches)\n\nAt the frontier point of the largest budget "
        "a check can afford. The map is at d = infinity; at the check's finite d the unlearnable tail sum_{i > d} "
        "i^-b is missing, so the deterministic equivalent at that d is the like-for-like value.\n\n"
        "| a | b | M | N | d | risk (MC) | z vs exact of the sampled sketches | deterministic equivalent at d - MC, "
        "relative | map at d = inf | dominant term (sampled exact) |\n|---|---|---|---|---|---|---|---|---|---|\n";
    for (const McCheck& m : map.checks)
      md += format_printf("| %g | %g | %lld | %lld | %lld | %.5g +- %.2g | %.2f | %+.2f%% | %.5g | %s |\n", m.a, m.b,
                          static_cast<long long>(m.M), static_cast<long long>(m.N), static_cast<long long>(m.d),
                          m.risk_mc, m.risk_se, m.z, 100.0 * (m.risk_det_equiv - m.risk_mc) / m.risk_mc, m.risk_map,
                          m.dominant_exact.c_str());
  }
  md +=
      "\nFigure: [phases.png](phases.png) (the term the approximation error balances; measured minus theory "
      "exponent of R*, with the cells the theory calls asymptotic outlined; the lines are the theory's boundaries "
      "b = a, b = a + 1 and b = 2a). Tables: phases.csv, frontiers.csv, mc_checks.csv.\n";
  return md;
}

}  // namespace

void write_phase_map(const PhaseSpec& spec, const PhaseMap& map) {
  std::filesystem::create_directories(spec.out);
  write_file_atomically(spec.out + "/phases.csv", phases_csv(map));
  write_file_atomically(spec.out + "/frontiers.csv", frontiers_csv(map));
  write_file_atomically(spec.out + "/mc_checks.csv", checks_csv(map));
  write_file_atomically(spec.out + "/report.md", report(spec, map));
}

}  // namespace sgdlaw
