#pragma once
// Whole-file writes that never leave a partial file: write a sibling temporary, then rename over the target.
#include <string>

namespace sgdlaw {

void write_file_atomically(const std::string& path, const std::string& text);
std::string read_text_file(const std::string& path);  // throws std::runtime_error when unreadable

}  // namespace sgdlaw
