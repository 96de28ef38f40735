#pragma once
// Number formatting, in one place: every message and table of sgdlaw formats numbers through these.
// (In core, not io, because core's own error messages need it.)
#include <cstdint>
#include <string>

namespace sgdlaw {

// printf's %.<precision>g: format_g(0.1234567, 3) == "0.123".
std::string format_g(double x, int precision);
// The shortest decimal that reads back as the same double ("0.1", not "0.10000000000000001"); plain
// notation in [1e-4, 1e15).
std::string format_shortest(double x);
// "1.50 GiB".
std::string format_gib(double bytes);
// 16 lower-case hexadecimal digits.
std::string format_hex64(std::uint64_t x);
// printf-style, for the few places that lay out a whole line (report tables).
std::string format_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace sgdlaw
