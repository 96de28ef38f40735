#pragma once
// What a run will cost, said before it starts: memory (the host set-up, per-thread state and the per-trial
// results with the exact number of checkpoints) and time, from this build's own throughput on this machine
// (a calibration run of a few milliseconds) and the set-up's operation count.
#include <string>

#include "sgdlaw/core/config.hpp"

namespace sgdlaw {

struct RunEstimate {
  double host_bytes = 0.0;
  double seconds = 0.0;      // on the CPU backends of this machine (a cuda run is not estimated)
  double rate = 0.0;         // measured trial*step*M per second per thread
  std::string text() const;  // "0.12 GiB, ~3.4 s on the CPU (1.5e+09 trial*step*M/s/thread here)"
};

RunEstimate estimate_run(const Config& c);

}  // namespace sgdlaw
