// The reduced-SGD kernels: one __global__ instance per launch shape and variant of kernels/launch_shape.hpp,
// each running the body of kernels/reduced_sgd_body.hpp on CudaThread. All trials of a sketch in one launch.
#include <algorithm>
#include <cmath>

#include "cuda_api.hpp"
#include "cuda_resources.cuh"
#include "device_buffer.cuh"
#include "launch_shape.hpp"

namespace sgdlaw::cuda {
namespace {

template <int kTeam, int kState>
constexpr int max_threads() {
  return kState == static_cast<int>(kern::StateIn::kGlobalMomentum) ? kern::kMomentumTeamThreads
         : kState == static_cast<int>(kern::StateIn::kGlobal)       ? kern::kGlobalTeamThreads
         : kTeam == static_cast<int>(kern::TeamKind::kWarp)         ? kern::kWarpTeamThreads
                                                                    : kern::kBlockTeamThreads;
}

template <int kTeam, int kState, int K, bool kSplit, bool kBatched>
__global__ void __launch_bounds__(max_threads<kTeam, kState>(), 1) reduced_sgd_kernel(kern::SgdArgs A) {
  const kern::CudaThread th;
  kern::run_variant<kern::CudaThread, kTeam, kState, K, kSplit, kBatched>(th, A);
}

// The pair of events that times one launch (released however the launch ends).
struct KernelEvents {
  cudaEvent_t start = nullptr, stop = nullptr;
  KernelEvents() {
    CUDA_TRY(cudaEventCreate(&start));
    const cudaError_t e = cudaEventCreate(&stop);
    if (e != cudaSuccess) {
      cudaEventDestroy(start);
      CUDA_TRY(e);
    }
  }
  ~KernelEvents() {
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
  }
  KernelEvents(const KernelEvents&) = delete;
  KernelEvents& operator=(const KernelEvents&) = delete;
};

}  // namespace

double run_reduced_sgd(Session& session, const SgdLaunch& L, const DeviceSketch& sketch, const double* ustar_device,
                       const std::vector<double>& approx, double* risk, double* bias, double* variance) {
  session.activate();
  Session::Resources& res = session.resources();
  const kern::LaunchShape shape = kern::choose_launch_shape(L.M, L.batch, L.count, !L.optimizer.is_sgd());
  int dev_max_shared = 0;
  CUDA_TRY(cudaDeviceGetAttribute(&dev_max_shared, cudaDevAttrMaxSharedMemoryPerBlockOptin, session.device()));
  if (shape.shared_bytes > static_cast<std::size_t>(dev_max_shared))
    throw std::runtime_error("CUDA backend: batch " + std::to_string(L.batch) + " needs " +
                             std::to_string(shape.shared_bytes) + " bytes of shared memory per block, the device has " +
                             std::to_string(dev_max_shared) + "; use a smaller 'batch' or backend = cpu");
  std::vector<double> seff(approx.size()), floor(approx.size());
  for (std::size_t i = 0; i < approx.size(); ++i) {
    floor[i] = L.sigma2 + approx[i];
    seff[i] = std::sqrt(floor[i]);
  }
  const auto n_out = static_cast<std::size_t>(L.count * L.n_checkpoints);
  DeviceBuffer<std::int64_t> cks;
  cks.upload(L.checkpoints, static_cast<std::size_t>(L.n_checkpoints), res.stream);
  DeviceBuffer<double> seff_d, floor_d, risk_d(n_out), bias_d(L.split ? n_out : 1), var_d(L.split ? n_out : 1);
  const int per_coordinate = kern::state_doubles(shape.state);
  DeviceBuffer<double> state(per_coordinate > 0 ? static_cast<std::size_t>(per_coordinate * L.M * L.count) : 1);
  seff_d.upload(seff.data(), seff.size(), res.stream);
  floor_d.upload(floor.data(), floor.size(), res.stream);
  kern::SgdArgs A;
  A.seed = L.seed;
  A.first_trial = L.first_trial;
  A.count = L.count;
  A.M = L.M;
  A.nb = (L.M + 3) / 4;
  A.batch = L.batch;
  A.n_checkpoints = L.n_checkpoints;
  A.schedule = L.schedule;
  DeviceBuffer<std::int64_t> table_step;  // a table schedule's pieces, read by the kernel from device memory
  DeviceBuffer<double> table_gamma;
  if (L.schedule.kind == ScheduleKind::kTable) {
    const auto pieces = static_cast<std::size_t>(L.schedule.table.size);
    table_step.upload(L.schedule.table.step, pieces, res.stream);
    table_gamma.upload(L.schedule.table.gamma, pieces, res.stream);
    A.schedule.table.step = table_step.data();
    A.schedule.table.gamma = table_gamma.data();
  }
  A.checkpoints = cks.data();
  A.mu = sketch.mu_device();
  A.sqrt_mu = sketch.sqrt_mu_device();
  A.ustar = ustar_device;
  A.sigma_eff = seff_d.data();
  A.floor = floor_d.data();
  A.risk = risk_d.data();
  A.bias = bias_d.data();
  A.variance = var_d.data();
  A.state = state.data();
  A.reuse = {L.dataset, static_cast<SamplingKind>(L.sampling), L.seed};
  A.optimizer = L.optimizer;
  KernelEvents events;
  kern::dispatch_variant(shape, L.split, L.batch > 1, [&](auto team, auto st, auto k, auto split, auto batched) {
    auto* kernel = &reduced_sgd_kernel<decltype(team)::value, decltype(st)::value, decltype(k)::value,
                                       decltype(split)::value, decltype(batched)::value>;
    if (shape.shared_bytes > 48 * 1024)
      CUDA_TRY(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                    static_cast<int>(shape.shared_bytes)));
    CUDA_TRY(cudaEventRecord(events.start, res.stream));
    kernel<<<static_cast<unsigned>(shape.blocks), shape.threads, shape.shared_bytes, res.stream>>>(A);
    CUDA_TRY(cudaGetLastError());
    CUDA_TRY(cudaEventRecord(events.stop, res.stream));
  });
  risk_d.download(risk, n_out, res.stream);
  if (L.split) {
    bias_d.download(bias, n_out, res.stream);
    var_d.download(variance, n_out, res.stream);
  }
  res.sync();
  float ms = 0.0f;
  CUDA_TRY(cudaEventElapsedTime(&ms, events.start, events.stop));
  return 1e-3 * static_cast<double>(ms);
}

DeviceInfo query_devices(int device) {
  DeviceInfo info;
  const cudaError_t e = cudaGetDeviceCount(&info.count);
  if (e != cudaSuccess || info.count == 0) {
    info.count = 0;
    info.error = e != cudaSuccess ? std::string(cudaGetErrorString(e)) : "no CUDA device";
    return info;
  }
  if (device < 0) CUDA_TRY(cudaGetDevice(&device));
  CUDA_TRY(cudaSetDevice(device));
  info.device = device;
  cudaDeviceProp prop;
  CUDA_TRY(cudaGetDeviceProperties(&prop, device));
  info.name = prop.name;
  info.cc_major = prop.major;
  info.cc_minor = prop.minor;
  CUDA_TRY(cudaMemGetInfo(&info.free_bytes, &info.total_bytes));
  return info;
}

int device_for_local_rank(int local_rank) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) return 0;
  return local_rank % n;
}

Session::Session(int device) : device_(device) {
  activate();
  res_ = std::make_unique<Resources>();
}

Session::~Session() {
  cudaSetDevice(device_);  // handles are destroyed on their own device
  res_.reset();
}

void Session::activate() const { CUDA_TRY(cudaSetDevice(device_)); }

std::size_t Session::free_bytes() const {
  activate();
  std::size_t free = 0, total = 0;
  CUDA_TRY(cudaMemGetInfo(&free, &total));
  return free;
}

std::vector<double> copy_to_host(const Session& s, const double* device, std::size_t n) {
  s.activate();
  std::vector<double> out(n);
  CUDA_TRY(cudaMemcpy(out.data(), device, n * sizeof(double), cudaMemcpyDeviceToHost));
  return out;
}

}  // namespace sgdlaw::cuda
