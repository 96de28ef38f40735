// The reduced (eigenbasis) SGD on the device: one thread block per trial, all trials of a sketch in one
// launch. Thread t owns the Philox blocks t, t + blockDim, ... (K of them); block b yields the normals of
// coordinates b, b + nb, b + 2 nb, b + 3 nb (the planar layout of philox_normals.hpp), so a trial draws the
// same numbers as on the CPU. The error vectors live in registers; residuals are block reductions.
#include <algorithm>
#include <cmath>

#include "cuda_api.hpp"
#include "device_buffer.cuh"
#include "sgdlaw/core/philox_normals.hpp"

namespace sgdlaw::cuda {
namespace {

constexpr int kMaxThreads = 1024;

__device__ inline double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  return v;
}

// Sums a and b over the block; thread 0's `extra` is broadcast too. Uses shared[0 .. 2 * 32 + 3).
__device__ inline void block_sum2(double& a, double& b, double& extra, double* shared) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
  a = warp_sum(a);
  b = warp_sum(b);
  if (lane == 0) {
    shared[warp] = a;
    shared[32 + warp] = b;
  }
  __syncthreads();
  if (warp == 0) {
    double x = lane < warps ? shared[lane] : 0.0, y = lane < warps ? shared[32 + lane] : 0.0;
    x = warp_sum(x);
    y = warp_sum(y);
    if (lane == 0) {
      shared[64] = x;
      shared[65] = y;
      shared[66] = extra;
    }
  }
  __syncthreads();
  a = shared[64];
  b = shared[65];
  extra = shared[66];
  __syncthreads();
}

struct KernelArgs {
  std::uint32_t seed;
  std::int64_t first_trial, M, nb, batch, n_checkpoints;
  Schedule schedule;
  double sigma2;
  const std::int64_t* checkpoints;
  const double* mu;
  const double* ustar;      // M x count
  const double* sigma_eff;  // count
  const double* floor;      // count: sigma^2 + Approx(w*), as the CPU adds it
  double* risk;
  double* bias;
  double* variance;
};

template <int K, bool kSplit>
__global__ void __launch_bounds__(kMaxThreads) reduced_sgd_kernel(KernelArgs A) {
  extern __shared__ double shared[];  // 67 reduction slots, then 2 * batch residuals
  double* resid = shared + 67;
  const std::int64_t t = blockIdx.x;
  const auto trial = static_cast<std::uint32_t>(A.first_trial + t);
  const double seff = A.sigma_eff[t];
  double eb[4 * K], ev[4 * K], sq[4 * K], mu[4 * K], z[4 * K];
  for (int k = 0; k < K; ++k) {
    const std::int64_t blk = threadIdx.x + static_cast<std::int64_t>(k) * blockDim.x;
    for (int w = 0; w < 4; ++w) {
      const std::int64_t j = blk + w * A.nb;
      const bool valid = blk < A.nb && j < A.M;
      const int r = 4 * k + w;
      eb[r] = valid ? -A.ustar[t * A.M + j] : 0.0;
      ev[r] = 0.0;
      mu[r] = valid ? A.mu[j] : 0.0;
      sq[r] = valid ? sqrt(A.mu[j]) : 0.0;
    }
  }
  // zeta of sample `s` into z (zero where the coordinate does not exist).
  auto draw = [&](std::uint64_t s) {
    for (int k = 0; k < K; ++k) {
      const std::int64_t blk = threadIdx.x + static_cast<std::int64_t>(k) * blockDim.x;
      if (blk < A.nb) {
        const Normals4 n = normals4(A.seed, trial, static_cast<std::uint32_t>(blk), s, Purpose::kFeatures);
        for (int w = 0; w < 4; ++w) z[4 * k + w] = sq[4 * k + w] * static_cast<double>(n.v[w]);
      } else {
        for (int w = 0; w < 4; ++w) z[4 * k + w] = 0.0;
      }
    }
  };
  // Draws sample s into z and returns the block-wide residual parts <eb, z>, <ev, z> and the label noise.
  auto residuals = [&](std::uint64_t s, double& sb, double& sv, double& xi) {
    draw(s);
    sb = sv = xi = 0.0;
    for (int r = 0; r < 4 * K; ++r) {
      sb += eb[r] * z[r];
      if (kSplit) sv += ev[r] * z[r];
    }
    if (threadIdx.x == 0) xi = seff * static_cast<double>(label_noise_normal(A.seed, trial, s));
    block_sum2(sb, sv, xi, shared);
  };
  std::int64_t ck = 0;
  const std::int64_t steps = A.checkpoints[A.n_checkpoints - 1];
  const double inv_b = 1.0 / static_cast<double>(A.batch);
  for (std::int64_t step = 0; step < steps; ++step) {
    const double gamma = A.schedule.at(step) * inv_b;
    if (A.batch == 1) {
      double sb, sv, xi;
      residuals(static_cast<std::uint64_t>(step), sb, sv, xi);
      const double kb = kSplit ? gamma * sb : gamma * (sb - xi), kv = gamma * (sv - xi);
      for (int r = 0; r < 4 * K; ++r) {
        eb[r] -= kb * z[r];
        if (kSplit) ev[r] -= kv * z[r];
      }
    } else {
      // Pass 1: residuals of every sample at the current iterate. Pass 2: regenerate the draws, update.
      for (std::int64_t b = 0; b < A.batch; ++b) {
        double sb, sv, xi;
        residuals(static_cast<std::uint64_t>(step * A.batch + b), sb, sv, xi);
        if (threadIdx.x == 0) {
          resid[2 * b] = kSplit ? sb : sb - xi;
          resid[2 * b + 1] = sv - xi;
        }
      }
      __syncthreads();
      double gb[4 * K], gv[4 * K];
      for (int r = 0; r < 4 * K; ++r) gb[r] = gv[r] = 0.0;
      for (std::int64_t b = 0; b < A.batch; ++b) {
        draw(static_cast<std::uint64_t>(step * A.batch + b));
        const double rb = resid[2 * b], rv = resid[2 * b + 1];
        for (int r = 0; r < 4 * K; ++r) {
          gb[r] += rb * z[r];
          if (kSplit) gv[r] += rv * z[r];
        }
      }
      __syncthreads();
      for (int r = 0; r < 4 * K; ++r) {
        eb[r] -= gamma * gb[r];
        if (kSplit) ev[r] -= gamma * gv[r];
      }
    }
    if (step + 1 == A.checkpoints[ck]) {
      double qb = 0.0, qv = 0.0, qt = 0.0;
      for (int r = 0; r < 4 * K; ++r) {
        qb += mu[r] * eb[r] * eb[r];
        if (kSplit) {
          qv += mu[r] * ev[r] * ev[r];
          qt += mu[r] * (eb[r] + ev[r]) * (eb[r] + ev[r]);
        }
      }
      double dummy = 0.0;
      block_sum2(qb, qv, dummy, shared);
      if (kSplit) block_sum2(qt, dummy, dummy, shared);
      if (threadIdx.x == 0) {
        A.risk[t * A.n_checkpoints + ck] = A.floor[t] + (kSplit ? qt : qb);
        if (kSplit) {
          A.bias[t * A.n_checkpoints + ck] = qb;
          A.variance[t * A.n_checkpoints + ck] = qv;
        }
      }
      ++ck;
    }
  }
}

template <int K>
void launch(const KernelArgs& a, bool split, int threads, std::int64_t count, std::size_t shmem, cudaStream_t s) {
  if (split)
    reduced_sgd_kernel<K, true><<<static_cast<unsigned>(count), threads, shmem, s>>>(a);
  else
    reduced_sgd_kernel<K, false><<<static_cast<unsigned>(count), threads, shmem, s>>>(a);
  CUDA_TRY(cudaGetLastError());
}

}  // namespace

void run_reduced_sgd(const SgdLaunch& L, const double* mu_device, const double* ustar_device,
                     const std::vector<double>& approx, double* risk, double* bias, double* variance) {
  Resources res;
  const std::int64_t nb = (L.M + 3) / 4;
  int K = 1;
  while (K < 8 && nb > static_cast<std::int64_t>(K) * kMaxThreads) K *= 2;
  if (nb > static_cast<std::int64_t>(K) * kMaxThreads)
    throw std::runtime_error("CUDA backend: M = " + std::to_string(L.M) + " exceeds the kernel's 32768 coordinates");
  const int threads = static_cast<int>(std::min<std::int64_t>(kMaxThreads, ((nb + K - 1) / K + 31) / 32 * 32));
  const std::size_t shmem = sizeof(double) * (67 + 2 * static_cast<std::size_t>(L.batch));
  if (shmem > 48 * 1024) throw std::runtime_error("CUDA backend: batch " + std::to_string(L.batch) + " exceeds 3000");
  std::vector<double> seff(approx.size()), floor(approx.size());
  for (std::size_t i = 0; i < approx.size(); ++i) {
    floor[i] = L.sigma2 + approx[i];
    seff[i] = std::sqrt(floor[i]);
  }
  DeviceBuffer<std::int64_t> cks;
  cks.upload(L.checkpoints, static_cast<std::size_t>(L.n_checkpoints), res.stream);
  DeviceBuffer<double> seff_d, floor_d, risk_d(static_cast<std::size_t>(L.count * L.n_checkpoints)),
      bias_d(L.split ? risk_d.size() : 1), var_d(L.split ? risk_d.size() : 1);
  seff_d.upload(seff.data(), seff.size(), res.stream);
  floor_d.upload(floor.data(), floor.size(), res.stream);
  KernelArgs a{L.seed,         L.first_trial, L.M,           nb,          L.batch,      L.n_checkpoints,
               L.schedule,     L.sigma2,      cks.data(),    mu_device,   ustar_device, seff_d.data(),
               floor_d.data(), risk_d.data(), bias_d.data(), var_d.data()};
  switch (K) {
    case 1:
      launch<1>(a, L.split, threads, L.count, shmem, res.stream);
      break;
    case 2:
      launch<2>(a, L.split, threads, L.count, shmem, res.stream);
      break;
    case 4:
      launch<4>(a, L.split, threads, L.count, shmem, res.stream);
      break;
    default:
      launch<8>(a, L.split, threads, L.count, shmem, res.stream);
      break;
  }
  risk_d.download(risk, risk_d.size(), res.stream);
  if (L.split) {
    bias_d.download(bias, risk_d.size(), res.stream);
    var_d.download(variance, risk_d.size(), res.stream);
  }
  res.sync();
}

DeviceInfo query_devices() {
  DeviceInfo info;
  const cudaError_t e = cudaGetDeviceCount(&info.count);
  if (e != cudaSuccess || info.count == 0) {
    info.count = 0;
    info.error = e != cudaSuccess ? std::string(cudaGetErrorString(e)) : "no CUDA device";
    return info;
  }
  int dev = 0;
  CUDA_TRY(cudaGetDevice(&dev));
  cudaDeviceProp prop;
  CUDA_TRY(cudaGetDeviceProperties(&prop, dev));
  info.name = prop.name;
  info.cc_major = prop.major;
  info.cc_minor = prop.minor;
  CUDA_TRY(cudaMemGetInfo(&info.free_bytes, &info.total_bytes));
  return info;
}

std::vector<double> copy_to_host(const double* device, std::size_t n) {
  std::vector<double> out(n);
  CUDA_TRY(cudaMemcpy(out.data(), device, n * sizeof(double), cudaMemcpyDeviceToHost));
  return out;
}

void select_device(int local_rank) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) return;
  CUDA_TRY(cudaSetDevice(local_rank % n));
}

}  // namespace sgdlaw::cuda
