// `sgdlaw info`: compiled backends and what this machine offers.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "cli_commands.hpp"
#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/sweep/mpi_sweep.hpp"

namespace sgdlaw {

void register_info_command(CLI::App& app, int& exit_code) {
  CLI::App* info = app.add_subcommand("info", "list compiled backends and the machine they see");
  info->callback([&exit_code]() {
    exit_code = guarded("info", []() {
      std::printf("sgdlaw %s\n", version_string());
      std::printf("hardware threads: %u\n", std::thread::hardware_concurrency());
      std::ifstream cpuinfo("/proc/cpuinfo");
      for (std::string line; std::getline(cpuinfo, line);)
        if (line.rfind("model name", 0) == 0) {
          std::printf("cpu: %s\n", line.substr(line.find(':') + 2).c_str());
          break;
        }
      const double bytes =
          static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGE_SIZE));
      std::printf("memory: %.1f GiB\n", bytes / 1073741824.0);
      std::printf("mpi sweeps: %s\n", mpi_compiled() ? "compiled" : "not compiled");
      std::printf("backends:\n");
      for (const BackendInfo& b : list_backends())
        std::printf("  %-10s %-12s %s\n", b.name.c_str(), b.available ? "available" : "unavailable", b.detail.c_str());
    });
  });
}

}  // namespace sgdlaw
