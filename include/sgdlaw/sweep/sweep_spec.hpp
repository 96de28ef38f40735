#pragma once
// A sweep file: the base run settings ([problem], [sgd], [run]), one or more grids ([[sweep.grid]]: array
// values are axes, scalars are fixed overrides; every combination of axis values is a point), and what to
// fit ([fit]). Every point is validated before anything runs.
#include <cstdint>
#include <string>
#include <vector>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/io/config_load.hpp"

namespace sgdlaw {

struct SweepPoint {
  std::string name;  // "<grid>-<key><value>-..." : unique, stable across re-runs
  std::string grid;
  Config config;
  std::vector<std::pair<std::string, std::string>> axis_values;  // in axis order
};

struct FitSpec {
  // Which grids feed which fit (a TOML string or array of strings; empty = none):
  std::vector<std::string> m_axis_grids;                // risk vs M at the largest N of each group
  std::vector<std::string> n_axis_grids;                // risk vs N_eff at the largest M of each group
  std::vector<std::string> frontier_grids;              // compute-optimal frontier over each group's (M, N) points
  bool n_axis_subtract_approx = true;                   // N axis fits R - sigma^2 - Approx (else R - sigma^2)
  double m_window_lo = 0, m_window_hi = 1e300;          // log-log least squares window on M
  double n_eff_window_lo = 0, n_eff_window_hi = 1e300;  // ... on N_eff
  // Regime windows (on by default; 0 = off): the M law is fitted only where M <= m_regime * N_eff^(1/a) (at the
  // largest N), the N law only where N_eff^(1/a) <= n_regime * M (at the largest M); outside, slopes bend.
  // slopes.csv flags every point (in_regime) and fits.csv's note says what was left out.
  double m_regime = 0.25, n_regime = 0.25;
  std::int64_t bootstrap = 1000;
  double confidence = 0.95;
  std::uint32_t bootstrap_seed = 20240;
  double cost_fixed = 0.0, cost_per_m = 1.0;  // compute per sample: cost_fixed + cost_per_m * M (C = N * that)
  // When [fit] names no grid, the fits are inferred from the grids' axes (an M axis: the M law at the largest N;
  // an N axis: the N law at the largest M; both: also the frontier); these lines say what and why.
  std::vector<std::string> inferred;
};

struct SweepSpec {
  std::string source;             // the file it came from
  std::string out;                // sweep folder
  std::vector<std::string> axes;  // union of axis keys over grids, first-seen order
  std::vector<SweepPoint> points;
  FitSpec fit;
};

// grids: "KEY=v1,v2,..." each, from the command line (`--grid M=4,8,16 --grid N=1024,4096`): together one more
// grid, named "cli", added to the file's (a run file without [sweep] becomes a sweep's base this way).
SweepSpec load_sweep_spec(const std::string& path, const RawSettings& overrides,
                          const std::vector<std::string>& grids = {});

// The TOML of a grid given as "KEY=v1,v2,..." strings (numbers stay numbers, other values become strings).
std::string grid_flags_toml(const std::vector<std::string>& grids);

// Moves the whole sweep (its tables and every point folder) under another folder.
void set_sweep_out(SweepSpec& spec, const std::string& out);
SweepSpec parse_sweep_spec(const std::string& text, const std::string& source, const RawSettings& overrides);

// The [fit] keys with their types, ranges, defaults and help, for `sgdlaw sweep --help`.
std::string fit_keys_help();

}  // namespace sgdlaw
