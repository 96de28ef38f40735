#pragma once
// Per-trial Monte Carlo results: risk and (optionally) its bias and variance parts at each checkpoint.
#include <cstdint>
#include <vector>

namespace sgdlaw {

struct TrialResults {
  std::int64_t trials = 0, checkpoints = 0;
  bool has_decomposition = false;
  std::vector<double> risk;      // [trial * checkpoints + c]: sigma^2 + Approx + excess
  std::vector<double> bias;      // excess risk of the noise-free run (if has_decomposition)
  std::vector<double> variance;  // excess risk of the noise-only run (if has_decomposition)
  std::vector<double> approx;    // [trial]: Approx(w*)

  TrialResults(std::int64_t n_trials, std::int64_t n_checkpoints, bool decomposition)
      : trials(n_trials),
        checkpoints(n_checkpoints),
        has_decomposition(decomposition),
        risk(static_cast<std::size_t>(n_trials * n_checkpoints)),
        bias(decomposition ? risk.size() : 0),
        variance(decomposition ? risk.size() : 0),
        approx(static_cast<std::size_t>(n_trials)) {}

  double* risk_row(std::int64_t t) { return risk.data() + t * checkpoints; }
  double* bias_row(std::int64_t t) { return has_decomposition ? bias.data() + t * checkpoints : nullptr; }
  double* variance_row(std::int64_t t) { return has_decomposition ? variance.data() + t * checkpoints : nullptr; }

  // Rows [0, part.trials) of `part` (same checkpoints) into rows [first, first + part.trials) of this.
  void copy_rows_from(const TrialResults& part, std::int64_t first);
  // The columns of `wanted` (each a member of `have`, both sorted) of every trial, as a new table.
  TrialResults select_checkpoints(const std::vector<std::int64_t>& have, const std::vector<std::int64_t>& wanted) const;
};

}  // namespace sgdlaw
