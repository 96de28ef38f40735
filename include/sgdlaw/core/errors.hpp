#pragma once
// The errors every layer may raise, each mapped to its own exit code by the CLI (src/app/cli_commands.hpp).
#include <stdexcept>

namespace sgdlaw {

// Every bad input ends here; what() names the field and the allowed range.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A step size or run whose risk diverges; the message says which configuration and what would be stable.
class DivergenceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file that cannot be written or read (a full disk, no permission): a failure of the machine, not of the
// input, so it exits 1 like any runtime error; what() names the file and strerror's reason.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sgdlaw
