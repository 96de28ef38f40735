#include "sgdlaw/core/trial_results.hpp"

#include <algorithm>
#include <stdexcept>

namespace sgdlaw {

void TrialResults::copy_rows_from(const TrialResults& part, std::int64_t first) {
  if (part.checkpoints != checkpoints || part.has_decomposition != has_decomposition || first < 0 ||
      first + part.trials > trials)
    throw std::logic_error("TrialResults::copy_rows_from: shapes differ");
  std::copy(part.risk.begin(), part.risk.end(), risk.begin() + first * checkpoints);
  if (has_decomposition) {
    std::copy(part.bias.begin(), part.bias.end(), bias.begin() + first * checkpoints);
    std::copy(part.variance.begin(), part.variance.end(), variance.begin() + first * checkpoints);
  }
  std::copy(part.approx.begin(), part.approx.end(), approx.begin() + first);
}

TrialResults TrialResults::select_checkpoints(const std::vector<std::int64_t>& have,
                                              const std::vector<std::int64_t>& wanted) const {
  const auto n_ck = static_cast<std::int64_t>(wanted.size());
  TrialResults out(trials, n_ck, has_decomposition);
  out.approx = approx;
  for (std::int64_t c = 0; c < n_ck; ++c) {
    const auto it = std::lower_bound(have.begin(), have.end(), wanted[c]);
    if (it == have.end() || *it != wanted[c]) throw std::logic_error("select_checkpoints: checkpoint not computed");
    const auto src = it - have.begin();
    for (std::int64_t g = 0; g < trials; ++g) {
      out.risk[g * n_ck + c] = risk[g * checkpoints + src];
      if (has_decomposition) {
        out.bias[g * n_ck + c] = bias[g * checkpoints + src];
        out.variance[g * n_ck + c] = variance[g * checkpoints + src];
      }
    }
  }
  return out;
}

}  // namespace sgdlaw
