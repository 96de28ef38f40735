#pragma once
// The few things a kernel body may use, behind one interface so that the same body runs on a GPU and, in
// CI, on the host (the way Kokkos team policies run on host back ends):
//   thread(), block(), block_size()   CUDA's threadIdx.x, blockIdx.x, blockDim.x (1-D launches only)
//   sync_block()                      __syncthreads()
//   sync_warp()                       __syncwarp()
//   shfl_xor(v, mask)                 __shfl_xor_sync(full mask, v, mask) (block sizes are multiples of 32)
//   shared()                          the block's dynamic shared memory
// CudaThread (below, nvcc only) maps them to the hardware; HostThread (host_thread.hpp) runs one std::thread
// per CUDA thread with a barrier per block and per warp.
#include "sgdlaw/core/host_device.hpp"

namespace sgdlaw::kern {

constexpr int kWarp = 32;

#if defined(__CUDACC__)
struct CudaThread {
  __device__ int thread() const { return static_cast<int>(threadIdx.x); }
  __device__ int block() const { return static_cast<int>(blockIdx.x); }
  __device__ int block_size() const { return static_cast<int>(blockDim.x); }
  __device__ void sync_block() const { __syncthreads(); }
  __device__ void sync_warp() const { __syncwarp(); }
  __device__ double shfl_xor(double v, int mask) const { return __shfl_xor_sync(0xffffffffu, v, mask); }
  __device__ char* shared() const {
    extern __shared__ double sgdlaw_dynamic_shared[];
    return reinterpret_cast<char*>(sgdlaw_dynamic_shared);
  }
};
#endif

}  // namespace sgdlaw::kern
