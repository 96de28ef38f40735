#include "sgdlaw/core/format.hpp"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace sgdlaw {

std::string format_g(double x, int precision) { return format_printf("%.*g", precision, x); }

std::string format_shortest(double x) {
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    const bool plain_range = std::fabs(x) >= 1e-4 && std::fabs(x) < 1e15;
    if (std::strtod(buf, nullptr) == x && !(plain_range && std::strchr(buf, 'e'))) break;
  }
  return buf;
}

std::string format_gib(double bytes) { return format_printf("%.2f GiB", bytes / 1073741824.0); }

std::string format_hex64(std::uint64_t x) { return format_printf("%016llx", static_cast<unsigned long long>(x)); }

std::string format_printf(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::vector<char> buf(static_cast<std::size_t>(n > 0 ? n : 0) + 1);
  std::vsnprintf(buf.data(), buf.size(), fmt, args);
  va_end(args);
  return std::string(buf.data(), static_cast<std::size_t>(n > 0 ? n : 0));
}

}  // namespace sgdlaw
