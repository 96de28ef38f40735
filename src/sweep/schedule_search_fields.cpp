// The [schedules] keys of a schedule-search file, described once (`sgdlaw schedule --help`), and the file reader.
#include <algorithm>

#include "section_table.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/io/toml_values.hpp"
#include "sgdlaw/sweep/schedule_search.hpp"

namespace sgdlaw {
namespace {

const std::vector<std::string>& known_families() {
  static const std::vector<std::string> f = {"constant", "geometric", "cosine", "linear", "wsd", "power_decay"};
  return f;
}

const std::vector<SectionKey<ScheduleSearchSpec>>& search_keys() {
  using V = const SectionValue&;
  static const std::vector<SectionKey<ScheduleSearchSpec>> keys = {
      {{"N", "a list of integers", "at least 1, strictly increasing, 64 <= N <= 2^40", "", "horizons (samples)"},
       [](V v, ScheduleSearchSpec& s) { s.N = v.integers(64, std::int64_t{1} << 40, 1, true); }},
      {{"families", "a string or a list of strings",
        "each one of constant, geometric, cosine, linear, wsd, power_decay", "all six",
        "the schedule families tuned at each N"},
       [](V v, ScheduleSearchSpec& s) {
         s.families = v.names();
         for (const std::string& f : s.families)
           if (std::find(known_families().begin(), known_families().end(), f) == known_families().end()) v.fail();
         if (s.families.empty()) v.fail();
       }},
      {{"pieces", "an integer", "0 <= pieces <= 64 (0: no optimal-schedule search)", "32",
        "pieces K of the optimal piecewise-constant schedule"},
       [](V v, ScheduleSearchSpec& s) { s.pieces = static_cast<int>(v.integer(0, 64)); }},
      {{"iterations", "an integer", "1 <= iterations <= 10000", "100", "BFGS iterations of the optimal schedule"},
       [](V v, ScheduleSearchSpec& s) { s.iterations = static_cast<int>(v.integer(1, 10000)); }},
      {{"out", "a non-empty string", "", "runs/schedules", "output folder"},
       [](V v, ScheduleSearchSpec& s) { s.out = normalize_out_folder(v.text()); }},
  };
  return keys;
}

}  // namespace

std::string schedule_search_keys_help() { return "[schedules] keys:\n" + section_help(key_infos(search_keys())); }

ScheduleSearchSpec read_schedule_search_spec(const std::string& path) {
  const SectionFile file = read_section_file(path, "schedule file", "schedules", "at least its N list");
  ScheduleSearchSpec s;
  s.source = path;
  s.base = file.base;
  read_section(file.section(), search_keys(), path, "schedules", s);
  for (const char* k : {"schedule", "gamma", "gamma_rel", "N"})
    if (s.base.count(k))
      throw ConfigError(path + ": field '" + k +
                        "' is set by the search (each family's schedule, its tuned gamma, [schedules] N); remove it");
  s.base["N"] = {std::to_string(s.N.front()), RawValue::Origin::kTomlNumber};  // each family sets its own N
  if (!s.base.count("monte_carlo")) s.base["monte_carlo"] = {"false", RawValue::Origin::kTomlBool};  // exact only
  const Config base = resolve_config({s.base});  // the problem's keys, checked before anything runs
  for (std::int64_t n : s.N)
    if (n % base.batch != 0)
      throw ConfigError(path + ": [schedules] field 'N' holds " + std::to_string(n) + ", not a multiple of batch " +
                        std::to_string(base.batch));
  if (base.optimizer != OptimizerKind::kSgd)  // the families and the optimal schedule are searched for SGD
    throw ConfigError("field 'optimizer' = " + std::string(to_string(base.optimizer)) +
                      ": sgdlaw schedule searches schedules for optimizer = sgd only; drop 'optimizer' from the "
                      "base configuration");
  s.objective = std::make_shared<const ExactObjective>(exact_objective(base));  // refuses what it cannot evaluate
  return s;
}

}  // namespace sgdlaw
