// `sgdlaw sweep file.toml [--key value ...] [--shard i/n] [--analyze-only]`
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_commands.hpp"
#include "progress_bar.hpp"
#include "sgdlaw/core/text.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/sweep/mpi_sweep.hpp"
#include "sgdlaw/sweep/sweep_analysis.hpp"
#include "sgdlaw/sweep/sweep_merge.hpp"
#include "sgdlaw/sweep/sweep_runner.hpp"

namespace sgdlaw {
namespace {

struct SweepOptions {
  std::string path, shard, out;
  std::map<std::string, std::string> flags;
  bool analyze_only = false, no_fit = false;
  std::vector<std::string> grids;
};

// --shard i/n: two decimal integers (digits only, n <= 1e6), 0 <= i < n; anything else is refused.
void parse_shard(const std::string& text, SweepRunOptions& o) {
  const std::string rule = "--shard must be i/n, two integers written in digits with 0 <= i < n <= 1000000";
  const auto slash = text.find('/');
  auto whole_number = [&](const std::string& part) {
    if (part.empty() || part.size() > 7 || part.find_first_not_of("0123456789") != std::string::npos)
      throw ConfigError(rule + ", got '" + cut(text) + "' ('" + cut(part) + "' is not such an integer)");
    return std::stol(part);
  };
  if (slash == std::string::npos) throw ConfigError(rule + ", got '" + cut(text) + "' (no '/')");
  const long i = whole_number(text.substr(0, slash)), n = whole_number(text.substr(slash + 1));
  if (!(n >= 1 && n <= 1000000 && i < n)) throw ConfigError(rule + ", got '" + cut(text) + "'");
  o.shard_index = i;
  o.shard_count = n;
}

// A folder that holds a run of `sgdlaw run` (its config.json lists the run's "files"; no sweep.json) is not a sweep
// folder: sweep points and tables written into it would mix the two, so it is refused.
void refuse_run_folder(const std::string& out, const std::string& field) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(out) / "config.json", ec) || fs::exists(fs::path(out) / "sweep.json", ec)) return;
  bool run = false;
  try {
    const nlohmann::json j = nlohmann::json::parse(read_text_file(out + "/config.json"));
    run = j.is_object() && j.contains("files");
  } catch (const std::exception&) {
  }
  if (run)
    throw ConfigError(field + " = '" + cut(out) +
                      "' holds a run of `sgdlaw run` (its config.json), not a sweep; refusing to write sweep points "
                      "and tables into it (choose another folder)");
}

// The [fit] keys of a sweep file, for `sgdlaw sweep --help` (README "Fit keys" says the same).
constexpr const char* kFitKeysHelp = R"(
[fit] keys of a sweep file (all optional; without grid names the fits are inferred from the grids' axes):
  m_axis_grid = "g" | ["g", ...]   grids whose M axis gives the M law (risk - sigma^2 vs M at the largest N)
  n_axis_grid = "g" | [...]        grids whose N axis gives the N law (vs N_eff at the largest M)
  frontier_grid = "g" | [...]      grids with M and N axes: the compute-optimal frontier
  n_axis_subtract_approx = true    N law of R - sigma^2 - Approx (false: R - sigma^2)
  m_regime = 0.25, n_regime = 0.25 regime windows: M <= m_regime N_eff^(1/a); N_eff^(1/a) <= n_regime M (0 = off)
  m_window = [lo, hi]              extra least-squares window on M (default everything)
  n_eff_window = [lo, hi]          ... on N_eff
  bootstrap = 1000                 bootstrap replicates over whole trials (0: no intervals)
  confidence = 0.95                interval level, in (0.5, 1)
  bootstrap_seed = 20240           the replicates' seed
  cost_fixed = 0, cost_per_m = 1   compute per sample for the frontier: C = N (cost_fixed + cost_per_m M)
)";

// sweep.csv / sweep.json always; fits, slopes, frontier and report once every point is finished.
void write_tables_and_fits(const SweepSpec& sp, bool no_fit) {
  std::int64_t missing = 0;
  for (const SweepPoint& p : sp.points) missing += point_state(p) == PointState::kMissing;
  const std::int64_t included = write_sweep_tables(sp, version_string());
  std::printf("  wrote %s/sweep.csv (%lld points) and sweep.json\n", sp.out.c_str(), static_cast<long long>(included));
  if (missing > 0) {
    std::printf("  %lld points not finished yet (other shards, or killed): fits wait until they are\n",
                static_cast<long long>(missing));
    return;
  }
  if (no_fit) return;
  if (!sp.fit.inferred.empty()) {
    std::printf("  fits inferred from the grids ([fit] names none):\n");
    for (const std::string& line : sp.fit.inferred) std::printf("    %s\n", line.c_str());
  }
  const SweepAnalysis a = analyze_sweep(sp);
  if (a.fits.empty()) return;
  write_sweep_analysis(sp, a);
  std::printf("\n%s\n  wrote fits.csv, slopes.csv, frontier.csv, report.md\n", a.report_md.c_str());
}

struct MergeOptions {
  std::string path, into;
  std::vector<std::string> shards;
  bool no_fit = false;
};

}  // namespace

void register_merge_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<MergeOptions>();
  CLI::App* cmd =
      app.add_subcommand("merge", "combine shard folders of one sweep into one folder, then tabulate and fit");
  cmd->add_option("sweep_file", o->path, "the sweep file the shards ran")->required();
  cmd->add_option("shards", o->shards, "shard output folders (--sweep-out of each shard)")->required();
  cmd->add_option("--into", o->into, "merged sweep folder (default: [sweep] out)");
  cmd->add_flag("--no-fit", o->no_fit, "skip the fits");
  cmd->callback([o, &exit_code]() {
    exit_code = guarded("merge", [&]() {
      SweepSpec spec = load_sweep_spec(o->path, {});
      if (!o->into.empty()) set_sweep_out(spec, o->into);
      refuse_run_folder(spec.out, o->into.empty() ? "[sweep] out" : "--into");
      const MergeSummary m = merge_shards(spec, o->shards, version_string());
      std::printf("merge %s: %ld points copied, %ld already there, %ld missing from every shard\n", spec.source.c_str(),
                  m.copied, m.already, m.missing);
      write_tables_and_fits(spec, o->no_fit);
    });
  });
}

void register_sweep_command(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<SweepOptions>();
  CLI::App* cmd = app.add_subcommand("sweep", "run every point of a sweep file (resumable), tabulate and fit");
  cmd->add_option("sweep_file", opts->path, "TOML sweep file ([sweep] grids, [fit])")->required();
  cmd->add_option("--shard", opts->shard, "run only shard i of n (i/n, 0-based; points split by estimated work)");
  cmd->add_option("--sweep-out", opts->out, "write the sweep here instead of [sweep] out");
  cmd->add_option("--grid", opts->grids,
                  "KEY=v1,v2,...: a sweep axis from the command line; repeat for more axes (together one more grid, "
                  "'cli'); the file may then be a plain run file")
      ->take_all()
      ->allow_extra_args(false);
  cmd->add_flag("--analyze-only", opts->analyze_only, "do not run points; tabulate and fit what is there");
  cmd->add_flag("--no-fit", opts->no_fit, "run and tabulate, skip the fits");
  add_config_flags(*cmd, opts->flags);
  cmd->footer(kFitKeysHelp);
  cmd->callback([opts, cmd, &exit_code]() {
    exit_code = guarded("sweep", [&]() {
      SweepSpec spec = load_sweep_spec(opts->path, collect_config_flags(*cmd, opts->flags), opts->grids);
      if (!opts->out.empty()) set_sweep_out(spec, opts->out);
      refuse_run_folder(spec.out, opts->out.empty() ? "[sweep] out" : "--sweep-out");
      SweepRunOptions ro;
      if (!opts->shard.empty()) parse_shard(opts->shard, ro);
      // On a terminal, the point running now shows a progress bar (erased before its log line).
      auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
      const bool tty = ::isatty(STDERR_FILENO) != 0;
      ro.log = [bar, tty](const std::string& line) {
        if (*bar) {
          std::fprintf(stderr, "\r\033[K");
          bar->reset();
        }
        std::fprintf(stderr, "%s\n", line.c_str());
        std::fflush(stderr);
      };
      if (tty)
        ro.point_progress = [bar](const std::string& name, std::int64_t done, std::int64_t total) {
          if (!*bar) *bar = std::make_unique<ProgressBar>(true, "trials of " + name);
          (*bar)->update(done, total);
        };
      auto tables_and_fits = [&](const SweepSpec& sp) { write_tables_and_fits(sp, opts->no_fit); };
      if (launched_under_mpi() && !opts->analyze_only) {
        if (!opts->shard.empty()) throw ConfigError("--shard and mpirun do not mix: MPI spreads the work itself");
        const MpiSweepOutcome o = run_sweep_mpi(spec, ro.log, [&](const SweepSpec& sp) {
          std::printf("sweep %s over MPI: %zu points -> %s\n", sp.source.c_str(), sp.points.size(), sp.out.c_str());
          tables_and_fits(sp);
        });
        if (o.root)
          std::printf("  ranks %d: ran %lld, already complete %lld, failed %lld\n", o.ranks,
                      static_cast<long long>(o.summary.ran), static_cast<long long>(o.summary.skipped),
                      static_cast<long long>(o.summary.failed));
        return;
      }
      if (opts->analyze_only && !std::filesystem::is_directory(spec.out))
        throw ConfigError("--analyze-only: the sweep folder '" + cut(spec.out) +
                          "' does not exist; run the sweep first");
      check_out_folder_writable(spec.out, "[sweep] out");
      // Shards may share one folder (their points are disjoint and each point is written atomically); a
      // whole sweep holds the folder alone.
      std::unique_ptr<OutputLock> lock;
      if (opts->shard.empty()) {
        lock = std::make_unique<OutputLock>(spec.out);
        remove_stale_leftovers(spec.out, "points");  // of sweeps killed before they could clean up
      }
      std::printf("sweep %s: %zu points -> %s\n", spec.source.c_str(), spec.points.size(), spec.out.c_str());
      SweepRunSummary s;
      if (!opts->analyze_only) {
        s = run_sweep_points(spec, ro);
        std::printf("  ran %lld, already complete %lld, failed %lld%s\n", static_cast<long long>(s.ran),
                    static_cast<long long>(s.skipped), static_cast<long long>(s.failed),
                    s.not_mine > 0 ? (", other shards' " + std::to_string(s.not_mine)).c_str() : "");
        for (const auto& msg : s.failures) std::printf("  failed: %s\n", msg.c_str());
      }
      tables_and_fits(spec);
    });
  });
}

}  // namespace sgdlaw
