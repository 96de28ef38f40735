// The fast CPU backend: the exact Gaussian reduction, threads over trials.
#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/backends/reduced_trial.hpp"

namespace sgdlaw {
namespace {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads) : threads_(threads) {}
  std::string name() const override { return "cpu"; }

  void run_trials(const RunPlan& plan, std::int64_t first, std::int64_t count, TrialResults& out,
                  std::atomic<std::int64_t>& done) override {
    if (plan.config.covariates != CovariateKind::kGaussian)
      throw BackendUnavailable("backend 'cpu' simulates Gaussian covariates only; use backend = reference");
    parallel_trials(count, threads_, [&](std::int64_t i) {
      const auto g = static_cast<std::uint32_t>(first + i);
      out.approx[i] = run_reduced_trial(plan, g, out.risk_row(i), out.bias_row(i), out.variance_row(i));
      done.fetch_add(1);
    });
  }

 private:
  int threads_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(int threads) { return std::make_unique<CpuBackend>(threads); }

}  // namespace sgdlaw
