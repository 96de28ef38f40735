#pragma once
// Text helpers for messages: how a user's value is echoed, and a "did you mean" for a mistyped name.
#include <cstddef>
#include <string>
#include <vector>

namespace sgdlaw {

// A value as messages echo it: at most kEchoedChars characters, then how long it was
// ("xxxx... (1048576 characters)"). Every message that repeats something a user wrote (a value, a path, a
// CSV cell or column name) passes it through cut().
constexpr std::size_t kEchoedChars = 200;
std::string cut(const std::string& value);

// " (did you mean 'gamma'?)" for the known name closest to `name` (edit distance, a swap of two neighbours
// counting as one edit, at most 2 and less than the name's length; ties: the first of `known`), else "".
// prefix goes before the suggestion ("--" for flags).
std::string did_you_mean(const std::string& name, const std::vector<std::string>& known,
                         const std::string& prefix = "");

// Edits (insert, delete, substitute, swap neighbours) turning a into b; case counts (a = 'A' is one edit).
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace sgdlaw
