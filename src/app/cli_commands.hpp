#pragma once
// Subcommands of the sgdlaw program; each registers its options on a CLI11 app and runs when chosen.
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace CLI {
class App;
}

#include "sgdlaw/io/config_load.hpp"
#include "sgdlaw/io/output_folder.hpp"

namespace sgdlaw {

// Exit codes: 0 ok, 1 internal error, 2 bad configuration or input, 3 divergent step size, 4 backend unavailable.
enum ExitCode { kExitOk = 0, kExitError = 1, kExitConfig = 2, kExitDivergence = 3, kExitBackend = 4 };

void register_run_command(CLI::App& app, int& exit_code);
void register_sweep_command(CLI::App& app, int& exit_code);
void register_merge_command(CLI::App& app, int& exit_code);
void register_fit_command(CLI::App& app, int& exit_code);
void register_plot_command(CLI::App& app, int& exit_code);
void register_phases_command(CLI::App& app, int& exit_code);
void register_schedule_command(CLI::App& app, int& exit_code);
void register_batch_command(CLI::App& app, int& exit_code);

// Every configuration key as a flag (--a, --M, ..., --B for --batch), and the ones given on the command line.
void add_config_flags(CLI::App& cmd, std::map<std::string, std::string>& storage);
RawSettings collect_config_flags(CLI::App& cmd, const std::map<std::string, std::string>& storage);
void register_info_command(CLI::App& app, int& exit_code);

// The study commands (phases, schedule, batch; study_command.cpp): the output folder (--out, checked, else the
// file's), checked writable and sgdlaw's own of `kind` (errors name `field`); a progress line on stdout; the
// folder's figures unless no_plot (a failing plot script is said on stderr, the tables stay).
std::string study_out_folder(const std::string& cli_out, const std::string& file_out, FolderKind kind,
                             const char* field);
void print_progress_line(const std::string& line);
void draw_study_figures(const std::string& out, bool no_plot, const char* command, const char* what);

// --quiet on every registered subcommand that has none of its own (quiet.cpp); call after registering them.
void add_quiet_flags(CLI::App& app);

// A word for /bin/sh: as it is when it holds only safe characters, else single-quoted.
std::string shell_quote(const std::string& word);

// Runs scripts/plot_results.py (SGDLAW_SCRIPTS, else the source tree's scripts/) with /usr/bin/python3
// (SGDLAW_PYTHON overrides) and these arguments; throws when the script is missing, returns its exit status.
int run_plot_script(const std::vector<std::string>& args);

// Maps the plot script's exit status: 0 returns; 2 (bad input, the script named the file and the reason) throws
// ConfigError; 3 (matplotlib cannot be imported) the hint to install python3-matplotlib; else a runtime error.
void check_plot_status(int status);

// The command line this process was started with (shell-quoted where needed), for config.json.
void set_command_line(int argc, char** argv);
const std::string& command_line();

// Runs fn, mapping sgdlaw's exceptions to a one-line message on stderr and an exit code.
int guarded(const std::string& what, const std::function<void()>& fn);

}  // namespace sgdlaw
