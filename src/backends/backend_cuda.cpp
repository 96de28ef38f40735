// The CUDA backend (host side, compiled by g++ into the CUDA module, see backend_cuda_loader.cpp): sketch set-up,
// targets and the SGD kernel run on the device through kernels/cuda_api.hpp; the exact recursion and the
// aggregation stay on the host (shared with the CPU). One session (stream and library handles) per backend,
// made current on every entry; all trials of a sketch in one launch, unless device memory asks for less.
#include <cmath>
#include <map>
#include <tuple>

#include "cuda_api.hpp"
#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/backends/cuda_module.hpp"
#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/errors.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/power_law_spectrum.hpp"

namespace sgdlaw {
namespace {

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int device) : session_(device) {}
  std::string name() const override { return "cuda"; }
  std::int64_t chunk_trials(const Config& c) const override { return c.trials; }  // a sketch per launch

  RunPlan make_plan(const Config& c) override {
    session_.activate();
    check_setup_fits(c);
    RunPlan p;
    p.config = c;
    p.schedule = make_schedule(c);
    p.optimizer = make_optimizer(c);  // as make_run_plan: every part of the run reads the plan's optimizer
    p.checkpoints = checkpoint_steps(c);
    for (std::int64_t k = 0; k < c.sketches; ++k) p.sketches.push_back(host_view(c, k));
    return p;
  }

  void run_trials(const RunPlan& plan, std::int64_t first, std::int64_t count, TrialResults& out,
                  std::atomic<std::int64_t>& done) override {
    session_.activate();
    const Config& c = plan.config;
    if (c.covariates != CovariateKind::kGaussian)
      throw BackendUnavailable("backend 'cuda' simulates Gaussian covariates only; use backend = reference");
    const auto n_ck = static_cast<std::int64_t>(plan.checkpoints.size());
    const std::int64_t per_launch = trials_per_launch(c, n_ck);
    std::int64_t g = first;
    while (g < first + count) {
      const std::int64_t k = g / c.trials;
      const std::int64_t end = std::min({first + count, (k + 1) * c.trials, g + per_launch});
      const std::int64_t n = end - g;
      cuda::DeviceSketch& ds = sketch(c, k);
      double* ustar = nullptr;
      std::vector<double> approx;
      ds.targets(c.wstar == PriorMode::kFixed, g, n, &ustar, approx);
      cuda::SgdLaunch L;
      L.seed = c.seed;
      L.first_trial = g;
      L.count = n;
      L.M = c.M;
      L.batch = c.batch;
      L.schedule = plan.schedule;
      L.checkpoints = plan.checkpoints.data();
      L.n_checkpoints = n_ck;
      L.sigma2 = c.sigma * c.sigma;
      L.split = out.has_decomposition;
      L.dataset = c.dataset;
      L.sampling = static_cast<int>(c.sampling);
      L.optimizer = plan.optimizer;
      const std::int64_t row = g - first;
      kernel_seconds_ += cuda::run_reduced_sgd(session_, L, ds, ustar, approx, out.risk_row(row), out.bias_row(row),
                                               out.variance_row(row));
      for (std::int64_t i = 0; i < n; ++i) out.approx[row + i] = approx[i];
      done.fetch_add(n);
      g = end;
    }
  }

  double kernel_seconds() const override { return kernel_seconds_; }

 private:
  using Key = std::tuple<std::uint32_t, std::int64_t, std::int64_t, std::int64_t, double, double, bool>;

  bool identity(const Config& c) const { return c.sketch == SketchKind::kIdentity; }

  // Refuses, before anything is allocated, a set-up that cannot fit (or that syevd cannot take).
  void check_setup_fits(const Config& c) {
    if (!identity(c) && c.M > cuda::kMaxGaussianM)
      throw ConfigError("field 'M' = " + std::to_string(c.M) +
                        ": the CUDA set-up of a Gaussian sketch takes M <= " + std::to_string(cuda::kMaxGaussianM));
    const double need = static_cast<double>(cuda::estimate_setup_bytes(c.M, c.d, identity(c))) +
                        static_cast<double>(cuda::estimate_resident_bytes(c.M, c.d, identity(c))) *
                            static_cast<double>(std::min<std::int64_t>(c.sketches, kCachedSketches));
    const double free = static_cast<double>(session_.free_bytes()) + cached_bytes();
    if (need > free)
      throw ConfigError("the CUDA set-up needs about " + format_gib(need) + " of device memory (M = " +
                        std::to_string(c.M) + ", d = " + std::to_string(c.d) + ", " + std::to_string(c.sketches) +
                        " sketch(es)), " + format_gib(free) + " is free; reduce 'M', 'd' or 'sketches'");
  }

  // As many trials per launch as fit in 90% of the free memory (all of a sketch's when they fit).
  std::int64_t trials_per_launch(const Config& c, std::int64_t n_ck) {
    const double free = 0.9 * static_cast<double>(session_.free_bytes());
    const double one = static_cast<double>(
        cuda::estimate_launch_bytes(c.M, c.d, 1, n_ck, c.batch, identity(c), c.optimizer != OptimizerKind::kSgd));
    const double all = static_cast<double>(cuda::estimate_launch_bytes(c.M, c.d, c.trials, n_ck, c.batch, identity(c),
                                                                       c.optimizer != OptimizerKind::kSgd));
    if (all <= free) return c.trials;
    if (one > free)
      throw ConfigError("a CUDA launch of one trial needs about " + format_gib(one) + " of device memory, " +
                        format_gib(free) + " is free; reduce 'M' or 'd'");
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(free / one));
  }

  double cached_bytes() const {
    double n = 0.0;
    for (const auto& [key, ds] : cache_) n += static_cast<double>(ds->resident_bytes());
    return n;
  }

  SketchSetup host_view(const Config& c, std::int64_t k) {
    const cuda::DeviceSketch& ds = sketch(c, k);
    SketchSetup s;
    s.index = k;
    s.d = c.d;
    s.M = c.M;
    s.identity = identity(c);
    PowerLawSpectrum spectrum = power_law_spectrum(c);
    s.lambda = std::move(spectrum.lambda);
    s.prior_var = std::move(spectrum.prior_var);
    s.mu = Eigen::Map<const Eigen::VectorXd>(ds.mu.data(), c.M);
    s.p0_prior = Eigen::Map<const Eigen::VectorXd>(ds.p0_prior.data(), c.M);
    s.signal_prior = s.lambda.dot(s.prior_var);
    s.approx_prior = s.identity ? 0.0 : std::max(0.0, s.signal_prior - s.mu.dot(s.p0_prior));
    if (c.wstar == PriorMode::kFixed) {
      double* u = nullptr;
      std::vector<double> approx;
      sketch(c, k).targets(true, 0, 1, &u, approx);
      const std::vector<double> h = cuda::copy_to_host(session_, u, static_cast<std::size_t>(c.M));
      s.fixed_ustar = Eigen::Map<const Eigen::VectorXd>(h.data(), c.M);
      s.fixed_approx = approx[0];
      s.has_fixed_target = true;
    }
    return s;
  }

  cuda::DeviceSketch& sketch(const Config& c, std::int64_t k) {
    const Key key{c.seed, k, c.M, c.d, c.a, c.b, identity(c)};
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      if (static_cast<std::int64_t>(cache_.size()) >= kCachedSketches) cache_.clear();
      const PowerLawSpectrum spectrum = power_law_spectrum(c);
      cuda::DeviceSketch::Params ps;
      ps.seed = c.seed;
      ps.sketch = static_cast<std::uint32_t>(k);
      ps.M = c.M;
      ps.d = c.d;
      ps.identity = identity(c);
      ps.lambda = spectrum.lambda.data();
      ps.prior_var = spectrum.prior_var.data();
      it = cache_.emplace(key, std::make_unique<cuda::DeviceSketch>(session_, ps)).first;
    }
    return *it->second;
  }

  static constexpr std::int64_t kCachedSketches = 8;
  cuda::Session session_;
  double kernel_seconds_ = 0.0;
  std::map<Key, std::unique_ptr<cuda::DeviceSketch>> cache_;
};

BackendInfo module_backend_info() {
  const cuda::DeviceInfo d = cuda::query_devices();
  if (d.count == 0) return {"cuda", false, "compiled (sm_" SGDLAW_CUDA_ARCHS "), but no usable device: " + d.error};
  return {"cuda", true,
          d.name + " (Philox: " + cuda::device_philox_name() + "; compute " + std::to_string(d.cc_major) + "." +
              std::to_string(d.cc_minor) + ", " + format_gib(static_cast<double>(d.total_bytes)) + "), " +
              std::to_string(d.count) + " device(s)"};
}

std::unique_ptr<Backend> module_make_backend(int local_rank) {
  const BackendInfo info = module_backend_info();
  if (!info.available) throw BackendUnavailable("backend 'cuda': " + info.detail);
  return std::make_unique<CudaBackend>(cuda::device_for_local_rank(local_rank));
}

const CudaModuleApi kApi{kCudaModuleAbi, &module_backend_info, &module_make_backend, &cuda::philox_check,
                         &cuda::device_philox_name};

}  // namespace
}  // namespace sgdlaw

extern "C" const sgdlaw::CudaModuleApi* sgdlaw_cuda_module() { return &sgdlaw::kApi; }
