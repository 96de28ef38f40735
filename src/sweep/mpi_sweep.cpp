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
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/core/simulation.hpp"
#include "sgdlaw/sweep/sweep_partition.hpp"
#include "sgdlaw/core/version.hpp"

namespace sgdlaw {

bool mpi_compiled() { return true; }

namespace {

std::string fmt(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5g", x);
  return buf;
}

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
    std::copy(in.begin() + static_cast<std::ptrdiff_t>(pos), in.begin() + static_cast<std::ptrdiff_t>(pos + count * n_ck),
              v.begin() + first * n_ck);
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

}  // namespace

MpiSweepOutcome run_sweep_mpi(const SweepSpec& spec, const std::function<void(const std::string&)>& log,
                              const std::function<void(const SweepSpec&)>& after_on_root) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
  int local_rank = 0, local_size = 1;
  MPI_Comm_rank(node, &local_rank);
  MPI_Comm_size(node, &local_size);
  MPI_Comm_free(&node);
  MpiSweepOutcome outcome;
  outcome.root = rank == 0;
  outcome.ranks = ranks;
  try {
    // Rank 0 decides which points are missing (the file system is the shared truth) and tells everyone.
    std::vector<int> todo_flags(spec.points.size(), 0);
    if (rank == 0)
      for (std::size_t i = 0; i < spec.points.size(); ++i) {
        const PointState st = point_state(spec.points[i]);
        todo_flags[i] = st == PointState::kMissing ? 1 : 0;
        if (st == PointState::kDone) ++outcome.summary.skipped;
        if (st == PointState::kFailed) ++outcome.summary.failed;
      }
    MPI_Bcast(todo_flags.data(), static_cast<int>(todo_flags.size()), MPI_INT, 0, MPI_COMM_WORLD);
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < todo_flags.size(); ++i)
      if (todo_flags[i]) todo.push_back(i);
    const std::vector<WorkUnit> units = plan_units(spec, todo, ranks);
    if (units.size() >= 32767) throw std::runtime_error("too many work units for MPI tags; split the sweep");
    if (rank == 0 && log)
      log("mpi: " + std::to_string(ranks) + " ranks, " + std::to_string(todo.size()) + " points to run in " +
          std::to_string(units.size()) + " units");

    select_device_for_local_rank(local_rank);
    const unsigned hw = std::thread::hardware_concurrency();
    const int threads_per_rank = std::max(1, static_cast<int>(hw == 0 ? 1 : hw) / std::max(1, local_size));

    // Rank 0 bookkeeping.
    std::map<std::size_t, PointProgress> progress;
    if (rank == 0)
      for (const WorkUnit& u : units) ++progress[u.point].units_left;
    int remaining_foreign = 0;
    if (rank == 0)
      for (const WorkUnit& u : units) remaining_foreign += u.rank != 0;

    std::size_t cached_point = static_cast<std::size_t>(-1);
    std::unique_ptr<RunResult> cached;
    bool cached_diverged = false;
    auto prepared = [&](std::size_t point) -> RunResult* {
      if (point != cached_point) {
        cached.reset();
        cached_diverged = false;
        cached_point = point;
        try {
          cached = std::make_unique<RunResult>(prepare_run(spec.points[point].config));
        } catch (const DivergenceError&) {
          cached_diverged = true;
        }
      }
      return cached_diverged ? nullptr : cached.get();
    };

    auto finalize = [&](std::size_t point) {
      const SweepPoint& p = spec.points[point];
      PointProgress& pp = progress[point];
      try {
        RunResult* base = prepared(point);
        if (!base) prepare_run(p.config);  // throws the DivergenceError with its message
        RunResult res = std::move(*base);
        cached.reset();
        cached_point = static_cast<std::size_t>(-1);
        res.backend = make_backend(p.config.backend, 1)->name();
        compute_exact(res);
        res.trials = std::move(*pp.trials);
        finish_run(res);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - pp.start).count();
        write_run_outputs(res, RunMeta{version_string(), wall, "mpi sweep " + spec.source + " point " + p.name}, p.config.out);
        ++outcome.summary.ran;
        if (log) {
          const CurveRow& last = res.rows.back();
          log(p.name + ": done, final risk " + fmt(last.risk_mc) + " +- " + fmt(last.risk_se) + " (exact " +
              fmt(last.risk_exact) + ")");
        }
      } catch (const DivergenceError& e) {
        record_point_failure(p, e.what());
        ++outcome.summary.failed;
        outcome.summary.failures.push_back(p.name + ": " + e.what());
        if (log) log(p.name + ": DIVERGED: " + e.what());
      }
      progress.erase(point);
    };

    auto accept = [&](std::size_t unit_index, const std::vector<double>& payload) {
      const WorkUnit& u = units[unit_index];
      PointProgress& pp = progress[u.point];
      const Config& c = spec.points[u.point].config;
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
    };

    auto receive_one = [&](bool blocking) -> bool {
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
      --remaining_foreign;
      accept(static_cast<std::size_t>(st.MPI_TAG), payload);
      return true;
    };

    std::vector<double> payload;
    for (std::size_t ui = 0; ui < units.size(); ++ui) {
      const WorkUnit& u = units[ui];
      if (u.rank != rank) continue;
      RunResult* base = prepared(u.point);
      if (!base) {
        payload.assign(1, std::nan(""));
      } else {
        const Config& c = base->plan.config;
        TrialResults part(u.count, static_cast<std::int64_t>(base->plan.checkpoints.size()), c.decomposition);
        std::atomic<std::int64_t> done{0};
        make_backend(c.backend, threads_per_rank)->run_trials(base->plan, u.first, u.count, part, done);
        pack(part, payload);
        if (payload.size() != payload_size(c, u.count, part.checkpoints)) throw std::logic_error("payload size");
      }
      if (rank == 0) {
        accept(ui, payload);
        while (receive_one(false)) {
        }
      } else {
        MPI_Send(payload.data(), static_cast<int>(payload.size()), MPI_DOUBLE, 0, static_cast<int>(ui), MPI_COMM_WORLD);
      }
    }
    if (rank == 0)
      while (remaining_foreign > 0) receive_one(true);
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0 && after_on_root) after_on_root(spec);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sgdlaw sweep (rank %d): error: %s\n", rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return outcome;
}

}  // namespace sgdlaw
