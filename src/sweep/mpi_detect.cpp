#include <cstdlib>

#include "sgdlaw/sweep/mpi_sweep.hpp"

namespace sgdlaw {

bool launched_under_mpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (std::getenv(var)) return true;
  return false;
}

}  // namespace sgdlaw
