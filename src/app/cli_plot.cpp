// `sgdlaw plot <folder>`: PNG and SVG figures of a run or sweep, drawn by scripts/plot_results.py with
// matplotlib (Debian's python3-matplotlib; interpreter /usr/bin/python3 unless SGDLAW_PYTHON is set).
#include <sys/wait.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "cli_commands.hpp"

namespace sgdlaw {

void register_plot_command(CLI::App& app, int& exit_code) {
  auto folders = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>("runs/overlay");
  CLI::App* cmd = app.add_subcommand("plot", "draw PNG/SVG figures of a run or sweep folder, or overlay several");
  cmd->add_option("folders", *folders, "output folder(s) of `sgdlaw run` or `sgdlaw sweep`; several: one overlay")
      ->required();
  cmd->add_option("--out", *out, "with several folders: where the overlay figures go (default runs/overlay)");
  cmd->callback([folders, out, &exit_code]() {
    exit_code = guarded("plot", [&]() {
      namespace fs = std::filesystem;
      for (const std::string& folder : *folders) {
        if (!fs::is_directory(folder))
          throw ConfigError("plot: '" + folder + "' is not a folder (give the output folder of a run or a sweep)");
        if (!fs::exists(fs::path(folder) / "curves.csv") && !fs::exists(fs::path(folder) / "sweep.csv"))
          throw ConfigError("plot: '" + folder + "' holds neither curves.csv (a run) nor sweep.csv (a sweep)");
      }
      std::vector<std::string> args;
      if (folders->size() > 1) args = {"--overlay", *out};
      args.insert(args.end(), folders->begin(), folders->end());
      const int status = run_plot_script(args);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error(
            "the plot script failed (its message is above; it needs python3-matplotlib, "
            "which bash scripts/install_deps.sh installs)");
    });
  });
}

}  // namespace sgdlaw
