#include "sgdlaw/core/exact_recursion.hpp"

#include <cmath>

#include "sgdlaw/core/exact_recursion_step.hpp"

namespace sgdlaw {

ExactCurve exact_expected_risk(const Eigen::VectorXd& mu, const Eigen::VectorXd& p0, double approx, double sigma2,
                               const Schedule& schedule, std::int64_t batch,
                               const std::vector<std::int64_t>& checkpoints) {
  const Eigen::Index m = mu.size();
  ExactCurve out;
  out.approx = approx;
  out.sigma2 = sigma2;
  std::vector<double> pb(p0.data(), p0.data() + m), pv(static_cast<std::size_t>(m), 0.0);
  const double noise = sigma2 + approx;
  const double inv_b = 1.0 / static_cast<double>(batch);
  double tb = mu.dot(p0), tv = 0.0;
  std::int64_t t = 0;
  for (const std::int64_t ck : checkpoints) {
    for (; t < ck; ++t) {
      const double gamma = schedule.at(t);
      const double tv_noise = tv + noise;
      double nb = 0.0, nv = 0.0;
      double* pbj = pb.data();
      double* pvj = pv.data();
      const double* muj = mu.data();
#pragma omp simd reduction(+ : nb, nv)
      for (Eigen::Index j = 0; j < m; ++j) {
        exact_coordinate_step(gamma, inv_b, muj[j], tb, tv_noise, &pbj[j], &pvj[j]);
        nb += muj[j] * pbj[j];
        nv += muj[j] * pvj[j];
      }
      tb = nb;
      tv = nv;
    }
    out.bias.push_back(tb);
    out.variance.push_back(tv);
    out.risk.push_back(sigma2 + approx + tb + tv);
    if (!std::isfinite(tb + tv)) out.finite = false;
  }
  return out;
}

}  // namespace sgdlaw
