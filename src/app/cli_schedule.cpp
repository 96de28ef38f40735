// `sgdlaw schedule FILE`: each schedule family tuned on the exact risk at each N, and the optimal schedule
// (sweep/schedule_search.hpp), with its tables, report and figure.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli_commands.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/sweep/schedule_search.hpp"

namespace sgdlaw {
namespace {

struct ScheduleOptions {
  std::string path, out;
  bool no_plot = false;
};

void run_schedule_search_command(const ScheduleOptions& o) {
  ScheduleSearchSpec spec = read_schedule_search_spec(o.path);
  spec.out = study_out_folder(o.out, spec.out, FolderKind::kSchedules, "[schedules] out");
  const OutputLock lock(spec.out);
  mark_folder(spec.out, FolderKind::kSchedules);
  std::printf("schedule %s: %zu families x %zu N, optimal schedule on %d pieces -> %s\n", o.path.c_str(),
              spec.families.size(), spec.N.size(), spec.pieces, spec.out.c_str());
  std::fflush(stdout);
  const ScheduleSearchResult r = run_schedule_search(spec, print_progress_line);
  write_schedule_search(spec, r);
  std::printf("  wrote %s/schedule_search.csv, optimal_schedule.csv, shapes.csv, report.md\n", spec.out.c_str());
  draw_study_figures(spec.out, o.no_plot, "schedule", "the figure was");
}

}  // namespace

void register_schedule_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ScheduleOptions>();
  CLI::App* cmd = app.add_subcommand(
      "schedule", "which schedule wins at each N (each family tuned on the exact risk) and the optimal schedule");
  cmd->add_option("file", o->path, "schedule file: [problem]/[sgd]/[run] settings and a [schedules] section")
      ->required();
  cmd->add_option("--out", o->out, "output folder (default: [schedules] out, else runs/schedules)");
  cmd->add_flag("--no-plot", o->no_plot, "tables and report only, no figure");
  cmd->footer(schedule_search_keys_help());
  cmd->callback([o, &exit_code]() { exit_code = guarded("schedule", [&]() { run_schedule_search_command(*o); }); });
}

}  // namespace sgdlaw
