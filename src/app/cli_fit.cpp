// `sgdlaw fit data.csv --model power|chinchilla ...`: scaling-law fits of a user's own measurements.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_commands.hpp"
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
};

template <class T>
std::vector<T> pick(const std::vector<T>& v, const std::vector<std::size_t>& idx) {
  std::vector<T> out;
  out.reserve(idx.size());
  for (std::size_t i : idx) out.push_back(v[i]);
  return out;
}

void print_param(const char* name, double value, const Interval& iv, double level) {
  std::printf("  %-8s %12.6g   %g%% CI [%.6g, %.6g]\n", name, value, 100 * level, iv.lo, iv.hi);
}

void run_power(const FitOptions& o, const CsvTable& t, const std::vector<std::string>& groups) {
  const auto x = t.numbers(o.x), y = t.numbers(o.y);
  const PowerModelFit f = fit_power_model(x, y);
  if (!f.ok) throw ConfigError("power fit failed: need >= 4 rows with positive " + o.x + " and " + o.y);
  std::vector<double> bA, bal, bB;
  for (const auto& idx : bootstrap_rows(x.size(), groups, o.bootstrap, o.seed)) {
    const PowerModelFit b = fit_power_model(pick(x, idx), pick(y, idx));
    if (!b.ok) continue;
    bA.push_back(b.A);
    bal.push_back(b.alpha);
    bB.push_back(b.B);
  }
  const Interval iA = percentile_interval(bA, o.confidence), ial = percentile_interval(bal, o.confidence),
                 iB = percentile_interval(bB, o.confidence);
  std::printf("power law fit of %s vs %s (%zu rows): %s = A * %s^-alpha + B\n", o.y.c_str(), o.x.c_str(), x.size(),
              o.y.c_str(), o.x.c_str());
  std::printf("  relative least squares, Levenberg-Marquardt (GSL); bootstrap over %s, %zu replicates\n",
              groups.empty() ? "rows" : ("groups of '" + o.group + "'").c_str(), bal.size());
  print_param("alpha", f.alpha, ial, o.confidence);
  print_param("A", f.A, iA, o.confidence);
  print_param("B", f.B, iB, o.confidence);
  std::printf("  relative rms residual %.3g\n", f.rel_rms);
  if (!o.out.empty()) {
    nlohmann::json j = {{"model", "power"},
                        {"alpha", {{"value", f.alpha}, {"ci", {ial.lo, ial.hi}}}},
                        {"A", {{"value", f.A}, {"ci", {iA.lo, iA.hi}}}},
                        {"B", {{"value", f.B}, {"ci", {iB.lo, iB.hi}}}},
                        {"confidence", o.confidence},
                        {"bootstrap", bal.size()}};
    write_file_atomically(o.out, j.dump(2) + "\n");
  }
}

void run_chinchilla(const FitOptions& o, const CsvTable& t, const std::vector<std::string>& groups) {
  const auto N = t.numbers(o.n), D = t.numbers(o.d), L = t.numbers(o.loss);
  const ChinchillaFit f = fit_chinchilla(N, D, L);
  if (!f.ok)
    throw ConfigError("chinchilla fit failed: need >= 6 rows with positive " + o.n + ", " + o.d + ", " + o.loss);
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
  for (const auto& idx : bootstrap_rows(N.size(), groups, o.bootstrap, o.seed)) {
    const ChinchillaFit b = fit_chinchilla(pick(N, idx), pick(D, idx), pick(L, idx), starts);
    if (!b.ok) continue;
    bE.push_back(b.E);
    bA.push_back(b.A);
    bB.push_back(b.B);
    bal.push_back(b.alpha);
    bbe.push_back(b.beta);
    ba.push_back(b.a());
  }
  const double lvl = o.confidence;
  std::printf("Chinchilla fit (%zu rows): %s = E + A / %s^alpha + B / %s^beta\n", N.size(), o.loss.c_str(), o.n.c_str(),
              o.d.c_str());
  std::printf(
      "  Huber loss (delta 1e-3) on log residuals, BFGS (GSL) from 5400 starts; bootstrap over %s, %zu replicates\n",
      groups.empty() ? "rows" : ("groups of '" + o.group + "'").c_str(), bal.size());
  print_param("E", f.E, percentile_interval(bE, lvl), lvl);
  print_param("A", f.A, percentile_interval(bA, lvl), lvl);
  print_param("B", f.B, percentile_interval(bB, lvl), lvl);
  print_param("alpha", f.alpha, percentile_interval(bal, lvl), lvl);
  print_param("beta", f.beta, percentile_interval(bbe, lvl), lvl);
  const Interval ia = percentile_interval(ba, lvl);
  std::printf("compute-optimal allocation under C = 6 N D: N_opt ~ C^a, D_opt ~ C^b\n");
  std::printf("  a = beta/(alpha+beta) = %.4f  %g%% CI [%.4f, %.4f];  b = 1 - a = %.4f\n", f.a(), 100 * lvl, ia.lo,
              ia.hi, f.b());
  for (double C : o.budgets) {
    const double n_opt = f.G() * std::pow(C / 6.0, f.a()), d_opt = std::pow(C / 6.0, f.b()) / f.G();
    std::printf("  C = %.3g: N_opt = %.4g, D_opt = %.4g, D/N = %.3g, loss %.4g\n", C, n_opt, d_opt, d_opt / n_opt,
                f.E + f.A / std::pow(n_opt, f.alpha) + f.B / std::pow(d_opt, f.beta));
  }
  if (!o.out.empty()) {
    nlohmann::json j = {{"model", "chinchilla"},
                        {"E", f.E},
                        {"A", f.A},
                        {"B", f.B},
                        {"alpha", f.alpha},
                        {"beta", f.beta},
                        {"a", f.a()},
                        {"a_ci", {ia.lo, ia.hi}},
                        {"b", f.b()},
                        {"G", f.G()},
                        {"bootstrap", bal.size()},
                        {"confidence", lvl}};
    write_file_atomically(o.out, j.dump(2) + "\n");
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
  cmd->callback([o, &exit_code]() {
    exit_code = guarded("fit", [&]() {
      CsvTable t;
      try {
        t = read_csv(o->path);
      } catch (const std::runtime_error& e) {
        throw ConfigError(e.what());
      }
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
        if (dynamic_cast<const ConfigError*>(&e)) throw;
        throw ConfigError(e.what());
      }
    });
  });
}

}  // namespace sgdlaw
