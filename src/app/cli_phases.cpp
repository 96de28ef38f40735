// `sgdlaw phases phases.toml`: the regime map (sweep/phase_map.hpp) with its tables, report and heatmaps.
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
  spec.out = study_out_folder(o.out, spec.out, FolderKind::kPhases, "[phases] out");
  if (o.threads >= 0) spec.threads = o.threads;
  const OutputLock lock(spec.out);
  mark_folder(spec.out, FolderKind::kPhases);
  std::printf("phases %s: %zu (a, b, sigma) points x %zu M x %zu N -> %s\n", o.path.c_str(),
              spec.a.size() * spec.b.size() * spec.sigma.size(), spec.M.size(), spec.N.size(), spec.out.c_str());
  std::fflush(stdout);
  const PhaseMap map = compute_phase_map(spec, print_progress_line);
  write_phase_map(spec, map);
  std::printf("  wrote %s/phases.csv, frontiers.csv, mc_checks.csv, report.md\n", spec.out.c_str());
  draw_study_figures(spec.out, o.no_plot, "phases", "the heatmaps were");
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
