#include "sgdlaw/io/output_folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
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

namespace {

bool is_leftover_of(const std::string& name, const std::string& base) {
  for (const char* tag : {".partial-", ".old-"}) {
    const std::string prefix = base + tag;
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
        name.find_first_not_of("0123456789", prefix.size()) == std::string::npos)
      return true;
  }
  return false;
}

// Leftovers in `dir` of entries named `base` ("" = of any entry).
int remove_leftovers_in(const fs::path& dir, const std::string& base) {
  int n = 0;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  std::vector<fs::path> doomed;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    bool hit = false;
    if (!base.empty()) {
      hit = is_leftover_of(name, base);
    } else {
      for (const char* tag : {".partial-", ".old-"}) {
        const auto at = name.rfind(tag);
        if (at != std::string::npos && at > 0 && is_leftover_of(name, name.substr(0, at))) hit = true;
      }
    }
    if (hit) doomed.push_back(e.path());
  }
  for (const fs::path& p : doomed) n += fs::remove_all(p, ec) > 0;
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

OutputLock::OutputLock(const std::string& out) : path_(out + ".lock") {
  const fs::path parent = fs::path(path_).parent_path();
  if (!parent.empty()) fs::create_directories(parent);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot create the lock file " + path_ + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {0};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    ::close(fd_);
    fd_ = -1;
    const std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "unknown";
    throw std::runtime_error("another sgdlaw process (pid " + holder + ") is writing '" + out +
                             "'; wait for it to finish or choose another 'out'");
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // the pid is informative only
  }
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // still holding the lock: nobody else is writing
  ::close(fd_);
}

}  // namespace sgdlaw
