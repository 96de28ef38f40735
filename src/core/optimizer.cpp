#include "sgdlaw/core/optimizer.hpp"

namespace sgdlaw {

const char* to_string(OptimizerKind k) {
  switch (k) {
    case OptimizerKind::kSgd:
      return "sgd";
    case OptimizerKind::kHeavyBall:
      return "heavy_ball";
    case OptimizerKind::kNesterov:
      return "nesterov";
    case OptimizerKind::kDanaConstant:
      return "dana_constant";
    case OptimizerKind::kDanaDecaying:
      return "dana_decaying";
  }
  return "?";
}

Optimizer make_optimizer(const Config& c) {
  Optimizer o;
  o.kind = c.optimizer;
  o.momentum = c.momentum;
  o.dana_delta = c.dana_delta > 0.0 ? c.dana_delta : 4.0 + c.b / c.a;  // the defaults of optimizer.hpp
  o.dana_g3 = c.dana_g3;
  o.dana_kappa = c.dana_kappa >= 0.0 ? c.dana_kappa : 1.0 / c.a;
  o.batch_over_m = static_cast<double>(c.batch) / static_cast<double>(c.M);
  return o;
}

}  // namespace sgdlaw
