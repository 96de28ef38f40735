#pragma once
// Running a sweep: each point is a run written to <out>/points/<name>/ (atomically, so a point's files
// appear only complete). Points whose folder already holds the same configuration are skipped, so a sweep
// killed at any moment resumes and ends with the same results. Divergent points are recorded, not fatal.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/sweep/sweep_spec.hpp"

namespace sgdlaw {

enum class PointState { kMissing, kDone, kFailed };

// Whether a point's folder holds a finished run (or a recorded failure) of exactly this configuration.
PointState point_state(const SweepPoint& p);

struct SweepRunOptions {
  std::int64_t shard_index = 0, shard_count = 1;  // run the points assign_points gives this shard
  std::function<void(const std::string&)> log;    // one line per point
  // Trials done within the point running now (point name, done, total), a few times a second.
  std::function<void(const std::string&, std::int64_t, std::int64_t)> point_progress;
};

struct SweepRunSummary {
  std::int64_t ran = 0, skipped = 0, failed = 0, not_mine = 0;
  std::vector<std::string> failures;  // "name: message" (a grid's divergences after its first are only counted)
  std::map<std::string, std::int64_t> diverged_in_grid;  // points that diverged, per grid
};

SweepRunSummary run_sweep_points(const SweepSpec& spec, const SweepRunOptions& options);

// Writes <point>/error.json (atomically) recording why the point failed. kind "divergence" is final for the
// configuration (a resumed sweep skips the point); kind "error" (anything else) is retried on resume.
void record_point_failure(const SweepPoint& p, const std::string& message, const std::string& kind);

// The last stage of every sweep point, whatever the source of its trials: runs `produce`, writes the point's
// folder atomically, or records why it failed (the sweep goes on); counts and logs one line.
// meta.wall_seconds < 0: measured here.
bool complete_point(const SweepPoint& p, const std::string& tag, RunMeta meta,
                    const std::function<RunResult()>& produce, const SweepRunOptions& options, SweepRunSummary& s);

// Writes <out>/sweep.csv (one row per point and checkpoint, with the point's parameters) and <out>/sweep.json
// from the point folders; returns the number of points included. Atomic like everything else.
std::int64_t write_sweep_tables(const SweepSpec& spec, const std::string& version);

}  // namespace sgdlaw
