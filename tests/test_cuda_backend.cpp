// The CUDA backend against the CPU: same trials (identical random streams) agree up to rounding, the device
// set-up matches the host's, and Monte Carlo means sit within 4 standard errors of the exact recursion.
// Every test skips when this build has no CUDA backend or no device is visible.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "sgdlaw/backends/backend.hpp"
#include "sgdlaw/backends/cuda_module.hpp"
#include "sgdlaw/core/philox_normals.hpp"
#include "sgdlaw/sweep/point_pipeline.hpp"
#include "test_helpers.hpp"

using namespace sgdlaw;
using sgdlaw::testing::rel_diff;
using sgdlaw::testing::small_config;

namespace {

bool have_gpu() { return cuda_backend_info().available; }

}  // namespace

TEST(CudaBackend, ReportsWhyItIsUnavailable) {
  const BackendInfo info = cuda_backend_info();
  if (info.available) GTEST_SKIP() << "device present: " << info.detail;
  EXPECT_THROW(make_backend("cuda", 0), BackendUnavailable);
  EXPECT_EQ(make_backend("auto", 0)->name(), "cpu");
  EXPECT_FALSE(info.detail.empty());
}

TEST(CudaBackend, DeviceSetupMatchesHost) {
  if (!have_gpu()) GTEST_SKIP() << cuda_backend_info().detail;
  Config c = small_config();
  c.d = 1000;
  c.M = 64;
  auto cuda = make_backend("cuda", 0);
  const RunPlan dev = cuda->make_plan(c);
  const RunPlan host = make_run_plan(c);
  for (Eigen::Index j = 0; j < c.M; ++j) {
    EXPECT_LT(rel_diff(dev.sketches[0].mu[j], host.sketches[0].mu[j]), 1e-9) << j;
    EXPECT_LT(rel_diff(dev.sketches[0].p0_prior[j], host.sketches[0].p0_prior[j]), 1e-7) << j;
  }
  EXPECT_LT(rel_diff(dev.sketches[0].approx_prior, host.sketches[0].approx_prior), 1e-8);
}

namespace {

// Runs c on the CPU and on the device; the device's trials must be the CPU's up to rounding (1e-6 relative).
std::pair<RunResult, RunResult> cpu_and_gpu_trials_agree(Config c, const std::string& label) {
  const RunResult cpu = run_simulation(c);
  c.backend = "cuda";
  RunResult gpu = run_simulation(c);
  EXPECT_EQ(gpu.backend, "cuda");
  for (std::size_t i = 0; i < cpu.trials.risk.size(); ++i) {
    EXPECT_LT(rel_diff(gpu.trials.risk[i], cpu.trials.risk[i]), 1e-6) << label << " entry " << i;
    EXPECT_LT(rel_diff(gpu.trials.bias[i], cpu.trials.bias[i]), 1e-6) << label << " entry " << i;
    if (::testing::Test::HasFailure()) break;
  }
  return {cpu, std::move(gpu)};
}

}  // namespace

TEST(CudaBackend, SameTrialsAsCpuUpToRounding) {
  if (!have_gpu()) GTEST_SKIP() << cuda_backend_info().detail;
  for (std::int64_t batch : {1, 3}) {
    Config c = small_config();
    c.trials = 64;
    c.sketches = 2;
    c.batch = batch;
    c.N = 1200 * batch;
    const auto [cpu, gpu] = cpu_and_gpu_trials_agree(c, "B=" + std::to_string(batch));
    EXPECT_EQ(cpu.kernel_seconds, -1.0);  // no device kernels on the CPU
    EXPECT_GT(gpu.kernel_seconds, 0.0);   // CUDA events around each launch
    EXPECT_LE(gpu.kernel_seconds, gpu.mc_seconds);
    for (std::size_t g = 0; g < cpu.trials.approx.size(); ++g)
      EXPECT_LT(std::fabs(gpu.trials.approx[g] - cpu.trials.approx[g]), 1e-9 * (1 + cpu.trials.approx[g]));
  }
}

// The kGlobalMomentum kernels (every optimizer but SGD) on the device: the CPU's trials up to rounding.
TEST(CudaBackend, OptimizersMatchCpu) {
  if (!have_gpu()) GTEST_SKIP() << cuda_backend_info().detail;
  for (const OptimizerKind k : {OptimizerKind::kHeavyBall, OptimizerKind::kNesterov, OptimizerKind::kDanaDecaying})
    for (std::int64_t batch : {1, 3}) {
      Config c = small_config();
      c.optimizer = k;
      c.momentum = k == OptimizerKind::kDanaDecaying ? 0.0 : 0.7;
      c.gamma = 0.1;
      c.trials = 64;
      c.batch = batch;
      c.N = 1200 * batch;
      cpu_and_gpu_trials_agree(c, std::string(to_string(k)) + " B=" + std::to_string(batch));
    }
}

TEST(CudaBackend, MonteCarloWithinFourStandardErrorsOfExact) {
  if (!have_gpu()) GTEST_SKIP() << cuda_backend_info().detail;
  struct Case {
    ScheduleKind schedule;
    std::int64_t batch;
    SketchKind sketch;
    bool split;
  };
  for (const Case& k : {Case{ScheduleKind::kGeometric, 1, SketchKind::kGaussian, true},
                        Case{ScheduleKind::kConstant, 4, SketchKind::kGaussian, true},
                        Case{ScheduleKind::kPower, 2, SketchKind::kIdentity, false}}) {
    Config c = small_config();
    c.backend = "cuda";
    c.schedule = k.schedule;
    c.batch = k.batch;
    c.sketch = k.sketch;
    if (k.sketch == SketchKind::kIdentity) c.d = c.M = 64;
    c.decomposition = k.split;
    c.N = 4000 * k.batch;
    c.trials = 2000;
    const RunResult r = run_simulation(c);
    for (const CurveRow& row : r.rows) {
      EXPECT_LE(std::fabs(row.risk_mc - row.risk_exact), 4 * row.risk_se) << "N=" << row.samples;
      if (k.split) {
        EXPECT_LE(std::fabs(row.bias_mc - row.bias_exact), 4 * row.bias_se) << "N=" << row.samples;
        EXPECT_LE(std::fabs(row.variance_mc - row.variance_exact), 4 * row.variance_se) << "N=" << row.samples;
      }
    }
  }
}

// The loading path of the CUDA module (dlopen, entry symbol, ABI number, a call into it), without a device:
// the module itself then reports why no device is usable. Skips in builds without the module.
TEST(CudaBackend, ModuleLoadsAndAnswersWithoutADevice) {
#ifndef SGDLAW_TEST_HAVE_CUDA_MODULE
  GTEST_SKIP() << "this build has no CUDA module";
#else
  if (have_gpu()) GTEST_SKIP() << "device present";
  const std::string out = ::testing::TempDir() + "/sgdlaw_module_info.txt";
  const int code = sgdlaw::testing::run_logged("SGDLAW_CUDA_PROBE=skip " SGDLAW_BINARY " info", out);
  ASSERT_EQ(code, 0);
  std::ifstream f(out);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("compiled (sm_"), std::string::npos) << text;  // the module's own message
  EXPECT_EQ(text.find("could not be loaded"), std::string::npos) << text;
#endif
}

// On a GPU: the device's Philox words (cuRAND's curand_Philox4x32_10 in the default build) are the host's
// Random123 words, and the device's normals (Box-Muller with explicit fmaf) the host's bit for bit, at 200000
// counters.
TEST(CudaBackend, DevicePhiloxMatchesHost) {
  if (!have_gpu()) GTEST_SKIP() << cuda_backend_info().detail;
  const CudaModuleApi* api = cuda_module_api();
  ASSERT_NE(api, nullptr);
  const std::int64_t n = 200000;
  std::vector<std::uint32_t> words(4 * n);
  std::vector<float> normals(4 * n);
  api->philox_check(n, words.data(), normals.data());
  std::int64_t bad_words = 0, bad_normals = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const PhiloxCheckCounter c = philox_check_counter(i);
    const PhiloxWords h = philox_words(c.seed, c.key, c.block, c.position, c.purpose);
    const Normals4 z = normals4(c.seed, c.key, c.block, c.position, c.purpose);
    for (int w = 0; w < 4; ++w) {
      bad_words += words[4 * i + w] != h.w[w];
      bad_normals += std::memcmp(&normals[4 * i + w], &z.v[w], sizeof(float)) != 0;
    }
  }
  EXPECT_EQ(bad_words, 0) << api->device_philox();
  EXPECT_EQ(bad_normals, 0) << api->device_philox();
}

// On a GPU: every launch shape on the device gives the CPU's trials up to rounding (1e-6, as above: the device
// set-up's eigenvalues differ from the host's in the last digits) — warps (M = 37), 256- and 512-thread register
// blocks (M = 700, 3000), the global-state path (identity, M = d = 9000) — with B = 1 and B = 2, and finite
// datasets (both samplings).
TEST(CudaBackend, EveryLaunchShapeAndFiniteDatasetsMatchCpu) {
  if (!have_gpu()) GTEST_SKIP() << cuda_backend_info().detail;
  struct Case {
    std::int64_t M, d, batch, dataset;
    SketchKind sketch;
    SamplingKind sampling;
  };
  for (const Case& k : {Case{37, 200, 1, 0, SketchKind::kGaussian, SamplingKind::kEpochs},
                        Case{700, 1400, 2, 0, SketchKind::kGaussian, SamplingKind::kEpochs},
                        Case{3000, 4000, 1, 0, SketchKind::kGaussian, SamplingKind::kEpochs},
                        Case{9000, 9000, 2, 0, SketchKind::kIdentity, SamplingKind::kEpochs},
                        Case{37, 200, 1, 90, SketchKind::kGaussian, SamplingKind::kEpochs},
                        Case{700, 1400, 1, 90, SketchKind::kGaussian, SamplingKind::kReplacement}}) {
    Config c = small_config();
    c.M = k.M;
    c.d = k.d;
    c.sketch = k.sketch;
    c.batch = k.batch;
    c.N = 400 * k.batch;
    c.dataset = k.dataset;
    c.sampling = k.sampling;
    c.trials = 24;
    c.gamma = 0.05;
    const RunResult cpu = run_simulation(c);
    c.backend = "cuda";
    const RunResult gpu = run_simulation(c);
    double worst = 0.0;
    for (std::size_t i = 0; i < cpu.trials.risk.size(); ++i)
      worst = std::max(worst, rel_diff(gpu.trials.risk[i], cpu.trials.risk[i]));
    EXPECT_LT(worst, 1e-6) << "M = " << k.M << ", B = " << k.batch << ", dataset = " << k.dataset;
  }
}
