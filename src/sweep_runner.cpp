#include "sgdlaw/sweep_runner.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "sgdlaw/atomic_file.hpp"
#include "sgdlaw/config_load.hpp"
#include "sgdlaw/run_output.hpp"
#include "sgdlaw/simulation.hpp"
#include "sgdlaw/sweep_partition.hpp"
#include "sgdlaw/version.hpp"

namespace sgdlaw {
namespace fs = std::filesystem;

namespace {

bool same_config(const std::string& json_path, const Config& c) {
  try {
    const auto j = nlohmann::json::parse(read_text_file(json_path));
    return j.at("config") == nlohmann::json::parse(config_json(c));
  } catch (...) {
    return false;
  }
}

std::string fmt(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5g", x);
  return buf;
}

}  // namespace

PointState point_state(const SweepPoint& p) {
  const fs::path dir(p.config.out);
  if (fs::exists(dir / "curves.csv") && same_config((dir / "config.json").string(), p.config)) return PointState::kDone;
  if (same_config((dir / "error.json").string(), p.config)) return PointState::kFailed;
  return PointState::kMissing;
}

void record_point_failure(const SweepPoint& p, const std::string& message) {
  nlohmann::json j;
  j["config"] = nlohmann::json::parse(config_json(p.config));
  j["error"] = message;
  j["kind"] = "divergence";
  write_file_atomically((fs::path(p.config.out) / "error.json").string(), j.dump(2) + "\n");
}

SweepRunSummary run_sweep_points(const SweepSpec& spec, const SweepRunOptions& opt) {
  SweepRunSummary s;
  const auto n = static_cast<std::int64_t>(spec.points.size());
  const std::vector<int> part = assign_points(spec, static_cast<int>(opt.shard_count));
  for (std::int64_t i = 0; i < n; ++i) {
    const SweepPoint& p = spec.points[static_cast<std::size_t>(i)];
    const std::string tag = "[" + std::to_string(i + 1) + "/" + std::to_string(n) + "] " + p.name;
    if (part[static_cast<std::size_t>(i)] != opt.shard_index) {
      ++s.not_mine;
      continue;
    }
    const PointState state = point_state(p);
    if (state == PointState::kDone) {
      ++s.skipped;
      if (opt.log) opt.log(tag + ": already complete, skipped");
      continue;
    }
    if (state == PointState::kFailed) {
      ++s.failed;
      s.failures.push_back(p.name + ": (recorded earlier) see " + p.config.out + "/error.json");
      if (opt.log) opt.log(tag + ": failed earlier (error.json), skipped");
      continue;
    }
    const auto t0 = std::chrono::steady_clock::now();
    try {
      RunResult r = run_simulation(p.config);
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      write_run_outputs(r, RunMeta{version_string(), wall, "sweep " + spec.source + " point " + p.name}, p.config.out);
      ++s.ran;
      if (opt.log) {
        const CurveRow& last = r.rows.back();
        opt.log(tag + ": " + fmt(wall) + "s, final risk " + fmt(last.risk_mc) + " +- " + fmt(last.risk_se) +
                " (exact " + fmt(last.risk_exact) + ")");
      }
    } catch (const DivergenceError& e) {
      record_point_failure(p, e.what());
      ++s.failed;
      s.failures.push_back(p.name + ": " + e.what());
      if (opt.log) opt.log(tag + ": DIVERGED: " + e.what());
    }
  }
  return s;
}

std::int64_t write_sweep_tables(const SweepSpec& spec, const std::string& version) {
  std::string table;
  nlohmann::json points = nlohmann::json::array();
  std::int64_t included = 0;
  for (const SweepPoint& p : spec.points) {
    const PointState state = point_state(p);
    nlohmann::json jp = {{"name", p.name}, {"grid", p.grid}, {"folder", "points/" + p.name},
                         {"state", state == PointState::kDone ? "done" : state == PointState::kFailed ? "failed" : "missing"},
                         {"source", "own run (each point is a separate run with horizon N)"}};
    for (const auto& [k, v] : p.axis_values) jp["axes"][k] = v;
    points.push_back(jp);
    if (state != PointState::kDone) continue;
    const std::string curves = read_text_file(p.config.out + "/curves.csv");
    const auto header_end = curves.find('\n');
    const Config& c = p.config;
    if (table.empty())
      table = "point,grid,a,b,d,M,sketch,sigma,gamma,batch,schedule,N_horizon,is_final," + curves.substr(0, header_end + 1);
    char prefix[512];
    std::snprintf(prefix, sizeof prefix, "%s,%s,%.17g,%.17g,%lld,%lld,%s,%.17g,%.17g,%lld,%s,%lld,", p.name.c_str(),
                  p.grid.c_str(), c.a, c.b, static_cast<long long>(c.d), static_cast<long long>(c.M), to_string(c.sketch),
                  c.sigma, c.gamma, static_cast<long long>(c.batch), to_string(c.schedule), static_cast<long long>(c.N));
    std::size_t pos = header_end + 1;
    while (pos < curves.size()) {
      const auto end = curves.find('\n', pos);
      const std::string line = curves.substr(pos, end - pos);
      const bool is_final = line.rfind(std::to_string(c.N) + ",", 0) == 0;
      table += prefix + std::string(is_final ? "1," : "0,") + line + "\n";
      pos = end == std::string::npos ? curves.size() : end + 1;
    }
    ++included;
  }
  write_file_atomically(spec.out + "/sweep.csv", table);
  nlohmann::json j;
  j["source"] = spec.source;
  j["version"] = version;
  j["fingerprint"] = sweep_fingerprint(spec);
  j["axes"] = spec.axes;
  j["points"] = points;
  j["note"] = "The geometric schedule depends on the horizon N, so every point on an N axis is its own run; "
              "no checkpoint of one run stands in for another point.";
  write_file_atomically(spec.out + "/sweep.json", j.dump(2) + "\n");
  return included;
}

}  // namespace sgdlaw
