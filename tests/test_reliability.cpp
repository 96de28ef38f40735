// Reliability at the edges (issue "nothing lost, nothing trusted unchecked, every bad input refused up front"):
// output folders that are files, the root, '.', or end in '/'; damaged resume chunks; resuming with another
// thread count; two writers of one folder; conflicting aliases; overflowing products; absurd checkpoint ratios.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/io/trial_chunks.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "sgdlaw/sweep/sweep_spec.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) { return sgdlaw::testing::scratch_dir("sgdlaw_rel", name); }
using sgdlaw::testing::slurp;

using sgdlaw::testing::cli;

const std::string kSmall = "--a 2 --d 64 --M 8 --N 200 --trials 10 --progress false";

// Interrupts run_simulation after `stop_at` trials are done (chunks before that point are saved).
void interrupt_after(const Config& c, std::int64_t stop_at) {
  EXPECT_THROW(run_simulation(c,
                              [&](std::int64_t done, std::int64_t) {
                                if (done >= stop_at) throw std::runtime_error("killed");
                              }),
               std::runtime_error);
}

}  // namespace

TEST(Reliability, OutNamingAnExistingFileIsRefusedAndTheFileKept) {
  const fs::path dir = scratch("file");
  std::ofstream(dir / "precious.txt") << "keep me";
  std::string err;
  EXPECT_EQ(cli("run " + kSmall + " --out precious.txt", dir, &err), 2);
  EXPECT_NE(err.find("field 'out'"), std::string::npos) << err;
  EXPECT_NE(err.find("existing file"), std::string::npos) << err;
  EXPECT_EQ(slurp(dir / "precious.txt"), "keep me");
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_TRUE(e.path().filename() == "precious.txt" || e.path().filename() == "log.txt") << e.path();
}

TEST(Reliability, RootDotAndTrailingSlashAreHandledBeforeAnyComputation) {
  const fs::path dir = scratch("dots");
  std::string err;
  for (const char* bad : {"/", ".", "..", "runs/.."}) {
    EXPECT_EQ(cli("run " + kSmall + " --out " + bad, dir, &err), 2) << bad;
    EXPECT_NE(err.find("field 'out'"), std::string::npos) << bad << ": " << err;
  }
  EXPECT_FALSE(fs::exists("/.resume"));
  EXPECT_EQ(cli("run " + kSmall + " --out runs/slash/", dir, &err), 0) << err;
  EXPECT_TRUE(fs::exists(dir / "runs/slash/curves.csv"));
  for (const auto& e : fs::directory_iterator(dir / "runs")) EXPECT_EQ(e.path().filename(), "slash") << e.path();
  EXPECT_EQ(normalize_out_folder("a//b/./c/"), "a/b/c");
}

TEST(Reliability, DamagedChunkIsReportedAndRecomputed) {
  const fs::path base = scratch("chunk");
  Config c = sgdlaw::testing::small_config();
  c.trials = 64;
  c.out = (base / "run").string();
  const auto chunks = plan_chunks(c.total_trials(), 2);
  ASSERT_GE(chunks.size(), 4u);
  interrupt_after(c, chunks[0].count + chunks[1].count);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(resume_dir(c))) files.push_back(e.path());
  ASSERT_EQ(files.size(), 2u);
  {  // flip payload bytes of one chunk (as a disk or copy error would)
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.write("\xff\xff\xff\xff\xff\xff\xef\x7f", 8);
  }
  const RunResult resumed = run_simulation(c);
  EXPECT_EQ(resumed.resumed_trials, chunks[1].count);  // only the intact chunk is trusted
  Config clean_cfg = c;
  clean_cfg.out = (base / "clean").string();
  const RunResult clean = run_simulation(clean_cfg);
  EXPECT_EQ(resumed.trials.risk, clean.trials.risk);
  EXPECT_EQ(resumed.trials.bias, clean.trials.bias);
  fs::remove_all(base);
}

TEST(Reliability, ChunksDoNotDependOnTheThreadCount) {
  EXPECT_EQ(plan_chunks(1000, 1).size(), plan_chunks(1000, 16).size());
  const fs::path base = scratch("threads");
  Config c = sgdlaw::testing::small_config();
  c.trials = 64;
  c.threads = 1;
  c.out = (base / "run").string();
  const auto chunks = plan_chunks(c.total_trials(), 1);
  interrupt_after(c, chunks[0].count);
  c.threads = 2;
  const RunResult resumed = run_simulation(c);
  EXPECT_EQ(resumed.resumed_trials, chunks[0].count);
  fs::remove_all(base);
}

TEST(Reliability, SecondWriterOfOneFolderIsRefusedWithTheHoldersPid) {
  const fs::path dir = scratch("lock");
  const OutputLock held((dir / "busy").string());
  std::string err;
  EXPECT_EQ(cli("run " + kSmall + " --out busy", dir, &err), 1);
  EXPECT_NE(err.find("pid " + std::to_string(::getpid())), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir / "busy"));
  EXPECT_THROW(OutputLock((dir / "busy").string()), std::runtime_error);
}

TEST(Reliability, BatchAndItsAliasTogetherAreRefused) {
  const fs::path dir = scratch("alias");
  std::string err;
  EXPECT_EQ(cli("run " + kSmall + " --batch 2 --B 4", dir, &err), 2);
  EXPECT_NE(err.find("--B and --batch"), std::string::npos) << err;
  EXPECT_THROW(parse_toml_settings("[sgd]\nbatch = 2\nB = 4\n", "t.toml"), ConfigError);
  EXPECT_THROW(parse_toml_settings("[sgd]\nB = 2\nbatch = 4\n", "t.toml"), ConfigError);
}

TEST(Reliability, AnalyzeOnlyOnAMissingSweepFolderIsRefused) {
  const fs::path dir = scratch("analyze");
  std::ofstream(dir / "s.toml") << "[problem]\nd = 32\n[run]\ntrials = 4\n[sweep]\nout = \"nothere\"\n"
                                   "[[sweep.grid]]\nM = [4, 8]\n";
  std::string err;
  EXPECT_EQ(cli("sweep s.toml --analyze-only", dir, &err), 2);
  EXPECT_NE(err.find("does not exist"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir / "nothere"));
}

TEST(Reliability, ConfigJsonRecordsTheCommandLine) {
  const fs::path dir = scratch("cmdline");
  std::string err;
  ASSERT_EQ(cli("run " + kSmall + " --out r", dir, &err), 0) << err;
  const auto j = nlohmann::json::parse(slurp(dir / "r/config.json"));
  const std::string line = j["command_line"];
  EXPECT_NE(line.find("run --a 2 --d 64"), std::string::npos) << line;
}

TEST(Reliability, OverflowingTrialsTimesSketchesIsRefused) {
  RawSettings s;
  s["trials"] = {"1099511627776", RawValue::Origin::kCommandLine};  // 2^40
  s["sketches"] = {"16777216", RawValue::Origin::kCommandLine};     // 2^24: the product wraps past 2^63
  try {
    resolve_config({s});
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("trials * sketches"), std::string::npos) << e.what();
  }
}

TEST(Reliability, HugeCheckpointRatioGivesTwoCheckpoints) {
  Config c = sgdlaw::testing::small_config();
  for (double ratio : {1e300, 9.3e18, 1.0e10}) {
    c.checkpoint_ratio = ratio;
    const auto cks = checkpoint_steps(c);
    ASSERT_EQ(cks.size(), 2u) << ratio;
    EXPECT_EQ(cks.back(), c.steps());
  }
}

namespace {

// A small sweep file in `dir` (6 points of one grid).
void write_small_sweep(const fs::path& dir) {
  std::ofstream(dir / "s.toml") << "[problem]\nd = 64\nsigma = 0.2\n[sgd]\ngamma = 0.2\n[run]\ntrials = 8\nseed = 5\n"
                                   "backend = \"cpu\"\n[sweep]\nout = \"sw\"\n[[sweep.grid]]\nname = \"g\"\n"
                                   "M = [4, 8, 16]\nN = [100, 200]\n";
}

}  // namespace

TEST(Reliability, EditedOrIncompleteSweepPointsAreRecomputed) {
  const fs::path dir = scratch("points");
  write_small_sweep(dir);
  std::string err;
  ASSERT_EQ(cli("sweep s.toml --no-fit", dir, &err), 0) << err;
  const fs::path p1 = dir / "sw/points/g-M4-N100", p2 = dir / "sw/points/g-M8-N200";
  const std::string curves = slurp(p1 / "curves.csv");
  std::ofstream(p1 / "curves.csv") << curves.substr(0, curves.size() / 2) << "999.0\n";  // edited by hand
  fs::remove(p2 / "trials.csv");                                                         // lost
  ASSERT_EQ(cli("sweep s.toml --no-fit", dir, &err), 0) << err;
  EXPECT_EQ(slurp(p1 / "curves.csv"), curves);
  EXPECT_TRUE(fs::exists(p2 / "trials.csv"));
  EXPECT_NE(slurp(dir / "log.txt").find("ran 2, already complete 4"), std::string::npos) << slurp(dir / "log.txt");
  EXPECT_EQ(slurp(dir / "sw/sweep.csv").find("999.0"), std::string::npos);
}

TEST(Reliability, RefusedMergeNamesTheShardAndLeavesTheTargetUntouched) {
  const fs::path dir = scratch("merge");
  write_small_sweep(dir);
  std::string err;
  ASSERT_EQ(cli("sweep s.toml --no-fit --shard 0/2 --sweep-out s0", dir, &err), 0) << err;
  ASSERT_EQ(cli("sweep s.toml --no-fit --shard 1/2 --sweep-out s1", dir, &err), 0) << err;
  fs::path victim;
  for (const auto& e : fs::directory_iterator(dir / "s1/points"))
    if (fs::exists(e.path() / "curves.csv")) victim = e.path();
  ASSERT_FALSE(victim.empty());
  std::ofstream(victim / "curves.csv", std::ios::app) << "1,2,3\n";
  EXPECT_EQ(cli("merge s.toml s0 s1 --into merged --no-fit", dir, &err), 2);
  EXPECT_NE(err.find("shard s1"), std::string::npos) << err;
  EXPECT_NE(err.find("not intact"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir / "merged/points"));
}

TEST(Reliability, MessagesNameTheFieldAndTheRealReason) {
  auto error_of = [](const std::string& toml) {
    try {
      load_config("", parse_toml_settings(toml, "t.toml"));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(error_of("[problem]\nsigma = 1e300\n").find("field 'sigma'"), std::string::npos);
  const std::string big_n = error_of("[sgd]\nN = 1e18\n");
  EXPECT_NE(big_n.find("field 'N'"), std::string::npos) << big_n;
  EXPECT_NE(big_n.find("1 <= N <= 2^50"), std::string::npos) << big_n;
  EXPECT_NE(error_of("[problem]\na = 1979-05-27T07:32:00Z\n").find("not a date or time"), std::string::npos);
  const std::string huge = error_of("[run]\nbackend = \"" + std::string(100000, 'x') + "\"\n");
  EXPECT_NE(huge.find("(100000 characters)"), std::string::npos);
  EXPECT_LT(huge.size(), 400u);
  try {
    parse_sweep_spec("[sweep]\n[[sweep.grid]]\nalpha = [1]\nname = \"mine\"\n", "t.toml", {});
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("grid 'mine'"), std::string::npos) << e.what();
  }
  const fs::path dir = scratch("plot");
  std::string err;
  EXPECT_EQ(cli("plot nowhere", dir, &err), 2);
  EXPECT_NE(err.find("is not a folder"), std::string::npos) << err;
}

TEST(Reliability, FitRefusesBadInputsAndSaysWhy) {
  const fs::path dir = scratch("fit");
  std::ofstream(dir / "ok.csv")
      << "\xEF\xBB\xBFN,\"loss\"\n100,\"0.5\"\n200,0.4\n400,0.33\n800,0.29\n1600,0.26\n-5,0.1\n";
  std::ofstream(dir / "rising.csv") << "N,loss\n100,0.1\n200,0.2\n400,0.3\n800,0.4\n";
  std::ofstream(dir / "flat.csv") << "N,loss\n100,0.1\n100,0.2\n100,0.3\n100,0.4\n";
  std::string err;
  EXPECT_EQ(cli("fit ok.csv --bootstrap 0", dir, &err), 0) << err;  // BOM, quoted cells, one bad row
  EXPECT_NE(err.find("data row 6 dropped"), std::string::npos) << err;
  EXPECT_NE(err.find("no interval"), std::string::npos) << err;
  EXPECT_EQ(err.find("CI [0, 0]"), std::string::npos) << err;
  EXPECT_EQ(cli("fit rising.csv", dir, &err), 2);
  EXPECT_NE(err.find("rises with N"), std::string::npos) << err;
  EXPECT_EQ(cli("fit flat.csv", dir, &err), 2);
  EXPECT_NE(err.find("same N"), std::string::npos) << err;
  EXPECT_EQ(cli("fit ok.csv --model chinchilla --budgets -1 0", dir, &err), 2);
  EXPECT_NE(err.find("--budgets"), std::string::npos) << err;
  fs::create_directories(dir / "folder");
  EXPECT_EQ(cli("fit ok.csv --out folder", dir, &err), 2);
  EXPECT_NE(err.find("is a folder"), std::string::npos) << err;
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().string().find(".partial"), std::string::npos) << e.path();
}

TEST(Reliability, HugeGridsAndCheckpointCountsAreRefusedBeforeAnythingIsMade) {
  std::string axis = "[";
  for (int i = 1; i <= 1000; ++i) axis += std::to_string(1000 + i) + (i < 1000 ? ", " : "]");
  const std::string text =
      "[problem]\nd = 4096\n[sweep]\n[[sweep.grid]]\nM = " + axis + "\nN = " + axis + "\nseed = " + axis + "\n";
  try {
    parse_sweep_spec(text, "t.toml", {});  // 1e9 points: refused from the axis lengths alone
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("1000000000 points"), std::string::npos) << e.what();
  }
  RawSettings s;
  s["N"] = {"1000000000000", RawValue::Origin::kCommandLine};
  s["checkpoint_ratio"] = {"1.0000001", RawValue::Origin::kCommandLine};
  try {
    resolve_config({s});
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("field 'checkpoint_ratio'"), std::string::npos) << e.what();
  }
}

TEST(Reliability, DefaultOutComesFromTheFileNameAndNeverReplacesAnotherRun) {
  const fs::path dir = scratch("defaultout");
  std::ofstream(dir / "study.toml")
      << "[problem]\nd = 64\nM = 8\n[sgd]\nN = 200\n[run]\ntrials = 5\nprogress = false\n";
  std::string err;
  ASSERT_EQ(cli("run study.toml --quiet", dir, &err), 0) << err;
  EXPECT_TRUE(fs::exists(dir / "runs/study/curves.csv"));
  const std::string first = slurp(dir / "runs/study/curves.csv");
  ASSERT_EQ(cli("run study.toml --quiet --M 16", dir, &err), 0) << err;
  EXPECT_NE(err.find("holds another run"), std::string::npos) << err;
  EXPECT_EQ(slurp(dir / "runs/study/curves.csv"), first);
  EXPECT_TRUE(fs::exists(dir / "runs/study-2/curves.csv"));
  ASSERT_EQ(cli("run --d 64 --M 8 --N 200 --trials 5 --quiet", dir, &err), 0) << err;
  EXPECT_TRUE(fs::exists(dir / "runs/run/curves.csv"));
}

TEST(Reliability, FitPlotAndOverlaysAreWritten) {
  if (std::system("/usr/bin/python3 -c 'import matplotlib' 2>/dev/null") != 0)
    GTEST_SKIP() << "no python3-matplotlib here (bash scripts/install_deps.sh installs it)";
  const fs::path dir = scratch("plots");
  std::string err;
  ASSERT_EQ(cli("fit " SGDLAW_SOURCE_DIR "/examples/power_law.csv --bootstrap 10 --plot fit.png", dir, &err), 0) << err;
  EXPECT_GT(fs::file_size(dir / "fit.png"), 10000u);
  ASSERT_EQ(cli("run " + kSmall + " --out r1", dir, &err), 0) << err;
  ASSERT_EQ(cli("run " + kSmall + " --a 1.5 --out r2", dir, &err), 0) << err;
  ASSERT_EQ(cli("plot r1 r2 --out ov", dir, &err), 0) << err;
  EXPECT_GT(fs::file_size(dir / "ov/overlay_vs_N_eff.png"), 10000u);
  ASSERT_EQ(cli("plot r1", dir, &err), 0) << err;
  EXPECT_TRUE(fs::exists(dir / "r1/risk_vs_N.png"));
  EXPECT_TRUE(fs::exists(dir / "r1/decomposition_vs_N.png"));
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().string().find(".data-"), std::string::npos) << e.path();
}

// A sweep killed after a point's folder was renamed into place, but before its saved chunks were removed,
// leaves <point>.resume beside a complete point: the next sweep removes it.
TEST(Reliability, StaleResumeFolderOfACompletePointIsRemoved) {
  const fs::path dir = scratch("staleresume");
  write_small_sweep(dir);
  std::string err;
  ASSERT_EQ(cli("sweep s.toml --no-fit", dir, &err), 0) << err;
  const fs::path stale = dir / "sw/points/g-M4-N100.resume";
  fs::create_directories(stale);
  std::ofstream(stale / "trials-0-8.bin") << "left by a killed run";
  const std::string table = slurp(dir / "sw/sweep.csv");
  ASSERT_EQ(cli("sweep s.toml --no-fit", dir, &err), 0) << err;
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_EQ(slurp(dir / "sw/sweep.csv"), table);
}
