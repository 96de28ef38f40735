// The [batch] keys of a batch-study file, described once (`sgdlaw batch --help`), and the file reader.
#include <algorithm>

#include "section_table.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/io/toml_values.hpp"
#include "sgdlaw/sweep/batch_study.hpp"

namespace sgdlaw {
namespace {

bool positive(double x) { return x > 0.0; }
bool above_one(double x) { return x > 1.0; }

const std::vector<SectionKey<BatchStudySpec>>& batch_keys() {
  using V = const SectionValue&;
  static const std::vector<SectionKey<BatchStudySpec>> keys = {
      {{"batches", "a list of integers", "at least 3, strictly increasing, 1 <= B <= 2^20", "",
        "the batch sizes B of the grid"},
       [](V v, BatchStudySpec& s) { s.batches = v.integers(1, std::int64_t{1} << 20, 3, true); }},
      {{"target_ratio", "a number or a list of numbers", "each > 1", "[2, 4, 8]",
        "targets on the excess risk, as multiples of the best excess reachable with N samples at any B of the grid"},
       [](V v, BatchStudySpec& s) { s.target_ratio = v.numbers(above_one); }},
      {{"target_excess", "a number or a list of numbers", "each > 0", "none",
        "absolute targets on the excess risk E[R] - sigma^2 - Approx (instead of target_ratio)"},
       [](V v, BatchStudySpec& s) { s.target_excess = v.numbers(positive); }},
      {{"trials", "an integer", "0 <= trials <= 10^7 (0: no Monte Carlo check)", "1000",
        "Monte Carlo trials of the check at each (target, B)"},
       [](V v, BatchStudySpec& s) { s.trials = v.integer(0, 10000000); }},
      {{"max_steps", "an integer", "1 <= max_steps <= 2^50 / the largest B", "min(2^36, 2^50 / the largest B)",
        "the most steps searched for a target"},
       [](V v, BatchStudySpec& s) { s.max_steps = v.integer(1, std::int64_t{1} << 50); }},
      {{"resamples", "an integer", "0 <= resamples <= 10^6", "2000",
        "bootstrap resamples of the grid for the hyperbola's intervals"},
       [](V v, BatchStudySpec& s) { s.resamples = v.integer(0, 1000000); }},
      {{"out", "a non-empty string", "", "runs/batch", "output folder"},
       [](V v, BatchStudySpec& s) { s.out = normalize_out_folder(v.text()); }},
  };
  return keys;
}

}  // namespace

std::string batch_study_keys_help() { return "[batch] keys:\n" + section_help(key_infos(batch_keys())); }

BatchStudySpec read_batch_study_spec(const std::string& path) {
  const SectionFile file = read_section_file(path, "batch file", "batch", "at least its batches list");
  BatchStudySpec s;
  s.source = path;
  s.base = file.base;
  read_section(file.section(), batch_keys(), path, "batch", s);
  if (!s.target_excess.empty() && file.section().contains("target_ratio"))
    throw ConfigError(path + ": [batch] fields 'target_ratio' and 'target_excess' are exclusive; give one");
  if (s.target_excess.empty() && s.target_ratio.empty()) s.target_ratio = {2.0, 4.0, 8.0};
  if (!s.target_excess.empty()) s.target_ratio.clear();
  for (const char* k : {"gamma", "gamma_rel", "batch"})
    if (s.base.count(k))
      throw ConfigError(path + ": field '" + k +
                        "' is set by the study (gamma is tuned at every point, B comes from [batch] batches); "
                        "remove it");
  if (s.max_steps == 0) s.max_steps = std::min(std::int64_t{1} << 36, (std::int64_t{1} << 50) / s.batches.back());
  if (s.max_steps > (std::int64_t{1} << 50) / s.batches.back())
    throw ConfigError(path + ": [batch] field 'max_steps' = " + std::to_string(s.max_steps) +
                      " times the largest batch " + std::to_string(s.batches.back()) +
                      " exceeds N's limit 2^50; lower max_steps to at most " +
                      std::to_string((std::int64_t{1} << 50) / s.batches.back()));
  s.base["batch"] = {std::to_string(s.batches.front()), RawValue::Origin::kTomlNumber};
  const bool mc = s.trials > 0;
  s.base["monte_carlo"] = {"false", RawValue::Origin::kTomlBool};  // the checks switch it on themselves
  const Config base = resolve_config({s.base});                    // the problem's keys, checked before anything runs
  for (std::int64_t b : s.batches)
    if (base.N % b != 0)
      throw ConfigError(path + ": field 'N' = " + std::to_string(base.N) + " is not a multiple of [batch] batch " +
                        std::to_string(b) + " (the targets' reference is the best excess with N samples at each B)");
  check_tunable(base, "sgdlaw batch");
  if (mc && base.d_infinite)
    throw ConfigError(path + ": [batch] field 'trials' = " + std::to_string(s.trials) +
                      ": the Monte Carlo checks need a finite d (set trials = 0 for exact curves only at d = inf)");
  if (mc) {  // the checks' own keys (backend, threads, memory) are checked now, not after the exact search
    RawSettings checks = s.base;
    checks["monte_carlo"] = {"true", RawValue::Origin::kTomlBool};
    checks["trials"] = {std::to_string(s.trials), RawValue::Origin::kTomlNumber};
    resolve_config({checks});
  }
  s.objective = std::make_shared<const ExactObjective>(exact_objective(base));  // refuses what it cannot evaluate
  return s;
}

}  // namespace sgdlaw
