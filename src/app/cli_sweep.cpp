// `sgdlaw sweep file.toml [--key value ...] [--shard i/n] [--analyze-only]`
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_commands.hpp"
#include "progress_bar.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/text.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/sweep/mpi_sweep.hpp"
#include "sgdlaw/sweep/sweep_analysis.hpp"
#include "sgdlaw/sweep/sweep_merge.hpp"
#include "sgdlaw/sweep/sweep_prechecks.hpp"
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

// The fits on the console in 80 columns, a group's header then a line per fit (report.md has the whole table):
//     risk-sigma2 vs M            ols    -1.121 [-1.130, -1.110]  theory -1.200
std::string console_summary(const std::vector<FitRow>& fits) {
  const auto fit_width = [](const std::string& t, std::size_t n) {
    return t.size() <= n ? t : t.substr(0, n - 3) + "...";
  };
  std::string out, group;
  for (const FitRow& r : fits) {
    if (r.group != group) {
      group = r.group;
      out += "  " + fit_width(group, 78) + "\n";
    }
    const std::string method = r.method == "loglog_ols" ? "ols" : r.method == "saturating" ? "sat" : "front";
    std::string line = format_printf("    %-27s %-5s ", r.quantity.c_str(), method.c_str());
    if (r.ok)
      line += format_printf("%7.3f [%6.3f, %6.3f]  theory %6.3f", r.slope, r.ci_lo, r.ci_hi, r.theory);
    else
      line += "failed: " + r.note;
    out += fit_width(line, 80) + "\n";
  }
  return out;
}

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
  std::printf("\n%s  wrote fits.csv, slopes.csv, frontier.csv, report.md (the full table)\n",
              console_summary(a.fits).c_str());
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
      check_out_folder_writable(spec.out, "--into");
      check_own_folder(spec.out, FolderKind::kSweep, "--into");
      const OutputLock lock(spec.out);  // a merge writes the folder alone: no sweep, shard or merge meanwhile
      mark_folder(spec.out, FolderKind::kSweep);
      remove_stale_leftovers(spec.out, "points");  // what a killed merge left
      const MergeSummary m = merge_shards(spec, o->shards, version_string());
      std::printf("merge %s: %ld points copied, %ld already there, %ld missing from every shard\n", spec.source.c_str(),
                  m.copied, m.already, m.missing);
      write_tables_and_fits(spec, o->no_fit);
    });
  });
}

// Runs this process's points (estimate first), then says what ran and what failed: every failure but a grid's
// repeated divergences, which are counted.
static SweepRunSummary run_and_report(const SweepSpec& spec, const SweepRunOptions& ro) {
  const SweepEstimate e = estimate_sweep(spec);
  if (e.missing > 0)
    std::printf("  %lld point(s) to run, estimated ~%s s on the CPU in all\n", static_cast<long long>(e.missing),
                format_g(e.seconds, 2).c_str());
  std::fflush(stdout);
  const SweepRunSummary s = run_sweep_points(spec, ro);
  std::printf("  ran %lld, already complete %lld, failed %lld%s\n", static_cast<long long>(s.ran),
              static_cast<long long>(s.skipped), static_cast<long long>(s.failed),
              s.not_mine > 0 ? (", other shards' " + std::to_string(s.not_mine)).c_str() : "");
  for (const auto& msg : s.failures) std::printf("  failed: %s\n", msg.c_str());
  for (const auto& [grid, n] : s.diverged_in_grid)
    if (n > 1)
      std::printf("  grid %s: %lld points diverged (the first one's message is above)\n", grid.c_str(),
                  static_cast<long long>(n));
  return s;
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
  cmd->footer(fit_keys_help());  // the [fit] table (README "Fit keys" says the same)
  cmd->callback([opts, cmd, &exit_code]() {
    exit_code = guarded("sweep", [&]() {
      SweepSpec spec = load_sweep_spec(opts->path, collect_config_flags(*cmd, opts->flags), opts->grids);
      if (!opts->out.empty()) set_sweep_out(spec, opts->out);
      const char* out_field = opts->out.empty() ? "[sweep] out" : "--sweep-out";  // messages name what was given
      if (!opts->analyze_only) check_points_before_running(spec);  // what is knowable fails now, not late
      SweepRunOptions ro;
      if (!opts->shard.empty()) parse_shard(opts->shard, ro);
      // On a terminal, the point running now shows a progress bar (erased before its log line).
      auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
      const bool tty = ::isatty(STDERR_FILENO) != 0;
      ro.log = [bar, tty](const std::string& line) {
        if (quiet_mode()) return;
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
        check_out_folder_writable(spec.out, out_field);
        check_own_folder(spec.out, FolderKind::kSweep, out_field);
        // Every rank holds the folder shared: a whole sweep or a merge of it is refused meanwhile.
        const OutputLock lock(spec.out, /*shared=*/true);
        mark_folder(spec.out, FolderKind::kSweep);
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
      check_out_folder_writable(spec.out, out_field);
      check_own_folder(spec.out, FolderKind::kSweep, out_field);
      // Shards share one folder (their points are disjoint and each point is written atomically): a shared
      // lock; a whole sweep holds the folder alone, and only it removes what killed writers left.
      const OutputLock lock(spec.out, /*shared=*/!opts->shard.empty());
      mark_folder(spec.out, FolderKind::kSweep);
      if (opts->shard.empty()) remove_stale_leftovers(spec.out, "points");
      std::printf("sweep %s: %zu points -> %s\n", spec.source.c_str(), spec.points.size(), spec.out.c_str());
      const SweepRunSummary s = opts->analyze_only ? SweepRunSummary{} : run_and_report(spec, ro);
      tables_and_fits(spec);
      if (s.failed > 0)
        throw std::runtime_error(std::to_string(s.failed) + " point(s) failed (listed above and in " + spec.out +
                                 "/report.md); the others are in " + spec.out + "/sweep.csv");
    });
  });
}

}  // namespace sgdlaw
