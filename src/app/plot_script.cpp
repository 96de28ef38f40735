#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_commands.hpp"

#ifndef SGDLAW_SCRIPTS_DIR
#define SGDLAW_SCRIPTS_DIR "scripts"
#endif

namespace sgdlaw {

int run_plot_script(const std::vector<std::string>& args) {
  const char* env_scripts = std::getenv("SGDLAW_SCRIPTS");
  const std::string script = std::string(env_scripts ? env_scripts : SGDLAW_SCRIPTS_DIR) + "/plot_results.py";
  if (!std::filesystem::exists(script))
    throw std::runtime_error("plot script not found at " + script + " (set SGDLAW_SCRIPTS to the scripts/ folder)");
  const char* env_python = std::getenv("SGDLAW_PYTHON");
  std::string cmdline = shell_quote(env_python ? env_python : "/usr/bin/python3") + " " + shell_quote(script);
  for (const std::string& a : args) cmdline += " " + shell_quote(a);
  return std::system(cmdline.c_str());
}

}  // namespace sgdlaw
