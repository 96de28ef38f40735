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

#ifndef SGDLAW_SCRIPTS_DIR
#define SGDLAW_SCRIPTS_DIR "scripts"
#endif

namespace sgdlaw {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

}  // namespace

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
      const char* env_scripts = std::getenv("SGDLAW_SCRIPTS");
      const std::string script = std::string(env_scripts ? env_scripts : SGDLAW_SCRIPTS_DIR) + "/plot_results.py";
      if (!fs::exists(script))
        throw std::runtime_error("plot script not found at " + script + " (set SGDLAW_SCRIPTS to the scripts/ folder)");
      const char* env_python = std::getenv("SGDLAW_PYTHON");
      std::string cmdline = shell_quote(env_python ? env_python : "/usr/bin/python3") + " " + shell_quote(script);
      if (folders->size() > 1) cmdline += " --overlay " + shell_quote(*out);
      for (const std::string& folder : *folders) cmdline += " " + shell_quote(folder);
      const int status = std::system(cmdline.c_str());
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error(
            "the plot script failed (its message is above; it needs python3-matplotlib, "
            "which bash scripts/install_deps.sh installs)");
    });
  });
}

}  // namespace sgdlaw
