#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "sgdlaw/io/config_load.hpp"

namespace sgdlaw::testing {

// A small valid configuration for tests; callers change what they exercise.
inline Config small_config() {
  Config c;
  c.a = 2.0;
  c.b = 2.0;
  c.d = 256;
  c.M = 32;
  c.sigma = 0.3;
  c.N = 2000;
  c.gamma = 0.2;
  c.trials = 200;
  c.seed = 12345;
  c.backend = "cpu";
  c.progress = false;
  c.checkpoint_ratio = 1.6;
  return c;
}

// Runs a shell command with stdout and stderr to `log`; returns its exit code (-1 if it did not exit).
inline int run_logged(const std::string& cmd, const std::string& log) {
  const int status = std::system((cmd + " > " + log + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs `sgdlaw ARGS` in `dir` (with `env`, e.g. "PYTHONPATH=x", before it), stdout and stderr to dir/log.txt;
// returns the exit code, the output in *log.
inline int cli(const std::string& args, const std::filesystem::path& dir, std::string* log,
               const std::string& env = "") {
  const std::string cmd = "cd " + dir.string() + " && " + env + (env.empty() ? "" : " ") + SGDLAW_BINARY " " + args;
  const int code = run_logged(cmd, (dir / "log.txt").string());
  std::ifstream f(dir / "log.txt", std::ios::binary);
  *log = std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return code;
}

// A small sweep: grid "g" (a x M x N = 2 x 3 x 2 points) and grid "id" (identity sketch, 2 points).
constexpr const char* kSmallSweep = R"(
[problem]
d = 128
sigma = 0.2
[sgd]
gamma = 0.2
[run]
trials = 20
seed = 3
backend = "cpu"
[sweep]
out = "unused"
[[sweep.grid]]
name = "g"
a = [1.5, 2.0]
M = [8, 16, 32]
N = [200, 400]
[[sweep.grid]]
name = "id"
sketch = "identity"
d = 32
N = [100, 300]
[fit]
m_axis_grid = "g"
frontier_grid = "g"
bootstrap = 50
)";

// A fresh empty folder under the temp directory, unique per test process: <prefix>_<name>_<pid>.
inline std::filesystem::path scratch_dir(const std::string& prefix, const std::string& name) {
  const std::filesystem::path d =
      std::filesystem::temp_directory_path() / (prefix + "_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// A whole file's bytes ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// The ConfigError message a TOML text gets from resolve_config ("" when it is accepted).
inline std::string config_error(const std::string& toml) {
  try {
    resolve_config({parse_toml_settings(toml, "test.toml")});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

inline double rel_diff(double x, double y) { return std::fabs(x - y) / std::max(std::fabs(y), 1e-300); }

}  // namespace sgdlaw::testing
