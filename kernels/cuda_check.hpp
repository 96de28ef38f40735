#pragma once
// Every CUDA, cuBLAS and cuSOLVER call goes through one of these: a failure throws with the call, the code
// and where it happened.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusolverDn.h>

#include <stdexcept>
#include <string>

namespace sgdlaw::cuda {

[[noreturn]] inline void fail(const char* what, const std::string& code, const char* file, int line) {
  throw std::runtime_error(std::string("CUDA backend: ") + what + " failed with " + code + " at " + file + ":" +
                           std::to_string(line));
}

}  // namespace sgdlaw::cuda

#define CUDA_TRY(call)                                                                                                \
  do {                                                                                                                \
    const cudaError_t sgdlaw_err_ = (call);                                                                           \
    if (sgdlaw_err_ != cudaSuccess)                                                                                   \
      ::sgdlaw::cuda::fail(#call,                                                                                     \
                           std::string(cudaGetErrorName(sgdlaw_err_)) + " (" + cudaGetErrorString(sgdlaw_err_) + ")", \
                           __FILE__, __LINE__);                                                                       \
  } while (0)

#define CUBLAS_TRY(call)                                                                                               \
  do {                                                                                                                 \
    const cublasStatus_t sgdlaw_st_ = (call);                                                                          \
    if (sgdlaw_st_ != CUBLAS_STATUS_SUCCESS)                                                                           \
      ::sgdlaw::cuda::fail(#call, "cublasStatus " + std::to_string(static_cast<int>(sgdlaw_st_)), __FILE__, __LINE__); \
  } while (0)

#define CUSOLVER_TRY(call)                                                                                    \
  do {                                                                                                        \
    const cusolverStatus_t sgdlaw_st_ = (call);                                                               \
    if (sgdlaw_st_ != CUSOLVER_STATUS_SUCCESS)                                                                \
      ::sgdlaw::cuda::fail(#call, "cusolverStatus " + std::to_string(static_cast<int>(sgdlaw_st_)), __FILE__, \
                           __LINE__);                                                                         \
  } while (0)
