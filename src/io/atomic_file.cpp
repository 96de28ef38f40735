#include "sgdlaw/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sgdlaw/core/errors.hpp"
#include "sgdlaw/core/text.hpp"

namespace sgdlaw {
namespace {

// Writes all of `text` to a new file at `path`; returns 0, or the errno of the step that failed.
int write_whole_file(const std::string& path, const std::string& text) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);  // umask applies, as with ofstream
  if (fd < 0) return errno;
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      return err;
    }
    done += static_cast<std::size_t>(n);
  }
  return ::close(fd) == 0 ? 0 : errno;  // a full disk may show only here (NFS, delayed allocation)
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  if (target.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw IoError("cannot create the folder " + cut(target.parent_path().string()) + ": " + ec.message());
  }
  const fs::path tmp = target.string() + ".partial-" + std::to_string(::getpid());
  if (const int err = write_whole_file(tmp.string(), text); err != 0) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw IoError("cannot write " + cut(tmp.string()) + ": " + std::strerror(err));
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw IoError("cannot write " + cut(target.string()) +
                  (fs::is_directory(target, ignored) ? ": it is a folder" : ": " + ec.message()));
  }
}

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IoError("cannot read " + cut(path) + ": it is a folder");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + cut(path) + (errno != 0 ? ": " + std::string(std::strerror(errno)) : ""));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IoError("cannot read " + cut(path) + ": " + std::strerror(errno != 0 ? errno : EIO));
  return ss.str();
}

nlohmann::json read_json_file(const std::string& path) {
  const std::string text = read_text_file(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(cut(path) + " is not valid JSON (" + cut(e.what()) + "): the file is damaged or not sgdlaw's");
  }
  if (!j.is_object()) throw ConfigError(cut(path) + " is not a JSON object: the file is damaged or not sgdlaw's");
  return j;
}

}  // namespace sgdlaw
