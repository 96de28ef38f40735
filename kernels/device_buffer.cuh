#pragma once
// Owning device array (RAII).
#include <cstddef>
#include <vector>

#include "cuda_check.hpp"

namespace sgdlaw::cuda {

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t n) { resize(n); }
  ~DeviceBuffer() { release(); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr, o.n_ = 0; }

  void resize(std::size_t n) {
    if (n == n_) return;
    release();
    if (n > 0) CUDA_TRY(cudaMalloc(&p_, n * sizeof(T)));
    n_ = n;
  }
  void upload(const T* host, std::size_t n, cudaStream_t s) {
    resize(n);
    CUDA_TRY(cudaMemcpyAsync(p_, host, n * sizeof(T), cudaMemcpyHostToDevice, s));
  }
  void download(T* host, std::size_t n, cudaStream_t s) const {
    CUDA_TRY(cudaMemcpyAsync(host, p_, n * sizeof(T), cudaMemcpyDeviceToHost, s));
  }
  T* data() { return p_; }
  const T* data() const { return p_; }
  std::size_t size() const { return n_; }

 private:
  void release() {
    if (p_) cudaFree(p_);
    p_ = nullptr;
    n_ = 0;
  }
  T* p_ = nullptr;
  std::size_t n_ = 0;
};

}  // namespace sgdlaw::cuda
