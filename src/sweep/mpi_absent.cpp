// Linked when CMake found no MPI: the sweep driver can tell the user why `mpirun ... sgdlaw sweep` refuses.
#include <stdexcept>

#include "sgdlaw/sweep/mpi_sweep.hpp"

namespace sgdlaw {

bool mpi_compiled() { return false; }

MpiSweepOutcome run_sweep_mpi(const SweepSpec&, const std::function<void(const std::string&)>&,
                              const std::function<void(const SweepSpec&)>&) {
  throw std::runtime_error(
      "this sgdlaw was built without MPI (install libopenmpi-dev and rebuild), but an MPI launcher started it: every "
      "rank would run the whole sweep. Run without mpirun, or use --shard i/n per process and `sgdlaw merge`");
}

}  // namespace sgdlaw
