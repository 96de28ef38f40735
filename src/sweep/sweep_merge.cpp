#include "sgdlaw/sweep/sweep_merge.hpp"

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/config_load.hpp"
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/sweep/sweep_partition.hpp"
#include "sgdlaw/sweep/sweep_runner.hpp"

namespace sgdlaw {
namespace fs = std::filesystem;

namespace {

nlohmann::json read_json(const fs::path& p) { return read_json_file(p.string()); }

// The finished point folder of `p` inside a shard, or "" if the shard has none. Throws on any mismatch.
fs::path shard_point(const fs::path& shard, const SweepPoint& p, const std::string& version) {
  const fs::path dir = shard / "points" / p.name;
  const bool done = fs::exists(dir / "curves.csv") && fs::exists(dir / "config.json");
  std::string why;
  if (done && !run_folder_intact(dir.string(), &why))
    throw ConfigError("shard " + shard.string() + ": point " + p.name + " is not intact (" + why +
                      "); rerun that shard (it recomputes the point) before merging");
  const bool failed = !done && fs::exists(dir / "error.json");
  if (!done && !failed) return {};
  const nlohmann::json j = read_json(dir / (done ? "config.json" : "error.json"));
  Config expect = p.config;
  expect.out = j.at("config").at("run").at("out").get<std::string>();
  if (j.at("config") != nlohmann::json::parse(config_json(expect)))
    throw ConfigError("shard " + shard.string() + ": point " + p.name +
                      " was made from a different configuration than the sweep file; refusing to merge");
  if (done && j.value("version", "") != version)
    throw ConfigError("shard " + shard.string() + ": point " + p.name + " was written by sgdlaw " +
                      j.value("version", "?") + ", this is " + version + "; refusing to mix versions");
  return dir;
}

void copy_point(const fs::path& from, const fs::path& to) {
  const fs::path tmp = to.string() + ".partial-" + std::to_string(::getpid());
  fs::remove_all(tmp);
  fs::create_directories(tmp.parent_path());
  fs::copy(from, tmp, fs::copy_options::recursive);
  if (fs::exists(to)) fs::remove_all(to);
  fs::rename(tmp, to);
}

}  // namespace

MergeSummary merge_shards(const SweepSpec& spec, const std::vector<std::string>& shard_dirs,
                          const std::string& version) {
  const std::string fingerprint = sweep_fingerprint(spec);
  for (const std::string& s : shard_dirs) {
    const fs::path sj = fs::path(s) / "sweep.json";
    if (!fs::exists(fs::path(s) / "points")) throw ConfigError("'" + s + "' is not a sweep folder (no points/)");
    if (!fs::exists(sj)) continue;  // a shard that died before its tables: its points are checked one by one
    const nlohmann::json j = read_json(sj);
    if (j.value("fingerprint", "") != fingerprint)
      throw ConfigError("shard " + s + " comes from a different sweep configuration (fingerprint " +
                        j.value("fingerprint", "?") + ", this file gives " + fingerprint + "); refusing to merge");
    if (j.value("version", "") != version)
      throw ConfigError("shard " + s + " was written by sgdlaw " + j.value("version", "?") + ", this is " + version +
                        "; refusing to mix versions");
  }
  // Pass 1 decides every point's source and raises every refusal; only then pass 2 writes (each point
  // atomically), so a refused merge leaves the target as it was.
  MergeSummary m;
  std::vector<std::pair<const SweepPoint*, fs::path>> plan;
  for (const SweepPoint& p : spec.points) {
    if (point_state(p) == PointState::kDone) {
      ++m.already;
      continue;
    }
    fs::path found;
    for (const std::string& s : shard_dirs) {
      const fs::path d = shard_point(s, p, version);
      if (d.empty()) continue;
      if (!found.empty() && fs::exists(found / "curves.csv") && fs::exists(d / "curves.csv") &&
          read_text_file((found / "curves.csv").string()) != read_text_file((d / "curves.csv").string()))
        throw ConfigError("point " + p.name + " differs between shards " + found.string() + " and " + d.string());
      if (found.empty() || (!fs::exists(found / "curves.csv") && fs::exists(d / "curves.csv"))) found = d;
    }
    if (found.empty()) {
      ++m.missing;
      continue;
    }
    plan.emplace_back(&p, found);
  }
  for (const auto& [pp, found] : plan) {
    const SweepPoint& p = *pp;
    copy_point(found, p.config.out);
    // The copied config.json names the shard's folder; the point's identity is its configuration.
    if (fs::exists(fs::path(p.config.out) / "config.json")) {
      nlohmann::json j = read_json(fs::path(p.config.out) / "config.json");
      j["config"]["run"]["out"] = p.config.out;
      j["merged_from"] = found.string();
      write_file_atomically(p.config.out + "/config.json", j.dump(2) + "\n");
    } else {
      nlohmann::json j = read_json(fs::path(p.config.out) / "error.json");
      j["config"]["run"]["out"] = p.config.out;
      write_file_atomically(p.config.out + "/error.json", j.dump(2) + "\n");
    }
    ++m.copied;
  }
  return m;
}

}  // namespace sgdlaw
