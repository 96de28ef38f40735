// `sgdlaw fit data.csv --model power|chinchilla ...`: scaling-law fits of a user's own measurements.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_commands.hpp"
#include "progress_bar.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/stopwatch.hpp"
#include "sgdlaw/core/text.hpp"
#include "sgdlaw/fit/power_law_fit.hpp"
#include "sgdlaw/fit/user_fits.hpp"
#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/csv_table.hpp"

namespace sgdlaw {
namespace {

struct FitOptions {
  std::string path, model = "power", x = "N", y = "loss", n = "N", d = "D", loss = "loss", group, out;
  std::int64_t bootstrap = 1000;
  double confidence = 0.95;
  std::uint32_t seed = 1;
  std::vector<double> budgets = {1e18, 1e20, 1e22, 1e24};
  std::string plot;  // PNG of data, fit and residuals
};

template <class T>
std::vector<T> pick(const std::vector<T>& v, const std::vector<std::size_t>& idx) {
  std::vector<T> out;
  out.reserve(idx.size());
  for (std::size_t i : idx) out.push_back(v[i]);
  return out;
}

// Draws data, fit and residuals with scripts/plot_results.py --fit (the same interpreter as `sgdlaw plot`).
void plot_fit(const std::string& png, const nlohmann::json& data) {
  const std::string tmp = png + ".data-" + std::to_string(::getpid()) + ".json";
  write_file_atomically(tmp, data.dump());
  int status = 0;
  try {
    status = run_plot_script({"--fit", tmp, png});
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  std::remove(tmp.c_str());
  check_plot_status(status);
}

void print_param(const char* name, double value, const Interval& iv, double level, std::size_t replicates) {
  if (replicates == 0) {
    std::printf("  %-8s %12.6g   (no interval: no bootstrap replicates)\n", name, value);
    return;
  }
  std::printf("  %-8s %12.6g   %g%% CI [%.6g, %.6g]\n", name, value, 100 * level, iv.lo, iv.hi);
}

nlohmann::json ci_json(const Interval& iv, std::size_t replicates) {
  return replicates == 0 ? nlohmann::json(nullptr) : nlohmann::json::array({iv.lo, iv.hi});
}

// The rows every column of a fit can use: finite and positive in each. A row that is not is named on stderr
// and dropped (the same rule for both models); too few rows left is refused with the reason.
std::vector<std::size_t> usable_rows(const CsvTable& t, const std::vector<std::string>& columns, std::size_t need) {
  std::vector<std::vector<double>> cols;
  for (const std::string& c : columns) cols.push_back(t.numbers_or_nan(c));
  std::vector<std::size_t> keep;
  std::size_t dropped = 0;
  constexpr std::size_t kNamed = 5;  // rows named one by one; the rest are counted in one line
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    std::string bad;
    for (std::size_t k = 0; k < columns.size(); ++k)
      if (!(std::isfinite(cols[k][r]) && cols[k][r] > 0.0 && cols[k][r] < 1e300))
        bad += (bad.empty() ? "" : ", ") + cut(columns[k]) + " = '" + cut(t.rows[r][t.column(columns[k])]) + "'";
    if (bad.empty()) {
      keep.push_back(r);
    } else if (++dropped <= kNamed) {
      std::fprintf(stderr, "sgdlaw fit: warning: data row %zu dropped (%s: a fit needs finite values in (0, 1e300))\n",
                   r + 1, bad.c_str());
    }
  }
  if (dropped > kNamed)
    std::fprintf(stderr, "sgdlaw fit: warning: %zu more data rows dropped for the same reason (%zu of %zu in all)\n",
                 dropped - kNamed, dropped, t.rows.size());
  if (keep.size() < need)
    throw ConfigError("the fit needs at least " + std::to_string(need) + " usable rows, " +
                      std::to_string(keep.size()) + " of " + std::to_string(t.rows.size()) +
                      " are (see the warnings above)");
  return keep;
}

// Why a power-law fit of y against x cannot work, or "" when it can be tried.
std::string power_data_problem(const std::vector<double>& x, const std::vector<double>& y, const FitOptions& o) {
  const auto [xmin, xmax] = std::minmax_element(x.begin(), x.end());
  if (*xmin == *xmax) return "every row has the same " + o.x + " (" + std::to_string(*xmin) + "): no slope to fit";
  const double slope = log_log_slope(x, y);
  if (slope > 0)
    return o.y + " rises with " + o.x + " (log-log slope " + std::to_string(slope) +
           "): a decaying law A x^-alpha + B does not describe it";
  return "";
}

// Each replicate refits the same number of rows: the main fit's time, times the replicates, is the honest
// estimate, said at once when it is more than a second (a progress bar follows).
void say_bootstrap_estimate(double fit_seconds, std::size_t replicates) {
  const double total = fit_seconds * static_cast<double>(replicates);
  if (total > 1.0)
    std::fprintf(stderr, "sgdlaw fit: the fit took %.3g s; %zu bootstrap replicates ~%.3g s\n", fit_seconds, replicates,
                 total);
}

void run_power(const FitOptions& o, const CsvTable& t, const std::vector<std::string>& groups) {
  const std::vector<std::size_t> rows = usable_rows(t, {o.x, o.y}, 4);
  const auto x = pick(t.numbers_or_nan(o.x), rows), y = pick(t.numbers_or_nan(o.y), rows);
  if (const std::string why = power_data_problem(x, y, o); !why.empty()) throw ConfigError("power fit: " + why);
  const auto t0 = std::chrono::steady_clock::now();
  const PowerModelFit f = fit_power_model(x, y);
  if (!f.ok)
    throw ConfigError("power fit: Levenberg-Marquardt did not converge on these " + std::to_string(x.size()) +
                      " rows (the data may not follow A x^-alpha + B)");
  std::vector<double> bA, bal, bB;
  const auto replicates = bootstrap_rows(x.size(), groups, o.bootstrap, o.seed);
  say_bootstrap_estimate(seconds_since(t0), replicates.size());
  ProgressBar bar(!replicates.empty(), "bootstrap replicates");
  std::int64_t done = 0;
  for (const auto& idx : replicates) {
    bar.update(done++, static_cast<std::int64_t>(replicates.size()));
    const PowerModelFit b = fit_power_model(pick(x, idx), pick(y, idx));
    if (!b.ok) continue;
    bA.push_back(b.A);
    bal.push_back(b.alpha);
    bB.push_back(b.B);
  }
  bar.update(done, static_cast<std::int64_t>(replicates.size()));
  bar.finish();
  const Interval iA = percentile_interval(bA, o.confidence), ial = percentile_interval(bal, o.confidence),
                 iB = percentile_interval(bB, o.confidence);
  std::printf("power law fit of %s vs %s (%zu rows): %s = A * %s^-alpha + B\n", o.y.c_str(), o.x.c_str(), x.size(),
              o.y.c_str(), o.x.c_str());
  std::printf("  relative least squares, Levenberg-Marquardt (GSL); bootstrap over %s, %zu replicates\n",
              groups.empty() ? "rows" : ("groups of '" + o.group + "'").c_str(), bal.size());
  print_param("alpha", f.alpha, ial, o.confidence, bal.size());
  print_param("A", f.A, iA, o.confidence, bal.size());
  print_param("B", f.B, iB, o.confidence, bal.size());
  std::printf(
      "  relative rms residual %.3g; standard errors from the covariance (curve_fit's pcov): A %.3g, "
      "alpha %.3g, B %.3g\n",
      f.rel_rms, std::sqrt(f.cov[0][0]), std::sqrt(f.cov[1][1]), std::sqrt(f.cov[2][2]));
  if (!o.plot.empty()) {
    std::vector<double> pred;
    for (double xi : x) pred.push_back(f.A * std::pow(xi, -f.alpha) + f.B);
    plot_fit(o.plot, {{"x", x},
                      {"y", y},
                      {"prediction", pred},
                      {"x_name", o.x},
                      {"y_name", o.y},
                      {"label", format_printf("%.4g %s^-%.4f + %.4g", f.A, o.x.c_str(), f.alpha, f.B)},
                      {"title", "power-law fit of " + o.y + " vs " + o.x}});
  }
  if (!o.out.empty()) {
    nlohmann::json j = {{"model", "power"},
                        {"alpha", {{"value", f.alpha}, {"ci", ci_json(ial, bal.size())}}},
                        {"A", {{"value", f.A}, {"ci", ci_json(iA, bal.size())}}},
                        {"B", {{"value", f.B}, {"ci", ci_json(iB, bal.size())}}},
                        {"rows_used", x.size()},
                        {"covariance",
                         {{"order", {"A", "alpha", "B"}},
                          {"matrix",
                           {{f.cov[0][0], f.cov[0][1], f.cov[0][2]},
                            {f.cov[1][0], f.cov[1][1], f.cov[1][2]},
                            {f.cov[2][0], f.cov[2][1], f.cov[2][2]}}}}},
                        {"relative_rms_residual", f.rel_rms},
                        {"confidence", o.confidence},
                        {"bootstrap", bal.size()}};
    write_file_atomically(o.out, j.dump(2) + "\n");
  }
}

void plot_chinchilla(const FitOptions& o, const ChinchillaFit& f, const std::vector<double>& N,
                     const std::vector<double>& D, const std::vector<double>& L) {
  std::vector<double> pred;
  for (std::size_t i = 0; i < N.size(); ++i)
    pred.push_back(f.E + f.A / std::pow(N[i], f.alpha) + f.B / std::pow(D[i], f.beta));
  plot_fit(o.plot, {{"x", N},
                    {"y", L},
                    {"prediction", pred},
                    {"x_name", o.n},
                    {"y_name", o.loss},
                    {"markers", true},
                    {"label", format_printf("prediction E + A/N^%.3f + B/D^%.3f", f.alpha, f.beta)},
                    {"title", "Chinchilla fit of " + o.loss}});
}

void run_chinchilla(const FitOptions& o, const CsvTable& t, const std::vector<std::string>& groups) {
  const std::vector<std::size_t> rows = usable_rows(t, {o.n, o.d, o.loss}, 6);
  const auto N = pick(t.numbers_or_nan(o.n), rows), D = pick(t.numbers_or_nan(o.d), rows),
             L = pick(t.numbers_or_nan(o.loss), rows);
  std::fprintf(stderr, "sgdlaw fit: Chinchilla fit of %zu rows from 5400 starts (Hoffmann et al.'s grid)...\n",
               N.size());
  const auto t0 = std::chrono::steady_clock::now();
  const ChinchillaFit f = fit_chinchilla(N, D, L);
  if (!f.ok)
    throw ConfigError("chinchilla fit: no start of the optimiser converged on these " + std::to_string(N.size()) +
                      " rows (the data may not follow E + A/N^alpha + B/D^beta)");
  std::vector<double> bE, bA, bB, bal, bbe, ba;
  // Replicates restart from the full-data optimum and a few perturbations of it (the full start grid per
  // replicate would cost 5400 optimisations each).
  std::vector<ChinchillaFit> starts = {f};
  for (double s : {0.7, 1.4}) {
    ChinchillaFit p = f;
    p.alpha *= s;
    p.beta *= s;
    starts.push_back(p);
  }
  const auto replicates = bootstrap_rows(N.size(), groups, o.bootstrap, o.seed);
  say_bootstrap_estimate(seconds_since(t0), replicates.size());
  ProgressBar bar(!replicates.empty(), "bootstrap replicates");
  std::int64_t done = 0;
  for (const auto& idx : replicates) {
    bar.update(done++, static_cast<std::int64_t>(replicates.size()));
    const ChinchillaFit b = fit_chinchilla(pick(N, idx), pick(D, idx), pick(L, idx), starts);
    if (!b.ok) continue;
    bE.push_back(b.E);
    bA.push_back(b.A);
    bB.push_back(b.B);
    bal.push_back(b.alpha);
    bbe.push_back(b.beta);
    ba.push_back(b.a());
  }
  bar.update(done, static_cast<std::int64_t>(replicates.size()));
  bar.finish();
  const double lvl = o.confidence;
  std::printf("Chinchilla fit (%zu rows): %s = E + A / %s^alpha + B / %s^beta\n", N.size(), o.loss.c_str(), o.n.c_str(),
              o.d.c_str());
  std::printf(
      "  Huber loss (delta 1e-3) on log residuals, BFGS (GSL) from 5400 starts; bootstrap over %s, %zu replicates\n",
      groups.empty() ? "rows" : ("groups of '" + o.group + "'").c_str(), bal.size());
  const std::size_t reps = bal.size();
  print_param("E", f.E, percentile_interval(bE, lvl), lvl, reps);
  print_param("A", f.A, percentile_interval(bA, lvl), lvl, reps);
  print_param("B", f.B, percentile_interval(bB, lvl), lvl, reps);
  print_param("alpha", f.alpha, percentile_interval(bal, lvl), lvl, reps);
  print_param("beta", f.beta, percentile_interval(bbe, lvl), lvl, reps);
  const Interval ia = percentile_interval(ba, lvl);
  std::printf("compute-optimal allocation under C = 6 N D: N_opt ~ C^a, D_opt ~ C^b\n");
  if (reps > 0)
    std::printf("  a = beta/(alpha+beta) = %.4f  %g%% CI [%.4f, %.4f];  b = 1 - a = %.4f\n", f.a(), 100 * lvl, ia.lo,
                ia.hi, f.b());
  else
    std::printf("  a = beta/(alpha+beta) = %.4f (no interval: no bootstrap replicates);  b = 1 - a = %.4f\n", f.a(),
                f.b());
  for (double C : o.budgets) {
    const double n_opt = f.G() * std::pow(C / 6.0, f.a()), d_opt = std::pow(C / 6.0, f.b()) / f.G();
    std::printf("  C = %.3g: N_opt = %.4g, D_opt = %.4g, D/N = %.3g, loss %.4g\n", C, n_opt, d_opt, d_opt / n_opt,
                f.E + f.A / std::pow(n_opt, f.alpha) + f.B / std::pow(d_opt, f.beta));
  }
  if (!o.plot.empty()) plot_chinchilla(o, f, N, D, L);
  if (!o.out.empty()) {
    nlohmann::json j = {{"model", "chinchilla"}, {"E", f.E},       {"A", f.A},   {"B", f.B},
                        {"alpha", f.alpha},      {"beta", f.beta}, {"a", f.a()}, {"a_ci", ci_json(ia, reps)},
                        {"rows_used", N.size()}, {"b", f.b()},     {"G", f.G()}, {"bootstrap", bal.size()},
                        {"confidence", lvl}};
    write_file_atomically(o.out, j.dump(2) + "\n");
  }
}

// The CSV table of `path`: a folder is refused with the tables it holds (a sweep's sweep.csv, a run's curves.csv).
CsvTable read_data_table(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::string hint;
    for (const char* table : {"sweep.csv", "curves.csv"})
      if (fs::is_regular_file(fs::path(path) / table, ec))
        hint += (hint.empty() ? "; give " : " or ") + (fs::path(path) / table).string();
    throw ConfigError("data '" + cut(path) + "' is a folder, not a CSV file" + cut(hint));
  }
  try {
    return read_csv(path);
  } catch (const std::runtime_error& e) {
    throw ConfigError(e.what());
  }
}

// Every column the fit reads, by the flag that names it: a missing one is refused before any fitting.
void check_columns(const FitOptions& o, const CsvTable& t) {
  std::vector<std::pair<const char*, std::string>> need;
  if (o.model == "power")
    need = {{"--x", o.x}, {"--y", o.y}};
  else
    need = {{"--n", o.n}, {"--d", o.d}, {"--loss", o.loss}};
  if (!o.group.empty()) need.emplace_back("--group", o.group);
  for (const auto& [flag, name] : need)
    if (!t.has_column(name)) {
      std::string cols;
      for (const auto& h : t.header) cols += (cols.empty() ? "" : ", ") + h;
      throw ConfigError(std::string(flag) + " '" + cut(name) + "': " + cut(t.source) + " has no such column" +
                        did_you_mean(name, t.header) + " (columns: " + cut(cols) + ")");
    }
}

}  // namespace

void register_fit_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<FitOptions>();
  CLI::App* cmd = app.add_subcommand("fit", "fit a scaling law to your own CSV measurements");
  cmd->add_option("data", o->path, "CSV file with a header row")->required();
  cmd->add_option("--model", o->model, "power (y = A x^-alpha + B) or chinchilla (L = E + A/N^alpha + B/D^beta)")
      ->check(CLI::IsMember({"power", "chinchilla"}));
  cmd->add_option("--x", o->x, "power: x column (default N)");
  cmd->add_option("--y", o->y, "power: y column (default loss)");
  cmd->add_option("--n", o->n, "chinchilla: parameter-count column (default N)");
  cmd->add_option("--d", o->d, "chinchilla: data (tokens) column (default D)");
  cmd->add_option("--loss", o->loss, "chinchilla: loss column (default loss)");
  cmd->add_option("--group", o->group, "bootstrap whole groups of rows sharing this column's value (e.g. trial)");
  cmd->add_option("--bootstrap", o->bootstrap, "bootstrap replicates (default 1000)")->check(CLI::Range(0, 1000000));
  cmd->add_option("--confidence", o->confidence, "interval level (default 0.95)")->check(CLI::Range(0.5, 0.999));
  cmd->add_option("--seed", o->seed, "bootstrap seed");
  cmd->add_option("--budgets", o->budgets, "chinchilla: compute budgets C to tabulate");
  cmd->add_option("--out", o->out, "also write the fit as JSON here");
  cmd->add_option("--plot", o->plot, "also draw data, fit and relative residuals into this PNG (matplotlib)");
  cmd->callback([o, &exit_code]() {
    exit_code = guarded("fit", [&]() {
      for (double C : o->budgets)
        if (!(std::isfinite(C) && C > 0))
          throw ConfigError("--budgets: every compute budget must be a finite number > 0, got " + std::to_string(C));
      if (!o->out.empty() && std::filesystem::is_directory(o->out))
        throw ConfigError("--out '" + cut(o->out) + "' is a folder; give a file name for the JSON");
      if (!(o->confidence >= 0.5 && o->confidence <= 0.999))  // CLI11's range lets nan through
        throw ConfigError("--confidence must be a number in [0.5, 0.999], got " + format_shortest(o->confidence));
      const CsvTable t = read_data_table(o->path);
      check_columns(*o, t);
      std::vector<std::string> groups;
      if (!o->group.empty()) {
        const std::size_t c = t.column(o->group);
        for (const auto& row : t.rows) groups.push_back(row[c]);
      }
      try {
        if (o->model == "power")
          run_power(*o, t, groups);
        else
          run_chinchilla(*o, t, groups);
      } catch (const std::runtime_error& e) {
        // A bad table is the user's input (exit 2); a file that cannot be written is the machine's (exit 1).
        if (dynamic_cast<const ConfigError*>(&e) || dynamic_cast<const IoError*>(&e)) throw;
        throw ConfigError(e.what());
      }
    });
  });
}

}  // namespace sgdlaw
