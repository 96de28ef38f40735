#pragma once
// The output folder of a run or a sweep: its name normalised and checked before any computation, and an
// exclusive lock so that two processes never write the same folder.
#include <string>

namespace sgdlaw {

// "runs/x/" -> "runs/x"; refuses (ConfigError naming `field`) an empty name, the root, "." or ".." (a run
// replaces its folder as a whole, so it must be a folder of its own).
std::string normalize_out_folder(const std::string& out, const char* field = "out");

// Refuses, before anything is computed, a folder name that is an existing file, or whose nearest existing
// parent cannot be written.
void check_out_folder_writable(const std::string& out, const char* field = "out");

// Removes what killed writers of `out` left beside it ("<out>.partial-PID", "<out>.old-PID") and, when
// `inside` is set, the same leftovers of the entries of folder `out/inside` (a sweep's points) and of files
// in `out` itself. Call only while holding the folder's OutputLock. Returns how many were removed.
int remove_stale_leftovers(const std::string& out, const std::string& inside = "");

// An exclusive lock (flock) on "<out>.lock", held for the object's life; the file records the holder's pid.
// A second writer is refused at once with the holder's pid (exit code 1), touching nothing.
class OutputLock {
 public:
  explicit OutputLock(const std::string& out);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace sgdlaw
