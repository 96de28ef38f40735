#pragma once
// Reading and validating configurations: TOML files plus command-line overrides of the same keys.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "sgdlaw/core/config.hpp"
#include "sgdlaw/core/errors.hpp"

namespace sgdlaw {

// One configurable key: its TOML section, its flag (--name), a one-line description with its range, and its
// type (number, integer, choice, boolean, text). Every key is described once (src/io/config_fields.cpp).
struct FieldSpec {
  const char* name;
  const char* section;
  const char* help;
  const char* type;
};
const std::vector<FieldSpec>& config_fields();
// A key's default as config.json writes it ("" for keys config.json leaves out).
std::string field_default(const std::string& name);

// The canonical name of a key: "B" (the paper's batch size) is an alias of "batch"; others are unchanged.
std::string canonical_key(const std::string& key);

// A raw, unvalidated setting: its text and where it came from (a TOML string may not fill a number).
struct RawValue {
  enum class Origin { kCommandLine, kTomlString, kTomlNumber, kTomlBool };
  std::string text;
  Origin origin = Origin::kCommandLine;
};
using RawSettings = std::map<std::string, RawValue>;

// A configuration file's text; a folder, a missing or unreadable file raise ConfigError naming `what` ("config
// file", "sweep file"), the path and the reason.
std::string read_config_file(const std::string& path, const std::string& what);

// A path the system cannot hold (over PATH_MAX, 4096 bytes, or a NUL byte) is refused up front as ConfigError
// naming `field`, its value cut to a few hundred characters.
void check_path_text(const std::string& path, const std::string& field);

// Reads a TOML file into raw settings; unknown sections/keys and malformed TOML raise ConfigError.
RawSettings read_toml_settings(const std::string& path);
RawSettings parse_toml_settings(const std::string& text, const std::string& source_name);

// Validates and resolves raw settings (later entries of `layers` override earlier ones).
Config resolve_config(const std::vector<RawSettings>& layers);

// Convenience: file (may be empty) + overrides.
Config load_config(const std::string& toml_path, const RawSettings& overrides);

}  // namespace sgdlaw
