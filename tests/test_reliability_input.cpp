// Reliability of input handling (issue 19, classes 6 and 7): nothing is accepted silently (a folder as a config
// file, a malformed --shard, nan as a confidence, a CSV column named twice, settings without effect, a run
// folder as a sweep's, integers beyond 2^53), and every refusal names the field, says why, cuts what it echoes,
// exits with the right code and suggests the key that was meant.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "sgdlaw/core/text.hpp"
#include "sgdlaw/io/config_load.hpp"
#include "sgdlaw/io/csv_table.hpp"
#include "sgdlaw/io/trial_chunks.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "sgdlaw/sweep/sweep_spec.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) { return sgdlaw::testing::scratch_dir("sgdlaw_relin", name); }
using sgdlaw::testing::slurp;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Runs the CLI in `dir` (stdout and stderr through a pipe into log.txt, so that a file-size limit set in
// `prefix` binds sgdlaw alone); returns the exit code, the output in *err.
int cli(const std::string& args, const fs::path& dir, std::string* err, const std::string& prefix = "") {
  const fs::path log = dir / "log.txt", rc = dir / "rc.txt";
  fs::remove(rc);
  const std::string cmd = "cd " + dir.string() + " && ( (" + prefix + " exec " SGDLAW_BINARY " " + args +
                          ") 2>&1; echo $? > " + rc.string() + " ) | cat > " + log.string();
  if (std::system(cmd.c_str()) != 0) return -1;
  *err = slurp(log);
  const std::string code = slurp(rc);
  return code.empty() ? -1 : std::stoi(code);
}

const std::string kSmall = "--a 2 --d 64 --M 8 --N 200 --trials 10 --progress false --quiet";

// A two-point sweep file that runs in well under a second.
void write_tiny_sweep(const fs::path& file) {
  std::ofstream(file) << "[problem]\nd = 64\n[run]\ntrials = 8\nbackend = \"cpu\"\n[sgd]\nN = 200\n"
                         "[sweep]\nout = \"sw\"\n[[sweep.grid]]\nname = \"g\"\nM = [4, 8]\n";
}

std::string config_error(const std::vector<RawSettings>& layers) {
  try {
    resolve_config(layers);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

RawSettings flags(std::initializer_list<std::pair<const char*, const char*>> kv) {
  RawSettings s;
  for (const auto& [k, v] : kv) s[k] = {v, RawValue::Origin::kCommandLine};
  return s;
}

std::string toml_error(const std::string& toml) {
  try {
    resolve_config({parse_toml_settings(toml, "t.toml")});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

// --- class 6: silent acceptance ---

TEST(Reliability, ConfigPathThatIsAFolderIsRefused) {
  const fs::path dir = scratch("cfgdir");
  fs::create_directories(dir / "conf.toml");
  std::string err;
  EXPECT_EQ(cli("run conf.toml " + kSmall + " --out r", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "'conf.toml' is a folder")) << err;
  EXPECT_FALSE(fs::exists(dir / "r"));
  EXPECT_EQ(cli("sweep conf.toml", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "sweep file 'conf.toml' is a folder")) << err;
  EXPECT_EQ(cli("phases conf.toml --no-plot", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "'conf.toml' is a folder")) << err;
  EXPECT_EQ(cli("run missing.toml " + kSmall, dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "No such file or directory")) << err;
  fs::remove_all(dir);
}

TEST(Reliability, ShardMustBeTwoIntegersInDigits) {
  const fs::path dir = scratch("shard");
  write_tiny_sweep(dir / "s.toml");
  std::string err;
  for (const char* bad : {"1/2/3", "0/2x", "0/2.5", "0/1e3", "-1/2", "2/2", "0/0", "/2", "0/", "+0/2", "0x0/2"}) {
    EXPECT_EQ(cli(std::string("sweep s.toml --no-fit --shard ") + bad, dir, &err), 2) << bad << ": " << err;
    EXPECT_TRUE(has(err, "--shard must be i/n")) << bad << ": " << err;
    EXPECT_TRUE(has(err, std::string("'") + bad + "'")) << bad << ": " << err;
  }
  EXPECT_FALSE(fs::exists(dir / "sw"));
  EXPECT_EQ(cli("sweep s.toml --no-fit --shard 1/2", dir, &err), 0) << err;
  fs::remove_all(dir);
}

TEST(Reliability, FitConfidenceNanIsRefused) {
  const fs::path dir = scratch("fitnan");
  std::ofstream(dir / "d.csv") << "N,loss\n10,1.0\n20,0.6\n40,0.4\n80,0.3\n160,0.25\n";
  std::string err;
  for (const char* bad : {"nan", "NaN", "-nan"}) {
    EXPECT_EQ(cli(std::string("fit d.csv --bootstrap 10 --confidence ") + bad, dir, &err), 2) << bad << ": " << err;
    EXPECT_TRUE(has(err, "--confidence")) << err;
    EXPECT_FALSE(has(err, "nan% CI")) << err;
  }
  fs::remove_all(dir);
}

TEST(Reliability, CsvHeaderNamingAColumnTwiceIsRefused) {
  try {
    parse_csv("N,loss,N\n1,2,3\n", "d.csv");
    FAIL() << "accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(has(e.what(), "names column 'N' twice")) << e.what();
    EXPECT_TRUE(has(e.what(), "d.csv")) << e.what();
  }
  EXPECT_NO_THROW(parse_csv("N,loss\n1,2\n", "d.csv"));
  const fs::path dir = scratch("dupcol");
  std::ofstream(dir / "d.csv") << "N,loss,loss\n10,1,9\n20,0.6,9\n40,0.4,9\n80,0.3,9\n";
  std::string err;
  EXPECT_EQ(cli("fit d.csv --bootstrap 0", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "'loss' twice")) << err;
  fs::remove_all(dir);
}

TEST(Reliability, DatasetWithoutMonteCarloIsRefused) {
  const std::string mc_off = config_error({flags({{"dataset", "512"}, {"monte_carlo", "false"}})});
  EXPECT_TRUE(has(mc_off, "field 'dataset' = 512 has no effect with monte_carlo = false")) << mc_off;
  const std::string inf =
      config_error({flags({{"dataset", "512"}, {"d", "inf"}, {"sketch", "identity"}, {"monte_carlo", "false"}})});
  EXPECT_TRUE(has(inf, "field 'dataset'")) << inf;
  EXPECT_TRUE(has(inf, "d = inf")) << inf;
  EXPECT_EQ(config_error({flags({{"dataset", "512"}})}), "accepted");
  EXPECT_EQ(config_error({flags({{"dataset", "0"}, {"monte_carlo", "false"}})}), "accepted");
  const fs::path dir = scratch("dataset");
  std::string err;
  EXPECT_EQ(cli("run " + kSmall + " --dataset 100 --monte_carlo false --out r", dir, &err), 2) << err;
  fs::remove_all(dir);
}

TEST(Reliability, SweepOutIntoARunFolderIsRefused) {
  const fs::path dir = scratch("runfolder");
  write_tiny_sweep(dir / "s.toml");
  std::string err;
  ASSERT_EQ(cli("run " + kSmall + " --out r", dir, &err), 0) << err;
  const std::string before = slurp(dir / "r" / "config.json");
  EXPECT_EQ(cli("sweep s.toml --no-fit --sweep-out r", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "field '--sweep-out' = 'r': the folder holds an sgdlaw run, not a sweep")) << err;
  EXPECT_EQ(cli("sweep s.toml --no-fit --analyze-only --sweep-out r", dir, &err), 2) << err;
  EXPECT_EQ(cli("merge s.toml sw --into r", dir, &err), 2) << err;
  EXPECT_FALSE(fs::exists(dir / "r" / "points"));
  EXPECT_FALSE(fs::exists(dir / "r" / "sweep.csv"));
  EXPECT_EQ(slurp(dir / "r" / "config.json"), before);
  fs::remove_all(dir);
}

TEST(Reliability, IntegersAreReadExactly) {
  // 2^62 is the top of phase_length's range: read exactly, not capped at 9e15.
  const Config top = resolve_config({parse_toml_settings("[sgd]\nphase_length = 4611686018427387904\n", "t.toml")});
  EXPECT_EQ(top.phase_length, std::int64_t{1} << 62);
  const Config odd = resolve_config({flags({{"phase_length", "9007199254740993"}})});  // 2^53 + 1: no double holds it
  EXPECT_EQ(odd.phase_length, 9007199254740993LL);
  const Config toml_odd = resolve_config({parse_toml_settings("[sgd]\nphase_length = 9007199254740993\n", "t.toml")});
  EXPECT_EQ(toml_odd.phase_length, 9007199254740993LL);
  // Beyond the range: refused with the rule the value breaks.
  const std::string above = toml_error("[sgd]\nphase_length = 4611686018427387905\n");
  EXPECT_TRUE(has(above, "field 'phase_length' must satisfy")) << above;
  EXPECT_TRUE(has(above, "phase_length <= 2^62")) << above;
  const std::string huge = config_error({flags({{"phase_length", "99999999999999999999"}})});
  EXPECT_TRUE(has(huge, "phase_length <= 2^62")) << huge;
  const std::string trials = config_error({flags({{"trials", "9223372036854775807"}})});
  EXPECT_TRUE(has(trials, "trials <= 2^62")) << trials;
  const std::string m = config_error({flags({{"M", "99999999999999999999"}})});
  EXPECT_TRUE(has(m, "field 'M'")) << m;
  EXPECT_TRUE(has(m, "2^63")) << m;
  const std::string n = config_error({flags({{"N", "1125899906842625"}})});  // 2^50 + 1
  EXPECT_TRUE(has(n, "1 <= N <= 2^50")) << n;
  EXPECT_TRUE(has(n, "1125899906842625")) << n;
  // Numbers that are not written as integers still work when they hold one; fractions do not.
  EXPECT_EQ(resolve_config({flags({{"N", "1e4"}})}).N, 10000);
  EXPECT_TRUE(has(config_error({flags({{"N", "1000.5"}})}), "must be an integer"));
  EXPECT_EQ(resolve_config({flags({{"seed", "4294967295"}})}).seed, 4294967295u);
  EXPECT_TRUE(has(config_error({flags({{"seed", "18446744073709551616"}})}), "0 <= seed < 2^32"));
}

// --- class 7: messages and exit codes ---

TEST(Reliability, BadGridValueNamesTheGridFlag) {
  const fs::path dir = scratch("gridflag");
  std::ofstream(dir / "base.toml") << "[problem]\nd = 64\n[sgd]\nN = 200\n[run]\ntrials = 8\n";
  for (const char* bad : {"M=.5", "M=5.", "M=010", "M=infinity", "M=4,.5"}) {
    try {
      load_sweep_spec((dir / "base.toml").string(), {}, {bad});
      ADD_FAILURE() << bad << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_TRUE(has(e.what(), std::string("--grid '") + bad + "'")) << e.what();
      EXPECT_FALSE(has(e.what(), "malformed TOML")) << e.what();
    }
  }
  try {
    load_sweep_spec((dir / "base.toml").string(), {}, {"M=4,8", "M=16"});
    ADD_FAILURE() << "a key twice accepted";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(has(e.what(), "--grid 'M=16'")) << e.what();
  }
  // A mistake in the file itself still names the file and its line.
  std::ofstream(dir / "broken.toml") << "[problem]\nd = = 64\n";
  try {
    load_sweep_spec((dir / "broken.toml").string(), {}, {"M=4,8"});
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(has(e.what(), "broken.toml: malformed TOML at line 2")) << e.what();
  }
  EXPECT_EQ(load_sweep_spec((dir / "base.toml").string(), {}, {"M=4,8", "sigma=0.5"}).points.size(), 2u);
  std::string err;
  EXPECT_EQ(cli("sweep base.toml --grid M=.5", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "--grid 'M=.5'")) << err;
  fs::remove_all(dir);
}

TEST(Reliability, SingularSigmaIsAConfigurationError) {
  const fs::path dir = scratch("singular");
  std::string err;
  EXPECT_EQ(cli("run " + kSmall + " --a 50 --out r", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "configuration error")) << err;
  EXPECT_TRUE(has(err, "field 'a' = 50")) << err;
  EXPECT_TRUE(has(err, "underflow")) << err;
  EXPECT_TRUE(has(err, "smaller a")) << err;
  fs::remove_all(dir);
}

TEST(Reliability, FitColumnFlagsNamingMissingColumnsExitTwo) {
  const fs::path dir = scratch("fitcols");
  std::ofstream(dir / "d.csv") << "N,loss,trial\n10,1.0,1\n20,0.6,1\n40,0.4,2\n80,0.3,2\n160,0.25,3\n";
  std::string err;
  EXPECT_EQ(cli("fit d.csv --bootstrap 10 --group tiral", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "--group 'tiral'")) << err;
  EXPECT_TRUE(has(err, "did you mean 'trial'")) << err;
  EXPECT_EQ(cli("fit d.csv --bootstrap 10 --y nope", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "--y 'nope'")) << err;
  EXPECT_EQ(cli("fit d.csv --model chinchilla --d tokens", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "--d 'tokens'")) << err;
  EXPECT_EQ(cli("fit d.csv --bootstrap 10 --group trial", dir, &err), 0) << err;
  fs::remove_all(dir);
}

TEST(Reliability, FitOnAFolderSaysItIsAFolder) {
  const fs::path dir = scratch("fitdir");
  fs::create_directories(dir / "sw");
  std::string err;
  EXPECT_EQ(cli("fit sw", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "'sw' is a folder, not a CSV file")) << err;
  EXPECT_FALSE(has(err, "empty table")) << err;
  std::ofstream(dir / "sw" / "sweep.csv") << "M,risk\n";
  EXPECT_EQ(cli("fit sw", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "give sw/sweep.csv")) << err;
  fs::remove_all(dir);
}

TEST(Reliability, GarbageShardSweepJsonNamesTheShardAndTheFile) {
  const fs::path dir = scratch("shardjson");
  write_tiny_sweep(dir / "s.toml");
  fs::create_directories(dir / "shard0" / "points");
  std::ofstream(dir / "shard0" / "sweep.json") << "garbage{";
  std::string err;
  EXPECT_EQ(cli("merge s.toml shard0 --into m", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "shard0/sweep.json is not valid JSON")) << err;
  std::ofstream(dir / "shard0" / "sweep.json") << "[1, 2]";
  EXPECT_EQ(cli("merge s.toml shard0 --into m", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "shard0/sweep.json is not a JSON object")) << err;
  fs::remove_all(dir);
}

TEST(Reliability, WriteFailureGivesTheReasonAndIsARuntimeError) {
  const fs::path dir = scratch("full");
  std::ofstream(dir / "d.csv") << "N,loss\n10,1.0\n20,0.6\n40,0.4\n80,0.3\n160,0.25\n";
  std::string err;
  // No file may grow (as on a full disk); SIGXFSZ ignored, so that write() fails with EFBIG instead.
  EXPECT_EQ(cli("fit d.csv --bootstrap 10 --out fit.json", dir, &err, "trap '' XFSZ; ulimit -f 0;"), 1) << err;
  EXPECT_TRUE(has(err, "cannot write fit.json.partial-")) << err;
  EXPECT_TRUE(has(err, "File too large")) << err;
  EXPECT_FALSE(has(err, "configuration error")) << err;
  EXPECT_EQ(cli("run " + kSmall + " --out r", dir, &err, "trap '' XFSZ; ulimit -f 0;"), 1) << err;
  EXPECT_TRUE(has(err, "File too large")) << err;
  fs::remove_all(dir);
}

TEST(Reliability, EchoedValuesAreCutAt200Characters) {
  EXPECT_EQ(cut(std::string(200, 'x')), std::string(200, 'x'));
  EXPECT_EQ(cut(std::string(201, 'x')), std::string(200, 'x') + "... (201 characters)");
  const fs::path dir = scratch("echo");
  std::ofstream(dir / "big.toml") << "[run]\nout = \"" << std::string(1 << 20, 'o') << "\"\n";
  std::string err;
  EXPECT_EQ(cli("run big.toml " + kSmall, dir, &err), 2) << err.substr(0, 300);
  EXPECT_TRUE(has(err, "(1048576 characters)")) << err.substr(0, 300);
  EXPECT_LT(err.size(), 2000u);
  {
    std::ofstream csv(dir / "d.csv");
    csv << "N,loss\n10,1.0\n20,0.6\n40,0.4\n80,0.3\n160,0.25\n320," << std::string(10 << 20, '9') << "x\n";
  }
  EXPECT_EQ(cli("fit d.csv --bootstrap 10", dir, &err), 0) << err.substr(0, 300);
  EXPECT_TRUE(has(err, "row 6 dropped")) << err.substr(0, 300);
  EXPECT_TRUE(has(err, "(10485761 characters)")) << err.substr(0, 300);
  EXPECT_LT(err.size(), 4000u);
  EXPECT_EQ(cli("fit d.csv --y " + std::string(5000, 'y'), dir, &err), 2) << err.substr(0, 300);
  EXPECT_LT(err.size(), 2000u);
  fs::remove_all(dir);
}

TEST(Reliability, ZeroByteResumeChunkIsReportedAndRecomputed) {
  const fs::path base = scratch("zerochunk");
  Config c = sgdlaw::testing::small_config();
  c.trials = 64;
  c.out = (base / "run").string();
  const auto chunks = plan_chunks(c.total_trials(), 2);
  ASSERT_GE(chunks.size(), 4u);
  EXPECT_THROW(run_simulation(c,
                              [&](std::int64_t done, std::int64_t) {
                                if (done >= chunks[0].count + chunks[1].count) throw std::runtime_error("killed");
                              }),
               std::runtime_error);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(resume_dir(c))) files.push_back(e.path());
  ASSERT_EQ(files.size(), 2u);
  std::ofstream(files[0], std::ios::trunc).close();  // 0 bytes, as a crash before the data reached the disk
  ASSERT_EQ(fs::file_size(files[0]), 0u);
  ::testing::internal::CaptureStderr();
  const RunResult resumed = run_simulation(c);
  const std::string said = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(has(said, files[0].filename().string())) << said;
  EXPECT_TRUE(has(said, "damaged")) << said;
  EXPECT_EQ(resumed.resumed_trials, chunks[1].count);
  Config clean = c;
  clean.out = (base / "clean").string();
  EXPECT_EQ(resumed.trials.risk, run_simulation(clean).trials.risk);
  fs::remove_all(base);
}

TEST(Reliability, UnknownKeysAndFlagsGetADidYouMean) {
  EXPECT_TRUE(has(toml_error("[sgd]\ngama = 0.5\n"), "unknown key 'gama' in [sgd] (did you mean 'gamma'?)"));
  EXPECT_TRUE(has(toml_error("[run]\ntrails = 5\n"), "(did you mean 'trials'?)"));
  EXPECT_TRUE(has(toml_error("[sgd]\na = 2\n"), "unknown key 'a' in [sgd] (it belongs in [problem])"));
  EXPECT_TRUE(has(toml_error("[problme]\na = 2\n"), "(did you mean 'problem'?)"));
  EXPECT_FALSE(has(toml_error("[problem]\nzzzzzz = 2\n"), "did you mean"));
  EXPECT_TRUE(has(config_error({flags({{"sigmaa", "1"}})}), "(did you mean 'sigma'?)"));
  try {
    parse_sweep_spec("[sweep]\n[[sweep.grid]]\nMM = [4, 8]\n", "t.toml", {});
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(has(e.what(), "(did you mean 'M'?)")) << e.what();
  }
  try {
    parse_sweep_spec("[sweep]\n[[sweep.grid]]\nM = [4, 8]\n[fit]\nbootstrapp = 10\n", "t.toml", {});
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(has(e.what(), "(did you mean 'bootstrap'?)")) << e.what();
  }
  EXPECT_EQ(edit_distance("trails", "trials"), 1u);
  const fs::path dir = scratch("didyoumean");
  std::string err;
  EXPECT_EQ(cli("run " + kSmall + " --gama 0.5", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "did you mean '--gamma'?")) << err;
  EXPECT_EQ(cli("fit d.csv --bootstrapp 5", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "did you mean '--bootstrap'?")) << err;
  EXPECT_EQ(cli("swep s.toml", dir, &err), 2) << err;
  EXPECT_TRUE(has(err, "unknown subcommand 'swep' (did you mean 'sweep'?)")) << err;
  fs::remove_all(dir);
}
