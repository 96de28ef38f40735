// `sgdlaw plot <folder>`: PNG and SVG figures of a run or sweep, drawn by scripts/plot_results.py with
// matplotlib (Debian's python3-matplotlib; interpreter /usr/bin/python3 unless SGDLAW_PYTHON is set).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "cli_commands.hpp"
#include "sgdlaw/io/run_output.hpp"

namespace sgdlaw {
namespace {
namespace fs = std::filesystem;

// A run folder as `sgdlaw run` wrote it: config.json parses and every data file matches its recorded digest.
void check_run_folder(const fs::path& dir, const std::string& shown, const char* remedy) {
  std::string why;
  bool intact = false;
  try {
    intact = run_folder_intact(dir.string(), &why);
  } catch (const std::exception& e) {  // a config.json that parses but is not sgdlaw's (a digest not a string)
    why = std::string("config.json is not one sgdlaw wrote (") + e.what() + ")";
  }
  if (!intact) throw ConfigError(shown + ": " + why + "; plot draws only what sgdlaw wrote (" + remedy + ")");
}

// Leftovers beside a sweep's points (saved chunks, a run being written, a replaced folder): not points.
bool is_leftover(const std::string& name) {
  return name.find(".partial-") != std::string::npos || name.find(".old-") != std::string::npos ||
         (name.size() > 7 && name.compare(name.size() - 7, 7, ".resume") == 0);
}

// Refuses a folder plot cannot draw faithfully, with the reason, before the script runs: a run folder whose
// files do not match the digests config.json recorded, or a sweep with such a finished point (the check
// `sgdlaw sweep` makes before it counts a point as done). A phases map records no digests.
void check_plot_input(const std::string& folder) {
  const fs::path d(folder);
  if (!fs::is_directory(d))
    throw ConfigError("plot: '" + folder + "' is not a folder (give the output folder of a run or a sweep)");
  if (fs::exists(d / "phases.csv")) return;
  if (fs::exists(d / "sweep.json")) {
    if (!fs::is_directory(d / "points")) return;
    std::vector<fs::path> points;
    for (const auto& e : fs::directory_iterator(d / "points"))
      if (e.is_directory() && !is_leftover(e.path().filename().string()) && fs::exists(e.path() / "config.json"))
        points.push_back(e.path());
    std::sort(points.begin(), points.end());
    for (const fs::path& p : points)
      check_run_folder(p, folder + ": point " + p.filename().string(), "`sgdlaw sweep` again recomputes it");
    return;
  }
  if (!fs::exists(d / "curves.csv"))
    throw ConfigError("plot: '" + folder +
                      "' holds none of curves.csv (a run), sweep.json (a sweep), phases.csv (a regime map)");
  check_run_folder(d, folder, "run it again");
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
      for (const std::string& folder : *folders) check_plot_input(folder);
      if (folders->size() > 1 && fs::exists(*out) && !fs::is_directory(*out))
        throw ConfigError("--out '" + *out +
                          "' is an existing file, not a folder (the overlay figures go into a folder)");
      std::vector<std::string> args;
      if (folders->size() > 1) args = {"--overlay", *out};
      args.insert(args.end(), folders->begin(), folders->end());
      check_plot_status(run_plot_script(args));
    });
  });
}

}  // namespace sgdlaw
