#include "sgdlaw/core/exact_recursion.hpp"

#include <algorithm>
#include <cmath>

#include "sgdlaw/core/exact_momentum.hpp"

namespace sgdlaw {
namespace {

// Advances p from step t to ck: one contour jump per constant stretch of at least kContourMinSteps steps, and
// each run of shorter stretches (warmup, decay, power) in one step_advance call.
void advance_by_stretches(const WeightedSpectrum& nodes, const Schedule& schedule, std::int64_t& t, std::int64_t ck,
                          double inv_b, double noise, SecondMoments& p, ExactCurve& out) {
  while (t < ck) {
    std::int64_t end = schedule.stretch_end(t, ck);
    if (end - t >= kContourMinSteps) {
      contour_advance(nodes, schedule, t, end - t, inv_b, noise, p);
      ++out.jumps;
      out.jumped_steps += end - t;
    } else {
      while (end < ck) {
        const std::int64_t next = schedule.stretch_end(end, ck);
        if (next - end >= kContourMinSteps) break;
        end = next;
      }
      step_advance(nodes, schedule, t, end - t, inv_b, noise, p);
      out.stepped_steps += end - t;
    }
    t = end;
  }
}

}  // namespace

void ExactCurve::record(const WeightedSpectrum& nodes, const Eigen::VectorXd& bias_p,
                        const Eigen::VectorXd& variance_p) {
  const double tb = weighted_trace(nodes, bias_p), tv = weighted_trace(nodes, variance_p);
  bias.push_back(tb);
  variance.push_back(tv);
  grad_norm2.push_back(weighted_grad_norm2(nodes, bias_p) + weighted_grad_norm2(nodes, variance_p));
  risk.push_back(sigma2 + approx + tb + tv);
  if (!std::isfinite(tb + tv)) finite = false;
}

bool use_contour(ExactMethod method, const WeightedSpectrum& nodes, const Schedule& schedule, std::int64_t batch,
                 std::int64_t steps) {
  if (method == ExactMethod::kSteps) return false;
  if (!contour_map_is_stable(nodes, schedule.peak(), batch)) return false;  // then every smaller step is too
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
      advance_by_stretches(nodes, schedule, t, ck, inv_b, noise, p, out);
    } else {
      step_advance(nodes, schedule, t, ck - t, inv_b, noise, p);
      out.stepped_steps += ck - t;
      t = ck;
    }
    out.record(nodes, p.bias, p.variance);
  }
  out.contour = out.jumps > 0;  // a schedule without long constant stretches was stepped throughout
  return out;
}

ExactCurve exact_expected_risk(const WeightedSpectrum& nodes, const Eigen::VectorXd& p0, double approx, double sigma2,
                               const Schedule& schedule, const Optimizer& optimizer, std::int64_t batch,
                               const std::vector<std::int64_t>& checkpoints, ExactMethod method) {
  if (optimizer.is_sgd()) return exact_expected_risk(nodes, p0, approx, sigma2, schedule, batch, checkpoints, method);
  return exact_expected_risk_optimizer(nodes, p0, approx, sigma2, schedule, optimizer, batch, checkpoints, method);
}

ExactCurve exact_expected_risk(const Eigen::VectorXd& mu, const Eigen::VectorXd& p0, double approx, double sigma2,
                               const Schedule& schedule, std::int64_t batch,
                               const std::vector<std::int64_t>& checkpoints) {
  const WeightedSpectrum nodes{mu, Eigen::VectorXd::Ones(mu.size())};
  return exact_expected_risk(nodes, p0, approx, sigma2, schedule, batch, checkpoints, ExactMethod::kSteps);
}

}  // namespace sgdlaw
