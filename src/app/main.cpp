#include <CLI/CLI.hpp>
#include <cstdio>
#include <sstream>

#include "cli_commands.hpp"
#include "sgdlaw/core/text.hpp"
#include "sgdlaw/core/version.hpp"

namespace {

// After "The following argument(s) were not expected: --gama 0.5": "did you mean '--gamma'?" for each unknown
// flag, against the flags of the subcommand that was chosen (the program's own without one).
void suggest_flags(CLI::App& app, const CLI::ExtrasError& e) {
  CLI::App* cmd = &app;
  for (CLI::App* sub : app.get_subcommands()) cmd = sub;
  std::vector<std::string> flags;
  for (const CLI::Option* opt : cmd->get_options())
    for (const std::string& name : opt->get_lnames()) flags.push_back("--" + name);
  const std::string what = e.what();
  const auto colon = what.find(": ");
  std::istringstream words(colon == std::string::npos ? "" : what.substr(colon + 2));
  for (std::string word; words >> word;) {
    if (word.rfind("--", 0) != 0) continue;
    const std::string flag = word.substr(0, word.find('='));
    const std::string hint = sgdlaw::did_you_mean(flag, flags);
    if (!hint.empty()) std::fprintf(stderr, "unknown flag '%s'%s\n", sgdlaw::cut(flag).c_str(), hint.c_str());
  }
}

// `sgdlaw swep ...`: CLI11 says only "A subcommand is required"; name the word and the subcommand meant.
void suggest_subcommand(CLI::App& app, int argc, char** argv) {
  if (!app.get_subcommands().empty() || argc < 2 || argv[1][0] == '-') return;
  std::vector<std::string> names;
  std::string all;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
    all += (all.empty() ? "" : ", ") + sub->get_name();
  }
  std::fprintf(stderr, "unknown subcommand '%s'%s; the subcommands are %s\n", sgdlaw::cut(argv[1]).c_str(),
               sgdlaw::did_you_mean(argv[1], names).c_str(), all.c_str());
}

}  // namespace

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
  sgdlaw::register_schedule_command(app, exit_code);
  sgdlaw::register_batch_command(app, exit_code);
  sgdlaw::register_info_command(app, exit_code);
  sgdlaw::add_quiet_flags(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // CLI11's own message, with what the user typed cut like every echoed value.
    std::fprintf(stderr, "%s\nRun with --help for more information.\n", sgdlaw::cut(e.what()).c_str());
    if (const auto* extras = dynamic_cast<const CLI::ExtrasError*>(&e)) suggest_flags(app, *extras);
    suggest_subcommand(app, argc, argv);
    return sgdlaw::kExitConfig;
  }
  return exit_code;
}
