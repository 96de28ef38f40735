#include "sgdlaw/core/exact_recursion.hpp"

#include <algorithm>
#include <cmath>

namespace sgdlaw {
namespace {

double weighted_trace(const WeightedSpectrum& s, const Eigen::VectorXd& p) {
  double t = 0.0;
  for (Eigen::Index j = 0; j < p.size(); ++j) t += s.w[j] * s.mu[j] * p[j];
  return t;
}

// The end of the stretch of constant step size that contains step t (geometric: the phase; else the run).
std::int64_t stretch_end(const Schedule& schedule, std::int64_t t, std::int64_t limit) {
  if (schedule.kind != ScheduleKind::kGeometric) return limit;
  const std::int64_t end = (t / schedule.phase_length + 1) * schedule.phase_length;
  return std::min(end, limit);
}

}  // namespace

bool use_contour(ExactMethod method, const WeightedSpectrum& nodes, const Schedule& schedule, std::int64_t batch,
                 std::int64_t steps) {
  if (method == ExactMethod::kSteps || schedule.kind == ScheduleKind::kPower) return false;
  if (!contour_map_is_stable(nodes, schedule.gamma0, batch)) return false;
  return method == ExactMethod::kContour || steps >= kContourAutoSteps;
}

ExactCurve exact_expected_risk(const WeightedSpectrum& nodes, const Eigen::VectorXd& p0, double approx, double sigma2,
                               const Schedule& schedule, std::int64_t batch,
                               const std::vector<std::int64_t>& checkpoints, ExactMethod method) {
  ExactCurve out;
  out.approx = approx;
  out.sigma2 = sigma2;
  const std::int64_t last = checkpoints.empty() ? 0 : checkpoints.back();
  out.contour = use_contour(method, nodes, schedule, batch, last);
  SecondMoments p{p0, Eigen::VectorXd::Zero(p0.size())};
  const double noise = sigma2 + approx, inv_b = 1.0 / static_cast<double>(batch);
  std::int64_t t = 0;
  for (const std::int64_t ck : checkpoints) {
    if (out.contour) {
      for (std::int64_t end = t; t < ck; t = end) {  // one jump per stretch of constant step size
        end = stretch_end(schedule, t, ck);
        contour_advance(nodes, schedule, t, end - t, inv_b, noise, p);
      }
    } else {
      step_advance(nodes, schedule, t, ck - t, inv_b, noise, p);
      t = ck;
    }
    const double tb = weighted_trace(nodes, p.bias), tv = weighted_trace(nodes, p.variance);
    out.bias.push_back(tb);
    out.variance.push_back(tv);
    out.risk.push_back(sigma2 + approx + tb + tv);
    if (!std::isfinite(tb + tv)) out.finite = false;
  }
  return out;
}

ExactCurve exact_expected_risk(const Eigen::VectorXd& mu, const Eigen::VectorXd& p0, double approx, double sigma2,
                               const Schedule& schedule, std::int64_t batch,
                               const std::vector<std::int64_t>& checkpoints) {
  const WeightedSpectrum nodes{mu, Eigen::VectorXd::Ones(mu.size())};
  return exact_expected_risk(nodes, p0, approx, sigma2, schedule, batch, checkpoints, ExactMethod::kSteps);
}

}  // namespace sgdlaw
