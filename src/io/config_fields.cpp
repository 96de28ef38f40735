#include "config_fields.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/io/output_folder.hpp"

namespace sgdlaw {
namespace {

using Check = bool (*)(double);

// A real key with a range rule ("a > 1 (summable spectrum)").
FieldDef real_field(const char* name, const char* section, const char* help, double Config::*member, Check ok,
                    const char* rule) {
  return {{name, section, help, "number"},
          [=](const FieldReader& r, Config& c) {
            r.real(name, &(c.*member));
            if (!ok(c.*member)) range_error(name, rule, format_shortest(c.*member));
          },
          [=](const Config& c) { return nlohmann::json(c.*member); }};
}

// The range as a rule that a refused value breaks: the table's rule where it says both ends, else the rule
// with the upper end ("phase_length >= 0 ..., and phase_length <= 2^62").
std::string whole_range_rule(const char* name, const char* rule, std::int64_t hi) {
  const std::string r = rule;
  if (r.find("<=") != std::string::npos) return r;
  std::string top = std::to_string(hi);
  for (int k = 10; k < 63; ++k)
    if (hi == std::int64_t{1} << k) top = "2^" + std::to_string(k);
  return r + ", and " + name + " <= " + top;
}

FieldDef int_field(const char* name, const char* section, const char* help, std::int64_t Config::*member,
                   std::int64_t lo, std::int64_t hi, const char* rule) {
  const std::string whole = whole_range_rule(name, rule, hi);
  return {{name, section, help, "integer"},
          [=](const FieldReader& r, Config& c) {
            r.integer(name, &(c.*member), whole);
            if (c.*member < lo) range_error(name, rule, std::to_string(c.*member));
            if (c.*member > hi) range_error(name, whole, std::to_string(c.*member));
          },
          [=](const Config& c) { return nlohmann::json(c.*member); }};
}

template <class Enum>
FieldDef choice_field(const char* name, const char* section, const char* help, Enum Config::*member,
                      std::initializer_list<std::pair<const char*, Enum>> options) {
  const std::vector<std::pair<const char*, Enum>> opts(options);
  return {{name, section, help, "choice"},
          [=](const FieldReader& r, Config& c) {
            std::string s;
            if (!r.text(name, &s)) return;
            std::string allowed;
            for (const auto& [label, value] : opts) {
              if (s == label) {
                c.*member = value;
                return;
              }
              allowed += (allowed.empty() ? "" : ", ") + std::string(label);
            }
            throw ConfigError("field '" + std::string(name) + "' must be one of " + allowed + ", got '" + cut(s) + "'");
          },
          [=](const Config& c) { return nlohmann::json(to_string(c.*member)); }};
}

FieldDef bool_field(const char* name, const char* section, const char* help, bool Config::*member, bool in_json) {
  FieldDef f{{name, section, help, "boolean"},
             [=](const FieldReader& r, Config& c) { r.boolean(name, &(c.*member)); },
             [=](const Config& c) { return nlohmann::json(c.*member); }};
  if (!in_json) f.json = nullptr;
  return f;
}

bool above_one(double x) { return x > 1.0; }
bool non_negative(double x) { return x >= 0.0; }
bool positive(double x) { return x > 0.0; }
constexpr std::int64_t kMax = std::int64_t{1} << 62;

// The table, section by section, in the order keys are read and listed.
void add_problem_fields(std::vector<FieldDef>& d) {
  d.push_back(real_field("a", "problem", "spectrum exponent: lambda_i = i^-a, a > 1", &Config::a, above_one,
                         "a > 1 (summable spectrum)"));
  d.push_back(
      {{"b", "problem", "prior exponent: lambda_i E[w*_i^2] = i^-b, b > 1 (default: a, i.e. w* ~ N(0, I))", "number"},
       [](const FieldReader& r, Config& c) {
         c.b = c.a;
         r.real("b", &c.b);
         if (!(c.b > 1.0)) range_error("b", "b > 1 (finite signal power sum_i i^-b)", format_shortest(c.b));
       },
       [](const Config& c) { return nlohmann::json(c.b); }});
  d.push_back(
      {{"d", "problem",
        "ambient dimension, 1 <= d <= 1e8, or inf (exact only: identity sketch by 'head' coordinates plus a tail "
        "quadrature, Gaussian sketch by its deterministic equivalent); finite d stands in for infinity: keep "
        "d >> M, N_eff^(1/a)",
        "integer or inf"},
       [](const FieldReader& r, Config& c) {
         const RawValue* v = r.get("d");
         if (v && (v->text == "inf" || v->text == "infinity" || v->text == "+inf")) {
           c.d_infinite = true;
           c.d = 4096;  // the head, until 'head' says otherwise
           return;
         }
         r.integer("d", &c.d, "1 <= d <= 1e8, or inf");
         if (c.d < 1 || c.d > 100000000) range_error("d", "1 <= d <= 1e8, or inf", std::to_string(c.d));
       },
       [](const Config& c) { return c.d_infinite ? nlohmann::json("inf") : nlohmann::json(c.d); }});
  d.push_back({{"head", "problem",
                "d = inf: coordinates 1..head summed one by one before the tail quadrature, 16 <= head <= 1e7 "
                "(default 4096)",
                "integer"},
               [](const FieldReader& r, Config& c) {
                 std::int64_t head = c.d_infinite ? c.d : 4096;
                 if (!r.integer("head", &head, "16 <= head <= 1e7")) return;
                 if (!c.d_infinite) range_error("head", "head only with d = inf", std::to_string(head));
                 if (head < 16 || head > 10000000) range_error("head", "16 <= head <= 1e7", std::to_string(head));
                 c.d = head;
               },
               [](const Config& c) { return c.d_infinite ? nlohmann::json(c.d) : nlohmann::json(nullptr); }});
  d.push_back({{"sigma", "problem", "label noise standard deviation, 0 <= sigma <= 1e50", "number"},
               [](const FieldReader& r, Config& c) {
                 r.real("sigma", &c.sigma);
                 if (!(c.sigma >= 0.0)) range_error("sigma", "sigma >= 0", format_shortest(c.sigma));
                 // The risk is about sigma^2 and its standard error sums squares of risks: sigma^4 * trials
                 // must stay below 1.8e308, so 1e50 leaves room for 1e100 trials.
                 if (c.sigma > 1e50)
                   range_error("sigma", "sigma <= 1e50 (the squares of the risk, about sigma^4, must stay finite)",
                               format_shortest(c.sigma));
               },
               [](const Config& c) { return nlohmann::json(c.sigma); }});
  d.push_back(choice_field("sketch", "problem", "gaussian (entries N(0, 1/M)) or identity (M = d, no sketch)",
                           &Config::sketch,
                           {{"gaussian", SketchKind::kGaussian}, {"identity", SketchKind::kIdentity}}));
  d.push_back({{"M", "problem", "sketch size, 1 <= M <= d (ignored for the identity sketch)", "integer"},
               [](const FieldReader& r, Config& c) { r.integer("M", &c.M); },  // ranges: check_field_relations
               [](const Config& c) { return nlohmann::json(c.M); }});
  d.push_back(choice_field("wstar", "problem", "prior (w* redrawn per trial) or fixed (one w* for the whole run)",
                           &Config::wstar, {{"prior", PriorMode::kPerTrial}, {"fixed", PriorMode::kFixed}}));
  d.push_back(choice_field(
      "covariates", "problem", "gaussian, or rademacher (x_i = sqrt(lambda_i) * +-1; reference backend only)",
      &Config::covariates, {{"gaussian", CovariateKind::kGaussian}, {"rademacher", CovariateKind::kRademacher}}));
}

void add_sgd_fields(std::vector<FieldDef>& d) {
  d.push_back(int_field("N", "sgd", "number of samples (one pass), N >= batch, a multiple of batch", &Config::N, 1,
                        std::int64_t{1} << 50, "1 <= N <= 2^50"));
  d.push_back(int_field("batch", "sgd", "mini-batch size B >= 1", &Config::batch, 1, kMax, "batch >= 1"));
  d.push_back({{"gamma", "sgd",
                "peak step size, > 0 and below the stability limit; or \"tuned\": the one minimising the exact final "
                "excess risk of this run (resolved before it runs, recorded as derived.resolved_gamma)",
                "number or tuned"},
               [](const FieldReader& r, Config& c) {
                 const RawValue* v = r.get("gamma");
                 if (v && v->text == "tuned") {
                   c.gamma_tuned = true;
                   return;
                 }
                 r.real("gamma", &c.gamma);
                 if (!(c.gamma > 0.0)) range_error("gamma", "gamma > 0, or \"tuned\"", format_shortest(c.gamma));
               },
               [](const Config& c) {  // with gamma_rel, gamma is derived: not part of the run's identity
                 return c.gamma_tuned       ? nlohmann::json("tuned")
                        : c.gamma_rel > 0.0 ? nlohmann::json(nullptr)
                                            : nlohmann::json(c.gamma);
               }});
  d.push_back(
      real_field("gamma_rel", "sgd",
                 "step size as a fraction of the largest stable one for the run's own spectrum, batch and optimizer, "
                 "0 < gamma_rel < 1 (instead of gamma; 0 = use gamma); config.json records the resolved "
                 "gamma",
                 &Config::gamma_rel, non_negative, "gamma_rel >= 0 (0 = use gamma)"));
  add_schedule_fields(d);
  d.push_back(int_field("phase_length", "sgd", "geometric: steps per constant phase; 0 = steps / log2(steps)",
                        &Config::phase_length, 0, kMax, "phase_length >= 0 (0 = steps / log2 steps)"));
  d.push_back(real_field("power_p", "sgd", "power schedule exponent p >= 0: gamma_t = gamma (1 + t / t0)^-p",
                         &Config::power_p, non_negative, "power_p >= 0"));
  d.push_back(
      real_field("power_t0", "sgd", "power schedule time scale t0 > 0", &Config::power_t0, positive, "power_t0 > 0"));
  d.push_back(int_field("dataset", "sgd",
                        "finite dataset of n samples, reused over N / n passes (multi-pass SGD); 0 = every sample "
                        "fresh (one pass)",
                        &Config::dataset, 0, std::int64_t{1} << 50, "0 <= dataset <= 2^50"));
  d.push_back(choice_field("sampling", "sgd",
                           "with a finite dataset: epochs (each pass a fresh random order; the first in order) or "
                           "replacement (each step draws an index uniformly)",
                           &Config::sampling,
                           {{"epochs", SamplingKind::kEpochs}, {"replacement", SamplingKind::kReplacement}}));
  add_optimizer_fields(d);
}

// `out`: normalized ("runs/x/" is "runs/x"); a path the system cannot hold is refused here, before anything runs.
FieldDef out_field() {
  return {{"out", "run", "output folder", "text"},
          [](const FieldReader& r, Config& c) {
            r.text("out", &c.out);
            if (c.out.empty()) range_error("out", "a non-empty folder name", "''");
            check_path_text(c.out, "out");
            c.out = normalize_out_folder(c.out);
          },
          [](const Config& c) { return nlohmann::json(c.out); },
          /*results=*/false};
}

void add_run_fields(std::vector<FieldDef>& d) {
  d.push_back(int_field("trials", "run", "trials per sketch, >= 1", &Config::trials, 1, kMax, "trials >= 1"));
  d.push_back(
      int_field("sketches", "run", "independent sketches K, >= 1", &Config::sketches, 1, kMax, "sketches >= 1"));
  d.push_back({{"seed", "run", "random seed, 0 <= seed < 2^32", "integer"},
               [](const FieldReader& r, Config& c) {
                 std::int64_t seed = c.seed;
                 r.integer("seed", &seed, "0 <= seed < 2^32");
                 if (seed < 0 || seed > 0xFFFFFFFFLL) range_error("seed", "0 <= seed < 2^32", std::to_string(seed));
                 c.seed = static_cast<std::uint32_t>(seed);
               },
               [](const Config& c) { return nlohmann::json(c.seed); }});
  d.push_back({{"backend", "run", "cpu, cuda, reference or auto", "choice"},
               [](const FieldReader& r, Config& c) {
                 r.choice("backend",
                          {{"cpu", std::string("cpu")},
                           {"cuda", std::string("cuda")},
                           {"reference", std::string("reference")},
                           {"auto", std::string("auto")}},
                          &c.backend);
               },
               [](const Config& c) { return nlohmann::json(c.backend); }});
  d.push_back({{"threads", "run", "CPU threads, 0 = all", "integer"},
               [](const FieldReader& r, Config& c) {
                 std::int64_t threads = c.threads;
                 r.integer("threads", &threads, "0 <= threads <= 4096");
                 if (threads < 0 || threads > 4096)
                   range_error("threads", "0 <= threads <= 4096", std::to_string(threads));
                 c.threads = static_cast<int>(threads);
               },
               [](const Config& c) { return nlohmann::json(c.threads); },
               /*results=*/false});
  d.push_back(real_field("checkpoint_ratio", "run", "ratio between successive checkpoints, > 1",
                         &Config::checkpoint_ratio, above_one, "checkpoint_ratio > 1"));
  d.push_back(int_field("checkpoint_min", "run", "first checkpoint (samples), >= 1", &Config::checkpoint_min, 1, kMax,
                        "checkpoint_min >= 1"));
  d.push_back(bool_field("decomposition", "run", "true: coupled bias/variance runs (about 2x the SGD arithmetic)",
                         &Config::decomposition, true));
  d.push_back(bool_field("monte_carlo", "run",
                         "false: exact expected-risk columns only, no trials (required for d = inf)",
                         &Config::monte_carlo, true));
  d.push_back(bool_field("det_equiv", "run",
                         "Gaussian sketch: also the deterministic equivalent of the sketch average (risk_det_equiv; "
                         "a few seconds at large M)",
                         &Config::det_equiv, true));
  d.push_back(bool_field("det_equiv_correction", "run",
                         "deterministic equivalent with its 1/M terms (the finite-M mean of real Gaussian sketches; "
                         "false: the M -> infinity limit alone)",
                         &Config::det_equiv_correction, true));
  d.push_back(
      choice_field("exact_method", "run",
                   "exact recursion: steps (step by step, O(N M)), contour (jumps over each constant-step "
                   "stretch, O(M) per checkpoint and phase; not for the power schedule), or auto (contour "
                   "from 65536 steps on)",
                   &Config::exact_method,
                   {{"auto", ExactMethod::kAuto}, {"steps", ExactMethod::kSteps}, {"contour", ExactMethod::kContour}}));
}

// Where and what a run writes.
void add_output_fields(std::vector<FieldDef>& d) {
  d.push_back({{"write_trials", "run",
                "trials.csv: false/none, true/all (every checkpoint), or final (last checkpoint only)", "choice"},
               [](const FieldReader& r, Config& c) {
                 const RawValue* v = r.get("write_trials");
                 if (!v) return;
                 if (v->text == "true" || v->text == "all") {
                   c.write_trials = TrialsOutput::kAll;
                 } else if (v->text == "false" || v->text == "none") {
                   c.write_trials = TrialsOutput::kNone;
                 } else if (v->text == "final") {
                   c.write_trials = TrialsOutput::kFinal;
                 } else {
                   throw ConfigError("field 'write_trials' must be true, false, all, none or final, got '" +
                                     cut(v->text) + "'");
                 }
               },
               [](const Config& c) { return nlohmann::json(to_string(c.write_trials)); }});
  d.push_back(out_field());
  FieldDef progress = bool_field("progress", "run", "true: progress bar and ETA on stderr", &Config::progress, false);
  progress.results = false;
  d.push_back(progress);
}

std::vector<FieldDef> make_defs() {
  std::vector<FieldDef> d;
  add_problem_fields(d);
  add_sgd_fields(d);
  add_run_fields(d);
  add_output_fields(d);
  return d;
}

}  // namespace

const std::vector<FieldDef>& field_defs() {
  static const std::vector<FieldDef> defs = make_defs();
  return defs;
}

namespace {

void check_infinite_d(const Config& c) {
  if (!c.d_infinite) return;
  if (c.monte_carlo)
    throw ConfigError(
        "field 'd' = inf needs monte_carlo = false (trials need finite vectors; the exact curves "
        "are computed for d = inf: the identity sketch exactly, a Gaussian sketch by its "
        "deterministic equivalent)");
  if (c.sketch == SketchKind::kGaussian && !c.det_equiv)
    throw ConfigError(
        "field 'det_equiv' = false with d = inf and a Gaussian sketch leaves nothing to compute (the "
        "sketch average is the deterministic equivalent)");
  if (c.wstar == PriorMode::kFixed)
    throw ConfigError("field 'wstar' = fixed needs a finite d (one drawn w* of infinite length); use wstar = prior");
}

// A setting that would change nothing is refused rather than silently ignored.
void check_without_effect(const Config& c) {
  if (c.dataset > 0 && !c.monte_carlo)
    throw ConfigError("field 'dataset' = " + std::to_string(c.dataset) + " has no effect with monte_carlo = false" +
                      (c.d_infinite ? " (as d = inf needs)" : "") +
                      ": the exact columns are the fresh-data (one-pass) risk, and only Monte Carlo trials reuse a "
                      "finite dataset; drop 'dataset' or set monte_carlo = true with a finite d");
}

}  // namespace

void check_field_relations(const FieldReader& r, Config& c) {
  check_infinite_d(c);
  if (c.gamma_rel > 0.0 && r.get("gamma") && c.gamma_tuned)
    throw ConfigError(
        "fields 'gamma' = tuned and 'gamma_rel' are exclusive: the tuned step size is searched over "
        "the whole stable range");
  if (c.gamma_rel > 0.0 && r.get("gamma"))
    throw ConfigError(
        "fields 'gamma' and 'gamma_rel' are exclusive: give the step size itself or its fraction of "
        "the stability limit, not both");
  check_without_effect(c);
  check_schedule_relations(r, c);
  check_optimizer_relations(r, c);
  if (c.sketch == SketchKind::kIdentity) {
    if (r.get("M") && c.d_infinite) range_error("M", "no M with d = inf (the identity sketch)", r.get("M")->text);
    if (r.get("M") && c.M != c.d && !c.d_infinite)
      range_error("M", "M = d for the identity sketch (d = " + std::to_string(c.d) + ")", std::to_string(c.M));
    c.M = c.d;
  } else {
    if (c.M < 1) range_error("M", "M >= 1", std::to_string(c.M));
    if (c.d_infinite) {
      if (c.M > (1 << 22))
        range_error("M", "M <= 2^22 for the deterministic equivalent (d = inf)", std::to_string(c.M));
    } else {
      if (c.M > c.d)
        range_error("M", "M <= d for a Gaussian sketch (d = " + std::to_string(c.d) + ")", std::to_string(c.M));
      if (c.M > 65536) range_error("M", "M <= 65536 for a Gaussian sketch", std::to_string(c.M));
    }
  }
  if (c.N < c.batch) range_error("N", "N >= batch (" + std::to_string(c.batch) + ")", std::to_string(c.N));
  // Checkpoints, counted without storing them (1, then x checkpoint_ratio, at least +1 step each).
  constexpr std::int64_t kMaxCheckpoints = 100000;
  std::int64_t count = 0;
  const std::int64_t steps = c.N / c.batch;
  for (std::int64_t s = first_checkpoint(c); s < steps && count <= kMaxCheckpoints;
       s = next_checkpoint(s, steps, c.checkpoint_ratio))
    ++count;
  if (count > kMaxCheckpoints)
    range_error("checkpoint_ratio",
                "at most " + std::to_string(kMaxCheckpoints) + " checkpoints (N = " + std::to_string(c.N) +
                    ", checkpoint_min = " + std::to_string(c.checkpoint_min) + "); use a larger ratio",
                format_shortest(c.checkpoint_ratio));
  if (c.N % c.batch != 0)
    range_error("N", "N a multiple of batch (" + std::to_string(c.batch) + ")", std::to_string(c.N));
  std::int64_t total = 0;
  if (__builtin_mul_overflow(c.trials, c.sketches, &total) || total > 0xFFFFFFFFLL)
    range_error("trials", "trials * sketches < 2^32 (sketches = " + std::to_string(c.sketches) + ")",
                std::to_string(c.trials));
  if (c.covariates != CovariateKind::kGaussian && c.backend != "reference")
    throw ConfigError("field 'covariates' = " + std::string(to_string(c.covariates)) +
                      " needs backend = reference (the fast paths use the exact Gaussian reduction)");
}

nlohmann::json results_only(const nlohmann::json& recorded) {
  nlohmann::json j = nlohmann::json::object();
  if (!recorded.is_object()) return j;
  for (const FieldDef& f : field_defs()) {
    if (!f.results || !f.json) continue;
    const auto sec = recorded.find(f.spec.section);
    if (sec == recorded.end() || !sec->is_object()) continue;
    const auto v = sec->find(f.spec.name);
    if (v != sec->end()) j[f.spec.section][f.spec.name] = *v;
  }
  return j;
}

nlohmann::json resolved_config_json(const Config& c) {
  nlohmann::json j = nlohmann::json::object();
  for (const FieldDef& f : field_defs())
    if (f.json) {
      nlohmann::json v = f.json(c);
      if (!v.is_null()) j[f.spec.section][f.spec.name] = std::move(v);  // keys that do not apply are left out
    }
  return j;
}

}  // namespace sgdlaw
