#pragma once
// Sweeps over MPI ranks (`mpirun -np K sgdlaw sweep file.toml`): points and the trials of large points are
// split into units (sweep_partition.hpp), every rank computes its units on its backend, rank 0 gathers the
// per-trial results, finishes each point as soon as all its units are in (exact curves, aggregation) and
// writes it atomically. Per-trial values do not depend on which process computed them and rank 0
// aggregates in trial order, so the tables equal a single-process run bit for bit.
#include <functional>
#include <string>

#include "sgdlaw/sweep/sweep_runner.hpp"

namespace sgdlaw {

// True when this build has MPI.
bool mpi_compiled();

// True when the environment says an MPI launcher (mpirun, mpiexec, srun) started this process.
bool launched_under_mpi();

struct MpiSweepOutcome {
  bool root = false;  // only rank 0 writes tables and prints the summary
  int ranks = 1;
  SweepRunSummary summary;
};

// Initialises MPI, runs the sweep's missing points across ranks, finalises MPI. Throws on a build without MPI.
MpiSweepOutcome run_sweep_mpi(const SweepSpec& spec, const std::function<void(const std::string&)>& log,
                              const std::function<void(const SweepSpec&)>& after_on_root);

}  // namespace sgdlaw
