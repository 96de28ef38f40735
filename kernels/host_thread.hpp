#pragma once
// The host implementation of thread_model.hpp: a "launch" runs each block as block_size std::threads that
// share a block barrier, one barrier per warp, a shuffle exchange area and the block's shared memory.
// Slow, and meant to be: it lets CI run every kernel body's logic, barriers and shuffles included, without
// a GPU. Blocks run one after another.
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "thread_model.hpp"

namespace sgdlaw::kern {

// A reusable barrier for a fixed number of threads (std::barrier is C++20).
class HostBarrier {
 public:
  explicit HostBarrier(int count) : count_(count) {}
  void wait() {
    std::unique_lock<std::mutex> lock(m_);
    const unsigned long gen = generation_;
    if (++arrived_ == count_) {
      arrived_ = 0;
      ++generation_;
      cv_.notify_all();
      return;
    }
    cv_.wait(lock, [&] { return generation_ != gen; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int count_, arrived_ = 0;
  unsigned long generation_ = 0;
};

struct HostBlockState {
  HostBlockState(int threads, std::size_t shared_bytes)
      : block_barrier(threads), exchange(static_cast<std::size_t>(threads)), shared((shared_bytes + 7) / 8 + 1) {
    for (int w = 0; w < (threads + kWarp - 1) / kWarp; ++w) warp_barriers.emplace_back(new HostBarrier(kWarp));
  }
  HostBarrier block_barrier;
  std::vector<std::unique_ptr<HostBarrier>> warp_barriers;
  std::vector<double> exchange;
  std::vector<double> shared;  // 8-byte aligned, as CUDA's dynamic shared memory
};

class HostThread {
 public:
  HostThread(HostBlockState* s, int thread, int block, int block_size)
      : s_(s), thread_(thread), block_(block), block_size_(block_size) {}
  int thread() const { return thread_; }
  int block() const { return block_; }
  int block_size() const { return block_size_; }
  void sync_block() const { s_->block_barrier.wait(); }
  void sync_warp() const { s_->warp_barriers[static_cast<std::size_t>(thread_ / kWarp)]->wait(); }
  double shfl_xor(double v, int mask) const {
    s_->exchange[static_cast<std::size_t>(thread_)] = v;
    sync_warp();
    const int partner = (thread_ & ~(kWarp - 1)) | ((thread_ & (kWarp - 1)) ^ mask);
    const double r = s_->exchange[static_cast<std::size_t>(partner)];
    sync_warp();
    return r;
  }
  char* shared() const { return reinterpret_cast<char*>(s_->shared.data()); }

 private:
  HostBlockState* s_;
  int thread_, block_, block_size_;
};

// Runs body(const HostThread&) for grid x block_size threads. block_size must be a multiple of 32. The first
// exception thrown by any thread is rethrown (a thread that throws must not leave others at a barrier:
// kernel bodies do not throw).
template <class Body>
void host_launch(int grid, int block_size, std::size_t shared_bytes, const Body& body) {
  for (int b = 0; b < grid; ++b) {
    HostBlockState state(block_size, shared_bytes);
    std::vector<std::thread> threads;
    std::exception_ptr error;
    std::mutex error_mutex;
    threads.reserve(static_cast<std::size_t>(block_size));
    for (int t = 0; t < block_size; ++t)
      threads.emplace_back([&, t] {
        try {
          body(HostThread(&state, t, b, block_size));
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (!error) error = std::current_exception();
        }
      });
    for (std::thread& th : threads) th.join();
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace sgdlaw::kern
