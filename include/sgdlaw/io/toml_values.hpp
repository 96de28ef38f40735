#pragma once
// Internal: turning a TOML scalar into a RawValue (shared by run files and sweep files).
#include <toml++/toml.h>

#include <string>

#include "sgdlaw/io/config_load.hpp"

namespace sgdlaw {

// Throws ConfigError naming `key` when the node is not a string, number or boolean.
RawValue raw_value_from_toml(const toml::node& node, const std::string& key, const std::string& source);

// "source: malformed TOML at line L, column C: ..." as a ConfigError.
toml::table parse_toml_or_throw(const std::string& text, const std::string& source);

}  // namespace sgdlaw
