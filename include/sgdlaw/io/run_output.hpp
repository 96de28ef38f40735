#pragma once
// Writing a run's folder: curves.csv, optional trials.csv, config.json. Files are written into a sibling
// temporary folder which then replaces the output folder, so a failed or killed run never leaves
// half-written files behind.
#include <nlohmann/json.hpp>
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

// Resolved configuration as JSON text, every recorded key (config.json's "config").
std::string config_json(const Config& c);

// Which settings make two runs the same run: the keys whose field in the table (src/io/config_fields.cpp)
// changes results, i.e. all but out, threads and progress. Decided there and nowhere else; every comparison
// of runs goes through these: resuming saved chunks, a sweep's finished and failed points, merging shards,
// rewriting a run's own folder, shared-horizon groups and the shard partition. So a folder spelled "s/", "./s"
// or by its absolute path, moved or copied, or rerun with another thread count, is still the same work.
std::string run_identity(const Config& c);  // canonical text
// Whether a config.json's recorded "config" object is the same run as c (false for anything unreadable).
bool same_run(const nlohmann::json& recorded_config, const Config& c);

}  // namespace sgdlaw
