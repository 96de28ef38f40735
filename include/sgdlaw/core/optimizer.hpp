#pragma once
// The optimizer: what one step does with the stochastic gradient, decided here once for the Monte Carlo paths
// (optimizer_step.hpp), the exact second-moment recursion (exact_momentum.hpp) and the stability check
// (stability.hpp). Every optimizer carries, per coordinate of Sigma's eigenbasis, the error x = u - u* and one
// more number m, and evaluates the gradient g = (1/B) sum_b (<p, zeta_b> - xi_b) zeta_b at a point p:
//
//   sgd         p = x;                    x' = x - gamma_t g                         (m unused)
//   heavy_ball  p = x;                    x' = x - gamma_t g + beta (x - m),  m' = x   (m: the previous x)
//   nesterov    p = x + beta (x - m);     x' = p - gamma_t g,                 m' = x
//   dana_*      p = x;                    m' = (1 - Delta_t) m + g,   x' = x - gamma2_t g - gamma3_t m'
//
// with v_0 = v_{-1} = 0 (so m_0 = x_0) for the momentum methods, and y_{-1} = 0 (m_0 = 0) for DANA.
//
// DANA ("dimension-adapted Nesterov acceleration", C. Paquette, Ferbach, E. Paquette, Gidel, Everett,
// arXiv 2505.16098) is their general momentum update Gen-Mom-SGD,
//   y_t = (1 - Delta(t)) y_{t-1} + gamma1 g_t(theta_t),   theta_{t+1} = theta_t - gamma2(t) g_t - gamma3(t) y_t,
// with gamma1 = 1, gamma2(t) = gamma_t (the schedule: it scales the whole update), and the dimension-adapted
// choices of the paper and its authors' public code (their alpha, beta are a / 2 and (b - a) / 2 here; the model
// size d is M):
//   Delta(t)  = delta / (delta + t),  delta = 4 + b / a            (dana_delta; their 4 + (alpha + beta) / alpha)
//   dana_constant: gamma3(t) = g3 gamma_t B / M                    (g3 = dana_g3, default 0.2: their
//                  gamma3 = 0.1 B / d min(1, B / tr K) beside gamma2 = 0.5 min(1, B / tr K))
//   dana_decaying: gamma3(t) = g3 gamma_t (1 + t)^-kappa,           kappa = 1 / a  (dana_kappa; their 1 / (2 alpha))
// The equation numbers of the paper could not be checked here (its text was not available, only its abstract,
// its Gen-Mom-SGD display and the authors' code); the update above is the one those three agree on.
//
// Every optimizer is linear in (x, m, g) per coordinate:
//   x' = ax x + am m - kx g,   m' = bx x + bm m + km g,   g = mu p + n,   p = (1 + lookahead) x - lookahead m,
// which is all the exact recursion needs (LinearStep). The Monte Carlo paths use the per-kind forms above
// (optimizer_step.hpp), so that heavy_ball and nesterov at beta = 0 round exactly like SGD.
#include <cmath>
#include <cstdint>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/core/host_device.hpp"

namespace sgdlaw {

// One step's coefficients in the linear form of the header.
struct LinearStep {
  double ax = 1.0, am = 0.0, kx = 0.0;  // x' = ax x + am m - kx g
  double bx = 0.0, bm = 0.0, km = 0.0;  // m' = bx x + bm m + km g
  double lookahead = 0.0;               // p = (1 + lookahead) x - lookahead m
};

struct Optimizer {
  OptimizerKind kind = OptimizerKind::kSgd;
  double momentum = 0.0;      // heavy_ball, nesterov: beta in [0, 1)
  double dana_delta = 0.0;    // dana: Delta(t) = delta / (delta + t)
  double dana_g3 = 0.0;       // dana: gamma3's factor
  double dana_kappa = 0.0;    // dana_decaying: gamma3 ~ (1 + t)^-kappa
  double batch_over_m = 0.0;  // dana_constant: B / M

  SGDLAW_HD bool is_sgd() const { return kind == OptimizerKind::kSgd; }
  SGDLAW_HD bool is_dana() const {
    return kind == OptimizerKind::kDanaConstant || kind == OptimizerKind::kDanaDecaying;
  }
  // Whether the step's coefficients depend on t beyond gamma_t (DANA's Delta(t) and gamma3(t)): then no stretch of
  // the run is time-invariant, and the exact recursion steps throughout.
  SGDLAW_HD bool time_varying() const { return is_dana(); }
  // Doubles of state per coordinate and per coupled run: x, and m for all but SGD.
  SGDLAW_HD int state_per_coordinate() const { return is_sgd() ? 1 : 2; }

  SGDLAW_HD double dana_keep(std::int64_t t) const {  // 1 - Delta(t)
    return static_cast<double>(t) / (dana_delta + static_cast<double>(t));
  }
  SGDLAW_HD double dana_gamma3(std::int64_t t, double gamma) const {
    if (kind == OptimizerKind::kDanaConstant) return dana_g3 * gamma * batch_over_m;
    return dana_g3 * gamma * ::pow(1.0 + static_cast<double>(t), -dana_kappa);
  }

  // How much farther than SGD's gamma t the iterate's reach extends after `steps` steps (the tail of an infinite
  // spectrum must cover it): 1 / (1 - beta) for the momentum methods, whose effective step is gamma / (1 - beta);
  // for DANA the effective step gamma2 + gamma3 / Delta grows to about gamma (1 + gamma3 (steps + delta) / delta).
  double reach_factor(std::int64_t steps) const {
    if (kind == OptimizerKind::kHeavyBall || kind == OptimizerKind::kNesterov) return 1.0 / (1.0 - momentum);
    if (!is_dana()) return 1.0;
    return 1.0 + dana_gamma3(steps, 1.0) * (static_cast<double>(steps) + dana_delta) / dana_delta;
  }

  SGDLAW_HD LinearStep linear(std::int64_t t, double gamma) const {
    LinearStep s;
    switch (kind) {
      case OptimizerKind::kSgd:
        s.kx = gamma;
        break;
      case OptimizerKind::kHeavyBall:
      case OptimizerKind::kNesterov:
        s.ax = 1.0 + momentum;
        s.am = -momentum;
        s.kx = gamma;
        s.bx = 1.0;
        s.lookahead = kind == OptimizerKind::kNesterov ? momentum : 0.0;
        break;
      default: {  // dana: x' = x - g3 keep m - (g2 + g3) g, m' = keep m + g
        const double keep = dana_keep(t), g3 = dana_gamma3(t, gamma);
        s.am = -g3 * keep;
        s.kx = gamma + g3;
        s.bm = keep;
        s.km = 1.0;
      }
    }
    return s;
  }
};

Optimizer make_optimizer(const Config& c);

}  // namespace sgdlaw
