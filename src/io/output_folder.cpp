#include "sgdlaw/io/output_folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "sgdlaw/core/errors.hpp"

namespace sgdlaw {
namespace fs = std::filesystem;

std::string normalize_out_folder(const std::string& out, const char* field) {
  std::string s = out;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  const fs::path p = fs::path(s).lexically_normal();
  const std::string name = p.filename().string();
  if (s.empty() || s == "/" || name.empty() || name == "." || name == "..")
    throw ConfigError("field '" + std::string(field) + "' = '" + out +
                      "' must name a folder of its own (not the root, '.' or '..'): a run replaces its folder as a "
                      "whole");
  std::string norm = p.string();
  while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
  return norm;
}

void check_out_folder_writable(const std::string& out, const char* field) {
  const fs::path p(out);
  std::error_code ec;
  if (fs::is_symlink(p, ec))
    throw ConfigError("field '" + std::string(field) + "' = '" + out + "' is a symbolic link (to '" +
                      fs::read_symlink(p, ec).string() +
                      "'): sgdlaw replaces its output folder as a whole, so give the folder itself");
  if (fs::exists(p, ec) && !fs::is_directory(p, ec))
    throw ConfigError("field '" + std::string(field) + "' = '" + out +
                      "' is an existing file, not a folder; refusing to replace it (choose another '" + field + "')");
  fs::path parent = fs::absolute(p, ec).parent_path();
  while (!parent.empty() && !fs::exists(parent, ec) && parent != parent.parent_path()) parent = parent.parent_path();
  if (!fs::is_directory(parent, ec))
    throw ConfigError("field '" + std::string(field) + "' = '" + out + "': '" + parent.string() + "' is not a folder");
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    throw ConfigError("field '" + std::string(field) + "' = '" + out + "': cannot write in '" + parent.string() +
                      "' (" + std::strerror(errno) + ")");
}

const char* to_string(FolderKind kind) {
  switch (kind) {
    case FolderKind::kRun:
      return "run";
    case FolderKind::kSweep:
      return "sweep";
    case FolderKind::kPhases:
      return "phases";
    case FolderKind::kSchedules:
      return "schedules";
    case FolderKind::kBatch:
      return "batch";
  }
  return "?";
}

namespace {

std::string read_small(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.substr(0, 64);
}

// Written whole or not at all (a temporary file renamed over it): MPI ranks and shards mark one folder at
// once, and a reader must never see a half-written marker.
void write_small(const fs::path& p, const std::string& text) {
  const fs::path tmp = p.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text << "\n";
    if (!f) throw IoError("cannot write " + tmp.string() + ": " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw IoError("cannot write " + p.string() + ": " + ec.message());
  }
}

// The kind an existing folder holds: its marker's, or one recognised by the files of an older sgdlaw ("" if
// neither).
std::string folder_kind(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_regular_file(dir / kMarker, ec)) return read_small(dir / kMarker);
  if (fs::exists(dir / "sweep.json", ec) || fs::is_directory(dir / "points", ec)) return "sweep";
  if (fs::exists(dir / "phases.csv", ec)) return "phases";
  if (fs::exists(dir / "schedule_search.csv", ec)) return "schedules";
  if (fs::is_regular_file(dir / "config.json", ec)) {
    std::ifstream f(dir / "config.json");
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (text.find("\"files\"") != std::string::npos && text.find("\"config\"") != std::string::npos) return "run";
  }
  return "";
}

// The files sgdlaw itself puts in a run folder (the run's outputs, a recorded failure, `sgdlaw plot`'s figures and
// their legend record figures.json).
bool is_run_file(const std::string& name) {
  for (const char* known :
       {"config.json", "curves.csv", "trials.csv", "error.json", "figures.json", kMarker, kLeftover})
    if (name == known) return true;
  for (const char* ext : {".png", ".pdf", ".svg"})
    if (name.size() > std::strlen(ext) && name.compare(name.size() - std::strlen(ext), std::string::npos, ext) == 0)
      return true;
  return false;
}

// A marker being written by another process (shards and MPI ranks mark one folder at once).
bool is_marker_in_flight(const std::string& name) { return name.rfind(std::string(kMarker) + ".tmp-", 0) == 0; }

}  // namespace

void mark_folder(const std::string& dir, FolderKind kind) {
  fs::create_directories(dir);
  const fs::path marker = fs::path(dir) / kMarker;
  std::error_code ec;
  if (fs::is_regular_file(marker, ec) && read_small(marker) == to_string(kind)) return;  // shards share one
  write_small(marker, to_string(kind));
}

// Written in place, not renamed: a writer killed while writing it leaves an empty file, which still proves the
// folder (with the pid in its name) is that writer's; a rename would leave a differently named file.
void mark_leftover(const std::string& dir) {
  std::ofstream f(fs::path(dir) / kLeftover, std::ios::binary);
  f << ::getpid() << "\n";
  if (!f) throw IoError("cannot write " + (fs::path(dir) / kLeftover).string() + ": " + std::strerror(errno));
}

void check_own_folder(const std::string& out, FolderKind kind, const char* field) {
  const fs::path dir(out);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  bool empty = true;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (!is_marker_in_flight(e.path().filename().string())) empty = false;
  if (empty) return;
  const std::string what = "field '" + std::string(field) + "' = '" + out + "': ";
  const std::string held = folder_kind(dir);
  if (held.empty()) {
    std::string first;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      first = e.path().filename().string();
      if (!is_marker_in_flight(first)) break;
    }
    throw ConfigError(what + "the folder holds files sgdlaw did not write (e.g. '" + first +
                      "'); sgdlaw replaces or writes into only empty folders and its own " + to_string(kind) +
                      " folders, so choose another '" + field + "'");
  }
  if (held != to_string(kind))
    throw ConfigError(what + "the folder holds an sgdlaw " + held + ", not a " + to_string(kind) +
                      "; refusing to replace it (choose another '" + field + "')");
  if (kind != FolderKind::kRun) return;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file(ec) || !is_run_file(name))
      throw ConfigError(what + "the run folder also holds '" + name +
                        "', which sgdlaw did not write; a run replaces its folder as a whole, so move it out or "
                        "choose another '" +
                        field + "'");
  }
}

namespace {

bool pid_running(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

// The pid in "<base><tag><digits>" for tag .partial- or .old- (-1 if the name is not of that form).
long leftover_pid(const std::string& name, const std::string& base) {
  for (const char* tag : {".partial-", ".old-"}) {
    const std::string prefix = base + tag;
    if (name.size() > prefix.size() && name.size() - prefix.size() <= 9 &&
        name.compare(0, prefix.size(), prefix) == 0 &&
        name.find_first_not_of("0123456789", prefix.size()) == std::string::npos)
      return std::stol(name.substr(prefix.size()));
  }
  return -1;
}

// Whether entry `p` (named for `base`'s writer `pid`) is provably a dead writer's leftover: a folder holding
// the leftover marker with that pid, or a file in a folder sgdlaw marked as its own; and the pid not running.
bool provably_stale(const fs::path& p, long pid, bool parent_is_own) {
  std::error_code ec;
  if (pid < 0 || pid_running(pid)) return false;
  if (fs::is_directory(p, ec) && !fs::is_symlink(p, ec)) {
    // Killed between making the folder and marking it: an empty folder holds nothing anyone could lose.
    if (fs::is_empty(p, ec)) return true;
    if (!fs::is_regular_file(p / kLeftover, ec)) return false;
    const std::string holder = read_small(p / kLeftover);
    return holder == std::to_string(pid) || holder.empty();  // empty: killed while writing it
  }
  return parent_is_own && fs::is_regular_file(p, ec);
}

// Leftovers in `dir` of entries named `base` ("" = of any entry).
int remove_leftovers_in(const fs::path& dir, const std::string& base) {
  int n = 0;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  const bool own = fs::is_regular_file(dir / kMarker, ec);
  std::vector<fs::path> doomed;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    long pid = -1;
    if (!base.empty()) {
      pid = leftover_pid(name, base);
    } else {
      for (const char* tag : {".partial-", ".old-"}) {
        const auto at = name.rfind(tag);
        if (at != std::string::npos && at > 0 && pid < 0) pid = leftover_pid(name, name.substr(0, at));
      }
    }
    if (provably_stale(e.path(), pid, own)) doomed.push_back(e.path());
  }
  for (const fs::path& p : doomed) {
    // A writer killed between moving the old folder aside and moving the new one in leaves only "<out>.old-PID":
    // that is the last finished run, so it goes back in place instead of away.
    const std::string name = p.filename().string();
    if (!base.empty() && name.compare(base.size(), 5, ".old-") == 0 && !fs::exists(dir / base, ec)) {
      fs::rename(p, dir / base, ec);
      if (!ec) {
        fs::remove(dir / base / kLeftover, ec);
        ++n;
        continue;
      }
    }
    n += fs::remove_all(p, ec) > 0;
  }
  return n;
}

}  // namespace

int remove_stale_leftovers(const std::string& out, const std::string& inside) {
  const fs::path p(out);
  const fs::path parent = p.has_parent_path() ? p.parent_path() : fs::path(".");
  int n = remove_leftovers_in(parent, p.filename().string());
  if (!inside.empty()) {
    n += remove_leftovers_in(p, "");
    n += remove_leftovers_in(p / inside, "");
  }
  return n;
}

OutputLock::OutputLock(const std::string& out, bool shared) : path_(out + ".lock") {
  const fs::path parent = fs::path(path_).parent_path();
  if (!parent.empty()) fs::create_directories(parent);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot create the lock file " + path_ + ": " + std::strerror(errno));
  if (::flock(fd_, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    char buf[32] = {0};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    ::close(fd_);
    fd_ = -1;
    const std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "unknown";
    throw std::runtime_error("another sgdlaw process (pid " + holder + ") is writing '" + out + "'" +
                             (shared ? " as a whole" : "") + "; wait for it to finish or choose another 'out'");
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // the pid is informative only
  }
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  // Only the last holder removes the file (a shared holder upgrades first; others still hold it otherwise).
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace sgdlaw
