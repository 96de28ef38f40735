// The files of `sgdlaw schedule`: schedule_search.csv, optimal_schedule.csv, shapes.csv and report.md (the winner
// at each N with its margins, each family's exponent of the tuned excess risk in N with local slopes against N and
// N / log N, and the optimal schedule's peak-gamma exponent and decay shape).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/fit/power_law_fit.hpp"
#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/csv_writer.hpp"
#include "sgdlaw/sweep/schedule_search.hpp"

namespace sgdlaw {
namespace {

std::string g(double x, int digits = 4) { return std::isfinite(x) ? format_g(x, digits) : "-"; }

std::map<std::int64_t, double> best_family_excess(const ScheduleSearchResult& r) {
  std::map<std::int64_t, double> best;
  for (const TunedSchedule& t : r.tuned)
    if (t.family != "optimal") best[t.N] = best.count(t.N) ? std::min(best[t.N], t.excess) : t.excess;
  return best;
}

void write_tables(const std::string& out, const ScheduleSearchResult& r) {
  const auto best = best_family_excess(r);
  CsvWriter s({"N", "family", "gamma", "gamma_over_limit", "param_name", "param", "excess", "risk",
               "excess_over_best_family", "evaluations", "seconds"},
              10);
  CsvWriter shapes({"N", "family", "t_over_steps", "gamma_over_limit"}, 8);
  for (const TunedSchedule& t : r.tuned) {
    s.cell(t.N).cell(t.family).cell(t.gamma).cell(t.gamma / r.gamma_limit).cell(t.param_name);
    if (t.param_name.empty()) {
      s.empty_cell();
    } else {
      s.cell(t.param);
    }
    s.cell(t.excess).cell(t.excess + r.sigma2 + r.approx).cell(t.excess / best.at(t.N)).cell(t.evaluations);
    s.cell(t.seconds).end_row();
    for (int k = 0; k <= 400; ++k) {  // denser towards the end, where the decays differ
      const double u = 1.0 - std::pow(1.0 - k / 400.0, 2.0);
      const auto step = std::min<std::int64_t>(t.steps - 1, static_cast<std::int64_t>(u * t.steps));
      shapes.cell(t.N).cell(t.family).cell(static_cast<double>(step) / t.steps);
      shapes.cell(t.schedule.at(step) / r.gamma_limit).end_row();
    }
  }
  write_file_atomically(out + "/schedule_search.csv", s.text());
  write_file_atomically(out + "/shapes.csv", shapes.text());
  CsvWriter o({"N", "piece", "start", "end", "gamma", "gamma_over_limit"}, 10);
  std::size_t i = 0;
  for (const TunedSchedule& t : r.tuned) {
    if (t.family != "optimal") continue;
    const PiecewiseResult& p = r.optimal[i++];
    for (std::size_t k = 0; k < p.start.size(); ++k) {
      const std::int64_t end = k + 1 < p.start.size() ? p.start[k + 1] : t.steps;
      o.cell(t.N).cell(static_cast<std::int64_t>(k)).cell(p.start[k]).cell(end).cell(p.gamma[k]);
      o.cell(p.gamma[k] / r.gamma_limit).end_row();
    }
  }
  write_file_atomically(out + "/optimal_schedule.csv", o.text());
}

std::string winners_table(const ScheduleSearchResult& r) {
  std::string md =
      "| N | winner | excess | runner-up (x winner) | optimal K-piece (x best family) |\n|---|---|---|---|---|\n";
  std::map<std::int64_t, std::vector<const TunedSchedule*>> at;
  for (const TunedSchedule& t : r.tuned) at[t.N].push_back(&t);
  for (auto& [n, list] : at) {
    std::vector<const TunedSchedule*> fam;
    const TunedSchedule* opt = nullptr;
    for (const TunedSchedule* t : list) {
      if (t->family == "optimal") {
        opt = t;
      } else {
        fam.push_back(t);
      }
    }
    std::sort(fam.begin(), fam.end(), [](auto* a, auto* b) { return a->excess < b->excess; });
    md += "| " + std::to_string(n) + " | " + fam[0]->family + " | " + g(fam[0]->excess) + " | " +
          (fam.size() > 1 ? fam[1]->family + " (" + g(fam[1]->excess / fam[0]->excess, 3) + ")" : "-") + " | " +
          (opt ? g(opt->excess / fam[0]->excess, 4) : "-") + " |\n";
  }
  return md;
}

// Per family: the exponent of the tuned excess in N over all N, the last local slopes against N and against
// N / log2 N: a rate N^-s with a log factor, (N / log N)^-s, has local slope -s against N / log N and a shallower
// one against N; a rate without it the other way round.
std::string exponents_table(const ScheduleSearchResult& r) {
  std::map<std::string, std::vector<const TunedSchedule*>> fam;
  for (const TunedSchedule& t : r.tuned) fam[t.family].push_back(&t);
  std::string md =
      "| family | exponent in N (all N) | last local slope vs N | last local slope vs N / log N | tuned gamma's "
      "exponent in N |\n|---|---|---|---|---|\n";
  for (const auto& [name, list] : fam) {
    std::vector<double> n, e, nl, gm;
    for (const TunedSchedule* t : list) {
      n.push_back(static_cast<double>(t->N));
      nl.push_back(static_cast<double>(t->N) / std::log2(static_cast<double>(t->N)));
      e.push_back(t->excess);
      gm.push_back(t->gamma);
    }
    const std::size_t k = n.size();
    const auto last = [&](const std::vector<double>& x) {
      return k >= 2 ? log_log_slope({x[k - 2], x[k - 1]}, {e[k - 2], e[k - 1]}) : NAN;
    };
    md += "| " + name + " | " + g(log_log_slope(n, e), 3) + " | " + g(last(n), 3) + " | " + g(last(nl), 3) + " | " +
          g(log_log_slope(n, gm), 3) + " |\n";
  }
  return md;
}

// The optimum's shape at the largest N: its peak relative to the limit, the fraction of steps spent below half
// the peak (its decay fraction), and the exponent delta of gamma_t ~ (1 - t/N)^delta fitted over the pieces in
// the last half of the run that are below the peak.
std::string optimal_shape(const ScheduleSearchResult& r) {
  if (r.optimal.empty()) return "";
  const PiecewiseResult& p = r.optimal.back();
  const TunedSchedule* t = nullptr;
  for (const TunedSchedule& x : r.tuned)
    if (x.family == "optimal") t = &x;
  const double peak = *std::max_element(p.gamma.begin(), p.gamma.end());
  std::int64_t below = 0;
  std::vector<double> to_go, gam;
  for (std::size_t k = 0; k < p.start.size(); ++k) {
    const std::int64_t end = k + 1 < p.start.size() ? p.start[k + 1] : t->steps;
    if (p.gamma[k] < 0.5 * peak) below += end - p.start[k];
    const double mid = 0.5 * static_cast<double>(p.start[k] + end);
    if (mid > 0.5 * t->steps && p.gamma[k] < 0.95 * peak) {
      to_go.push_back(1.0 - mid / t->steps);
      gam.push_back(p.gamma[k]);
    }
  }
  return "At N = " + std::to_string(t->N) + " the optimal " + std::to_string(p.start.size()) +
         "-piece schedule peaks at " + g(peak / r.gamma_limit, 3) + " x the stability limit, spends a fraction " +
         g(static_cast<double>(below) / t->steps, 3) + " of its steps below half its peak, and decays as " +
         "(1 - t/N)^delta with delta = " + g(log_log_slope(to_go, gam), 3) + " (fitted over its " +
         std::to_string(to_go.size()) + " decaying pieces in the second half).\n";
}

}  // namespace

void write_schedule_search(const ScheduleSearchSpec& spec, const ScheduleSearchResult& r) {
  std::filesystem::create_directories(spec.out);
  write_tables(spec.out, r);
  std::string md =
      "# Which schedule wins: " + spec.source + "\n\nsgdlaw " + std::string(version_string()) +
      ". Every family tuned on the exact final excess risk E[R] - sigma^2 - Approx (sigma^2 = " + g(r.sigma2) +
      ", Approx = " + g(r.approx) + ", stability limit " + g(r.gamma_limit) +
      "); the optimal piecewise-constant schedule by BFGS from the best family member.\n\n";
  md += "## Winner at each N\n\n" + winners_table(r) + "\n";
  md += "## Exponents of the tuned excess risk\n\n" + exponents_table(r) + "\n";
  md += "## The optimal schedule\n\n" + optimal_shape(r);
  write_file_atomically(spec.out + "/report.md", md);
}

}  // namespace sgdlaw
