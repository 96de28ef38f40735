// --quiet on every subcommand: nothing on stdout (progress, summaries, the plot script's lines), no progress bars
// or per-point log lines on stderr; the tables and folders are written as ever, and errors still reach stderr.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli_commands.hpp"
#include "progress_bar.hpp"

namespace sgdlaw {

void add_quiet_flags(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    auto quiet = std::make_shared<bool>(false);
    if (sub->get_option_no_throw("--quiet") == nullptr)
      sub->add_flag("--quiet", *quiet, "nothing on stdout and no progress on stderr (errors still are)");
    else
      continue;  // `run` has its own (it also switches the run's progress off)
    sub->parse_complete_callback([quiet]() {
      if (!*quiet) return;
      set_quiet_mode(true);
      std::fflush(stdout);
      const int fd = ::open("/dev/null", O_WRONLY);
      if (fd >= 0) {
        ::dup2(fd, STDOUT_FILENO);  // child processes (the plot script) inherit it
        ::close(fd);
      }
    });
  }
}

}  // namespace sgdlaw
