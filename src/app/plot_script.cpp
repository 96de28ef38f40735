#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_commands.hpp"
#include "sgdlaw/io/config_load.hpp"

#ifndef SGDLAW_SCRIPTS_DIR
#define SGDLAW_SCRIPTS_DIR "scripts"
#endif

namespace sgdlaw {
namespace {

const char* python_interpreter() {
  const char* env_python = std::getenv("SGDLAW_PYTHON");
  return env_python ? env_python : "/usr/bin/python3";
}

}  // namespace

int run_plot_script(const std::vector<std::string>& args) {
  const char* env_scripts = std::getenv("SGDLAW_SCRIPTS");
  const std::string script = std::string(env_scripts ? env_scripts : SGDLAW_SCRIPTS_DIR) + "/plot_results.py";
  if (!std::filesystem::exists(script))
    throw std::runtime_error("plot script not found at " + script + " (set SGDLAW_SCRIPTS to the scripts/ folder)");
  std::string cmdline = shell_quote(python_interpreter()) + " " + shell_quote(script);
  for (const std::string& a : args) cmdline += " " + shell_quote(a);
  return std::system(cmdline.c_str());
}

void check_plot_status(int status) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // The script's codes: 2 bad input (it named the file and the reason), 3 matplotlib cannot be imported.
  if (code == 2) throw ConfigError("the plot script refused its input (the file and the reason are above)");
  if (code == 3)
    throw std::runtime_error("matplotlib cannot be imported by " + std::string(python_interpreter()) +
                             " (above); it needs python3-matplotlib, which bash scripts/install_deps.sh installs");
  if (code == 127)
    throw std::runtime_error("cannot run the Python interpreter " + std::string(python_interpreter()) +
                             " (set SGDLAW_PYTHON to one with matplotlib)");
  throw std::runtime_error("the plot script failed (its message is above; exit status " + std::to_string(code) + ")");
}

}  // namespace sgdlaw
