#include "sgdlaw/core/version.hpp"

#ifndef SGDLAW_VERSION
#define SGDLAW_VERSION "0.0.0-dev"
#endif

namespace sgdlaw {
const char* version_string() { return SGDLAW_VERSION; }
}  // namespace sgdlaw
