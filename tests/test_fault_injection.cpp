// Fault injection: runs and sweeps are killed (SIGKILL) at random moments, their saved work is corrupted at
// random, and a second writer races the first; the final outputs must equal an undisturbed run's byte for
// byte, with nothing left behind (no partial folders, resume folders or lock files). Seeded: reproducible.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "test_helpers.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) { return sgdlaw::testing::scratch_dir("sgdlaw_fault", name); }
using sgdlaw::testing::slurp;

// Starts `sgdlaw args...` in `dir` with output to dir/child.log; returns its pid.
pid_t spawn(const fs::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), SGDLAW_BINARY);
  const std::string script = "cd '" + dir.string() + "' && exec \"$0\" \"$@\" >>child.log 2>&1";
  std::vector<std::string> full = {"/bin/sh", "-c", script};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Flips a few bytes in the middle of a random regular file under `dir` (if any).
void corrupt_random_file(const fs::path& dir, std::mt19937& rng) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.is_regular_file(ec) && fs::file_size(e.path(), ec) > 64) files.push_back(e.path());
  if (files.empty()) return;
  const fs::path victim = files[rng() % files.size()];
  std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(fs::file_size(victim) / 2));
  f.write("\x13\x37\x42", 3);
}

std::vector<std::string> leftovers(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.find(".partial-") != std::string::npos || n.find(".old-") != std::string::npos ||
        n.find(".resume") != std::string::npos || n.find(".lock") != std::string::npos)
      out.push_back(e.path().string());
  }
  return out;
}

const std::vector<std::string> kRun = {
    "run",   "--a",        "1.5",      "--d",    "256",       "--M", "48",
    "--N",   "20000",      "--trials", "600",    "--threads", "2",   "--write_trials",
    "final", "--progress", "false",    "--quiet"};

// The sweep the sweep and shard tests disturb (8 points, out "sw"), and its undisturbed run in "ref".
void write_sweep_and_reference(const fs::path& dir) {
  std::ofstream(dir / "s.toml") << "[problem]\nd = 128\nsigma = 0.2\n[sgd]\ngamma = 0.2\n[run]\ntrials = 200\n"
                                   "seed = 9\nbackend = \"cpu\"\nthreads = 2\n[sweep]\nout = \"sw\"\n[[sweep.grid]]\n"
                                   "name = \"g\"\nM = [8, 16, 32, 64]\nN = [2000, 8000]\n";
  ASSERT_EQ(wait_exit(spawn(dir, {"sweep", "s.toml", "--no-fit", "--sweep-out", "ref"})), 0)
      << slurp(dir / "child.log");
}

}  // namespace

TEST(Reliability, KilledCorruptedAndRacedRunEndsEqualToAnUndisturbedOne) {
  const fs::path dir = scratch("run");
  std::vector<std::string> ref_args = kRun, args = kRun;
  ref_args.insert(ref_args.end(), {"--out", "ref"});
  args.insert(args.end(), {"--out", "run"});
  ASSERT_EQ(wait_exit(spawn(dir, ref_args)), 0) << slurp(dir / "child.log");
  std::mt19937 rng(20261125);
  int refused = 0;
  for (int round = 0; round < 6; ++round) {
    const pid_t pid = spawn(dir, args);
    std::this_thread::sleep_for(std::chrono::milliseconds(40 + rng() % 200));
    if (round % 3 == 1) refused += wait_exit(spawn(dir, args)) == 1;  // a racing second writer
    kill(pid, SIGKILL);
    wait_exit(pid);
    if (round % 2 == 0) corrupt_random_file(dir / "run.resume", rng);
  }
  ASSERT_EQ(wait_exit(spawn(dir, args)), 0) << slurp(dir / "child.log");
  EXPECT_EQ(slurp(dir / "run/curves.csv"), slurp(dir / "ref/curves.csv"));
  EXPECT_EQ(slurp(dir / "run/trials.csv"), slurp(dir / "ref/trials.csv"));
  EXPECT_TRUE(leftovers(dir).empty()) << leftovers(dir).front();
  RecordProperty("racing_writers_refused", refused);
  fs::remove_all(dir);
}

TEST(Reliability, KilledAndCorruptedSweepEndsEqualToAnUndisturbedOne) {
  const fs::path dir = scratch("sweep");
  write_sweep_and_reference(dir);
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    const pid_t pid = spawn(dir, {"sweep", "s.toml", "--no-fit"});
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 300));
    kill(pid, SIGKILL);
    wait_exit(pid);
    corrupt_random_file(dir / "sw" / "points", rng);
  }
  ASSERT_EQ(wait_exit(spawn(dir, {"sweep", "s.toml", "--no-fit"})), 0) << slurp(dir / "child.log");
  EXPECT_EQ(slurp(dir / "sw/sweep.csv"), slurp(dir / "ref/sweep.csv"));
  for (const auto& e : fs::directory_iterator(dir / "ref/points"))
    EXPECT_EQ(slurp(dir / "sw/points" / e.path().filename() / "trials.csv"), slurp(e.path() / "trials.csv"))
        << e.path().filename();
  EXPECT_TRUE(leftovers(dir).empty()) << leftovers(dir).front();
  fs::remove_all(dir);
}

// Shards of one sweep and the merge of them, each killed at random moments (the shards' saved work corrupted
// too), then finished: the merged folder equals an undisturbed whole sweep's byte for byte, nothing left behind.
TEST(Reliability, KilledShardsAndMergesEndEqualToAnUndisturbedSweep) {
  const fs::path dir = scratch("shards");
  write_sweep_and_reference(dir);
  std::mt19937 rng(11);
  for (const char* shard : {"0/2", "1/2"}) {
    const std::string out = shard[0] == '0' ? "s0" : "s1";
    for (int round = 0; round < 3; ++round) {
      const pid_t pid = spawn(dir, {"sweep", "s.toml", "--no-fit", "--shard", shard, "--sweep-out", out});
      std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 300));
      kill(pid, SIGKILL);
      wait_exit(pid);
      corrupt_random_file(dir / out / "points", rng);
    }
    ASSERT_EQ(wait_exit(spawn(dir, {"sweep", "s.toml", "--no-fit", "--shard", shard, "--sweep-out", out})), 0)
        << slurp(dir / "child.log");
  }
  for (int round = 0; round < 4; ++round) {
    const pid_t pid = spawn(dir, {"merge", "s.toml", "s0", "s1", "--into", "merged", "--no-fit"});
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 40));
    kill(pid, SIGKILL);
    wait_exit(pid);
  }
  ASSERT_EQ(wait_exit(spawn(dir, {"merge", "s.toml", "s0", "s1", "--into", "merged", "--no-fit"})), 0)
      << slurp(dir / "child.log");
  EXPECT_EQ(slurp(dir / "merged/sweep.csv"), slurp(dir / "ref/sweep.csv"));
  for (const auto& e : fs::directory_iterator(dir / "ref/points"))
    EXPECT_EQ(slurp(dir / "merged/points" / e.path().filename() / "trials.csv"), slurp(e.path() / "trials.csv"))
        << e.path().filename();
  EXPECT_TRUE(leftovers(dir).empty()) << leftovers(dir).front();
  fs::remove_all(dir);
}
