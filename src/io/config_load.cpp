#include "sgdlaw/io/config_load.hpp"

#include <toml++/toml.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "sgdlaw/core/format.hpp"
#include "sgdlaw/io/toml_values.hpp"

namespace sgdlaw {

const char* to_string(SketchKind k) { return k == SketchKind::kGaussian ? "gaussian" : "identity"; }
const char* to_string(PriorMode p) { return p == PriorMode::kPerTrial ? "prior" : "fixed"; }
const char* to_string(ScheduleKind s) {
  switch (s) {
    case ScheduleKind::kGeometric:
      return "geometric";
    case ScheduleKind::kConstant:
      return "constant";
    case ScheduleKind::kPower:
      return "power";
  }
  return "?";
}
const char* to_string(CovariateKind c) { return c == CovariateKind::kGaussian ? "gaussian" : "rademacher"; }
const char* to_string(TrialsOutput t) {
  return t == TrialsOutput::kNone ? "none" : t == TrialsOutput::kFinal ? "final" : "all";
}

std::string canonical_key(const std::string& key) { return key == "B" ? "batch" : key; }

const std::vector<FieldSpec>& config_fields() {
  static const std::vector<FieldSpec> fields = {
      {"a", "problem", "spectrum exponent: lambda_i = i^-a, a > 1"},
      {"b", "problem", "prior exponent: lambda_i E[w*_i^2] = i^-b, b > 1 (default: a, i.e. w* ~ N(0, I))"},
      {"d", "problem", "ambient dimension, >= 1 (stands in for infinity; keep d >> M and d >> N_eff^(1/a))"},
      {"sigma", "problem", "label noise standard deviation, >= 0"},
      {"sketch", "problem", "gaussian (entries N(0, 1/M)) or identity (M = d, no sketch)"},
      {"M", "problem", "sketch size, 1 <= M <= d (ignored for the identity sketch)"},
      {"wstar", "problem", "prior (w* redrawn per trial) or fixed (one w* for the whole run)"},
      {"covariates", "problem", "gaussian, or rademacher (x_i = sqrt(lambda_i) * +-1; reference backend only)"},
      {"N", "sgd", "number of samples (one pass), N >= batch, a multiple of batch"},
      {"batch", "sgd", "mini-batch size B >= 1"},
      {"gamma", "sgd", "initial step size, > 0 and below the stability limit"},
      {"schedule", "sgd", "geometric (Lin et al.), constant, or power"},
      {"phase_length", "sgd", "geometric: steps per constant phase; 0 = steps / log2(steps)"},
      {"power_p", "sgd", "power schedule exponent p >= 0: gamma_t = gamma (1 + t / t0)^-p"},
      {"power_t0", "sgd", "power schedule time scale t0 > 0"},
      {"trials", "run", "trials per sketch, >= 1"},
      {"sketches", "run", "independent sketches K, >= 1"},
      {"seed", "run", "random seed, 0 <= seed < 2^32"},
      {"backend", "run", "cpu, cuda, reference or auto"},
      {"threads", "run", "CPU threads, 0 = all"},
      {"checkpoint_ratio", "run", "ratio between successive checkpoints, > 1"},
      {"checkpoint_min", "run", "first checkpoint (samples), >= 1"},
      {"decomposition", "run", "true: coupled bias/variance runs (about 2x the SGD arithmetic)"},
      {"write_trials", "run", "trials.csv: false/none, true/all (every checkpoint), or final (last checkpoint only)"},
      {"out", "run", "output folder"},
      {"progress", "run", "true: progress bar and ETA on stderr"},
  };
  return fields;
}

namespace {

const FieldSpec* find_field(const std::string& name) {
  for (const auto& f : config_fields())
    if (name == f.name) return &f;
  return nullptr;
}

std::string known_keys_of(const std::string& section) {
  std::string out;
  for (const auto& f : config_fields())
    if (section == f.section) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

void add_toml_value(RawSettings& out, const std::string& section, const std::string& written, const toml::node& node,
                    const std::string& source) {
  const std::string key = canonical_key(written);
  const FieldSpec* spec = find_field(key);
  if (!spec || section != spec->section) {
    throw ConfigError(source + ": unknown key '" + key + "' in [" + section +
                      "]; allowed keys there: " + known_keys_of(section));
  }
  out[key] = raw_value_from_toml(node, key, source);
}

}  // namespace

RawValue raw_value_from_toml(const toml::node& node, const std::string& key, const std::string& source) {
  RawValue v;
  if (auto s = node.as_string()) {
    v.text = s->get();
    v.origin = RawValue::Origin::kTomlString;
  } else if (auto i = node.as_integer()) {
    v.text = std::to_string(i->get());
    v.origin = RawValue::Origin::kTomlNumber;
  } else if (auto f = node.as_floating_point()) {
    v.text = format_shortest(f->get());
    v.origin = RawValue::Origin::kTomlNumber;
  } else if (auto bl = node.as_boolean()) {
    v.text = bl->get() ? "true" : "false";
    v.origin = RawValue::Origin::kTomlBool;
  } else {
    throw ConfigError(source + ": field '" + key + "' must be a number, string or boolean, not an array or table");
  }
  return v;
}

toml::table parse_toml_or_throw(const std::string& text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ": malformed TOML at line " << e.source().begin.line << ", column " << e.source().begin.column
        << ": " << e.description();
    throw ConfigError(msg.str());
  }
}

RawSettings parse_toml_settings(const std::string& text, const std::string& source_name) {
  const toml::table root = parse_toml_or_throw(text, source_name);
  RawSettings out;
  for (auto&& [k, node] : root) {
    const std::string key(k.str());
    if (key == "problem" || key == "sgd" || key == "run") {
      const toml::table* t = node.as_table();
      if (!t) throw ConfigError(source_name + ": [" + key + "] must be a table");
      for (auto&& [k2, node2] : *t) add_toml_value(out, key, std::string(k2.str()), node2, source_name);
    } else if (key == "sweep" || key == "fit" || key == "meta") {
      continue;  // read by the sweep driver; a plain run ignores them
    } else {
      throw ConfigError(source_name + ": unknown top-level key or section '" + key +
                        "'; expected sections [problem], [sgd], [run]");
    }
  }
  return out;
}

RawSettings read_toml_settings(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot open config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_toml_settings(ss.str(), path);
}

namespace {

struct Reader {
  RawSettings merged;

  const RawValue* get(const char* name) const {
    auto it = merged.find(name);
    return it == merged.end() ? nullptr : &it->second;
  }

  static void require_numeric_origin(const char* name, const RawValue& v) {
    if (v.origin == RawValue::Origin::kTomlString || v.origin == RawValue::Origin::kTomlBool)
      throw ConfigError("field '" + std::string(name) + "' must be a number, got '" + v.text + "'");
  }

  bool real(const char* name, double* out) const {
    const RawValue* v = get(name);
    if (!v) return false;
    require_numeric_origin(name, *v);
    const char* s = v->text.c_str();
    char* end = nullptr;
    errno = 0;
    const double x = std::strtod(s, &end);
    if (end == s || *end != '\0')
      throw ConfigError("field '" + std::string(name) + "' must be a number, got '" + v->text + "'");
    if (!std::isfinite(x)) throw ConfigError("field '" + std::string(name) + "' must be finite, got '" + v->text + "'");
    *out = x;
    return true;
  }

  bool integer(const char* name, std::int64_t* out) const {
    const RawValue* v = get(name);
    if (!v) return false;
    double x;
    real(name, &x);
    if (x != std::floor(x) || std::fabs(x) > 9.0e15)
      throw ConfigError("field '" + std::string(name) + "' must be an integer, got '" + v->text + "'");
    *out = static_cast<std::int64_t>(x);
    return true;
  }

  bool text(const char* name, std::string* out) const {
    const RawValue* v = get(name);
    if (!v) return false;
    if (v->origin == RawValue::Origin::kTomlNumber || v->origin == RawValue::Origin::kTomlBool)
      throw ConfigError("field '" + std::string(name) + "' must be a string, got " + v->text);
    *out = v->text;
    return true;
  }

  bool boolean(const char* name, bool* out) const {
    const RawValue* v = get(name);
    if (!v) return false;
    if (v->text == "true" || v->text == "1" || v->text == "yes") {
      *out = true;
    } else if (v->text == "false" || v->text == "0" || v->text == "no") {
      *out = false;
    } else {
      throw ConfigError("field '" + std::string(name) + "' must be true or false, got '" + v->text + "'");
    }
    return true;
  }

  template <class Enum>
  bool choice(const char* name, std::initializer_list<std::pair<const char*, Enum>> options, Enum* out) const {
    std::string s;
    if (!text(name, &s)) return false;
    std::string allowed;
    for (const auto& [label, value] : options) {
      if (s == label) {
        *out = value;
        return true;
      }
      allowed += (allowed.empty() ? "" : ", ") + std::string(label);
    }
    throw ConfigError("field '" + std::string(name) + "' must be one of " + allowed + ", got '" + s + "'");
  }
};

[[noreturn]] void range_error(const char* field, const std::string& rule, const std::string& got) {
  throw ConfigError("field '" + std::string(field) + "' must satisfy " + rule + ", got " + got);
}

}  // namespace

Config resolve_config(const std::vector<RawSettings>& layers) {
  Reader r;
  for (const auto& layer : layers)
    for (const auto& [k, v] : layer) {
      if (!find_field(k)) throw ConfigError("unknown field '" + k + "'");
      r.merged[k] = v;
    }

  Config c;
  r.real("a", &c.a);
  if (!(c.a > 1.0)) range_error("a", "a > 1 (summable spectrum)", format_shortest(c.a));
  c.b = c.a;
  r.real("b", &c.b);
  if (!(c.b > 1.0)) range_error("b", "b > 1 (finite signal power sum_i i^-b)", format_shortest(c.b));
  r.integer("d", &c.d);
  if (c.d < 1 || c.d > 100000000) range_error("d", "1 <= d <= 1e8", std::to_string(c.d));
  r.real("sigma", &c.sigma);
  if (!(c.sigma >= 0.0)) range_error("sigma", "sigma >= 0", format_shortest(c.sigma));
  r.choice("sketch", {{"gaussian", SketchKind::kGaussian}, {"identity", SketchKind::kIdentity}}, &c.sketch);
  const bool m_given = r.integer("M", &c.M);
  if (c.sketch == SketchKind::kIdentity) {
    if (m_given && c.M != c.d)
      range_error("M", "M = d for the identity sketch (d = " + std::to_string(c.d) + ")", std::to_string(c.M));
    c.M = c.d;
  } else {
    if (c.M < 1) range_error("M", "M >= 1", std::to_string(c.M));
    if (c.M > c.d)
      range_error("M", "M <= d for a Gaussian sketch (d = " + std::to_string(c.d) + ")", std::to_string(c.M));
  }
  if (c.sketch == SketchKind::kGaussian && c.M > 65536)
    range_error("M", "M <= 65536 for a Gaussian sketch", std::to_string(c.M));
  r.choice("wstar", {{"prior", PriorMode::kPerTrial}, {"fixed", PriorMode::kFixed}}, &c.wstar);
  r.choice("covariates", {{"gaussian", CovariateKind::kGaussian}, {"rademacher", CovariateKind::kRademacher}},
           &c.covariates);

  r.integer("batch", &c.batch);
  if (c.batch < 1) range_error("batch", "batch >= 1", std::to_string(c.batch));
  r.integer("N", &c.N);
  if (c.N < c.batch) range_error("N", "N >= batch (" + std::to_string(c.batch) + ")", std::to_string(c.N));
  if (c.N % c.batch != 0)
    range_error("N", "N a multiple of batch (" + std::to_string(c.batch) + ")", std::to_string(c.N));
  if (c.N > (std::int64_t(1) << 50)) range_error("N", "N <= 2^50", std::to_string(c.N));
  r.real("gamma", &c.gamma);
  if (!(c.gamma > 0.0)) range_error("gamma", "gamma > 0", format_shortest(c.gamma));
  r.choice(
      "schedule",
      {{"geometric", ScheduleKind::kGeometric}, {"constant", ScheduleKind::kConstant}, {"power", ScheduleKind::kPower}},
      &c.schedule);
  r.integer("phase_length", &c.phase_length);
  if (c.phase_length < 0)
    range_error("phase_length", "phase_length >= 0 (0 = steps / log2 steps)", std::to_string(c.phase_length));
  r.real("power_p", &c.power_p);
  if (!(c.power_p >= 0.0)) range_error("power_p", "power_p >= 0", format_shortest(c.power_p));
  r.real("power_t0", &c.power_t0);
  if (!(c.power_t0 > 0.0)) range_error("power_t0", "power_t0 > 0", format_shortest(c.power_t0));

  r.integer("trials", &c.trials);
  if (c.trials < 1) range_error("trials", "trials >= 1", std::to_string(c.trials));
  r.integer("sketches", &c.sketches);
  if (c.sketches < 1) range_error("sketches", "sketches >= 1", std::to_string(c.sketches));
  if (c.trials * c.sketches > 0xFFFFFFFFLL)
    range_error("trials", "trials * sketches < 2^32", std::to_string(c.trials * c.sketches));
  std::int64_t seed = c.seed;
  r.integer("seed", &seed);
  if (seed < 0 || seed > 0xFFFFFFFFLL) range_error("seed", "0 <= seed < 2^32", std::to_string(seed));
  c.seed = static_cast<std::uint32_t>(seed);
  r.choice("backend",
           {{"cpu", std::string("cpu")},
            {"cuda", std::string("cuda")},
            {"reference", std::string("reference")},
            {"auto", std::string("auto")}},
           &c.backend);
  std::int64_t threads = 0;
  r.integer("threads", &threads);
  if (threads < 0 || threads > 4096) range_error("threads", "0 <= threads <= 4096", std::to_string(threads));
  c.threads = static_cast<int>(threads);
  r.real("checkpoint_ratio", &c.checkpoint_ratio);
  if (!(c.checkpoint_ratio > 1.0))
    range_error("checkpoint_ratio", "checkpoint_ratio > 1", format_shortest(c.checkpoint_ratio));
  r.integer("checkpoint_min", &c.checkpoint_min);
  if (c.checkpoint_min < 1) range_error("checkpoint_min", "checkpoint_min >= 1", std::to_string(c.checkpoint_min));
  r.boolean("decomposition", &c.decomposition);
  if (const RawValue* v = r.get("write_trials")) {
    if (v->text == "true" || v->text == "all") {
      c.write_trials = TrialsOutput::kAll;
    } else if (v->text == "false" || v->text == "none") {
      c.write_trials = TrialsOutput::kNone;
    } else if (v->text == "final") {
      c.write_trials = TrialsOutput::kFinal;
    } else {
      throw ConfigError("field 'write_trials' must be true, false, all, none or final, got '" + v->text + "'");
    }
  }
  r.text("out", &c.out);
  if (c.out.empty()) range_error("out", "a non-empty folder name", "''");
  r.boolean("progress", &c.progress);

  if (c.covariates != CovariateKind::kGaussian && c.backend != "reference")
    throw ConfigError("field 'covariates' = " + std::string(to_string(c.covariates)) +
                      " needs backend = reference (the fast paths use the exact Gaussian reduction)");
  return c;
}

Config load_config(const std::string& toml_path, const RawSettings& overrides) {
  std::vector<RawSettings> layers;
  if (!toml_path.empty()) layers.push_back(read_toml_settings(toml_path));
  layers.push_back(overrides);
  return resolve_config(layers);
}

}  // namespace sgdlaw
