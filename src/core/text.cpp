#include "sgdlaw/core/text.hpp"

#include <algorithm>

namespace sgdlaw {

std::string cut(const std::string& value) {
  if (value.size() <= kEchoedChars) return value;
  return value.substr(0, kEchoedChars) + "... (" + std::to_string(value.size()) + " characters)";
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Optimal string alignment: Levenshtein plus the swap of two neighbouring characters.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t sub = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + sub});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& known, const std::string& prefix) {
  if (name.size() > 64) return "";  // a pasted value, not a mistyped name
  const std::string* best = nullptr;
  std::size_t best_d = 3;
  for (const std::string& k : known) {
    const std::size_t dist = edit_distance(name, k);
    if (dist < best_d && dist < name.size() && dist > 0) {
      best = &k;
      best_d = dist;
    }
  }
  return best ? " (did you mean '" + prefix + *best + "'?)" : "";
}

}  // namespace sgdlaw
