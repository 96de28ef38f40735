#pragma once
// Whole-file writes that never leave a partial file: write a sibling temporary, then rename over the target.
#include <nlohmann/json.hpp>
#include <string>

namespace sgdlaw {

// Throws IoError (core/errors.hpp) naming the file and strerror's reason (a full disk, no permission).
void write_file_atomically(const std::string& path, const std::string& text);
std::string read_text_file(const std::string& path);  // throws IoError when unreadable or a folder
// A JSON file sgdlaw wrote; one that does not parse raises ConfigError naming the file (a damaged input).
nlohmann::json read_json_file(const std::string& path);

}  // namespace sgdlaw
