// `sgdlaw info`: compiled backends and what this machine offers.
#include <cstdio>
#include <thread>

#include <CLI/CLI.hpp>

#include "sgdlaw/backend.hpp"
#include "sgdlaw/cli_commands.hpp"
#include "sgdlaw/version.hpp"

namespace sgdlaw {

void register_info_command(CLI::App& app, int& exit_code) {
  CLI::App* info = app.add_subcommand("info", "list compiled backends and the machine they see");
  info->callback([&exit_code]() {
    exit_code = guarded("info", []() {
      std::printf("sgdlaw %s\n", version_string());
      std::printf("hardware threads: %u\n", std::thread::hardware_concurrency());
      std::printf("backends:\n");
      for (const BackendInfo& b : list_backends())
        std::printf("  %-10s %-12s %s\n", b.name.c_str(), b.available ? "available" : "unavailable", b.detail.c_str());
    });
  });
}

}  // namespace sgdlaw
