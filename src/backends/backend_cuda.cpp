// The CUDA backend (host side, compiled by g++): sketch set-up, targets and the SGD kernel run on the device
// through kernels/cuda_api.hpp; the exact recursion and aggregation stay on the host (shared with the CPU).
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <tuple>

#include "cuda_api.hpp"
#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/core/checkpoints.hpp"
#include "sgdlaw/core/errors.hpp"
#include "sgdlaw/core/format.hpp"
#include "sgdlaw/core/power_law_spectrum.hpp"

namespace sgdlaw {
namespace {

class CudaBackend final : public Backend {
 public:
  std::string name() const override { return "cuda"; }

  RunPlan make_plan(const Config& c) override {
    RunPlan p;
    p.config = c;
    p.schedule = make_schedule(c);
    p.checkpoints = checkpoint_steps(c);
    for (std::int64_t k = 0; k < c.sketches; ++k) {
      const cuda::DeviceSketch& ds = sketch(c, k);
      SketchSetup s;
      s.index = k;
      s.d = c.d;
      s.M = c.M;
      s.identity = c.sketch == SketchKind::kIdentity;
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
        s.fixed_ustar = download_column(u, c.M);
        s.fixed_approx = approx[0];
        s.has_fixed_target = true;
      }
      p.sketches.push_back(std::move(s));
    }
    return p;
  }

  void run_trials(const RunPlan& plan, std::int64_t first, std::int64_t count, TrialResults& out,
                  std::atomic<std::int64_t>& done) override {
    const Config& c = plan.config;
    if (c.covariates != CovariateKind::kGaussian)
      throw BackendUnavailable("backend 'cuda' simulates Gaussian covariates only; use backend = reference");
    const cuda::DeviceInfo info = cuda::query_devices();
    const std::size_t need = cuda::estimate_device_bytes(
        c.M, c.d, count, static_cast<std::int64_t>(plan.checkpoints.size()), c.sketch == SketchKind::kIdentity);
    if (need > info.free_bytes)
      throw ConfigError("the CUDA run needs about " + format_gib(static_cast<double>(need)) + " of device memory, " +
                        format_gib(static_cast<double>(info.free_bytes)) + " is free on " + info.name +
                        "; reduce 'trials' per run, 'M' or 'd'");
    const std::int64_t n_ck = static_cast<std::int64_t>(plan.checkpoints.size());
    std::int64_t g = first;
    while (g < first + count) {
      const std::int64_t k = g / c.trials;
      const std::int64_t end = std::min(first + count, (k + 1) * c.trials);
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
      const std::int64_t row = g - first;
      cuda::run_reduced_sgd(L, ds.mu_device(), ustar, approx, out.risk_row(row), out.bias_row(row),
                            out.variance_row(row));
      for (std::int64_t i = 0; i < n; ++i) out.approx[row + i] = approx[i];
      done.fetch_add(n);
      g = end;
    }
  }

 private:
  using Key = std::tuple<std::uint32_t, std::int64_t, std::int64_t, std::int64_t, double, double, bool>;

  static Eigen::VectorXd download_column(const double* device, std::int64_t m) {
    const std::vector<double> h = cuda::copy_to_host(device, static_cast<std::size_t>(m));
    return Eigen::Map<const Eigen::VectorXd>(h.data(), m);
  }

  cuda::DeviceSketch& sketch(const Config& c, std::int64_t k) {
    const Key key{c.seed, k, c.M, c.d, c.a, c.b, c.sketch == SketchKind::kIdentity};
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      if (cache_.size() > 8) cache_.clear();
      const PowerLawSpectrum spectrum = power_law_spectrum(c);
      cuda::DeviceSketch::Params ps;
      ps.seed = c.seed;
      ps.sketch = static_cast<std::uint32_t>(k);
      ps.M = c.M;
      ps.d = c.d;
      ps.identity = c.sketch == SketchKind::kIdentity;
      ps.lambda = spectrum.lambda.data();
      ps.prior_var = spectrum.prior_var.data();
      it = cache_.emplace(key, std::make_unique<cuda::DeviceSketch>(ps)).first;
    }
    return *it->second;
  }

  std::map<Key, std::unique_ptr<cuda::DeviceSketch>> cache_;
};

}  // namespace

BackendInfo cuda_backend_info() {
  const cuda::DeviceInfo d = cuda::query_devices();
  if (d.count == 0) return {"cuda", false, "compiled (sm_" SGDLAW_CUDA_ARCHS "), but no usable device: " + d.error};
  return {"cuda", true,
          d.name + " (compute " + std::to_string(d.cc_major) + "." + std::to_string(d.cc_minor) + ", " +
              format_gib(static_cast<double>(d.total_bytes)) + "), " + std::to_string(d.count) + " device(s)"};
}

void select_device_for_local_rank(int local_rank) { cuda::select_device(local_rank); }

std::unique_ptr<Backend> make_cuda_backend() {
  const BackendInfo info = cuda_backend_info();
  if (!info.available) throw BackendUnavailable("backend 'cuda': " + info.detail);
  return std::make_unique<CudaBackend>();
}

}  // namespace sgdlaw
