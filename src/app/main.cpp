#include <CLI/CLI.hpp>

#include "cli_commands.hpp"
#include "sgdlaw/core/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"sgdlaw: Monte Carlo and exact risk of one-pass SGD in sketched power-law linear regression"};
  app.set_version_flag("--version", sgdlaw::version_string());
  app.require_subcommand(1);
  sgdlaw::set_command_line(argc, argv);
  int exit_code = sgdlaw::kExitOk;
  sgdlaw::register_run_command(app, exit_code);
  sgdlaw::register_sweep_command(app, exit_code);
  sgdlaw::register_merge_command(app, exit_code);
  sgdlaw::register_fit_command(app, exit_code);
  sgdlaw::register_plot_command(app, exit_code);
  sgdlaw::register_phases_command(app, exit_code);
  sgdlaw::register_info_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : sgdlaw::kExitConfig;
  }
  return exit_code;
}
