// `sgdlaw batch FILE`: steps and samples to a target over a batch grid, the critical batch size and the gradient
// noise scale (sweep/batch_study.hpp), with its tables, report and figure.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli_commands.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/sweep/batch_study.hpp"

namespace sgdlaw {
namespace {

struct BatchOptions {
  std::string path, out;
  bool no_plot = false;
};

void run_batch_command(const BatchOptions& o) {
  BatchStudySpec spec = read_batch_study_spec(o.path);
  spec.out = study_out_folder(o.out, spec.out, FolderKind::kBatch, "[batch] out");
  const OutputLock lock(spec.out);
  mark_folder(spec.out, FolderKind::kBatch);
  const std::size_t targets = spec.target_ratio.size() + spec.target_excess.size();
  std::printf("batch %s: %zu targets x %zu batch sizes, %lld Monte Carlo trials per check -> %s\n", o.path.c_str(),
              targets, spec.batches.size(), static_cast<long long>(spec.trials), spec.out.c_str());
  std::fflush(stdout);
  const BatchStudyResult r = run_batch_study(spec, print_progress_line);
  write_batch_study(spec, r);
  std::printf("  wrote %s/batch.csv, critical.csv, noise.csv, report.md\n", spec.out.c_str());
  draw_study_figures(spec.out, o.no_plot, "batch", "the figure was");
}

}  // namespace

void register_batch_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BatchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "batch", "steps and samples to a target risk over batch sizes, the critical batch size and B_noise (exact)");
  cmd->add_option("file", o->path, "batch file: [problem]/[sgd]/[run] settings and a [batch] section")->required();
  cmd->add_option("--out", o->out, "output folder (default: [batch] out, else runs/batch)");
  cmd->add_flag("--no-plot", o->no_plot, "tables and report only, no figure");
  cmd->footer(batch_study_keys_help());
  cmd->callback([o, &exit_code]() { exit_code = guarded("batch", [&]() { run_batch_command(*o); }); });
}

}  // namespace sgdlaw
