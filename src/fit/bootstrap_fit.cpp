#include "sgdlaw/fit/bootstrap_fit.hpp"

#include <algorithm>
#include <cmath>

namespace sgdlaw {

std::size_t TrialSeries::trials() const {
  std::size_t t = y.empty() ? 0 : y.front().size();
  for (const auto& yt : y) t = std::min(t, yt.size());
  return t;
}

std::vector<double> TrialSeries::means() const {
  std::vector<double> m;
  for (const auto& yt : y) {
    double sum = 0;
    for (double v : yt) sum += v;
    m.push_back(sum / static_cast<double>(yt.size()));
  }
  return m;
}

std::vector<double> TrialSeries::means(const std::vector<std::size_t>& idx) const {
  std::vector<double> m;
  for (const auto& yt : y) {
    double sum = 0;
    for (std::size_t i : idx) sum += yt[i];
    m.push_back(sum / static_cast<double>(idx.size()));
  }
  return m;
}

std::vector<double> TrialSeries::std_errors() const {
  std::vector<double> out;
  const auto m = means();
  for (std::size_t p = 0; p < y.size(); ++p) {
    double ss = 0;
    for (double v : y[p]) ss += (v - m[p]) * (v - m[p]);
    const double n = static_cast<double>(y[p].size());
    out.push_back(n > 1 ? std::sqrt(ss / (n - 1) / n) : 0.0);
  }
  return out;
}

std::vector<std::vector<std::size_t>> bootstrap_trial_indices(std::size_t trials, std::int64_t reps, std::uint32_t seed,
                                                              std::size_t per_sketch) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<std::size_t>> out(static_cast<std::size_t>(reps), std::vector<std::size_t>(trials));
  if (per_sketch == 0 || per_sketch >= trials || trials % per_sketch != 0) {
    std::uniform_int_distribution<std::size_t> pick(0, trials - 1);
    for (auto& r : out)
      for (auto& i : r) i = pick(rng);
    return out;
  }
  const std::size_t sketches = trials / per_sketch;
  std::uniform_int_distribution<std::size_t> pick_sketch(0, sketches - 1), pick_trial(0, per_sketch - 1);
  for (auto& r : out)
    for (std::size_t k = 0; k < sketches; ++k) {
      const std::size_t base = pick_sketch(rng) * per_sketch;
      for (std::size_t t = 0; t < per_sketch; ++t) r[k * per_sketch + t] = base + pick_trial(rng);
    }
  return out;
}

BootstrapFit bootstrap_fit(const TrialSeries& s, double lo, double hi, std::int64_t reps, double level,
                           std::uint32_t seed, std::size_t per_sketch) {
  BootstrapFit f;
  const auto m = s.means();
  f.ols = fit_loglog(s.x, m, lo, hi);
  f.sat = fit_saturating(s.x, m);
  std::vector<double> b_ols, b_sat;
  if (reps > 0 && s.trials() >= 2) {
    for (const auto& idx : bootstrap_trial_indices(s.trials(), reps, seed, per_sketch)) {
      const auto mb = s.means(idx);
      b_ols.push_back(-fit_loglog(s.x, mb, lo, hi).exponent);
      b_sat.push_back(-fit_saturating(s.x, mb).exponent);
    }
  }
  f.ols_ci = percentile_interval(b_ols, level);
  f.sat_ci = percentile_interval(b_sat, level);
  return f;
}

}  // namespace sgdlaw
