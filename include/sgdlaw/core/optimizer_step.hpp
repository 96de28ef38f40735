#pragma once
// The Monte Carlo arithmetic of one optimizer step per coordinate (optimizer.hpp defines the updates), written
// once for the CPU fast path (backends/reduced_trial_momentum.cpp) and, later, the kernel bodies. A step is:
//   1. the residuals r_b = <p, zeta_b> - xi_b at the evaluation point p = point(x, m),
//   2. an accumulator a = start(x, p) - sum_b (s r_b) zeta_b, each term by sgd::update (s = step()),
//   3. (x', m') = finish(x, m, a).
// heavy_ball and nesterov use s = gamma_t / B and start from x (resp. p), so with beta = 0 the accumulator is
// SGD's updated error, rounded the same way, and finish adds beta (x - m) = 0 exactly: bit for bit SGD. DANA
// uses s = 1 / B and starts from 0, so a = -g (the mini-batch gradient), and
//   m' = (1 - Delta) m - a,   x' = x + gamma2 a - gamma3 m'.
#include <cmath>
#include <cstdint>

#include "sgdlaw/core/host_device.hpp"
#include "sgdlaw/core/optimizer.hpp"

namespace sgdlaw::opt {

// The per-step scalars of a step at t with step size gamma (B = batch).
struct StepScalars {
  double step = 0.0;  // the gain factor s: gain_b = s r_b
  double beta = 0.0;  // heavy_ball, nesterov
  double keep = 0.0;  // dana: 1 - Delta(t)
  double g2 = 0.0;    // dana: gamma2 = gamma_t
  double g3 = 0.0;    // dana: gamma3(t)
};

// step = gamma / B as SGD divides it (not gamma * (1 / B)), so that beta = 0 rounds like SGD.
SGDLAW_HD inline StepScalars scalars(const Optimizer& o, std::int64_t t, double gamma, double batch) {
  StepScalars s;
  if (o.is_dana()) {
    s.step = 1.0 / batch;
    s.keep = o.dana_keep(t);
    s.g2 = gamma;
    s.g3 = o.dana_gamma3(t, gamma);
  } else {
    s.step = gamma / batch;
    s.beta = o.momentum;
  }
  return s;
}

// Where the gradient is evaluated: x + beta (x - m) for nesterov, x otherwise.
SGDLAW_HD inline double point(OptimizerKind k, StepScalars s, double x, double m) {
  return k == OptimizerKind::kNesterov ? ::fma(s.beta, x - m, x) : x;
}

SGDLAW_HD inline double start(OptimizerKind k, double x, double p) {
  return k == OptimizerKind::kNesterov ? p : (k == OptimizerKind::kHeavyBall ? x : 0.0);
}

// (x, m) <- the step's result from the accumulator a.
SGDLAW_HD inline void finish(OptimizerKind k, StepScalars s, double* x, double* m, double a) {
  if (k == OptimizerKind::kHeavyBall || k == OptimizerKind::kNesterov) {
    const double xn = k == OptimizerKind::kHeavyBall ? ::fma(s.beta, *x - *m, a) : a;
    *m = *x;
    *x = xn;
  } else {  // dana
    const double mn = ::fma(s.keep, *m, -a);
    *x = ::fma(-s.g3, mn, ::fma(s.g2, a, *x));
    *m = mn;
  }
}

// The initial second state: m_0 = x_0 (v_{-1} = v_0) for the momentum methods, y_{-1} = 0 for DANA.
SGDLAW_HD inline double initial_m(OptimizerKind k, double x0) {
  return k == OptimizerKind::kHeavyBall || k == OptimizerKind::kNesterov ? x0 : 0.0;
}

}  // namespace sgdlaw::opt
