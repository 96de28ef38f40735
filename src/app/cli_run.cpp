// `sgdlaw run [config.toml] [--key value ...]`
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_commands.hpp"
#include "progress_bar.hpp"
#include "sgdlaw/backends/run_estimate.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/config_load.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "sgdlaw/sweep/theory.hpp"

namespace sgdlaw {
namespace {

struct RunOptions {
  std::string config_path;
  std::map<std::string, std::string> flags;
  bool quiet = false;
};

// Without an `out` key: runs/<config file's name> (runs/run without a file). A folder there that holds a run
// of another configuration is kept: the new run goes to <name>-2, -3, ... and the output says so.
std::string fresh_default_out(const std::string& config_path, const Config& c) {
  std::string stem = config_path.empty() ? "run" : std::filesystem::path(config_path).stem().string();
  if (stem.empty()) stem = "run";
  const std::string base = "runs/" + stem;
  for (int i = 1;; ++i) {
    const std::string out = i == 1 ? base : base + "-" + std::to_string(i);
    const std::filesystem::path cfg = std::filesystem::path(out) / "config.json";
    if (!std::filesystem::exists(out)) return out;
    try {
      const auto j = nlohmann::json::parse(read_text_file(cfg.string()));
      if (same_run(j.at("config"), c)) return out;  // the same run: rewritten
    } catch (const std::exception&) {
    }
    if (i == 1) std::fprintf(stderr, "sgdlaw run: %s holds another run; keeping it\n", out.c_str());
    if (i > 1000) throw ConfigError("no free default output folder under " + base + "-N; give 'out'");
  }
}

// Gaussian sketch at finite d: the deterministic equivalent's column against the sampled sketches' average exact
// risk, so that a run says how far the sketch average without sampling is from the sampled one.
void print_det_equiv_check(const RunResult& r) {
  const Config& c = r.plan.config;
  if (!r.has_det_equiv || c.d_infinite || r.rows.empty()) return;
  double max_z = 0.0, max_rel = 0.0;
  for (const CurveRow& row : r.rows) {
    max_rel = std::max(max_rel, std::fabs(row.risk_det_equiv / row.risk_exact - 1.0));
    const double se = row.risk_exact_sketch_sd / std::sqrt(static_cast<double>(c.sketches));
    if (se > 0) max_z = std::max(max_z, std::fabs(row.risk_det_equiv - row.risk_exact) / se);
  }
  const char* kind = c.det_equiv_correction ? "with its 1/M terms" : "M -> infinity limit";
  if (c.sketches >= 2)
    std::printf(
        "  deterministic equivalent (%s) vs the %lld sampled sketches' average: largest |z| %.2f, largest "
        "relative gap %.2g\n",
        kind, static_cast<long long>(c.sketches), max_z, max_rel);
  else
    std::printf(
        "  deterministic equivalent (%s) vs this one sketch: largest relative gap %.2g (sketches >= 2 give "
        "a z)\n",
        kind, max_rel);
}

// monte_carlo = false: the exact curve and its decomposition.
void print_exact_summary(const RunResult& r, double wall) {
  const Config& c = r.plan.config;
  std::printf("  exact only (%s), wall %.2fs (setup %.2fs, exact %.2fs)%s\n",
              !r.exact.empty() && r.exact[0].contour ? "contour jumps" : "step by step", wall, r.setup_seconds,
              r.exact_seconds, c.d_infinite ? "; d = inf: head + tail quadrature" : "");
  std::printf("  %12s %12s %14s %12s %12s %12s\n", "N", "N_eff", "risk (exact)", "approx", "bias", "variance");
  const std::size_t n = r.rows.size();
  for (std::size_t i = 0; i < n; ++i) {
    const CurveRow& row = r.rows[i];
    if (n <= 8 || i % ((n + 5) / 6) == 0 || i + 1 == n)
      std::printf("  %12lld %12.5g %14.8g %12.5g %12.5g %12.5g\n", static_cast<long long>(row.samples), row.n_eff,
                  row.risk_exact, row.approx_exact, row.bias_exact, row.variance_exact);
  }
  print_det_equiv_check(r);
}

void print_summary(const RunResult& r, double wall) {
  const Config& c = r.plan.config;
  for (const std::string& w : r.warnings) std::fprintf(stderr, "sgdlaw run: warning: %s\n", w.c_str());
  if (r.theory_level_ratio >= 0.0)
    std::printf("  level: exact risk / theory's constant-step bias (4+3 notebooks' constant) = %.4f at N = %lld\n",
                r.theory_level_ratio, static_cast<long long>(r.rows.back().samples));
  const std::string d = c.d_infinite ? "inf" : std::to_string(c.d), m = c.d_infinite ? "inf" : std::to_string(c.M);
  std::printf("sgdlaw run: a=%g b=%g d=%s M=%s (%s sketch) sigma=%g | N=%lld B=%lld gamma=%g (%s; stable below %.4g)\n",
              c.a, c.b, d.c_str(), m.c_str(), to_string(c.sketch), c.sigma, static_cast<long long>(c.N),
              static_cast<long long>(c.batch), c.gamma, to_string(c.schedule), r.max_stable_gamma);
  if (!c.monte_carlo) return print_exact_summary(r, wall);
  std::printf("  backend %s, %lld sketch(es) x %lld trials, seed %u; wall %.2fs (setup %.2fs, exact %.2fs, MC %.2fs)\n",
              r.backend.c_str(), static_cast<long long>(c.sketches), static_cast<long long>(c.trials), c.seed, wall,
              r.setup_seconds, r.exact_seconds, r.mc_seconds);
  std::printf("  %12s %12s %14s %12s %14s %8s\n", "N", "N_eff", "risk (MC)", "+- se", "risk (exact)", "z");
  double max_z = 0.0;
  const std::size_t n = r.rows.size();
  for (std::size_t i = 0; i < n; ++i) {
    const CurveRow& row = r.rows[i];
    const double z = row.risk_se > 0 ? (row.risk_mc - row.risk_exact) / row.risk_se : 0.0;
    max_z = std::max(max_z, std::fabs(z));
    if (n <= 8 || i % ((n + 5) / 6) == 0 || i + 1 == n)
      std::printf("  %12lld %12.5g %14.6g %12.3g %14.6g %8.2f\n", static_cast<long long>(row.samples), row.n_eff,
                  row.risk_mc, row.risk_se, row.risk_exact, z);
  }
  if (r.resumed_trials > 0)
    std::printf("  resumed: %lld trials loaded from the interrupted run's saved chunks\n",
                static_cast<long long>(r.resumed_trials));
  const CurveRow& last = r.rows.back();
  std::printf(
      "  final: sigma^2 %.4g + approx %.4g + bias %.4g + variance %.4g (exact); max |z| over %zu checkpoints %.2f\n",
      c.sigma * c.sigma, last.approx_exact, last.bias_exact, last.variance_exact, n, max_z);
  print_det_equiv_check(r);
  if (c.dataset > 0)
    std::printf(
        "  finite dataset: %lld samples, %.3g passes (%s); the exact column is the fresh-data (one-pass) risk,\n"
        "  not this run's: with reuse only the Monte Carlo columns apply, and z is not a check\n",
        static_cast<long long>(c.dataset), static_cast<double>(c.N) / static_cast<double>(c.dataset),
        to_string(c.sampling));
}

}  // namespace

void register_run_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "simulate one configuration and write curves.csv, config.json");
  run->add_option("config", opts->config_path, "TOML run file (optional; flags override its keys)");
  add_config_flags(*run, opts->flags);
  run->add_flag("--quiet", opts->quiet, "no progress bar, no summary");
  run->callback([opts, run, &exit_code]() {
    exit_code = guarded("run", [&]() {
      const RawSettings flags = collect_config_flags(*run, opts->flags);
      Config c = load_config(opts->config_path, flags);
      if (opts->quiet) c.progress = false;
      const bool out_given = flags.count("out") > 0 ||
                             (!opts->config_path.empty() && read_toml_settings(opts->config_path).count("out") > 0);
      if (!out_given) c.out = fresh_default_out(opts->config_path, c);
      check_out_folder_writable(c.out);
      check_own_folder(c.out, FolderKind::kRun);  // a user's folder, or a sweep's, is never replaced
      const OutputLock lock(c.out);               // a second writer of this folder is refused, naming this process
      remove_stale_leftovers(c.out);              // of runs killed before they could clean up
      if (c.progress) std::fprintf(stderr, "sgdlaw run: estimated %s\n", estimate_run(c).text().c_str());
      const auto t0 = std::chrono::steady_clock::now();
      ProgressBar bar(c.progress);
      RunResult r = run_simulation(
          c, [&](std::int64_t done, std::int64_t total) { bar.update(done, total); },
          [&](const std::string& stage) {
            if (c.progress) std::fprintf(stderr, "sgdlaw run: %s\n", stage.c_str());
          });
      bar.finish();
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      RunMeta meta{version_string(), wall, command_line()};
      r.theory_level_ratio = theory_level_ratio(r);
      write_run_outputs(r, meta, c.out);
      if (!opts->quiet) {
        print_summary(r, wall);
        std::printf("  wrote %s/curves.csv%s and config.json\n", c.out.c_str(),
                    c.write_trials != TrialsOutput::kNone ? ", trials.csv" : "");
      }
    });
  });
}

}  // namespace sgdlaw
