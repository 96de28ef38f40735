// Reliability, round 3 (issue 19): `sgdlaw plot` refuses what it cannot draw with the file and the reason (exit 2,
// no Python traceback, the matplotlib hint only when its import fails) and checks the recorded digests before it
// draws; the [fit] keys of a sweep file and the [phases] keys of a phases file each have a type and a range.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "sgdlaw/io/run_output.hpp"
#include "sgdlaw/sweep/phase_map.hpp"
#include "sgdlaw/sweep/sweep_spec.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
namespace fs = std::filesystem;

namespace {

constexpr auto npos = std::string::npos;
const std::string kSmall = "--a 2 --d 64 --M 8 --N 200 --trials 10 --progress false";

fs::path scratch(const std::string& name) { return sgdlaw::testing::scratch_dir("sgdlaw_relpf", name); }
using sgdlaw::testing::slurp;

using sgdlaw::testing::cli;

bool have_matplotlib() { return std::system("/usr/bin/python3 -c 'import matplotlib' 2>/dev/null") == 0; }

// A refusal as the user should see it: the reason, and neither a traceback nor a false matplotlib hint.
void expect_clean_refusal(const std::string& err, const std::string& reason) {
  EXPECT_NE(err.find(reason), npos) << err;
  EXPECT_EQ(err.find("Traceback"), npos) << err;
  EXPECT_EQ(err.find("python3-matplotlib"), npos) << err;
}

// A copy of run folder `from` whose curves.csv is `text`, its recorded digest updated to match (so the folder
// passes the digest check and only the plot script's own reading sees the content).
fs::path with_curves(const fs::path& from, const std::string& name, const std::string& text) {
  const fs::path to = from.parent_path() / name;
  fs::copy(from, to, fs::copy_options::recursive);
  std::ofstream(to / "curves.csv", std::ios::binary) << text;
  nlohmann::json j = nlohmann::json::parse(slurp(to / "config.json"));
  j["files"]["curves.csv"] = file_digest((to / "curves.csv").string());
  std::ofstream(to / "config.json") << j.dump(2);
  return to;
}

std::string fit_error(const std::string& fit) {
  try {
    parse_sweep_spec("[sweep]\nM = [8, 16, 32]\n[fit]\n" + fit, "t.toml", {});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

constexpr const char* kMap = "[phases]\na = [2]\nb = [2]\nM = [4, 8, 16]\nN = [64, 128, 256]\n";

std::string phases_error(const std::string& extra) {
  const fs::path file = fs::temp_directory_path() / ("sgdlaw_relpf_phases_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(file) << kMap << extra;
  try {
    read_phase_spec(file.string());
  } catch (const ConfigError& e) {
    fs::remove(file);
    const std::string what = e.what();
    return what.substr(std::min(what.size(), file.string().size()));  // from ": [phases] ..." on
  }
  fs::remove(file);
  return "accepted";
}

}  // namespace

TEST(Reliability, PlotRefusesUnreadableRunFilesNamingTheFile) {
  const fs::path dir = scratch("plotfiles");
  std::string err;
  ASSERT_EQ(cli("run " + kSmall + " --out r", dir, &err), 0) << err;
  const std::string curves = slurp(dir / "r/curves.csv");
  with_curves(dir / "r", "header", curves.substr(0, curves.find('\n') + 1));
  EXPECT_EQ(cli("plot header", dir, &err), 2) << err;
  expect_clean_refusal(err, "header/curves.csv: has a header but no data rows");
  with_curves(dir / "r", "binary", std::string("\x89PNG\r\n\x1a\n\0\0\xff\xfe\x01", 14));
  EXPECT_EQ(cli("plot binary", dir, &err), 2) << err;
  expect_clean_refusal(err, "binary/curves.csv: is not a text table");
  fs::copy(dir / "r", dir / "noconfig", fs::copy_options::recursive);
  fs::remove(dir / "noconfig/config.json");
  EXPECT_EQ(cli("plot noconfig", dir, &err), 2) << err;
  expect_clean_refusal(err, "noconfig: no config.json");
  EXPECT_FALSE(fs::exists(dir / "noconfig/risk_vs_N.png"));
}

TEST(Reliability, PlotRefusesFoldersWhoseFilesDoNotMatchTheirDigests) {
  const fs::path dir = scratch("plotdigest");
  std::string err;
  ASSERT_EQ(cli("run " + kSmall + " --out r", dir, &err), 0) << err;
  fs::copy(dir / "r", dir / "edited", fs::copy_options::recursive);
  std::string curves = slurp(dir / "edited/curves.csv");
  const auto digit = curves.find_first_of("123456789", curves.find('\n'));
  curves[digit] = curves[digit] == '9' ? '8' : static_cast<char>(curves[digit] + 1);  // same length, new value
  std::ofstream(dir / "edited/curves.csv", std::ios::binary) << curves;
  EXPECT_EQ(cli("plot edited", dir, &err), 2) << err;
  expect_clean_refusal(err, "edited: curves.csv does not match the digest");
  EXPECT_FALSE(fs::exists(dir / "edited/risk_vs_N.png"));
  // A sweep is refused when one of its finished points is damaged, naming the point.
  std::ofstream(dir / "s.toml") << "[problem]\nd = 32\n[run]\ntrials = 5\nbackend = \"cpu\"\n[sweep]\nout = \"sw\"\n"
                                   "M = [4, 8, 16]\nN = [100]\n[fit]\nbootstrap = 20\n";
  ASSERT_EQ(cli("sweep s.toml", dir, &err), 0) << err;
  const fs::path point = dir / "sw/points/grid-M8-N100";
  ASSERT_TRUE(fs::exists(point / "trials.csv")) << err;
  std::ofstream(point / "trials.csv", std::ios::app) << "99,0,100,1,1\n";
  EXPECT_EQ(cli("plot sw", dir, &err), 2) << err;
  expect_clean_refusal(err, "sw: point grid-M8-N100: trials.csv does not match the digest");
  EXPECT_FALSE(fs::exists(dir / "sw/risk_vs_M.png"));
}

TEST(Reliability, PlotOverlayOutThatIsAFileIsRefusedAndKept) {
  const fs::path dir = scratch("plotout");
  std::string err;
  ASSERT_EQ(cli("run " + kSmall + " --out r1", dir, &err), 0) << err;
  ASSERT_EQ(cli("run " + kSmall + " --a 1.5 --out r2", dir, &err), 0) << err;
  std::ofstream(dir / "ov.txt") << "keep me";
  EXPECT_EQ(cli("plot r1 r2 --out ov.txt", dir, &err), 2) << err;
  expect_clean_refusal(err, "--out 'ov.txt' is an existing file, not a folder");
  EXPECT_EQ(slurp(dir / "ov.txt"), "keep me");
}

TEST(Reliability, PlotShowsDollarSignsInNamesAsPlainText) {
  if (!have_matplotlib()) GTEST_SKIP() << "no python3-matplotlib here (bash scripts/install_deps.sh installs it)";
  const fs::path dir = scratch("plotdollar");
  std::string err;
  ASSERT_EQ(cli("run " + kSmall + " --out r1", dir, &err), 0) << err;
  ASSERT_EQ(cli("run " + kSmall + " --a 1.5 --out r2", dir, &err), 0) << err;
  fs::rename(dir / "r1", dir / "$\\foo$");  // mathtext: an unknown symbol
  fs::rename(dir / "r2", dir / "$x^$");     // mathtext: a superscript of nothing
  EXPECT_EQ(cli("plot '$\\foo$' '$x^$' --out ov", dir, &err), 0) << err;
  ASSERT_TRUE(fs::exists(dir / "ov/overlay_vs_N_eff.png"));
  EXPECT_GT(fs::file_size(dir / "ov/overlay_vs_N_eff.png"), 10000u);
  std::ofstream(dir / "data.csv") << "N,$\\bar{y$\n100,0.5\n200,0.4\n400,0.33\n800,0.29\n1600,0.26\n3200,0.245\n";
  EXPECT_EQ(cli("fit data.csv --y '$\\bar{y$' --bootstrap 10 --plot fit.png", dir, &err), 0) << err;
  EXPECT_TRUE(fs::exists(dir / "fit.png")) << err;
  EXPECT_EQ(err.find("Traceback"), npos) << err;
}

TEST(Reliability, PlotSaysMatplotlibIsMissingOnlyWhenItsImportFails) {
  const fs::path dir = scratch("plotnompl");
  std::string err;
  ASSERT_EQ(cli("run " + kSmall + " --out r", dir, &err), 0) << err;
  fs::create_directories(dir / "fake/matplotlib");
  std::ofstream(dir / "fake/matplotlib/__init__.py") << "raise ImportError('no matplotlib in this test')\n";
  EXPECT_EQ(cli("plot r", dir, &err, "PYTHONPATH=" + (dir / "fake").string()), 1) << err;
  EXPECT_NE(err.find("python3-matplotlib"), npos) << err;
  EXPECT_NE(err.find("no matplotlib in this test"), npos) << err;
  EXPECT_EQ(err.find("Traceback"), npos) << err;
  EXPECT_FALSE(fs::exists(dir / "r/risk_vs_N.png"));
}

TEST(Reliability, FitKeysHaveATypeAndARange) {
  EXPECT_EQ(fit_error("bootstrap_seed = -7.5\n"),
            "t.toml: [fit] field 'bootstrap_seed' = -7.5: must be an integer, 0 <= bootstrap_seed < 2^32");
  EXPECT_NE(fit_error("bootstrap_seed = 4294967296\n").find("0 <= bootstrap_seed < 2^32"), npos);
  EXPECT_EQ(fit_error("bootstrap_seed = 4294967295\n"), "accepted");
  EXPECT_NE(fit_error("bootstrap = 2.5\n").find("[fit] field 'bootstrap' = 2.5: must be an integer"), npos);
  EXPECT_NE(fit_error("confidence = nan\n").find("field 'confidence' = nan: must be a number, 0.5 < confidence < 1"),
            npos);
  EXPECT_NE(fit_error("m_window = [1, 2, 3]\n").find("field 'm_window' = [1, 2, 3]: must be [low, high]"), npos);
  EXPECT_NE(fit_error("m_window = [4, 2]\n").find("low < high"), npos);
  EXPECT_NE(fit_error("n_axis_subtract_approx = 1\n").find("must be true or false"), npos);
  EXPECT_NE(fit_error("cost_per_m = -1\n").find("cost_per_m >= 0"), npos);
  EXPECT_NE(fit_error("cost_fixed = inf\n").find("field 'cost_fixed' = inf"), npos);
  EXPECT_NE(fit_error("m_axis_grid = [1]\n").find("field 'm_axis_grid' = [1]"), npos);
  EXPECT_NE(fit_error("m_axis_grid = \"nope\"\n").find("names grid 'nope'"), npos);
  const std::string unknown = fit_error("bootstrap_sed = 3\n");
  EXPECT_NE(unknown.find("unknown key 'bootstrap_sed'"), npos) << unknown;
  EXPECT_NE(unknown.find("bootstrap_seed"), npos) << unknown;  // the known keys are listed
  // Valid values read as before (an integral float is an integer, as for the run keys).
  const SweepSpec s = parse_sweep_spec(
      "[sweep]\nM = [8, 16, 32]\n[fit]\nbootstrap = 1e3\nbootstrap_seed = 7\nconfidence = 0.9\nm_window = [4, 64]\n"
      "cost_fixed = 2\nn_regime = 0\nn_axis_subtract_approx = false\n",
      "t.toml", {});
  EXPECT_EQ(s.fit.bootstrap, 1000);
  EXPECT_EQ(s.fit.bootstrap_seed, 7u);
  EXPECT_EQ(s.fit.confidence, 0.9);
  EXPECT_EQ(s.fit.m_window_lo, 4.0);
  EXPECT_EQ(s.fit.m_window_hi, 64.0);
  EXPECT_EQ(s.fit.cost_fixed, 2.0);
  EXPECT_EQ(s.fit.n_regime, 0.0);
  EXPECT_FALSE(s.fit.n_axis_subtract_approx);
  EXPECT_EQ(s.fit.m_axis_grids, std::vector<std::string>{"grid"});  // inferred from the M axis
  // The shipped sweep files read as they did.
  const SweepSpec lin = load_sweep_spec(SGDLAW_SOURCE_DIR "/configs/lin2024-small.toml", {});
  EXPECT_EQ(lin.fit.bootstrap, 400);
  EXPECT_EQ(lin.fit.m_axis_grids, std::vector<std::string>{"sketched"});
  EXPECT_EQ(lin.fit.n_axis_grids.size(), 4u);
  EXPECT_EQ(lin.fit.bootstrap_seed, 20240u);
  for (const char* f : {"exponents", "lin2024", "data-reuse"})
    EXPECT_NO_THROW(load_sweep_spec(std::string(SGDLAW_SOURCE_DIR "/configs/") + f + ".toml", {})) << f;
  EXPECT_TRUE(load_sweep_spec(SGDLAW_SOURCE_DIR "/configs/data-reuse.toml", {}).fit.m_axis_grids.empty());
}

TEST(Reliability, PhasesKeysHaveATypeAndARange) {
  EXPECT_EQ(phases_error("mc_trials = 2.5\n"),
            ": [phases] field 'mc_trials' = 2.5: must be an integer, "
            "2 <= mc_trials < 2^32");
  EXPECT_NE(phases_error("threads = \"4\"\n").find("field 'threads' = \"4\": must be an integer"), npos);
  EXPECT_NE(phases_error("out = 5\n").find("field 'out' = 5: must be a non-empty string"), npos);
  EXPECT_NE(phases_error("sigma = [0.1, -1]\n").find("field 'sigma' = [0.1, -1]"), npos);
  EXPECT_NE(phases_error("mc_points = [[2, 1.5, 3]]\n").find("field 'mc_points' = [[2, 1.5, 3]]"), npos);
  EXPECT_NE(phases_error("mc_points = [[2, 0.5]]\n").find("b > 1"), npos);
  EXPECT_NE(phases_error("mc_work = 0\n").find("mc_work > 0"), npos);
  EXPECT_NE(phases_error("mc_d = 1e9\n").find("field 'mc_d' = 1000000000: must be an integer, 16 <= mc_d <= 1e8"),
            npos);
  const std::string unknown = phases_error("mc_trial = 5\n");
  EXPECT_NE(unknown.find("unknown key 'mc_trial'"), npos) << unknown;
  EXPECT_NE(unknown.find("mc_trials"), npos) << unknown;
  // The shipped phases file reads as it did.
  const PhaseSpec p = read_phase_spec(SGDLAW_SOURCE_DIR "/configs/phases.toml");
  EXPECT_EQ(p.a, (std::vector<double>{1.5, 2.0, 2.5}));
  EXPECT_EQ(p.sigma, (std::vector<double>{0.1, 0.0, 1.0}));
  EXPECT_EQ(p.M.size(), 13u);
  EXPECT_EQ(p.N.back(), std::int64_t{1} << 36);
  EXPECT_EQ(p.out, "runs/phases");
  EXPECT_EQ(p.mc_points.size(), 3u);
  EXPECT_EQ(p.mc_d, 8192);
  EXPECT_EQ(p.mc_trials, 100);
  EXPECT_EQ(p.mc_sketches, 4);
  EXPECT_EQ(p.mc_work, 4e9);
}
