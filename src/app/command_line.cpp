#include <string>

#include "cli_commands.hpp"

namespace sgdlaw {
namespace {

std::string& stored() {
  static std::string s;
  return s;
}

}  // namespace

std::string shell_quote(const std::string& a) {
  if (!a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,/:@%") ==
                        std::string::npos)
    return a;
  std::string q = "'";
  for (char ch : a) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

void set_command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + shell_quote(argv[i]);
  stored() = s;
}

const std::string& command_line() { return stored(); }

}  // namespace sgdlaw
