#include "sgdlaw/sweep/sweep_merge.hpp"

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/config_load.hpp"
#include "sgdlaw/io/output_folder.hpp"
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
  if (!same_run(j.at("config"), p.config))
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
  fs::create_directories(tmp);
  mark_leftover(tmp.string());  // first: a merge killed during the copy leaves a provable leftover
  try {
    fs::copy(from, tmp, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  } catch (const fs::filesystem_error& e) {  // e.g. a symbolic-link loop in the shard: no partial copy stays
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw std::runtime_error("cannot copy point " + from.string() + ": " + e.code().message());
  }
  mark_folder(tmp.string(), FolderKind::kRun);  // a shard of an older sgdlaw may lack the marker
  mark_leftover(tmp.string());  // again: the copy may have brought the shard writer's own leftover marker
  // The copied config.json (or error.json) names the shard's folder: rewritten here, inside the partial
  // folder, so that the point lands whole with one rename (the point's identity is its configuration).
  const bool done = fs::exists(tmp / "config.json");
  nlohmann::json j = read_json(tmp / (done ? "config.json" : "error.json"));
  j["config"]["run"]["out"] = to.string();
  if (done) j["merged_from"] = from.string();
  write_file_atomically((tmp / (done ? "config.json" : "error.json")).string(), j.dump(2) + "\n");
  if (fs::exists(to)) fs::remove_all(to);
  fs::rename(tmp, to);
  fs::remove(to / kLeftover);
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
    ++m.copied;
  }
  return m;
}

}  // namespace sgdlaw
