#pragma once
// A progress bar with ETA on stderr: redrawn in place on a terminal, a line per 10% otherwise.
#include <chrono>
#include <cstdint>

namespace sgdlaw {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled);
  void update(std::int64_t done, std::int64_t total);
  void finish();

 private:
  bool enabled_, tty_;
  int last_decile_ = -1;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace sgdlaw
