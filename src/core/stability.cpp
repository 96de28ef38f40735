#include "sgdlaw/core/stability.hpp"

namespace sgdlaw {

bool step_size_is_stable(double gamma, const Eigen::VectorXd& mu, std::int64_t batch, const Eigen::VectorXd* weight) {
  const double B = static_cast<double>(batch);
  const double c = (B + 1.0) / B;
  double sum = 0.0;
  for (Eigen::Index j = 0; j < mu.size(); ++j) {
    const double denom = 2.0 - gamma * mu[j] * c;
    if (!(denom > 0.0)) return false;
    sum += (weight ? (*weight)[j] : 1.0) * mu[j] / denom;
  }
  return gamma / B * sum < 1.0;
}

double max_stable_step_size(const Eigen::VectorXd& mu, std::int64_t batch, const Eigen::VectorXd* weight) {
  double lo = 0.0, hi = 2.0 * static_cast<double>(batch) / ((static_cast<double>(batch) + 1.0) * mu.maxCoeff());
  for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (step_size_is_stable(mid, mu, batch, weight) ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace sgdlaw
