#include "sgdlaw/sweep/sweep_runner.hpp"

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/config_load.hpp"
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/core/simulation.hpp"
#include "sgdlaw/sweep/sweep_partition.hpp"
#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/version.hpp"

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

namespace {

// Points that differ only in N and use a schedule that does not depend on the horizon (constant, power):
// the iterate after N samples is the same in every run of horizon >= N, so one run of the largest N with the
// others' checkpoints added gives every point's results, bit for bit.
std::string horizon_free_key(const SweepPoint& p) {
  if (p.config.schedule == ScheduleKind::kGeometric) return "";
  Config c = p.config;
  c.N = 0;
  c.out.clear();
  return config_json(c);
}

struct SharedRunOutcome {
  std::vector<std::size_t> done, diverged;
};

// Runs the group's largest-N point once with every member's checkpoints and writes every member.
SharedRunOutcome run_shared_horizon(const SweepSpec& spec, std::vector<std::size_t> group,
                                    const SweepRunOptions& opt, SweepRunSummary& s) {
  SharedRunOutcome out;
  std::sort(group.begin(), group.end(),
            [&](std::size_t a, std::size_t b) { return spec.points[a].config.N < spec.points[b].config.N; });
  const SweepPoint& big = spec.points[group.back()];
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<Backend> backend = make_backend(big.config.backend, big.config.threads);
  RunResult base = prepare_run(big.config, backend.get());
  std::vector<std::int64_t> all;
  for (std::size_t i : group) {
    const auto c = checkpoint_steps(spec.points[i].config);
    all.insert(all.end(), c.begin(), c.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  base.plan.checkpoints = all;
  const Config& bc = big.config;
  TrialResults trials(bc.total_trials(), static_cast<std::int64_t>(all.size()), bc.decomposition);
  std::atomic<std::int64_t> done{0};
  backend->run_trials(base.plan, 0, bc.total_trials(), trials, done);
  const double mc_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (std::size_t i : group) {
    const SweepPoint& p = spec.points[i];
    RunResult r;
    r.plan = base.plan;
    r.plan.config = p.config;
    r.plan.checkpoints = checkpoint_steps(p.config);
    r.backend = backend->name();
    r.max_stable_gamma = base.max_stable_gamma;
    r.setup_seconds = base.setup_seconds;
    r.mc_seconds = mc_seconds;
    const auto n_ck = static_cast<std::int64_t>(r.plan.checkpoints.size());
    r.trials = TrialResults(trials.trials, n_ck, trials.has_decomposition);
    r.trials.approx = trials.approx;
    for (std::int64_t c = 0; c < n_ck; ++c) {
      const auto src = std::lower_bound(all.begin(), all.end(), r.plan.checkpoints[c]) - all.begin();
      for (std::int64_t g = 0; g < trials.trials; ++g) {
        r.trials.risk[g * n_ck + c] = trials.risk[g * trials.checkpoints + src];
        if (trials.has_decomposition) {
          r.trials.bias[g * n_ck + c] = trials.bias[g * trials.checkpoints + src];
          r.trials.variance[g * n_ck + c] = trials.variance[g * trials.checkpoints + src];
        }
      }
    }
    const std::string tag = p.name + " (from the run of " + big.name + ")";
    try {
      compute_exact(r);
      finish_run(r);
      RunMeta meta{version_string(), mc_seconds, "sweep " + spec.source + " point " + p.name,
                   "checkpoints of the run for point " + big.name +
                       " (schedule independent of the horizon: the iterate after N samples is the same)"};
      write_run_outputs(r, meta, p.config.out);
      ++s.ran;
      out.done.push_back(i);
      if (opt.log) {
        const CurveRow& last = r.rows.back();
        opt.log(tag + ": final risk " + fmt(last.risk_mc) + " +- " + fmt(last.risk_se) + " (exact " +
                fmt(last.risk_exact) + ")");
      }
    } catch (const DivergenceError& e) {
      record_point_failure(p, e.what());
      ++s.failed;
      s.failures.push_back(p.name + ": " + e.what());
      out.diverged.push_back(i);
      if (opt.log) opt.log(tag + ": DIVERGED: " + e.what());
    }
  }
  return out;
}

}  // namespace

SweepRunSummary run_sweep_points(const SweepSpec& spec, const SweepRunOptions& opt) {
  SweepRunSummary s;
  const auto n = static_cast<std::int64_t>(spec.points.size());
  const std::vector<int> part = assign_points(spec, static_cast<int>(opt.shard_count));
  // Groups of this shard's missing points that one shared run can serve.
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < spec.points.size(); ++i) {
    const std::string key = horizon_free_key(spec.points[i]);
    if (!key.empty() && part[i] == opt.shard_index && point_state(spec.points[i]) == PointState::kMissing)
      groups[key].push_back(i);
  }
  std::set<std::size_t> handled;
  for (auto& [key, group] : groups) {
    if (group.size() < 2) continue;
    try {
      for (std::size_t i : run_shared_horizon(spec, group, opt, s).done) handled.insert(i);
    } catch (const DivergenceError&) {
      // The shared run refused (e.g. unstable gamma): each point then runs, and reports, on its own.
    }
    for (std::size_t i : group)
      if (point_state(spec.points[i]) != PointState::kMissing) handled.insert(i);
  }
  for (std::int64_t i = 0; i < n; ++i) {
    if (handled.count(static_cast<std::size_t>(i))) continue;
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

// "own run", or the shared run a point's results were taken from (from its config.json).
static std::string point_source(const SweepPoint& p) {
  try {
    return nlohmann::json::parse(read_text_file(p.config.out + "/config.json")).value("source", "own run");
  } catch (...) {
    return "not run";
  }
}

std::int64_t write_sweep_tables(const SweepSpec& spec, const std::string& version) {
  std::string table;
  nlohmann::json points = nlohmann::json::array();
  std::int64_t included = 0;
  for (const SweepPoint& p : spec.points) {
    const PointState state = point_state(p);
    nlohmann::json jp = {{"name", p.name}, {"grid", p.grid}, {"folder", "points/" + p.name},
                         {"state", state == PointState::kDone ? "done" : state == PointState::kFailed ? "failed" : "missing"},
                         {"source", point_source(p)}};
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
  j["note"] = "The geometric schedule depends on the horizon N, so its points on an N axis are separate runs; "
              "points with a constant or power schedule that differ only in N share one run of the largest N "
              "(each point's 'source' says which).";
  write_file_atomically(spec.out + "/sweep.json", j.dump(2) + "\n");
  return included;
}

}  // namespace sgdlaw
