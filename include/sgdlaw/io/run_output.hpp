#pragma once
// Writing a run's folder: curves.csv, optional trials.csv, config.json. Files are written into a sibling
// temporary folder which then replaces the output folder, so a failed or killed run never leaves
// half-written files behind.
#include <string>

#include "sgdlaw/core/simulation.hpp"

namespace sgdlaw {

struct RunMeta {
  std::string version;
  double wall_seconds = 0.0;
  std::string command_line;
  std::string source = "own run";  // or which run's checkpoints a sweep point was taken from
};

void write_run_outputs(const RunResult& result, const RunMeta& meta, const std::string& out_dir);

// A finished run folder's integrity: config.json parses and lists a digest for every data file it wrote
// ("files"), each of which is present with that digest. On false, *why says what is wrong.
bool run_folder_intact(const std::string& dir, std::string* why = nullptr);

// FNV-1a 64 of a file's bytes, as 16 hex digits (the digests config.json records).
std::string file_digest(const std::string& path);

// Resolved configuration as JSON text (also used by the sweep driver to recognise finished points).
std::string config_json(const Config& c);

}  // namespace sgdlaw
