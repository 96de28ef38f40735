// For the GPU test CudaBackend.DevicePhiloxMatchesHost: the device's Philox words (cuRAND's or Random123's)
// and normals at n counters spread over blocks, positions (both 32-bit halves), purposes and keys.
#include "cuda_api.hpp"
#include "cuda_check.hpp"
#include "device_buffer.cuh"
#include "sgdlaw/core/philox_normals.hpp"

namespace sgdlaw::cuda {
namespace {

__global__ void philox_check_kernel(std::int64_t n, std::uint32_t* words, float* normals) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const PhiloxCheckCounter c = philox_check_counter(i);
    const PhiloxWords a = philox_words(c.seed, c.key, c.block, c.position, c.purpose);
    const Normals4 z = normals4(c.seed, c.key, c.block, c.position, c.purpose);
    for (int w = 0; w < 4; ++w) {
      words[4 * i + w] = a.w[w];
      normals[4 * i + w] = z.v[w];
    }
  }
}

}  // namespace

const char* device_philox_name() {
#if defined(SGDLAW_DEVICE_PHILOX_CURAND)
  return "cuRAND curand_Philox4x32_10";
#else
  return "Random123 Philox4x32-10";
#endif
}

void philox_check(std::int64_t n, std::uint32_t* words, float* normals) {
  DeviceBuffer<std::uint32_t> a(static_cast<std::size_t>(4 * n));
  DeviceBuffer<float> z(static_cast<std::size_t>(4 * n));
  philox_check_kernel<<<128, 256>>>(n, a.data(), z.data());
  CUDA_TRY(cudaGetLastError());
  CUDA_TRY(cudaDeviceSynchronize());
  CUDA_TRY(cudaMemcpy(words, a.data(), a.size() * sizeof(std::uint32_t), cudaMemcpyDeviceToHost));
  CUDA_TRY(cudaMemcpy(normals, z.data(), z.size() * sizeof(float), cudaMemcpyDeviceToHost));
}

}  // namespace sgdlaw::cuda
