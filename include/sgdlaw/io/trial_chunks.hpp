#pragma once
// Long runs never lose finished work: trials run in chunks, and each finished chunk's per-trial results are
// saved under "<out>.resume/" (atomically, tagged with a hash of the resolved configuration). A run killed
// part-way and started again with the same configuration loads the saved chunks and runs only the rest;
// results are identical because every trial's random stream is keyed by its index. The folder is removed
// when the run's outputs are written.
#include <cstdint>
#include <string>
#include <vector>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/core/trial_results.hpp"

namespace sgdlaw {

struct TrialChunk {
  std::int64_t first = 0, count = 0;
};

// About 16 chunks of a multiple of 8 trials (at least 8), whatever the thread count (`threads` is ignored,
// so a run resumes with any number of threads); one chunk (nothing saved) for runs of up to 8 trials. chunk_size > 0:
// chunks of exactly that many trials (the last may be shorter).
std::vector<TrialChunk> plan_chunks(std::int64_t trials, int threads, std::int64_t chunk_size = 0);

std::string resume_dir(const Config& c);

// Saves rows [0, chunk.count) of `part` as chunk `chunk` of the run, with a checksum of header and payload;
// loads it back into rows [chunk.first, ...) of `all`. load returns false (and changes nothing) when no file
// exists; a file of another run, or one whose checksum fails, is reported on stderr, deleted, and recomputed.
void save_chunk(const Config& c, const TrialChunk& chunk, const TrialResults& part);
bool load_chunk(const Config& c, const TrialChunk& chunk, TrialResults& all);

}  // namespace sgdlaw
