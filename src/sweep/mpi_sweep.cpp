#include "sgdlaw/sweep/mpi_sweep.hpp"

#include <mpi.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>

#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/version.hpp"
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "sgdlaw/sweep/sweep_partition.hpp"

namespace sgdlaw {

bool mpi_compiled() { return true; }

namespace {

// Per-trial payload of a unit: risk, bias, variance (if split) and approx, each row-major over its trials.
std::size_t payload_size(const Config& c, std::int64_t count, std::int64_t checkpoints) {
  const std::int64_t per = checkpoints * (c.decomposition ? 3 : 1) + 1;
  return static_cast<std::size_t>(count * per);
}

void pack(const TrialResults& t, std::vector<double>& out) {
  out.clear();
  out.insert(out.end(), t.risk.begin(), t.risk.end());
  out.insert(out.end(), t.bias.begin(), t.bias.end());
  out.insert(out.end(), t.variance.begin(), t.variance.end());
  out.insert(out.end(), t.approx.begin(), t.approx.end());
}

void unpack_into(const std::vector<double>& in, std::int64_t first, std::int64_t count, TrialResults& dst) {
  const std::int64_t n_ck = dst.checkpoints;
  std::size_t pos = 0;
  auto copy_block = [&](std::vector<double>& v) {
    std::copy(in.begin() + static_cast<std::ptrdiff_t>(pos),
              in.begin() + static_cast<std::ptrdiff_t>(pos + count * n_ck), v.begin() + first * n_ck);
    pos += static_cast<std::size_t>(count * n_ck);
  };
  copy_block(dst.risk);
  if (dst.has_decomposition) {
    copy_block(dst.bias);
    copy_block(dst.variance);
  }
  std::copy(in.begin() + static_cast<std::ptrdiff_t>(pos), in.begin() + static_cast<std::ptrdiff_t>(pos + count),
            dst.approx.begin() + first);
}

struct PointProgress {
  std::unique_ptr<TrialResults> trials;
  int units_left = 0;
  bool diverged = false;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

struct Topology {
  int rank = 0, ranks = 1, local_rank = 0, local_size = 1;
};

Topology mpi_topology() {
  Topology t;
  MPI_Comm_rank(MPI_COMM_WORLD, &t.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &t.ranks);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, t.rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &t.local_rank);
  MPI_Comm_size(node, &t.local_size);
  MPI_Comm_free(&node);
  return t;
}

// One MPI sweep: every rank computes its units; rank 0 gathers them and finishes each point through the
// per-point pipeline (point_pipeline.hpp) with the gathered trials as the source.
class MpiSweep {
 public:
  MpiSweep(const SweepSpec& spec, const Topology& topo, const std::function<void(const std::string&)>& log)
      : spec_(spec), topo_(topo), log_(log) {
    opt_.log = log;
  }

  SweepRunSummary run() {
    const std::vector<std::size_t> todo = missing_points();
    units_ = plan_units(spec_, todo, topo_.ranks);
    if (units_.size() >= 32767) throw std::runtime_error("too many work units for MPI tags; split the sweep");
    if (root() && log_)
      log_("mpi: " + std::to_string(topo_.ranks) + " ranks, " + std::to_string(todo.size()) + " points to run in " +
           std::to_string(units_.size()) + " units");
    select_device_for_local_rank(topo_.local_rank);
    const unsigned hw = std::thread::hardware_concurrency();
    threads_ = std::max(1, static_cast<int>(hw == 0 ? 1 : hw) / std::max(1, topo_.local_size));
    if (root())
      for (const WorkUnit& u : units_) {
        ++progress_[u.point].units_left;
        remaining_foreign_ += u.rank != 0;
      }
    compute_own_units();
    if (root())
      while (remaining_foreign_ > 0) receive_one(true);
    return summary_;
  }

 private:
  bool root() const { return topo_.rank == 0; }

  // Rank 0 decides which points are missing (the file system is the shared truth) and tells everyone.
  std::vector<std::size_t> missing_points() {
    std::vector<int> flags(spec_.points.size(), 0);
    if (root())
      for (std::size_t i = 0; i < spec_.points.size(); ++i) {
        const PointState st = point_state(spec_.points[i]);
        flags[i] = st == PointState::kMissing ? 1 : 0;
        if (st == PointState::kDone) ++summary_.skipped;
        if (st == PointState::kFailed) ++summary_.failed;
      }
    MPI_Bcast(flags.data(), static_cast<int>(flags.size()), MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < flags.size(); ++i)
      if (flags[i]) todo.push_back(i);
    return todo;
  }

  // The prepared run of a point (cached: a rank's units of one point are consecutive); null if it diverges.
  const RunResult* prepared(std::size_t point) {
    if (point != cached_point_) {
      cached_.reset();
      cached_point_ = point;
      try {
        cached_ = std::make_unique<RunResult>(prepare_run(spec_.points[point].config));
      } catch (const DivergenceError&) {
      }
    }
    return cached_.get();
  }

  void compute_own_units() {
    std::vector<double> payload;
    for (std::size_t ui = 0; ui < units_.size(); ++ui) {
      const WorkUnit& u = units_[ui];
      if (u.rank != topo_.rank) continue;
      const RunResult* base = prepared(u.point);
      if (!base) {
        payload.assign(1, std::nan(""));  // "this point diverges": rank 0 reruns prepare for the message
      } else if (u.count == 0) {
        payload.clear();  // an exact-only point: no trials, rank 0 computes its exact curves when it finishes it
      } else {
        const Config& c = base->plan.config;
        TrialResults part(u.count, static_cast<std::int64_t>(base->plan.checkpoints.size()), c.decomposition);
        std::atomic<std::int64_t> done{0};
        make_backend(c.backend, threads_)->run_trials(base->plan, u.first, u.count, part, done);
        pack(part, payload);
        if (payload.size() != payload_size(c, u.count, part.checkpoints)) throw std::logic_error("payload size");
      }
      if (root()) {
        accept(ui, payload);
        while (receive_one(false)) {
        }
      } else {
        MPI_Send(payload.data(), static_cast<int>(payload.size()), MPI_DOUBLE, 0, static_cast<int>(ui), MPI_COMM_WORLD);
      }
    }
  }

  bool receive_one(bool blocking) {
    int flag = 1;
    MPI_Status st;
    if (blocking)
      MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    else
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (!flag) return false;
    int n = 0;
    MPI_Get_count(&st, MPI_DOUBLE, &n);
    std::vector<double> payload(static_cast<std::size_t>(n));
    MPI_Recv(payload.data(), n, MPI_DOUBLE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    --remaining_foreign_;
    accept(static_cast<std::size_t>(st.MPI_TAG), payload);
    return true;
  }

  void accept(std::size_t unit_index, const std::vector<double>& payload) {
    const WorkUnit& u = units_[unit_index];
    PointProgress& pp = progress_[u.point];
    const Config& c = spec_.points[u.point].config;
    if (payload.size() == 1 && std::isnan(payload[0])) {
      pp.diverged = true;
    } else if (!pp.diverged) {
      if (!pp.trials) {
        const auto n_ck = static_cast<std::int64_t>(checkpoint_steps(c).size());
        if (payload.size() != payload_size(c, u.count, n_ck)) throw std::logic_error("MPI payload of unexpected size");
        pp.trials = std::make_unique<TrialResults>(c.total_trials(), n_ck, c.decomposition);
      }
      unpack_into(payload, u.first, u.count, *pp.trials);
    }
    if (--pp.units_left == 0) finalize(u.point);
  }

  // Stages 1-4 with the gathered trials as the source, then the point's folder (or its recorded failure).
  void finalize(std::size_t point) {
    const SweepPoint& p = spec_.points[point];
    PointProgress& pp = progress_[point];
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - pp.start).count();
    RunMeta meta{version_string(), wall, "mpi sweep " + spec_.source + " point " + p.name};
    auto gathered = [&](RunResult& res) {
      if (!pp.trials) throw std::logic_error("no trials gathered for point " + p.name);
      res.trials = std::move(*pp.trials);
    };
    complete_point(
        p, p.name, meta,
        [&]() {
          // The cached plan when this rank prepared it (the usual case); otherwise prepare_run plans afresh and
          // raises the DivergenceError with its message when the point diverges.
          std::unique_ptr<RunResult> base = cached_point_ == point ? std::move(cached_) : nullptr;
          cached_point_ = static_cast<std::size_t>(-1);
          Planner planner = make_run_plan;
          if (base) planner = [&base](const Config&) { return base->plan; };
          return run_point(p.config, planner, make_backend(p.config.backend, 1)->name(), gathered);
        },
        opt_, summary_);
    progress_.erase(point);
  }

  const SweepSpec& spec_;
  Topology topo_;
  std::function<void(const std::string&)> log_;
  SweepRunOptions opt_;
  SweepRunSummary summary_;
  std::vector<WorkUnit> units_;
  int threads_ = 1, remaining_foreign_ = 0;
  std::map<std::size_t, PointProgress> progress_;  // rank 0: points still gathering
  std::size_t cached_point_ = static_cast<std::size_t>(-1);
  std::unique_ptr<RunResult> cached_;
};

}  // namespace

MpiSweepOutcome run_sweep_mpi(const SweepSpec& spec, const std::function<void(const std::string&)>& log,
                              const std::function<void(const SweepSpec&)>& after_on_root) {
  // Worker ranks prepare a point's plan themselves (prepare_run, not run_point), so a gamma that is tuned on the
  // way into run_point would reach rank 0 alone: refused before MPI starts, naming a point.
  for (const SweepPoint& p : spec.points)
    if (p.config.gamma_tuned)
      throw ConfigError("field 'gamma' = tuned (point " + p.name +
                        ") is not for MPI sweeps yet: run the sweep without mpiexec, or as shards and merge");
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  const Topology topo = mpi_topology();
  MpiSweepOutcome outcome;
  outcome.root = topo.rank == 0;
  outcome.ranks = topo.ranks;
  try {
    outcome.summary = MpiSweep(spec, topo, log).run();
    MPI_Barrier(MPI_COMM_WORLD);
    if (outcome.root && after_on_root) after_on_root(spec);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sgdlaw sweep (rank %d): error: %s\n", topo.rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return outcome;
}

}  // namespace sgdlaw
