// What the study commands (phases, schedule, batch) share: their output folder, their progress lines and their
// figures.
#include <sys/wait.h>

#include <cstdio>

#include "cli_commands.hpp"

namespace sgdlaw {

std::string study_out_folder(const std::string& cli_out, const std::string& file_out, FolderKind kind,
                             const char* field) {
  std::string out = file_out;
  if (!cli_out.empty()) {
    check_path_text(cli_out, "--out");
    out = normalize_out_folder(cli_out, "--out");
  }
  check_out_folder_writable(out, field);
  check_own_folder(out, kind, field);
  return out;
}

void print_progress_line(const std::string& line) {
  std::printf("  %s\n", line.c_str());
  std::fflush(stdout);
}

void draw_study_figures(const std::string& out, bool no_plot, const char* command, const char* what) {
  if (no_plot) return;
  const int status = run_plot_script({out});
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    std::fprintf(stderr, "sgdlaw %s: %s not drawn (the plot script failed; the tables are written)\n", command, what);
}

}  // namespace sgdlaw
