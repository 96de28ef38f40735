// `sgdlaw phases phases.toml`: the regime map (sweep/phase_map.hpp) with its tables, report and heatmaps.
#include <sys/wait.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli_commands.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/sweep/phase_map.hpp"

namespace sgdlaw {

namespace {

struct PhasesOptions {
  std::string path, out;
  int threads = -1;
  bool no_plot = false;
};

void run_phases(const PhasesOptions& o) {
  PhaseSpec spec = read_phase_spec(o.path);
  if (!o.out.empty()) check_path_text(o.out, "--out");
  if (!o.out.empty()) spec.out = normalize_out_folder(o.out, "--out");
  if (o.threads >= 0) spec.threads = o.threads;
  check_out_folder_writable(spec.out, "[phases] out");
  check_own_folder(spec.out, FolderKind::kPhases, "[phases] out");
  const OutputLock lock(spec.out);
  mark_folder(spec.out, FolderKind::kPhases);
  std::printf("phases %s: %zu (a, b, sigma) points x %zu M x %zu N -> %s\n", o.path.c_str(),
              spec.a.size() * spec.b.size() * spec.sigma.size(), spec.M.size(), spec.N.size(), spec.out.c_str());
  std::fflush(stdout);
  const PhaseMap map = compute_phase_map(spec, [](const std::string& line) {
    std::printf("  %s\n", line.c_str());
    std::fflush(stdout);
  });
  write_phase_map(spec, map);
  std::printf("  wrote %s/phases.csv, frontiers.csv, mc_checks.csv, report.md\n", spec.out.c_str());
  if (o.no_plot) return;
  const int status = run_plot_script({spec.out});
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    std::fprintf(stderr,
                 "sgdlaw phases: the heatmaps were not drawn (the plot script failed; the tables are "
                 "written)\n");
}

}  // namespace

void register_phases_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<PhasesOptions>();
  CLI::App* cmd = app.add_subcommand(
      "phases", "regime map over (a, b, sigma): compute-optimal frontier, dominant term, exponents vs theory");
  cmd->add_option("file", o->path, "phases file: [problem]/[sgd]/[run] settings and a [phases] section")->required();
  cmd->add_option("--out", o->out, "output folder (default: [phases] out, else runs/phases)");
  cmd->add_option("--threads", o->threads, "threads over the map's points (default: [phases] threads, 0 = all)");
  cmd->add_flag("--no-plot", o->no_plot, "tables and report only, no heatmaps");
  cmd->footer(phase_keys_help());  // the [phases] table
  cmd->callback([o, &exit_code]() { exit_code = guarded("phases", [&]() { run_phases(*o); }); });
}

}  // namespace sgdlaw
