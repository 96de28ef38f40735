#pragma once
// `sgdlaw schedule FILE`: which schedule wins, and the optimal one. For each horizon N of the file's [schedules]
// section, every family (constant, geometric, cosine, linear, wsd, power_decay) is tuned on the exact final excess
// risk E[R] - sigma^2 - Approx (fit/schedule_tuning.hpp: its peak gamma by Brent in log gamma, wsd's decay fraction
// and power_decay's exponent delta on a grid), and the optimal piecewise-constant schedule on K pieces is found by
// BFGS from the best family member. Writes schedule_search.csv (every tuned point), optimal_schedule.csv (the
// optimum's pieces), shapes.csv (each tuned schedule's gamma_t / gamma_limit against t / steps) and report.md.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sgdlaw/fit/schedule_tuning.hpp"
#include "sgdlaw/io/config_load.hpp"

namespace sgdlaw {

struct ScheduleSearchSpec {
  std::string source;
  RawSettings base;             // [problem] / [sgd] / [run]: the problem and the batch
  std::vector<std::int64_t> N;  // horizons
  std::vector<std::string> families = {"constant", "geometric", "cosine", "linear", "wsd", "power_decay"};
  int pieces = 32;       // K of the optimal schedule (0: no optimal-schedule search)
  int iterations = 100;  // BFGS iterations at most
  std::string out = "runs/schedules";
  // The problem's exact objective, built while the file is checked (so a problem the search cannot evaluate is
  // refused before any folder is made) and used by the search itself, not built again.
  std::shared_ptr<const ExactObjective> objective;
};

ScheduleSearchSpec read_schedule_search_spec(const std::string& path);
std::string schedule_search_keys_help();

struct TunedSchedule {
  std::int64_t N = 0, steps = 0;
  std::string family;
  double gamma = 0.0;      // the tuned peak
  std::string param_name;  // decay_fraction (wsd), delta (power_decay), pieces (optimal)
  double param = 0.0;
  double excess = 0.0;  // E[R] - sigma^2 - Approx at the end
  std::int64_t evaluations = 0;
  double seconds = 0.0;
  Schedule schedule;  // the tuned schedule (optimal: points into `optimal`)
};

struct ScheduleSearchResult {
  double sigma2 = 0.0, approx = 0.0, gamma_limit = 0.0;
  std::vector<TunedSchedule> tuned;      // per N: the families in order, then "optimal"
  std::vector<PiecewiseResult> optimal;  // per N (when pieces > 0)
};

ScheduleSearchResult run_schedule_search(const ScheduleSearchSpec& spec,
                                         const std::function<void(const std::string&)>& say);
void write_schedule_search(const ScheduleSearchSpec& spec, const ScheduleSearchResult& r);

}  // namespace sgdlaw
