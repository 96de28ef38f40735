#pragma once
// Internal to io: reads one raw setting as a typed value, raising ConfigError that names the field.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "sgdlaw/core/text.hpp"
#include "sgdlaw/io/config_load.hpp"

namespace sgdlaw {

class FieldReader {
 public:
  explicit FieldReader(RawSettings merged) : merged_(std::move(merged)) {}
  const RawValue* get(const char* name) const;
  bool real(const char* name, double* out) const;
  // Integers are read exactly: digits (a TOML integer, or command-line text of digits) as int64, other
  // numbers ("1e6", "4096.0") through a double that must hold an integer. rule: the field's own range, said
  // when the value is beyond an int64; without one, the message gives the int64 range.
  bool integer(const char* name, std::int64_t* out, const std::string& rule = "") const;
  bool text(const char* name, std::string* out) const;
  bool boolean(const char* name, bool* out) const;

  template <class Enum>
  bool choice(const char* name, std::initializer_list<std::pair<const char*, Enum>> options, Enum* out) const {
    std::string s;
    if (!text(name, &s)) return false;
    std::string allowed;
    for (const auto& [label, value] : options) {
      if (s == label) {
        *out = value;
        return true;
      }
      allowed += (allowed.empty() ? "" : ", ") + std::string(label);
    }
    throw ConfigError("field '" + std::string(name) + "' must be one of " + allowed + ", got '" + cut(s) + "'");
  }

 private:
  RawSettings merged_;
};

[[noreturn]] void range_error(const char* field, const std::string& rule, const std::string& got);

}  // namespace sgdlaw
