// Reliability, round 3 (issue "a user's own folders are never deleted, finished work is recognised however it
// is spelled, ... nothing hangs or writes inf"): which settings identify a run (the field table's `results`
// attribute), which folders sgdlaw may replace, and the deterministic equivalent's stability.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "sgdlaw/io/csv_writer.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/io/trial_chunks.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) { return sgdlaw::testing::scratch_dir("sgdlaw_rel3", name); }
using sgdlaw::testing::slurp;

using sgdlaw::testing::cli;

// Six points (M = 4, 8, 16 x N = 100, 200), out = "sw".
void write_sweep(const fs::path& dir) {
  std::ofstream(dir / "s.toml") << "[problem]\nd = 64\nsigma = 0.2\n[sgd]\ngamma = 0.2\n[run]\ntrials = 8\nseed = 5\n"
                                   "backend = \"cpu\"\n[sweep]\nout = \"sw\"\n[[sweep.grid]]\nname = \"g\"\n"
                                   "M = [4, 8, 16]\nN = [100, 200]\n";
}

bool says(const std::string& log, const std::string& what) { return log.find(what) != std::string::npos; }

}  // namespace

// Class 2: out, threads and progress do not identify a run; every other key does.
TEST(Reliability, RunIdentityLeavesOutThreadsAndProgressAside) {
  Config a = sgdlaw::testing::small_config(), b = a;
  b.out = "/elsewhere/x";
  b.threads = 7;
  b.progress = !a.progress;
  EXPECT_EQ(run_identity(a), run_identity(b));
  EXPECT_TRUE(same_run(nlohmann::json::parse(config_json(b)), a));
  b.trials += 1;
  EXPECT_NE(run_identity(a), run_identity(b));
  EXPECT_FALSE(same_run(nlohmann::json::parse(config_json(b)), a));
  EXPECT_FALSE(same_run(nlohmann::json("garbage"), a));
}

TEST(Reliability, FinishedSweepPointsAreRecognisedHoweverTheFolderIsSpelled) {
  const fs::path dir = scratch("spelled");
  write_sweep(dir);
  std::string log;
  ASSERT_EQ(cli("sweep s.toml --no-fit --sweep-out s/", dir, &log), 0) << log;
  ASSERT_TRUE(says(log, "ran 6, already complete 0")) << log;
  const std::string table = slurp(dir / "s/sweep.csv");
  for (const std::string& spelling : {std::string("s"), std::string("./s"), (dir / "s").string()}) {
    ASSERT_EQ(cli("sweep s.toml --no-fit --sweep-out " + spelling, dir, &log), 0) << log;
    EXPECT_TRUE(says(log, "ran 0, already complete 6")) << spelling << ": " << log;
  }
  ASSERT_EQ(cli("sweep s.toml --no-fit --sweep-out s --threads 1", dir, &log), 0) << log;
  EXPECT_TRUE(says(log, "ran 0, already complete 6")) << "--threads 1: " << log;
  // Moved: every point is still finished, and the table is the same.
  fs::rename(dir / "s", dir / "moved");
  ASSERT_EQ(cli("sweep s.toml --no-fit --analyze-only --sweep-out moved", dir, &log), 0) << log;
  EXPECT_FALSE(says(log, "not finished")) << log;
  ASSERT_EQ(cli("sweep s.toml --no-fit --analyze-only --sweep-out moved --threads 2", dir, &log), 0) << log;
  EXPECT_EQ(slurp(dir / "moved/sweep.csv"), table);
}

TEST(Reliability, ResumingThroughAnotherSpellingOfTheFolderKeepsTheSavedChunks) {
  const fs::path base = scratch("spelledresume");
  Config c = sgdlaw::testing::small_config();
  c.trials = 64;
  c.threads = 1;
  c.out = (base / "run").string();  // absolute
  const auto chunks = plan_chunks(c.total_trials(), 1);
  EXPECT_THROW(run_simulation(c,
                              [&](std::int64_t done, std::int64_t) {
                                if (done >= chunks[0].count) throw std::runtime_error("killed");
                              }),
               std::runtime_error);
  c.out = fs::relative(base / "run", fs::current_path()).string();  // the same folder, spelled relative
  ASSERT_NE(c.out, (base / "run").string());
  const RunResult resumed = run_simulation(c);
  EXPECT_EQ(resumed.resumed_trials, chunks[0].count);
}

// Class 1: sgdlaw replaces only folders holding its own runs of the same kind.
TEST(Reliability, AUsersFolderIsNeverReplaced) {
  const fs::path dir = scratch("userfolder");
  std::string log;
  fs::create_directories(dir / "d");
  std::ofstream(dir / "d/notes.txt") << "x\n";
  const std::string run = "run --quiet --threads 1 --d 64 --M 8 --N 512 --trials 16";
  EXPECT_EQ(cli(run + " --out d", dir, &log), 2) << log;
  EXPECT_TRUE(says(log, "files sgdlaw did not write (e.g. 'notes.txt')")) << log;
  EXPECT_EQ(slurp(dir / "d/notes.txt"), "x\n");
  // A note put into a finished run folder is not thrown away with the folder either.
  ASSERT_EQ(cli(run + " --out r", dir, &log), 0) << log;
  EXPECT_TRUE(fs::exists(dir / "r/.sgdlaw"));
  std::ofstream(dir / "r/mine.txt") << "y\n";
  EXPECT_EQ(cli(run + " --out r --seed 9", dir, &log), 2) << log;
  EXPECT_TRUE(says(log, "also holds 'mine.txt'")) << log;
  fs::remove(dir / "r/mine.txt");
  EXPECT_EQ(cli(run + " --out r --seed 9", dir, &log), 0) << log;  // its own run: replaced
  // A sweep folder given as a run's out is refused, and kept.
  write_sweep(dir);
  ASSERT_EQ(cli("sweep s.toml --no-fit", dir, &log), 0) << log;
  EXPECT_EQ(cli(run + " --out sw", dir, &log), 2) << log;
  EXPECT_TRUE(says(log, "holds an sgdlaw sweep, not a run")) << log;
  EXPECT_TRUE(fs::exists(dir / "sw/sweep.csv"));
  // A run folder given as a sweep's folder is refused too.
  EXPECT_EQ(cli("sweep s.toml --no-fit --sweep-out r", dir, &log), 2) << log;
  EXPECT_TRUE(says(log, "holds an sgdlaw run, not a sweep")) << log;
  EXPECT_FALSE(fs::exists(dir / "r/points"));
}

TEST(Reliability, OnlyProvableLeftoversOfDeadWritersAreRemoved) {
  const fs::path dir = scratch("leftovers");
  std::string log;
  const std::string run = "run --quiet --threads 1 --d 64 --M 8 --N 512 --trials 16 --out o";
  // A user's folders that only look like leftovers.
  for (const char* name : {"o.old-2023", "o.partial-7"}) {
    fs::create_directories(dir / name);
    std::ofstream(dir / name / "keep.txt") << "mine\n";
  }
  // A real leftover of a killed writer (pid 999999: not running): removed.
  fs::create_directories(dir / "o.partial-999999");
  std::ofstream(dir / "o.partial-999999/.sgdlaw-leftover") << "999999\n";
  ASSERT_EQ(cli(run, dir, &log), 0) << log;
  EXPECT_EQ(slurp(dir / "o.old-2023/keep.txt"), "mine\n");
  EXPECT_EQ(slurp(dir / "o.partial-7/keep.txt"), "mine\n");
  EXPECT_FALSE(fs::exists(dir / "o.partial-999999"));
  // A writer killed between moving the old run aside and moving the new one in: the old run comes back.
  fs::rename(dir / "o", dir / "o.old-999999");
  std::ofstream(dir / "o.old-999999/.sgdlaw-leftover") << "999999\n";
  const std::string curves = slurp(dir / "o.old-999999/curves.csv");
  ASSERT_EQ(cli("run --quiet --threads 1 --d 64 --M 8 --N 512 --trials 16 --out other", dir, &log), 0) << log;
  ASSERT_EQ(cli(run + " --monte_carlo false", dir, &log), 0) << log;  // restores o, then replaces it
  EXPECT_FALSE(fs::exists(dir / "o.old-999999"));
  EXPECT_TRUE(fs::exists(dir / "o/curves.csv"));
  // A sweep grid whose name looks like a leftover is neither deleted nor recomputed.
  std::ofstream(dir / "g.toml") << "[problem]\nd = 64\nM = 8\n[sgd]\nN = 200\n[run]\ntrials = 8\nbackend = \"cpu\"\n"
                                   "[sweep]\nout = \"gs\"\n[[sweep.grid]]\nname = \"g.old-999999\"\nseed = 1\n";
  ASSERT_EQ(cli("sweep g.toml --no-fit", dir, &log), 0) << log;
  ASSERT_EQ(cli("sweep g.toml --no-fit", dir, &log), 0) << log;
  EXPECT_TRUE(says(log, "ran 0, already complete 1")) << log;
}

TEST(Reliability, AnOutThatIsASymbolicLinkIsRefusedBeforeAnyComputation) {
  const fs::path dir = scratch("symlink");
  std::string log;
  fs::create_symlink("nowhere/x", dir / "o");
  EXPECT_EQ(cli("run --quiet --threads 1 --d 64 --M 8 --N 512 --trials 16 --out o", dir, &log), 2) << log;
  EXPECT_TRUE(says(log, "symbolic link")) << log;
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << e.path();
}

// Class 3: every writer of a folder holds its lock; shards share it, a whole sweep or a merge does not.
TEST(Reliability, MergesShardsAndWholeSweepsTakeTheFoldersLock) {
  const fs::path dir = scratch("locks");
  write_sweep(dir);
  std::string log;
  ASSERT_EQ(cli("sweep s.toml --no-fit --shard 0/2 --sweep-out s0", dir, &log), 0) << log;
  {
    const OutputLock merging((dir / "merged").string());  // a merge (or a sweep) writing "merged"
    EXPECT_EQ(cli("merge s.toml s0 --into merged --no-fit", dir, &log), 1) << log;
    EXPECT_TRUE(says(log, "another sgdlaw process")) << log;
  }
  {
    const OutputLock shard((dir / "sw").string(), /*shared=*/true);  // a shard running in "sw"
    EXPECT_EQ(cli("sweep s.toml --no-fit", dir, &log), 1) << log;    // a whole sweep waits for it
    EXPECT_TRUE(says(log, "another sgdlaw process")) << log;
    EXPECT_EQ(cli("merge s.toml s0 --into sw --no-fit", dir, &log), 1) << log;
    EXPECT_EQ(cli("sweep s.toml --no-fit --shard 1/2", dir, &log), 0) << log;  // another shard may run
  }
  {
    const OutputLock whole((dir / "sw").string());  // a whole sweep running in "sw"
    EXPECT_EQ(cli("sweep s.toml --no-fit --shard 0/2", dir, &log), 1) << log;
  }
  EXPECT_EQ(cli("merge s.toml s0 --into merged --no-fit", dir, &log), 0) << log;
  EXPECT_FALSE(fs::exists(dir / "merged.lock"));
}

// Class 4: the deterministic equivalent is checked for stability up front; no table holds inf or nan.
TEST(Reliability, AnUnstableDeterministicEquivalentIsLeftOutNotSteppedForever) {
  const fs::path dir = scratch("detequiv");
  std::string log;
  // Its spectrum is stable below gamma = 0.29 here, the sampled M = 2 sketch below 1.37: before, 2^30 steps
  // ran for about 40 minutes and N = 65536 wrote risk_det_equiv = inf.
  for (const char* N : {"65536", "1073741824"}) {
    const std::string out = std::string("r") + N;
    ASSERT_EQ(cli("run --a 3 --b 2 --sigma 0.1 --gamma 0.5 --sketch gaussian --d 4096 --M 2 --N " + std::string(N) +
                      " --monte_carlo false --out " + out,
                  dir, &log),
              0)
        << log;
    EXPECT_TRUE(says(log, "warning: the deterministic equivalent is unstable at gamma = 0.5")) << log;
    const std::string curves = slurp(dir / out / "curves.csv");
    EXPECT_EQ(curves.find("risk_det_equiv"), std::string::npos);
    EXPECT_EQ(curves.find("inf"), std::string::npos) << curves;
    EXPECT_EQ(curves.find("nan"), std::string::npos) << curves;
    const auto j = nlohmann::json::parse(slurp(dir / out / "config.json"));
    ASSERT_TRUE(j.contains("warnings"));
    EXPECT_NE(j["warnings"][0].get<std::string>().find("left out"), std::string::npos);
  }
}

TEST(Reliability, ValuesWhoseSquaresOverflowAreRefusedAndTablesHoldNoInf) {
  const fs::path dir = scratch("overflow");
  std::string log;
  const std::string run = "run --quiet --threads 1 --d 64 --M 8 --N 512 --trials 16";
  EXPECT_EQ(cli(run + " --sigma 1e100 --out big", dir, &log), 2) << log;
  EXPECT_TRUE(says(log, "field 'sigma'")) << log;
  ASSERT_EQ(cli(run + " --sigma 1e50 --out ok", dir, &log), 0) << log;
  const std::string curves = slurp(dir / "ok/curves.csv");
  EXPECT_EQ(curves.find("inf"), std::string::npos) << curves;
  EXPECT_EQ(curves.find("nan"), std::string::npos) << curves;
  // The writer itself never spells a non-finite value.
  CsvWriter csv({"x", "y"}, 6);
  csv.cell(INFINITY).cell(NAN).end_row();
  EXPECT_EQ(csv.text(), "x,y\n,\n");
}

// Class 5: failures that are knowable are refused before anything runs; a sweep with failed points exits 1,
// says each grid's divergence once with the count, and report.md lists them.
TEST(Reliability, ASweepWithFailedPointsExitsOneAndItsReportListsThem) {
  const fs::path dir = scratch("failedpoints");
  std::string log;
  std::ofstream(dir / "f.toml") << "[problem]\nd = 64\nsigma = 0.2\n[sgd]\ngamma = 0.2\n[run]\ntrials = 8\n"
                                   "backend = \"cpu\"\n[sweep]\nout = \"fs\"\n[[sweep.grid]]\nname = \"g\"\n"
                                   "M = [4, 8, 16]\nN = [100, 200, 400]\n[[sweep.grid]]\nname = \"bad\"\n"
                                   "gamma = 50.0\nM = [4, 8, 16]\n";
  EXPECT_EQ(cli("sweep f.toml", dir, &log), 1) << log;
  EXPECT_TRUE(says(log, "ran 9, already complete 0, failed 3")) << log;
  std::size_t lines = 0;
  for (std::size_t at = log.find("DIVERGED"); at != std::string::npos; at = log.find("DIVERGED", at + 1)) ++lines;
  EXPECT_EQ(lines, 1u) << log;
  EXPECT_TRUE(says(log, "grid bad: 3 points diverged")) << log;
  const std::string report = slurp(dir / "fs/report.md");
  EXPECT_TRUE(says(report, "## Failed points")) << report;
  EXPECT_TRUE(says(report, "grid `bad`: 3 point(s)")) << report;
  // Resumed: the recorded divergences are final, and still reported.
  EXPECT_EQ(cli("sweep f.toml", dir, &log), 1) << log;
}

TEST(Reliability, KnowableFailuresAreRefusedBeforeAnySweepPointRuns) {
  const fs::path dir = scratch("knowable");
  std::string log;
  auto sweep = [&](const std::string& grid) {
    std::ofstream(dir / "k.toml") << "[problem]\nd = 64\n[run]\ntrials = 8\nbackend = \"cpu\"\n[sweep]\n"
                                     "out = \"ks\"\n[[sweep.grid]]\nname = \"ok\"\nM = [4, 8]\n[[sweep.grid]]\n" +
                                         grid;
    return cli("sweep k.toml --no-fit", dir, &log);
  };
  EXPECT_EQ(sweep("name = \"id\"\nsketch = \"identity\"\nd = 32\ngamma = [0.1, 40.0]\n"), 3) << log;
  EXPECT_TRUE(says(log, "1 identity-sketch point(s) diverge")) << log;
  EXPECT_TRUE(says(log, "Nothing was run")) << log;
  EXPECT_FALSE(fs::exists(dir / "ks/points"));
  EXPECT_EQ(sweep("name = \"..\"\nM = [4, 8]\n"), 2) << log;
  EXPECT_TRUE(says(log, "not a folder name of its own")) << log;
  EXPECT_EQ(sweep("name = \"" + std::string(250, 'x') + "\"\nM = [4, 8]\n"), 2) << log;
  EXPECT_TRUE(says(log, "255-byte limit")) << log;
  EXPECT_FALSE(fs::exists(dir / "ks/points"));
  EXPECT_EQ(sweep("name = \"fine\"\nM = [16]\n"), 0) << log;
  EXPECT_TRUE(says(log, "point(s) to run, estimated ~")) << log;
}
