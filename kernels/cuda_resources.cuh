#pragma once
// The one CUDA resources object (as raft/core/resources.hpp): the stream and the cuBLAS and cuSOLVER handles
// of a session, created once per backend and passed down to the set-up and the kernels. Each handle is its
// own RAII member, so a constructor that throws half-way releases what it had created.
#include <memory>

#include "cuda_api.hpp"
#include "cuda_check.hpp"

namespace sgdlaw::cuda {

struct StreamDeleter {
  void operator()(CUstream_st* s) const { cudaStreamDestroy(s); }
};
struct BlasDeleter {
  void operator()(cublasContext* h) const { cublasDestroy(h); }
};
struct SolverDeleter {
  void operator()(cusolverDnContext* h) const { cusolverDnDestroy(h); }
};
struct SolverParamsDeleter {
  void operator()(cusolverDnParams* p) const { cusolverDnDestroyParams(p); }
};

struct Session::Resources {
  std::unique_ptr<CUstream_st, StreamDeleter> stream_owner;
  std::unique_ptr<cublasContext, BlasDeleter> blas_owner;
  std::unique_ptr<cusolverDnContext, SolverDeleter> solver_owner;
  std::unique_ptr<cusolverDnParams, SolverParamsDeleter> params_owner;
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  cusolverDnHandle_t solver = nullptr;
  cusolverDnParams_t solver_params = nullptr;

  Resources() {
    CUDA_TRY(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    stream_owner.reset(stream);
    CUBLAS_TRY(cublasCreate(&blas));
    blas_owner.reset(blas);
    CUBLAS_TRY(cublasSetStream(blas, stream));
    CUSOLVER_TRY(cusolverDnCreate(&solver));
    solver_owner.reset(solver);
    CUSOLVER_TRY(cusolverDnSetStream(solver, stream));
    CUSOLVER_TRY(cusolverDnCreateParams(&solver_params));
    params_owner.reset(solver_params);
  }
  void sync() const { CUDA_TRY(cudaStreamSynchronize(stream)); }
};

}  // namespace sgdlaw::cuda
