// The sgdlaw program end to end: outputs, exit codes, and no half-written files on failure.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_helpers.hpp"

namespace fs = std::filesystem;

namespace {

struct Outcome {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

fs::path scratch_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("sgdlaw_cli_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

Outcome run_cli(const std::string& args, const fs::path& dir) {
  const std::string cmd = std::string(SGDLAW_BINARY) + " " + args + " >" + (dir / "stdout.txt").string() + " 2>" +
                          (dir / "stderr.txt").string();
  const int status = std::system(cmd.c_str());
  Outcome o;
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.out = slurp(dir / "stdout.txt");
  o.err = slurp(dir / "stderr.txt");
  return o;
}

int count_lines(const std::string& s) {
  int n = 0;
  for (char ch : s) n += ch == '\n';
  return n;
}

bool has_partial_leftovers(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".partial-") != std::string::npos) return true;
  return false;
}

const std::string kSmall = "--a 2 --d 128 --M 16 --N 400 --trials 20 --progress false";

}  // namespace

TEST(Cli, RunWritesCurvesConfigAndTrials) {
  const fs::path dir = scratch_dir("ok");
  const fs::path out = dir / "run";
  // The backend is named: `auto` picks cuda on a GPU machine (CudaBackend tests cover that path).
  const Outcome o = run_cli("run " + kSmall + " --backend cpu --write_trials true --out " + out.string(), dir);
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string curves = slurp(out / "curves.csv");
  EXPECT_EQ(curves.rfind("N,N_eff,steps,trials,risk_mc,risk_se,risk_exact", 0), 0u);
  const int rows = count_lines(curves) - 1;
  EXPECT_GE(rows, 5);
  EXPECT_EQ(curves.find("nan"), std::string::npos);
  EXPECT_EQ(count_lines(slurp(out / "trials.csv")) - 1, 20 * rows);
  const auto j = nlohmann::json::parse(slurp(out / "config.json"));
  EXPECT_EQ(j["config"]["problem"]["M"], 16);
  EXPECT_EQ(j["config"]["sgd"]["N"], 400);
  EXPECT_EQ(j["backend"], "cpu");
  EXPECT_TRUE(j.contains("version"));
  EXPECT_GT(j["wall_seconds"].get<double>(), 0.0);
  EXPECT_FALSE(has_partial_leftovers(dir));
  EXPECT_NE(o.out.find("risk (exact)"), std::string::npos);
}

TEST(Cli, ExactOnlyRunWritesExactColumnsOnly) {
  const fs::path dir = scratch_dir("exact_only");
  const fs::path out = dir / "run";
  const Outcome o = run_cli(
      "run --sketch identity --d inf --monte_carlo false --N 1099511627776 --a 1.5 --gamma 0.3 "
      "--sigma 0.1 --out " +
          out.string(),
      dir);
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string curves = slurp(out / "curves.csv");
  EXPECT_EQ(
      curves.rfind("N,N_eff,steps,risk_exact,risk_exact_sketch_sd,approx_exact,bias_exact,variance_exact,sigma2\n", 0),
      0u);
  EXPECT_EQ(curves.find("_mc"), std::string::npos);
  EXPECT_NE(curves.find("\n1099511627776,"), std::string::npos);
  const auto j = nlohmann::json::parse(slurp(out / "config.json"));
  EXPECT_EQ(j["config"]["problem"]["d"], "inf");
  EXPECT_EQ(j["derived"]["exact_method"], "contour");
  EXPECT_GT(j["derived"]["d_infinite"]["tail_error_bound"].get<double>(), 0.0);
  EXPECT_NE(o.out.find("exact only (contour jumps)"), std::string::npos);
  // A Gaussian sketch: the deterministic equivalent's column next to the sampled sketches' exact one.
  const Outcome g =
      run_cli("run --d 512 --M 32 --sketches 3 --monte_carlo false --N 2000 --out " + (dir / "g").string(), dir);
  ASSERT_EQ(g.code, 0) << g.err;
  EXPECT_EQ(slurp(dir / "g" / "curves.csv").rfind("N,N_eff,steps,risk_exact,risk_exact_sketch_sd,risk_det_equiv,", 0),
            0u);
  EXPECT_NE(g.out.find("deterministic equivalent (with its 1/M terms) vs the 3 sampled sketches' average: largest |z|"),
            std::string::npos)
      << g.out;
}

TEST(Cli, ConfigFileWithFlagOverride) {
  const fs::path dir = scratch_dir("toml");
  std::ofstream(dir / "c.toml") << "[problem]\na = 1.5\nd = 100\nM = 10\n[sgd]\nN = 300\n[run]\ntrials = 10\n";
  const Outcome o = run_cli("run " + (dir / "c.toml").string() + " --M 20 --quiet --out " + (dir / "r").string(), dir);
  ASSERT_EQ(o.code, 0) << o.err;
  const auto j = nlohmann::json::parse(slurp(dir / "r" / "config.json"));
  EXPECT_EQ(j["config"]["problem"]["M"], 20);
  EXPECT_EQ(j["config"]["problem"]["a"], 1.5);
}

TEST(Cli, BadInputExitsNonZeroAndWritesNothing) {
  const fs::path dir = scratch_dir("bad");
  struct Case {
    std::string args, needle;
    int code;
  };
  const std::vector<Case> cases = {
      {"--a 0.5", "field 'a'", 2},
      {"--sigma -1", "field 'sigma'", 2},
      {"--d 10 --M 20", "field 'M'", 2},
      {"--gamma nan", "field 'gamma'", 2},
      {"--trials x", "field 'trials' must be a number", 2},
      {"--gamma 50", "field 'gamma' = 50", 3},
      {"--backend cuda", "cuda", 4},
  };
  for (const Case& k : cases) {
    const fs::path out = dir / "never";
    const Outcome o = run_cli(
        "run --a 2 --d 128 --M 16 --N 400 --trials 5 --progress false " + k.args + " --out " + out.string(), dir);
    if (k.code == 4 && o.code == 0) continue;  // a build with CUDA on a machine with a GPU
    EXPECT_EQ(o.code, k.code) << k.args << ": " << o.err;
    EXPECT_NE(o.err.find(k.needle), std::string::npos) << k.args << ": " << o.err;
    EXPECT_FALSE(fs::exists(out)) << k.args;
  }
  std::ofstream(dir / "broken.toml") << "[problem\na = 2\n";
  const Outcome o = run_cli("run " + (dir / "broken.toml").string() + " --out " + (dir / "never").string(), dir);
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("malformed TOML"), std::string::npos) << o.err;
  EXPECT_FALSE(has_partial_leftovers(dir));
}

TEST(Cli, FailedRunKeepsThePreviousOutput) {
  const fs::path dir = scratch_dir("keep");
  const fs::path out = dir / "run";
  ASSERT_EQ(run_cli("run " + kSmall + " --out " + out.string(), dir).code, 0);
  const std::string before = slurp(out / "curves.csv");
  EXPECT_EQ(run_cli("run " + kSmall + " --gamma 50 --out " + out.string(), dir).code, 3);
  EXPECT_EQ(slurp(out / "curves.csv"), before);
}

TEST(Cli, InfoListsBackends) {
  const fs::path dir = scratch_dir("info");
  const Outcome o = run_cli("info", dir);
  ASSERT_EQ(o.code, 0);
  for (const char* b : {"cpu", "reference", "cuda"}) EXPECT_NE(o.out.find(b), std::string::npos) << o.out;
}

TEST(Cli, ShippedQuickConfigIsValid) {
  const fs::path dir = scratch_dir("quick");
  const Outcome o = run_cli(std::string("run ") + SGDLAW_SOURCE_DIR +
                                "/configs/quick.toml --trials 4 --N 2000 --quiet --out " + (dir / "q").string(),
                            dir);
  EXPECT_EQ(o.code, 0) << o.err;
}

// --quiet on every subcommand (but info): accepted, listed in its help, and the work done without a word on
// stdout or a progress line on stderr; an error still reaches stderr.
TEST(Cli, QuietOnEverySubcommand) {
  const auto dir = sgdlaw::testing::scratch_dir("cli", "quiet");
  std::string log;
  for (const char* sub : {"run", "sweep", "merge", "fit", "plot", "phases", "schedule", "batch"}) {
    ASSERT_EQ(sgdlaw::testing::cli(std::string(sub) + " --help", dir, &log), 0) << sub;
    EXPECT_NE(log.find("--quiet"), std::string::npos) << sub << " --help lists no --quiet";
  }
  std::ofstream(dir / "s.toml") << sgdlaw::testing::kSmallSweep;
  ASSERT_EQ(sgdlaw::testing::cli("sweep s.toml --sweep-out sw --quiet", dir, &log), 0) << log;
  EXPECT_EQ(log, "");
  EXPECT_TRUE(std::filesystem::exists(dir / "sw" / "fits.csv"));
  std::ofstream(dir / "b.toml") << "[problem]\na = 1.5\nb = 2.5\nd = 16\nM = 16\nsketch = \"identity\"\nsigma = 0.5\n"
                                   "[sgd]\nN = 256\nschedule = \"constant\"\n[batch]\nbatches = [1, 2, 4]\n"
                                   "target_ratio = 2\ntrials = 0\nresamples = 10\nout = \"b\"\n";
  ASSERT_EQ(sgdlaw::testing::cli("batch b.toml --no-plot --quiet", dir, &log), 0) << log;
  EXPECT_EQ(log, "");
  EXPECT_TRUE(std::filesystem::exists(dir / "b" / "critical.csv"));
  EXPECT_EQ(sgdlaw::testing::cli("batch missing.toml --quiet", dir, &log), 2);
  EXPECT_NE(log.find("missing.toml"), std::string::npos) << log;
}

// The end-of-sweep summary fits 80 columns (the full table is in report.md).
TEST(Cli, SweepSummaryFitsEightyColumns) {
  const auto dir = sgdlaw::testing::scratch_dir("cli", "summary80");
  std::ofstream(dir / "s.toml") << sgdlaw::testing::kSmallSweep;
  std::string log;
  ASSERT_EQ(sgdlaw::testing::cli("sweep s.toml --sweep-out sw", dir, &log), 0) << log;
  const auto at = log.find("\n\n");
  ASSERT_NE(at, std::string::npos) << log;
  std::istringstream lines(log.substr(at));
  int fit_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(line.size(), 80u) << line;
    fit_lines += line.find("theory") != std::string::npos || line.find("failed:") != std::string::npos;
  }
  EXPECT_GT(fit_lines, 2);
}
