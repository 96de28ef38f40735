// Scale-out: shards + merge, and MPI ranks, give the same tables as one process; mismatches are refused.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sgdlaw/io/atomic_file.hpp"
#include "test_helpers.hpp"

namespace fs = std::filesystem;
using sgdlaw::read_text_file;

namespace {

struct Dir {
  fs::path path;
  explicit Dir(const std::string& name)
      : path(fs::temp_directory_path() / ("sgdlaw_scale_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
    std::ofstream(path / "s.toml") << sgdlaw::testing::kSmallSweep;
  }
  ~Dir() { fs::remove_all(path); }
  std::string file() const { return (path / "s.toml").string(); }
  std::string sub(const std::string& s) const { return (path / s).string(); }
};

int sh(const std::string& cmd, const std::string& log) { return sgdlaw::testing::run_logged(cmd, log); }

std::string bin() { return SGDLAW_BINARY; }

// Every table and every point's curves/trials are byte-identical.
void expect_same_sweep(const fs::path& a, const fs::path& b) {
  EXPECT_EQ(read_text_file((a / "sweep.csv").string()), read_text_file((b / "sweep.csv").string()));
  EXPECT_EQ(read_text_file((a / "fits.csv").string()), read_text_file((b / "fits.csv").string()));
  int points = 0;
  for (const auto& e : fs::directory_iterator(a / "points")) {
    const fs::path other = b / "points" / e.path().filename();
    for (const char* f : {"curves.csv", "trials.csv"})
      EXPECT_EQ(read_text_file((e.path() / f).string()), read_text_file((other / f).string())) << e.path() << " " << f;
    ++points;
  }
  EXPECT_EQ(points, 14);
}

}  // namespace

TEST(ScaleOut, ShardsThenMergeEqualOneProcess) {
  Dir d("shards");
  ASSERT_EQ(sh(bin() + " sweep " + d.file() + " --sweep-out " + d.sub("one"), d.sub("one.log")), 0);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(sh(bin() + " sweep " + d.file() + " --shard " + std::to_string(i) + "/3 --sweep-out " +
                     d.sub("s" + std::to_string(i)),
                 d.sub("s.log")),
              0);
  EXPECT_FALSE(fs::exists(d.path / "s0" / "fits.csv"));  // a shard alone does not fit
  ASSERT_EQ(sh(bin() + " merge " + d.file() + " " + d.sub("s0") + " " + d.sub("s1") + " " + d.sub("s2") + " --into " +
                   d.sub("merged"),
               d.sub("merge.log")),
            0)
      << read_text_file(d.sub("merge.log"));
  EXPECT_NE(read_text_file(d.sub("merge.log")).find("14 points copied"), std::string::npos);
  expect_same_sweep(d.path / "one", d.path / "merged");
}

TEST(ScaleOut, MergeRefusesOtherConfigsAndVersions) {
  Dir d("refuse");
  ASSERT_EQ(sh(bin() + " sweep " + d.file() + " --shard 0/2 --sweep-out " + d.sub("s0"), d.sub("a.log")), 0);
  std::string other = read_text_file(d.file());
  other.replace(other.find("seed = 3"), 8, "seed = 9");
  std::ofstream(d.path / "other.toml") << other;
  EXPECT_EQ(sh(bin() + " merge " + d.sub("other.toml") + " " + d.sub("s0") + " --into " + d.sub("m1"), d.sub("m1.log")),
            2);
  EXPECT_NE(read_text_file(d.sub("m1.log")).find("different sweep configuration"), std::string::npos)
      << read_text_file(d.sub("m1.log"));
  // Another version wrote the shard.
  std::string sj = read_text_file(d.sub("s0/sweep.json"));
  const auto pos = sj.find("\"version\": \"");
  ASSERT_NE(pos, std::string::npos);
  sj.insert(pos + 12, "9.9-");
  sgdlaw::write_file_atomically(d.sub("s0/sweep.json"), sj);
  EXPECT_EQ(sh(bin() + " merge " + d.file() + " " + d.sub("s0") + " --into " + d.sub("m2"), d.sub("m2.log")), 2);
  EXPECT_NE(read_text_file(d.sub("m2.log")).find("refusing to mix versions"), std::string::npos)
      << read_text_file(d.sub("m2.log"));
  EXPECT_FALSE(fs::exists(d.path / "m2" / "points"));
}

TEST(ScaleOut, MpiRanksEqualOneProcessAndResume) {
#if !defined(SGDLAW_TEST_MPIEXEC)
  GTEST_SKIP() << "built without MPI";
#else
  Dir d("mpi");
  const std::string mpirun = std::string("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ") +
                             SGDLAW_TEST_MPIEXEC + " --oversubscribe -np 2 ";
  ASSERT_EQ(sh(bin() + " sweep " + d.file() + " --sweep-out " + d.sub("one"), d.sub("one.log")), 0);
  ASSERT_EQ(sh(mpirun + bin() + " sweep " + d.file() + " --sweep-out " + d.sub("mpi"), d.sub("mpi.log")), 0)
      << read_text_file(d.sub("mpi.log"));
  EXPECT_NE(read_text_file(d.sub("mpi.log")).find("ranks 2: ran 14"), std::string::npos)
      << read_text_file(d.sub("mpi.log"));
  expect_same_sweep(d.path / "one", d.path / "mpi");
  // A job that died part-way (here: a shard's worth of points finished) resumes under MPI with the rest.
  ASSERT_EQ(sh(bin() + " sweep " + d.file() + " --shard 0/2 --sweep-out " + d.sub("resumed"), d.sub("r0.log")), 0);
  ASSERT_EQ(sh(mpirun + bin() + " sweep " + d.file() + " --sweep-out " + d.sub("resumed"), d.sub("r1.log")), 0);
  EXPECT_NE(read_text_file(d.sub("r1.log")).find("ran 7, already complete 7"), std::string::npos)
      << read_text_file(d.sub("r1.log"));
  expect_same_sweep(d.path / "one", d.path / "resumed");
#endif
}

TEST(ScaleOut, MpiExactOnlyPointsEqualOneProcess) {
#if !defined(SGDLAW_TEST_MPIEXEC)
  GTEST_SKIP() << "built without MPI";
#else
  // Exact-only points (d = inf: identity, and Gaussian by the deterministic equivalent) are one unit of no trials.
  Dir d("mpi_exact");
  std::ofstream(d.path / "e.toml") << "[problem]\nd = \"inf\"\nsigma = 0.1\n[sgd]\ngamma = 0.2\n[run]\nmonte_carlo = "
                                      "false\n[sweep]\nout = \"unused\"\n[[sweep.grid]]\nname = \"id\"\nsketch = "
                                      "\"identity\"\nN = [1024, 65536, 4194304]\n[[sweep.grid]]\nname = \"g\"\n"
                                      "M = [8, 16, 32]\nN = [4096]\n";
  const std::string mpirun = std::string("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ") +
                             SGDLAW_TEST_MPIEXEC + " --oversubscribe -np 2 ";
  ASSERT_EQ(sh(bin() + " sweep " + d.sub("e.toml") + " --sweep-out " + d.sub("one"), d.sub("one.log")), 0)
      << read_text_file(d.sub("one.log"));
  ASSERT_EQ(sh(mpirun + bin() + " sweep " + d.sub("e.toml") + " --sweep-out " + d.sub("mpi"), d.sub("mpi.log")), 0)
      << read_text_file(d.sub("mpi.log"));
  EXPECT_NE(read_text_file(d.sub("mpi.log")).find("ranks 2: ran 6"), std::string::npos)
      << read_text_file(d.sub("mpi.log"));
  EXPECT_EQ(read_text_file(d.sub("one/sweep.csv")), read_text_file(d.sub("mpi/sweep.csv")));
  EXPECT_EQ(read_text_file(d.sub("one/sweep.csv")).find("risk_mc"), std::string::npos);
#endif
}
