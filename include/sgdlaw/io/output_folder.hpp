#pragma once
// The output folder of a run or a sweep: its name normalised and checked before any computation, and an
// exclusive lock so that two processes never write the same folder.
#include <string>

namespace sgdlaw {

// "runs/x/" -> "runs/x"; refuses (ConfigError naming `field`) an empty name, the root, "." or ".." (a run
// replaces its folder as a whole, so it must be a folder of its own).
std::string normalize_out_folder(const std::string& out, const char* field = "out");

// Refuses, before anything is computed, a folder name that is an existing file or a symbolic link, or whose
// nearest existing parent cannot be written.
void check_out_folder_writable(const std::string& out, const char* field = "out");

// What sgdlaw keeps in a folder of its own. Every folder it makes holds a marker file, kMarker, naming the
// kind; a temporary folder ("<out>.partial-PID") and a replaced one ("<out>.old-PID") also hold kLeftover,
// naming the writer's pid. Folders written before markers existed are recognised by their files (a run's
// config.json with file digests, a sweep's sweep.json or points/, a phases map's phases.csv).
enum class FolderKind { kRun, kSweep, kPhases, kSchedules, kBatch };
constexpr const char* kMarker = ".sgdlaw";
constexpr const char* kLeftover = ".sgdlaw-leftover";
const char* to_string(FolderKind kind);
void mark_folder(const std::string& dir, FolderKind kind);
void mark_leftover(const std::string& dir);  // the calling process's pid

// Refuses (ConfigError, exit 2), before anything is computed, an existing `out` that sgdlaw may not replace or
// write into: it replaces only an empty folder or one holding an sgdlaw folder of the same kind (a run folder
// also holds nothing but sgdlaw's files: its tables, config.json, error.json, plots). The message names the
// folder, what it holds, and why.
void check_own_folder(const std::string& out, FolderKind kind, const char* field = "out");

// Removes what killed writers of `out` left beside it ("<out>.partial-PID", "<out>.old-PID") and, when
// `inside` is set, the same leftovers of the entries of folder `out/inside` (a sweep's points) and of files
// in `out` itself. Only leftovers it can prove are its own: a folder holding kLeftover with that pid (or empty:
// killed while writing it), a file in a folder holding kMarker, or an empty folder (nothing to lose), and in
// every case the pid no longer running; never a folder with contents by name alone. Call
// only while holding the folder's OutputLock. Returns how many were removed.
int remove_stale_leftovers(const std::string& out, const std::string& inside = "");

// A lock (flock) on "<out>.lock", held for the object's life; the file records a holder's pid. Exclusive for
// every writer of a folder (run, whole sweep, merge, phases); shared for the shards of one sweep and the ranks
// of an MPI sweep, which write disjoint or atomically replaced points of one folder: they coexist, while a
// whole sweep or a merge is refused as long as any of them holds it, and the other way round. A refused
// writer stops at once with the holder's pid (exit code 1), touching nothing.
class OutputLock {
 public:
  explicit OutputLock(const std::string& out, bool shared = false);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace sgdlaw
