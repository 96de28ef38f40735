#include "sgdlaw/sweep/sweep_runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/schedule.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/config_load.hpp"
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/io/trial_chunks.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "sgdlaw/sweep/sweep_partition.hpp"

namespace sgdlaw {
namespace fs = std::filesystem;

namespace {

bool same_config(const std::string& json_path, const Config& c) {
  try {
    const auto j = nlohmann::json::parse(read_text_file(json_path));
    return same_run(j.at("config"), c);
  } catch (...) {
    return false;
  }
}

std::string fmt(double x) { return format_g(x, 5); }

std::string failure_kind(const fs::path& error_json) {
  try {
    return nlohmann::json::parse(read_text_file(error_json.string())).value("kind", "divergence");
  } catch (...) {
    return "";
  }
}

}  // namespace

PointState point_state(const SweepPoint& p) {
  const fs::path dir(p.config.out);
  // Done only when its files are all there and match the digests recorded when they were written; anything
  // else (a missing trials.csv, an edited curves.csv) is recomputed.
  if (same_config((dir / "config.json").string(), p.config) && run_folder_intact(dir.string()))
    return PointState::kDone;
  // A recorded divergence is final for this configuration; any other recorded failure is retried.
  if (same_config((dir / "error.json").string(), p.config) && failure_kind(dir / "error.json") == "divergence")
    return PointState::kFailed;
  return PointState::kMissing;
}

void record_point_failure(const SweepPoint& p, const std::string& message, const std::string& kind) {
  nlohmann::json j;
  j["config"] = nlohmann::json::parse(config_json(p.config));
  j["error"] = message;
  j["kind"] = kind;
  write_file_atomically((fs::path(p.config.out) / "error.json").string(), j.dump(2) + "\n");
}

bool complete_point(const SweepPoint& p, const std::string& tag, RunMeta meta,
                    const std::function<RunResult()>& produce, const SweepRunOptions& opt, SweepRunSummary& s) {
  const auto t0 = std::chrono::steady_clock::now();
  auto fail = [&](const std::string& kind, const std::string& what) {
    record_point_failure(p, what, kind);
    ++s.failed;
    // A grid's divergences usually share one cause (its gamma): the first is said in full, the rest counted.
    const bool repeat = kind == "divergence" && s.diverged_in_grid[p.grid]++ > 0;
    if (!repeat) s.failures.push_back(p.name + ": " + what);
    if (opt.log)
      opt.log(tag + (kind != "divergence" ? ": FAILED: " + what
                     : repeat             ? ": diverged too (" + p.config.out + "/error.json)"
                                          : ": DIVERGED: " + what));
    return false;
  };
  try {
    const RunResult r = produce();
    if (meta.wall_seconds < 0)
      meta.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_run_outputs(r, meta, p.config.out);
    ++s.ran;
    if (opt.log) {
      const CurveRow& last = r.rows.back();
      if (p.config.monte_carlo)
        opt.log(tag + ": " + fmt(meta.wall_seconds) + "s, final risk " + fmt(last.risk_mc) + " +- " +
                fmt(last.risk_se) + " (exact " + fmt(last.risk_exact) + ")");
      else
        opt.log(tag + ": " + fmt(meta.wall_seconds) + "s, final exact risk " + fmt(last.risk_exact) + " (exact only)");
      for (const std::string& w : r.warnings) opt.log(tag + ": warning: " + w);
    }
    return true;
  } catch (const DivergenceError& e) {
    return fail("divergence", e.what());
  } catch (const std::exception& e) {
    return fail("error", e.what());
  }
}

namespace {

// Points that differ only in N and use a schedule that does not depend on the horizon (constant, power, table):
// the iterate after N samples is the same in every run of horizon >= N, so one run of the largest N with the
// others' checkpoints added gives every point's results, bit for bit.
std::string horizon_free_key(const SweepPoint& p) {
  // (a tuned gamma is tuned for its own N: never shared)
  if (make_schedule(p.config).depends_on_horizon() || !p.config.monte_carlo || p.config.gamma_tuned) return "";
  Config c = p.config;
  c.N = 0;
  return run_identity(c);
}

// Runs the group's largest-N point once with every member's checkpoints; each member is then the pipeline
// with that run's plan and its own checkpoints' slice of the trials as the source. Returns the members done.
std::vector<std::size_t> run_shared_horizon(const SweepSpec& spec, std::vector<std::size_t> group,
                                            const SweepRunOptions& opt, SweepRunSummary& s) {
  std::sort(group.begin(), group.end(),
            [&](std::size_t a, std::size_t b) { return spec.points[a].config.N < spec.points[b].config.N; });
  const SweepPoint& big = spec.points[group.back()];
  std::unique_ptr<Backend> backend = make_backend(big.config.backend, big.config.threads);
  Backend& be = *backend;
  RunResult base = prepare_run(big.config, [&be](const Config& c) { return be.make_plan(c); });
  std::vector<std::int64_t> all;
  for (std::size_t i : group) {
    const auto c = checkpoint_steps(spec.points[i].config);
    all.insert(all.end(), c.begin(), c.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  base.plan.checkpoints = all;
  local_trials(be)(base);
  std::vector<std::size_t> done;
  for (std::size_t i : group) {
    const SweepPoint& p = spec.points[i];
    auto member_plan = [&](const Config& c) {
      RunPlan plan = base.plan;
      plan.config = c;
      plan.checkpoints = checkpoint_steps(c);
      return plan;
    };
    auto slice = [&](RunResult& r) {
      r.trials = base.trials.select_checkpoints(all, r.plan.checkpoints);
      r.mc_seconds = base.mc_seconds;
    };
    RunMeta meta{version_string(), base.mc_seconds, "sweep " + spec.source + " point " + p.name,
                 "checkpoints of the run for point " + big.name +
                     " (schedule independent of the horizon: the iterate after N samples is the same)"};
    if (complete_point(
            p, p.name + " (from the run of " + big.name + ")", meta,
            [&]() { return run_point(p.config, member_plan, be.name(), slice); }, opt, s))
      done.push_back(i);
  }
  return done;
}

}  // namespace

namespace {

// Overall progress of a sweep: the work of the points still to run (trials x N x M, more for the coupled
// decomposition runs' extra arithmetic), and an ETA from the throughput measured so far.
class SweepProgress {
 public:
  void add_total(const Config& c) { total_ += c.work_units(); }
  void finished(const Config& c) { done_ += c.work_units(); }
  std::string suffix() const {
    if (total_ <= 0) return "";
    const double frac = std::min(1.0, done_ / total_);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    std::string s = " | sweep " + format_printf("%.0f%%", 100 * frac) + " of the work";
    if (frac >= 0.02 && frac < 1.0 && elapsed > 1.0) s += ", ETA " + format_g(elapsed * (1 - frac) / frac, 2) + " s";
    return s;
  }

 private:
  double total_ = 0.0, done_ = 0.0;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

ProgressFn point_progress(const SweepRunOptions& opt, const std::string& name) {
  if (!opt.point_progress) return nullptr;
  return [&opt, name](std::int64_t done, std::int64_t total) { opt.point_progress(name, done, total); };
}

}  // namespace

SweepRunSummary run_sweep_points(const SweepSpec& spec, const SweepRunOptions& options) {
  SweepRunSummary s;
  auto progress = std::make_shared<SweepProgress>();
  SweepRunOptions opt = options;
  if (options.log) opt.log = [progress, log = options.log](const std::string& line) { log(line + progress->suffix()); };
  const auto n = static_cast<std::int64_t>(spec.points.size());
  const std::vector<int> part = assign_points(spec, static_cast<int>(opt.shard_count));
  // Groups of this shard's missing points that one shared run can serve.
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < spec.points.size(); ++i) {
    const std::string key = horizon_free_key(spec.points[i]);
    if (!key.empty() && part[i] == opt.shard_index && point_state(spec.points[i]) == PointState::kMissing)
      groups[key].push_back(i);
  }
  for (std::size_t i = 0; i < spec.points.size(); ++i)
    if (part[i] == opt.shard_index && point_state(spec.points[i]) == PointState::kMissing)
      progress->add_total(spec.points[i].config);
  std::set<std::size_t> handled;
  for (auto& [key, group] : groups) {
    if (group.size() < 2) continue;
    try {
      for (std::size_t i : run_shared_horizon(spec, group, opt, s)) {
        handled.insert(i);
        progress->finished(spec.points[i].config);
      }
    } catch (const std::exception&) {
      // The shared run refused or failed (e.g. unstable gamma): each point then runs, and reports, on its own.
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
      // A run killed after its folder was renamed into place but before it removed its saved chunks leaves
      // them behind; the point is complete with this very configuration, so they are stale.
      std::error_code ec;
      fs::remove_all(resume_dir(p.config), ec);
      if (opt.log) opt.log(tag + ": already complete, skipped");
      continue;
    }
    if (state == PointState::kFailed) {
      ++s.failed;
      s.failures.push_back(p.name + ": (recorded earlier) see " + p.config.out + "/error.json");
      if (opt.log) opt.log(tag + ": failed earlier (error.json), skipped");
      continue;
    }
    RunMeta meta{version_string(), -1.0, "sweep " + spec.source + " point " + p.name};
    progress->finished(p.config);  // counted before the point's log line, which reports it done
    complete_point(
        p, tag, meta, [&]() { return run_simulation(p.config, point_progress(opt, p.name)); }, opt, s);
  }
  return s;
}

// A point's config.json, read once for the tables (null when it has none or it does not parse).
static nlohmann::json point_record(const SweepPoint& p) {
  try {
    return nlohmann::json::parse(read_text_file(p.config.out + "/config.json"));
  } catch (...) {
    return nullptr;
  }
}

namespace {

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const auto end = line.find(',', pos);
    out.push_back(line.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end == std::string::npos) return out;
    pos = end + 1;
  }
}

// sweep.csv: every done point's curves.csv rows under the union of their columns (points differ: exact-only points
// have no Monte Carlo columns, Gaussian sketches a risk_det_equiv column), empty where a point has no such column.
class SweepTable {
 public:
  void add(const std::string& prefix, const std::string& curves, std::int64_t N) {
    const auto header_end = curves.find('\n');
    const std::vector<std::string> names = split_commas(curves.substr(0, header_end));
    std::vector<std::size_t> where;
    for (const std::string& n : names) {
      auto it = std::find(columns_.begin(), columns_.end(), n);
      if (it == columns_.end()) it = columns_.insert(columns_.end(), n);
      where.push_back(static_cast<std::size_t>(it - columns_.begin()));
    }
    std::size_t pos = header_end + 1;
    while (pos < curves.size()) {
      const auto end = curves.find('\n', pos);
      const std::string line = curves.substr(pos, end - pos);
      const bool is_final = line.rfind(std::to_string(N) + ",", 0) == 0;
      const std::vector<std::string> cells = split_commas(line);
      std::map<std::size_t, std::string> row;
      for (std::size_t k = 0; k < cells.size() && k < where.size(); ++k) row[where[k]] = cells[k];
      rows_.push_back({prefix + (is_final ? "1" : "0"), row});
      pos = end == std::string::npos ? curves.size() : end + 1;
    }
  }
  std::string text() const {
    if (rows_.empty()) return "";
    std::string t = "point,grid,a,b,d,M,sketch,sigma,gamma,batch,schedule,seed,N_horizon,is_final";
    for (const std::string& c : columns_) t += "," + c;
    t += "\n";
    for (const auto& [prefix, row] : rows_) {
      t += prefix;
      for (std::size_t k = 0; k < columns_.size(); ++k) {
        const auto it = row.find(k);
        t += "," + (it == row.end() ? std::string() : it->second);
      }
      t += "\n";
    }
    return t;
  }

 private:
  std::vector<std::string> columns_;
  std::vector<std::pair<std::string, std::map<std::size_t, std::string>>> rows_;
};

}  // namespace

std::int64_t write_sweep_tables(const SweepSpec& spec, const std::string& version) {
  SweepTable table;
  nlohmann::json points = nlohmann::json::array();
  std::int64_t included = 0;
  for (const SweepPoint& p : spec.points) {
    const PointState state = point_state(p);
    const nlohmann::json record = point_record(p);
    // "own run", or the shared run a point's results were taken from.
    const std::string source = record.is_object() ? record.value("source", "own run") : "not run";
    nlohmann::json jp = {{"name", p.name},
                         {"grid", p.grid},
                         {"folder", "points/" + p.name},
                         {"state", state == PointState::kDone     ? "done"
                                   : state == PointState::kFailed ? "failed"
                                                                  : "missing"},
                         {"source", source}};
    for (const auto& [k, v] : p.axis_values) {  // numbers as numbers (pandas, json.load), text as text
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      jp["axes"][k] = !v.empty() && *end == '\0' ? nlohmann::json(x) : nlohmann::json(v);
    }
    points.push_back(jp);
    if (state != PointState::kDone) continue;
    const std::string curves = read_text_file(p.config.out + "/curves.csv");
    const Config& c = p.config;
    // gamma_rel, gamma = tuned: the step size the point ran with (derived.resolved_gamma).
    const bool has_derived = record.is_object() && record.contains("derived") && record["derived"].is_object();
    const double gamma = c.gamma_rel > 0.0 || c.gamma_tuned
                             ? (has_derived ? record["derived"].value("resolved_gamma", NAN) : NAN)
                             : c.gamma;
    // Shortest round-trip decimals (0.1, not 0.10000000000000001).
    const std::string d = c.d_infinite ? "inf" : std::to_string(c.d),
                      M = c.d_infinite && c.sketch == SketchKind::kIdentity ? "inf" : std::to_string(c.M);
    const std::string prefix = p.name + "," + p.grid + "," + format_shortest(c.a) + "," + format_shortest(c.b) + "," +
                               d + "," + M + "," + to_string(c.sketch) + "," + format_shortest(c.sigma) + "," +
                               format_shortest(gamma) + "," + std::to_string(c.batch) + "," + to_string(c.schedule) +
                               "," + std::to_string(c.seed) + "," + std::to_string(c.N) + ",";
    table.add(prefix, curves, c.N);
    ++included;
  }
  write_file_atomically(spec.out + "/sweep.csv", table.text());
  nlohmann::json j;
  j["source"] = spec.source;
  j["version"] = version;
  j["fingerprint"] = sweep_fingerprint(spec);
  j["axes"] = spec.axes;
  j["points"] = points;
  j["note"] =
      "The geometric schedule depends on the horizon N, so its points on an N axis are separate runs; "
      "points with a constant or power schedule that differ only in N share one run of the largest N "
      "(each point's 'source' says which).";
  write_file_atomically(spec.out + "/sweep.json", j.dump(2) + "\n");
  return included;
}

}  // namespace sgdlaw
