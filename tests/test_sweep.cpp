// Sweeps: grid expansion, validation, resumption after a kill, divergent points, tidy table.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/csv_table.hpp"
#include "sgdlaw/sweep/sweep_runner.hpp"
#include "sgdlaw/sweep/sweep_spec.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("sgdlaw_sweep_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

int run_cli(const std::string& args, const fs::path& log) {
  return sgdlaw::testing::run_logged(std::string(SGDLAW_BINARY) + " " + args, log.string());
}

}  // namespace

TEST(Sweep, GridExpandsToEveryCombination) {
  const SweepSpec s = parse_sweep_spec(sgdlaw::testing::kSmallSweep, "t.toml", {});
  ASSERT_EQ(s.points.size(), 3u * 2u * 2u + 2u);
  EXPECT_EQ(s.points[0].name, "g-M8-N200-a1.5");  // axes in key order (TOML tables are sorted)
  EXPECT_EQ(s.points.back().name, "id-N300");
  EXPECT_EQ(s.points.back().config.M, 32);  // identity: M = d
  EXPECT_EQ(s.points[0].config.b, 1.5);     // b follows a
  EXPECT_EQ(s.points[0].config.write_trials, TrialsOutput::kFinal);
  EXPECT_EQ(s.fit.m_axis_grids, std::vector<std::string>{"g"});
}

TEST(Sweep, InvalidPointsAndSpecsAreRejectedUpFront) {
  auto error_of = [](const std::string& text) {
    try {
      parse_sweep_spec(text, "t.toml", {});
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of("[problem]\nd = 64\n[sweep]\nM = [32, 128]\n").find("sweep point grid-M128: field 'M'"),
            std::string::npos);
  EXPECT_NE(error_of("[sweep]\na = [0.5, 2]\n").find("field 'a'"), std::string::npos);
  EXPECT_NE(error_of("[sweep]\nalpha = [1, 2]\n").find("unknown key 'alpha' in [sweep]"), std::string::npos);
  EXPECT_NE(error_of("[sweep]\nM = []\n").find("is empty"), std::string::npos);
  EXPECT_NE(error_of("[problem]\na = 2\n").find("needs a [sweep] section"), std::string::npos);
  EXPECT_NE(error_of("[sweep]\nM = [8]\n[fit]\nm_axis_grid = \"nope\"\n").find("names grid 'nope'"), std::string::npos);
  EXPECT_NE(error_of("[sweep]\nM = [8]\n[fit]\nbootstrap = -1\n").find("'bootstrap'"), std::string::npos);
  EXPECT_NE(error_of("[sweep]\nM = [8]\nout = 3\n").find("'out'"), std::string::npos);
}

TEST(Sweep, KilledSweepResumesToTheSameTables) {
  const fs::path dir = scratch("resume");
  std::ofstream(dir / "s.toml") << sgdlaw::testing::kSmallSweep;
  const std::string file = (dir / "s.toml").string();
  // Uninterrupted.
  ASSERT_EQ(run_cli("sweep " + file + " --sweep-out " + (dir / "a").string(), dir / "a.log"), 0)
      << read_text_file((dir / "a.log").string());
  // Interrupted: half the points, a half-written point folder as a kill would leave, then a resume.
  ASSERT_EQ(run_cli("sweep " + file + " --shard 0/2 --sweep-out " + (dir / "b").string(), dir / "b1.log"), 0);
  EXPECT_FALSE(fs::exists(dir / "b" / "fits.csv"));  // fits wait for every point
  fs::create_directories(dir / "b" / "points" / "g-M16-N400-a2.partial-999");
  std::ofstream(dir / "b" / "points" / "g-M16-N400-a2.partial-999" / "curves.csv") << "N,trunc";
  ASSERT_EQ(run_cli("sweep " + file + " --sweep-out " + (dir / "b").string(), dir / "b2.log"), 0);
  const std::string log = read_text_file((dir / "b2.log").string());
  EXPECT_NE(log.find("already complete, skipped"), std::string::npos);
  EXPECT_NE(log.find("ran 7, already complete 7"), std::string::npos) << log;
  EXPECT_EQ(read_text_file((dir / "a" / "sweep.csv").string()), read_text_file((dir / "b" / "sweep.csv").string()));
  EXPECT_EQ(read_text_file((dir / "a" / "fits.csv").string()), read_text_file((dir / "b" / "fits.csv").string()));
  // A third run does nothing new and changes nothing.
  ASSERT_EQ(run_cli("sweep " + file + " --sweep-out " + (dir / "b").string(), dir / "b3.log"), 0);
  EXPECT_NE(read_text_file((dir / "b3.log").string()).find("ran 0, already complete 14"), std::string::npos);
  EXPECT_EQ(read_text_file((dir / "a" / "sweep.csv").string()), read_text_file((dir / "b" / "sweep.csv").string()));
  // The tidy table has one row per point and checkpoint, flagged final where N is the horizon.
  const CsvTable t = read_csv((dir / "a" / "sweep.csv").string());
  int finals = 0;
  for (const auto& row : t.rows) finals += row[t.column("is_final")] == "1";
  EXPECT_EQ(finals, 14);
  fs::remove_all(dir);
}

TEST(Sweep, DivergentPointIsRecordedAndTheRestRuns) {
  const fs::path dir = scratch("diverge");
  std::ofstream(dir / "s.toml") << "[problem]\nd = 64\nM = 16\n[sgd]\nN = 200\n[run]\ntrials = 10\nbackend = \"cpu\"\n"
                                   "[sweep]\ngamma = [0.1, 40.0]\n";
  // The sweep goes on, and exits 1 at the end: a failed point is a failure (report.md lists it).
  EXPECT_EQ(run_cli("sweep " + (dir / "s.toml").string() + " --sweep-out " + (dir / "o").string(), dir / "o.log"), 1);
  const std::string log = read_text_file((dir / "o.log").string());
  EXPECT_NE(log.find("DIVERGED"), std::string::npos) << log;
  EXPECT_NE(log.find("ran 1, already complete 0, failed 1"), std::string::npos) << log;
  EXPECT_TRUE(fs::exists(dir / "o" / "points" / "grid-gamma40" / "error.json"));
  EXPECT_TRUE(fs::exists(dir / "o" / "points" / "grid-gamma0.1" / "curves.csv"));
  fs::remove_all(dir);
}

TEST(Sweep, ConstantScheduleSharesOneRunAcrossNWithIdenticalResults) {
  const fs::path dir = scratch("shared");
  std::ofstream(dir / "s.toml")
      << "[problem]\nd = 96\n[sgd]\nschedule = \"constant\"\ngamma = 0.2\n[run]\ntrials = 24\n"
         "backend = \"cpu\"\n[sweep]\nM = [8, 16]\nN = [150, 400, 1000]\n";
  ASSERT_EQ(run_cli("sweep " + (dir / "s.toml").string() + " --sweep-out " + (dir / "o").string(), dir / "o.log"), 0);
  const std::string log = read_text_file((dir / "o.log").string());
  EXPECT_NE(log.find("grid-M8-N150 (from the run of grid-M8-N1000)"), std::string::npos) << log;
  EXPECT_NE(log.find("ran 6, already complete 0"), std::string::npos) << log;
  // Each point equals a standalone run of its own configuration, byte for byte.
  for (const char* name : {"grid-M8-N150", "grid-M16-N400", "grid-M16-N1000"}) {
    const std::string m = std::string(name).find("M16") != std::string::npos ? "16" : "8";
    const std::string n = std::string(name).substr(std::string(name).rfind('N') + 1);
    const fs::path alone = dir / ("alone-" + std::string(name));
    ASSERT_EQ(run_cli("run " + (dir / "s.toml").string() + " --M " + m + " --N " + n +
                          " --write_trials final --progress false --out " + alone.string(),
                      dir / "alone.log"),
              0)
        << read_text_file((dir / "alone.log").string());
    for (const char* f : {"curves.csv", "trials.csv"})
      EXPECT_EQ(read_text_file((dir / "o" / "points" / name / f).string()), read_text_file((alone / f).string()))
          << name << " " << f;
  }
  EXPECT_NE(read_text_file((dir / "o" / "sweep.json").string()).find("checkpoints of the run for point grid-M16-N1000"),
            std::string::npos);
  fs::remove_all(dir);
}

// A schedule that depends on the horizon (cosine) gives each N a run of its own: the iterate after 150 samples
// of a 1000-sample cosine run is not a 150-sample cosine run.
TEST(Sweep, HorizonDependentScheduleRunsEachNSeparately) {
  const fs::path dir = scratch("horizon");
  std::ofstream(dir / "s.toml")
      << "[problem]\nd = 96\nM = 8\n[sgd]\nschedule = \"cosine\"\ngamma = 0.2\n"
         "warmup = 20\n[run]\ntrials = 12\nbackend = \"cpu\"\n[sweep]\nN = [150, 400, 1000]\n";
  ASSERT_EQ(run_cli("sweep " + (dir / "s.toml").string() + " --sweep-out " + (dir / "o").string(), dir / "o.log"), 0);
  const std::string log = read_text_file((dir / "o.log").string());
  EXPECT_EQ(log.find("(from the run of"), std::string::npos) << log;
  EXPECT_NE(log.find("ran 3, already complete 0"), std::string::npos) << log;
  const std::string note = read_text_file((dir / "o" / "points" / "grid-N400" / "config.json").string());
  EXPECT_NE(note.find("only the final row is a completed schedule"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Sweep, BatchAxisMayBeWrittenB) {
  const SweepSpec s = parse_sweep_spec("[sgd]\nN = 400\n[sweep]\nB = [1, 4]\n", "t.toml", {});
  ASSERT_EQ(s.points.size(), 2u);
  EXPECT_EQ(s.points[1].config.batch, 4);
  EXPECT_EQ(s.points[1].name, "grid-batch4");
}
