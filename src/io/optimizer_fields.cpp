// The optimizer's keys (optimizer, momentum, dana_delta, dana_g3, dana_kappa) and the checks between them, in the
// config field table (config_fields.hpp). As with the schedule's keys, a key that does not apply to the chosen
// optimizer is refused when given, and keys that do not apply are left out of config.json, so every run made
// before these keys existed (plain SGD) keeps its identity.
#include <cmath>
#include <string>

#include "config_fields.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/optimizer.hpp"

namespace sgdlaw {
namespace {

bool is_momentum(OptimizerKind k) { return k == OptimizerKind::kHeavyBall || k == OptimizerKind::kNesterov; }
bool is_dana(OptimizerKind k) { return k == OptimizerKind::kDanaConstant || k == OptimizerKind::kDanaDecaying; }

void refuse_unless(const FieldReader& r, bool applies, const char* key, const char* which, OptimizerKind k) {
  if (!applies && r.get(key))
    throw ConfigError("field '" + std::string(key) + "' applies only to optimizer = " + which + ", not " +
                      to_string(k));
}

FieldDef real_key(const char* name, const char* help, double Config::*member, bool (*applies)(OptimizerKind)) {
  return {{name, "sgd", help, "number"},
          [=](const FieldReader& r, Config& c) { r.real(name, &(c.*member)); },  // ranges: the relations below
          [=](const Config& c) { return applies(c.optimizer) ? nlohmann::json(c.*member) : nlohmann::json(nullptr); }};
}

}  // namespace

void add_optimizer_fields(std::vector<FieldDef>& d) {
  d.push_back({{"optimizer", "sgd",
                "sgd, heavy_ball, nesterov (momentum beta), dana_constant or dana_decaying (Paquette et al. 2025; "
                "core/optimizer.hpp)",
                "choice"},
               [](const FieldReader& r, Config& c) {
                 r.choice("optimizer",
                          {{"sgd", OptimizerKind::kSgd},
                           {"heavy_ball", OptimizerKind::kHeavyBall},
                           {"nesterov", OptimizerKind::kNesterov},
                           {"dana_constant", OptimizerKind::kDanaConstant},
                           {"dana_decaying", OptimizerKind::kDanaDecaying}},
                          &c.optimizer);
               },
               [](const Config& c) {
                 return c.optimizer == OptimizerKind::kSgd ? nlohmann::json(nullptr)
                                                           : nlohmann::json(to_string(c.optimizer));
               }});
  d.push_back(
      real_key("momentum", "heavy_ball, nesterov: momentum beta, 0 <= beta < 1", &Config::momentum, is_momentum));
  d.push_back(real_key("dana_delta", "dana: Delta(t) = delta / (delta + t), delta > 0 (default 4 + b / a)",
                       &Config::dana_delta, is_dana));
  d.push_back(real_key("dana_g3", "dana: gamma3 = g3 gamma_t B / M (constant) or g3 gamma_t (1 + t)^-kappa, g3 >= 0",
                       &Config::dana_g3, is_dana));
  d.push_back(real_key("dana_kappa", "dana_decaying: gamma3's decay exponent kappa >= 0 (default 1 / a)",
                       &Config::dana_kappa, [](OptimizerKind k) { return k == OptimizerKind::kDanaDecaying; }));
}

void check_optimizer_relations(const FieldReader& r, Config& c) {
  const OptimizerKind k = c.optimizer;
  refuse_unless(r, is_momentum(k), "momentum", "heavy_ball and nesterov", k);
  refuse_unless(r, is_dana(k), "dana_delta", "dana_constant and dana_decaying", k);
  refuse_unless(r, is_dana(k), "dana_g3", "dana_constant and dana_decaying", k);
  refuse_unless(r, k == OptimizerKind::kDanaDecaying, "dana_kappa", "dana_decaying", k);
  const auto num = [](double x) { return format_shortest(x); };
  if (!(c.momentum >= 0.0 && c.momentum < 1.0))
    range_error("momentum", "0 <= momentum < 1 (beta >= 1 never forgets the start)", num(c.momentum));
  if (!r.get("dana_delta")) c.dana_delta = 4.0 + c.b / c.a;
  if (!r.get("dana_kappa")) c.dana_kappa = 1.0 / c.a;
  if (!(c.dana_delta > 0.0 && std::isfinite(c.dana_delta)))
    range_error("dana_delta", "dana_delta > 0", num(c.dana_delta));
  if (!(c.dana_g3 >= 0.0 && std::isfinite(c.dana_g3))) range_error("dana_g3", "dana_g3 >= 0", num(c.dana_g3));
  if (!(c.dana_kappa >= 0.0 && std::isfinite(c.dana_kappa)))
    range_error("dana_kappa", "dana_kappa >= 0", num(c.dana_kappa));
  if (k == OptimizerKind::kDanaConstant && c.d_infinite && c.sketch == SketchKind::kIdentity)
    throw ConfigError(
        "field 'optimizer' = dana_constant needs a finite model size: its gamma3 = g3 gamma B / M, and the identity "
        "sketch at d = inf has M = inf; use a Gaussian sketch of size M, a finite d, or dana_decaying");
}

}  // namespace sgdlaw
