#include <cstdio>
#include <exception>

#include "cli_commands.hpp"
#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/simulation.hpp"
#include "sgdlaw/io/config_load.hpp"

namespace sgdlaw {

int guarded(const std::string& what, const std::function<void()>& fn) {
  try {
    fn();
    return kExitOk;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "sgdlaw %s: configuration error: %s\n", what.c_str(), e.what());
    return kExitConfig;
  } catch (const DivergenceError& e) {
    std::fprintf(stderr, "sgdlaw %s: divergent run: %s\n", what.c_str(), e.what());
    return kExitDivergence;
  } catch (const BackendUnavailable& e) {
    std::fprintf(stderr, "sgdlaw %s: backend unavailable: %s\n", what.c_str(), e.what());
    return kExitBackend;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sgdlaw %s: error: %s\n", what.c_str(), e.what());
    return kExitError;
  }
}

}  // namespace sgdlaw
