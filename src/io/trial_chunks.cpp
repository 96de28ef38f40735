#include "sgdlaw/io/trial_chunks.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "sgdlaw/core/fnv1a.hpp"
#include "sgdlaw/io/atomic_file.hpp"
#include "sgdlaw/io/run_output.hpp"

namespace sgdlaw {
namespace {

constexpr char kMagic[8] = {'S', 'G', 'D', 'L', 'A', 'W', 'C', '2'};  // 2: with a checksum

// Saved chunks belong to a run: the settings that change results (not out, threads, progress).
std::uint64_t config_hash(const Config& c) { return fnv1a(run_identity(c)); }

std::string chunk_path(const Config& c, const TrialChunk& chunk) {
  return resume_dir(c) + "/trials-" + std::to_string(chunk.first) + "-" + std::to_string(chunk.count) + ".bin";
}

struct Header {
  char magic[8];
  std::uint64_t hash;
  std::int64_t first, count, checkpoints, split;
  std::uint64_t checksum;  // FNV-1a of the header (this field zero) and the payload
};

std::uint64_t chunk_checksum(const std::string& bytes) {
  Header h{};
  std::memcpy(&h, bytes.data(), sizeof h);
  h.checksum = 0;
  return fnv1a(bytes.data() + sizeof h, bytes.size() - sizeof h, fnv1a(reinterpret_cast<const char*>(&h), sizeof h));
}

}  // namespace

std::vector<TrialChunk> plan_chunks(std::int64_t trials, int threads, std::int64_t chunk_size) {
  (void)threads;  // chunks do not depend on the thread count, so a run resumes with any number of threads
  std::int64_t size = std::max<std::int64_t>((trials + 15) / 16, 8);
  size = (size + 7) / 8 * 8;
  if (chunk_size > 0) size = chunk_size;
  std::vector<TrialChunk> out;
  for (std::int64_t f = 0; f < trials; f += size) out.push_back({f, std::min(size, trials - f)});
  return out;
}

std::string resume_dir(const Config& c) { return c.out + ".resume"; }

void save_chunk(const Config& c, const TrialChunk& chunk, const TrialResults& part) {
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.hash = config_hash(c);
  h.first = chunk.first;
  h.count = chunk.count;
  h.checkpoints = part.checkpoints;
  h.split = part.has_decomposition ? 1 : 0;
  std::string bytes(reinterpret_cast<const char*>(&h), sizeof h);
  auto append = [&](const std::vector<double>& v, std::size_t n) {
    bytes.append(reinterpret_cast<const char*>(v.data()), n * sizeof(double));
  };
  const auto n = static_cast<std::size_t>(chunk.count * part.checkpoints);
  append(part.risk, n);
  if (part.has_decomposition) {
    append(part.bias, n);
    append(part.variance, n);
  }
  append(part.approx, static_cast<std::size_t>(chunk.count));
  const std::uint64_t sum = chunk_checksum(bytes);
  std::memcpy(&bytes[offsetof(Header, checksum)], &sum, sizeof sum);
  write_file_atomically(chunk_path(c, chunk), bytes);
}

bool load_chunk(const Config& c, const TrialChunk& chunk, TrialResults& all) {
  const std::string path = chunk_path(c, chunk);
  if (!std::filesystem::exists(path)) return false;
  std::string bytes;
  try {
    bytes = read_text_file(path);
  } catch (...) {
    return false;
  }
  Header h{};
  if (bytes.size() < sizeof h) bytes.assign(sizeof h, '\0');  // too short for a header (0 bytes): damaged, below
  std::memcpy(&h, bytes.data(), sizeof h);
  const auto n = static_cast<std::size_t>(chunk.count * all.checkpoints);
  const std::size_t expect = sizeof h + sizeof(double) * (n * (all.has_decomposition ? 3 : 1) + chunk.count);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.hash != config_hash(c) || h.first != chunk.first ||
      h.count != chunk.count || h.checkpoints != all.checkpoints || h.split != (all.has_decomposition ? 1 : 0) ||
      bytes.size() != expect || h.checksum != chunk_checksum(bytes)) {
    std::fprintf(stderr, "sgdlaw: saved chunk %s does not match this run or is damaged; recomputing its trials\n",
                 path.c_str());
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return false;
  }
  const char* p = bytes.data() + sizeof h;
  auto take = [&](std::vector<double>& v, std::size_t offset, std::size_t count) {
    std::memcpy(v.data() + offset, p, count * sizeof(double));
    p += count * sizeof(double);
  };
  const auto off = static_cast<std::size_t>(chunk.first * all.checkpoints);
  take(all.risk, off, n);
  if (all.has_decomposition) {
    take(all.bias, off, n);
    take(all.variance, off, n);
  }
  take(all.approx, static_cast<std::size_t>(chunk.first), static_cast<std::size_t>(chunk.count));
  return true;
}

}  // namespace sgdlaw
