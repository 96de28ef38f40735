#pragma once
// The fully resolved configuration of one run. Built only through load_config (config_load.hpp),
// which validates every field; the rest of the code may assume the invariants listed here.
#include <cstdint>
#include <string>
#include <vector>

namespace sgdlaw {

enum class SketchKind { kGaussian, kIdentity };
enum class PriorMode { kPerTrial, kFixed };
// The schedules (schedule.hpp): each answers its own questions there; the names are the config key's values.
enum class ScheduleKind { kGeometric, kConstant, kPower, kCosine, kLinear, kWsd, kTable };
enum class DecayShape { kLinear, kCosine, kSqrt, kPower };  // the decay of a `wsd` schedule
enum class CovariateKind { kGaussian, kRademacher };
enum class SamplingKind { kEpochs, kReplacement };   // finite datasets (data_reuse.hpp)
enum class TrialsOutput { kNone, kFinal, kAll };     // trials.csv: none, final checkpoint only, every checkpoint
enum class ExactMethod { kAuto, kSteps, kContour };  // exact_recursion.hpp
// The optimizers (optimizer.hpp: the update of each); the names are the config key's values.
enum class OptimizerKind { kSgd, kHeavyBall, kNesterov, kDanaConstant, kDanaDecaying };

struct Config {
  // problem
  double a = 2.0;           // spectrum lambda_i = i^-a, a > 1
  double b = 2.0;           // prior: lambda_i E[w*_i^2] = i^-b, b > 1 (default b = a: w* ~ N(0, I))
  std::int64_t d = 4096;    // ambient dimension (stands in for infinity); with d_infinite, the head size
  bool d_infinite = false;  // d = "inf": identity sketch, exact only; d head coordinates + tail quadrature
  double sigma = 0.5;       // label noise standard deviation, >= 0
  SketchKind sketch = SketchKind::kGaussian;
  std::int64_t M = 256;  // sketch size; identity sketch forces M = d
  PriorMode wstar = PriorMode::kPerTrial;
  CovariateKind covariates = CovariateKind::kGaussian;  // non-Gaussian only on the reference backend

  // sgd
  std::int64_t N = 100000;  // samples; steps = N / batch
  std::int64_t batch = 1;
  double gamma = 0.1;  // the peak step size (table: the table's largest)
  // > 0: gamma is this fraction of the largest stable step size for the run's own spectrum and batch (resolved
  // by prepare_run; `gamma` then holds the resolved value); 0: `gamma` as given.
  double gamma_rel = 0.0;
  // gamma = "tuned": the peak step size minimising the exact final excess risk of this run (its spectrum, batch,
  // schedule shape, optimizer and N; fit/gamma_tuning.hpp), resolved before the run; `gamma` then holds it.
  bool gamma_tuned = false;
  ScheduleKind schedule = ScheduleKind::kGeometric;
  std::int64_t phase_length = 0;  // geometric: steps per phase; 0 = steps / log2(steps)
  double power_p = 0.5;           // power: gamma_t = gamma (1 + t / t0)^-p
  double power_t0 = 100.0;
  // cosine, linear, wsd (and warmup for constant too); schedule.hpp defines each step size.
  double gamma_min = 0.0;       // the floor the decay ends at, 0 <= gamma_min <= gamma
  std::int64_t warmup = 0;      // linear warmup steps: gamma_t = gamma (t + 1) / warmup for t < warmup
  double decay_fraction = 0.2;  // wsd: the last floor(decay_fraction * steps) steps decay
  DecayShape decay_shape = DecayShape::kLinear;
  double decay_power = 2.0;    // wsd with decay_shape = power: (1 - z)^decay_power
  std::string schedule_table;  // table: the CSV file it was read from (not part of the run's identity)
  struct TableRow {
    std::int64_t step = 0;
    double gamma = 0.0;
  };
  std::vector<TableRow> table;  // table: each row's gamma holds from its step to the next row's (first step 0)
  std::int64_t dataset = 0;     // finite dataset of n samples reused over N / n passes; 0 = fresh samples
  SamplingKind sampling = SamplingKind::kEpochs;
  // The optimizer (core/optimizer.hpp: the update of each, and DANA's hyperparameters with their sources).
  OptimizerKind optimizer = OptimizerKind::kSgd;
  double momentum = 0.0;     // heavy_ball, nesterov: beta in [0, 1)
  double dana_delta = 0.0;   // dana: Delta(t) = delta / (delta + t); <= 0: 4 + b / a (the paper's)
  double dana_g3 = 0.2;      // dana: gamma3 = g3 gamma_t B / M (constant) or g3 gamma_t (1 + t)^-kappa (decaying)
  double dana_kappa = -1.0;  // dana_decaying: < 0: 1 / a (the paper's 1 / (2 alpha))

  // run
  std::int64_t trials = 100;  // per sketch
  std::int64_t sketches = 1;  // independent sketches K
  std::uint32_t seed = 1;
  std::string backend = "auto";  // cpu | cuda | reference | auto
  int threads = 0;               // 0 = all hardware threads
  double checkpoint_ratio = 1.5;
  std::int64_t checkpoint_min = 10;
  bool decomposition = true;         // coupled bias / variance runs
  bool monte_carlo = true;           // false: exact columns only (no trials)
  bool det_equiv = true;             // Gaussian sketch: also the deterministic equivalent of the sketch average
  bool det_equiv_correction = true;  // with its 1/M terms (false: the M -> infinity limit alone)
  ExactMethod exact_method = ExactMethod::kAuto;
  TrialsOutput write_trials = TrialsOutput::kNone;
  std::string out =
      "runs/run";  // `sgdlaw run` without an out key: runs/<config file name>, never replacing another run
  bool progress = true;

  std::int64_t steps() const { return N / batch; }
  std::int64_t total_trials() const { return trials * sketches; }
  // The Monte Carlo work in trial*step*M units; the coupled decomposition runs cost about 1.6x the arithmetic.
  double work_units() const {
    if (!monte_carlo) return 0.0;
    return static_cast<double>(total_trials()) * static_cast<double>(N) * static_cast<double>(M) *
           (decomposition ? 1.6 : 1.0);
  }
};

const char* to_string(SketchKind);
const char* to_string(PriorMode);
const char* to_string(ScheduleKind);
const char* to_string(DecayShape);
const char* to_string(CovariateKind);
const char* to_string(TrialsOutput);
const char* to_string(SamplingKind);
const char* to_string(ExactMethod);
const char* to_string(OptimizerKind);

}  // namespace sgdlaw
