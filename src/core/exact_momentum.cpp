#include "sgdlaw/core/exact_momentum.hpp"

#include <cmath>

#include "sgdlaw/core/exact_recursion.hpp"
#include "sgdlaw/core/stability.hpp"

namespace sgdlaw {
namespace {

PairMoments initial_moments(const Eigen::VectorXd& p0, bool m_starts_at_x) {
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(p0.size());
  return {p0, m_starts_at_x ? p0 : zero, m_starts_at_x ? p0 : zero};
}

double lookahead_trace(const WeightedSpectrum& s, const PairMoments& p, double l1, double l2) {
  double t = 0.0;
  for (Eigen::Index j = 0; j < s.mu.size(); ++j)
    t += s.w[j] * s.mu[j] * (l1 * l1 * p.xx[j] + 2.0 * l1 * l2 * p.xm[j] + l2 * l2 * p.mm[j]);
  return t;
}

// One step of the header's recursion for one run; returns the new trace T of the lookahead point.
double step_run(const WeightedSpectrum& s, const LinearStep& L, double inv_b, double trace_plus_noise, PairMoments& p) {
  const double l1 = 1.0 + L.lookahead, l2 = -L.lookahead;
  const double *mu = s.mu.data(), *w = s.w.data();
  double *pxx = p.xx.data(), *pxm = p.xm.data(), *pmm = p.mm.data();
  const Eigen::Index m = s.mu.size();
  double next = 0.0;
#pragma omp simd reduction(+ : next)
  for (Eigen::Index j = 0; j < m; ++j) {
    const double fxx = L.ax - L.kx * mu[j] * l1, fxm = L.am - L.kx * mu[j] * l2;
    const double fmx = L.bx + L.km * mu[j] * l1, fmm = L.bm + L.km * mu[j] * l2;
    const double xx = pxx[j], xm = pxm[j], mm = pmm[j];
    const double ppp = l1 * l1 * xx + 2.0 * l1 * l2 * xm + l2 * l2 * mm;
    const double v = inv_b * mu[j] * (mu[j] * ppp + trace_plus_noise);
    const double nxx = fxx * fxx * xx + 2.0 * fxx * fxm * xm + fxm * fxm * mm + L.kx * L.kx * v;
    const double nxm = fxx * fmx * xx + (fxx * fmm + fxm * fmx) * xm + fxm * fmm * mm - L.kx * L.km * v;
    const double nmm = fmx * fmx * xx + 2.0 * fmx * fmm * xm + fmm * fmm * mm + L.km * L.km * v;
    pxx[j] = nxx;
    pxm[j] = nxm;
    pmm[j] = nmm;
    next += w[j] * mu[j] * (l1 * l1 * nxx + 2.0 * l1 * l2 * nxm + l2 * l2 * nmm);
  }
  return next;
}

// Steps t .. end - 1 one by one, updating the traces.
void step_range(const WeightedSpectrum& nodes, const Schedule& schedule, const Optimizer& o, std::int64_t& t,
                std::int64_t end, double inv_b, double noise, PairMoments& bias, PairMoments& var, double& tb,
                double& tv) {
  for (; t < end; ++t) {
    const LinearStep L = o.linear(t, schedule.at(t));
    tb = step_run(nodes, L, inv_b, tb, bias);
    tv = step_run(nodes, L, inv_b, tv + noise, var);
    if ((t & 4095) == 4095 && !std::isfinite(tb + tv)) t = end - 1;  // diverged: the rest is inf or nan anyway
  }
}

bool jumps_apply(ExactMethod method, const WeightedSpectrum& nodes, const Schedule& schedule, const Optimizer& o,
                 std::int64_t batch, std::int64_t steps) {
  if (o.time_varying() || method == ExactMethod::kSteps) return false;
  if (!(nodes.w.array() >= 0.0).all() || !step_size_is_stable(o, schedule.peak(), nodes.mu, batch, &nodes.w))
    return false;
  return method == ExactMethod::kContour || steps >= kContourAutoSteps;
}

}  // namespace

ExactCurve exact_expected_risk_optimizer(const WeightedSpectrum& nodes, const Eigen::VectorXd& p0, double approx,
                                         double sigma2, const Schedule& schedule, const Optimizer& optimizer,
                                         std::int64_t batch, const std::vector<std::int64_t>& checkpoints,
                                         ExactMethod method) {
  ExactCurve out;
  out.approx = approx;
  out.sigma2 = sigma2;
  PairMoments bias = initial_moments(p0, !optimizer.is_dana());
  PairMoments var = initial_moments(Eigen::VectorXd::Zero(p0.size()), false);
  const double noise = sigma2 + approx, inv_b = 1.0 / static_cast<double>(batch);
  const double look = optimizer.linear(0, 1.0).lookahead;  // the same at every step
  const auto traces = [&](double& tb, double& tv) {
    tb = lookahead_trace(nodes, bias, 1.0 + look, -look);
    tv = lookahead_trace(nodes, var, 1.0 + look, -look);
  };
  double tb = 0.0, tv = 0.0;
  traces(tb, tv);
  const bool jumps =
      jumps_apply(method, nodes, schedule, optimizer, batch, checkpoints.empty() ? 0 : checkpoints.back());
  const std::int64_t min_jump = momentum_contour_min_steps(optimizer.momentum);
  std::int64_t t = 0;
  for (const std::int64_t ck : checkpoints) {
    while (t < ck) {
      const std::int64_t end = jumps ? schedule.stretch_end(t, ck) : ck;
      if (jumps && end - t >= min_jump) {
        momentum_contour_advance(nodes, optimizer, schedule.at(t), end - t, inv_b, noise, bias, var);
        ++out.jumps;
        out.jumped_steps += end - t;
        t = end;
        traces(tb, tv);
      } else {
        out.stepped_steps += end - t;
        step_range(nodes, schedule, optimizer, t, end, inv_b, noise, bias, var, tb, tv);
      }
    }
    out.record(nodes, bias.xx, var.xx);
  }
  out.contour = out.jumps > 0;
  return out;
}

}  // namespace sgdlaw
