#pragma once
// A progress bar with ETA on stderr: redrawn in place on a terminal (never wider than it), a line per 10% or
// per 30 s otherwise.
#include <chrono>
#include <cstdint>
#include <string>

namespace sgdlaw {

// --quiet (quiet.cpp): every progress bar is off, and per-point log lines are not printed.
void set_quiet_mode(bool quiet);
bool quiet_mode();

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled, std::string unit = "trials");
  void update(std::int64_t done, std::int64_t total);
  void finish();

 private:
  bool enabled_, tty_;
  std::string unit_;
  int last_decile_ = -1;
  std::string eta_text(double frac, double elapsed) const;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_line_ = std::chrono::steady_clock::now();
};

}  // namespace sgdlaw
