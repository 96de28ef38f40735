// The [fit] keys of a sweep file, described once: type, range, default and help (`sgdlaw sweep --help`).
#include "section_table.hpp"
#include "sgdlaw/sweep/sweep_spec.hpp"

namespace sgdlaw {
namespace {

bool non_negative(double x) { return x >= 0.0; }
bool level(double x) { return x > 0.5 && x < 1.0; }

// [low, high] with low < high (either end may be infinite).
void window(const SectionValue& v, double* lo, double* hi) {
  const std::vector<double> w = v.tuples(2, false)[0];
  if (!(w[0] < w[1])) v.fail();
  *lo = w[0];
  *hi = w[1];
}

const std::vector<SectionKey<FitSpec>>& fit_keys() {
  using V = const SectionValue&;
  static const std::vector<SectionKey<FitSpec>> keys = {
      {{"m_axis_grid", "a grid name or a list of grid names", "", "inferred",
        "grids whose M axis gives the M law (risk - sigma^2 vs M at the largest N)"},
       [](V v, FitSpec& f) { f.m_axis_grids = v.names(); }},
      {{"n_axis_grid", "a grid name or a list of grid names", "", "inferred",
        "grids whose N axis gives the N law (vs N_eff at the largest M)"},
       [](V v, FitSpec& f) { f.n_axis_grids = v.names(); }},
      {{"frontier_grid", "a grid name or a list of grid names", "", "inferred",
        "grids with M and N axes: the compute-optimal frontier"},
       [](V v, FitSpec& f) { f.frontier_grids = v.names(); }},
      {{"n_axis_subtract_approx", "true or false", "", "true", "N law of R - sigma^2 - Approx (false: R - sigma^2)"},
       [](V v, FitSpec& f) { f.n_axis_subtract_approx = v.boolean(); }},
      {{"m_window", "[low, high]", "two numbers, low < high", "everything", "extra least-squares window on M"},
       [](V v, FitSpec& f) { window(v, &f.m_window_lo, &f.m_window_hi); }},
      {{"n_eff_window", "[low, high]", "two numbers, low < high", "everything", "... on N_eff"},
       [](V v, FitSpec& f) { window(v, &f.n_eff_window_lo, &f.n_eff_window_hi); }},
      {{"bootstrap", "an integer", "0 <= bootstrap <= 1e6", "1000",
        "bootstrap replicates over whole trials (0: no intervals)"},
       [](V v, FitSpec& f) { f.bootstrap = v.integer(0, 1000000); }},
      {{"confidence", "a number", "0.5 < confidence < 1", "0.95", "interval level"},
       [](V v, FitSpec& f) { f.confidence = v.number(level); }},
      {{"bootstrap_seed", "an integer", "0 <= bootstrap_seed < 2^32", "20240", "the replicates' seed"},
       [](V v, FitSpec& f) { f.bootstrap_seed = static_cast<std::uint32_t>(v.integer(0, 0xFFFFFFFFLL)); }},
      {{"cost_fixed", "a number", "cost_fixed >= 0", "0",
        "compute per sample for the frontier: C = N (cost_fixed + cost_per_m M)"},
       [](V v, FitSpec& f) { f.cost_fixed = v.number(non_negative); }},
      {{"cost_per_m", "a number", "cost_per_m >= 0", "1",
        "compute per sample per unit of M (not both 0 with cost_fixed)"},
       [](V v, FitSpec& f) { f.cost_per_m = v.number(non_negative); }},
      {{"m_regime", "a number", "m_regime >= 0", "0.25", "regime window M <= m_regime N_eff^(1/a) (0 = off)"},
       [](V v, FitSpec& f) { f.m_regime = v.number(non_negative); }},
      {{"n_regime", "a number", "n_regime >= 0", "0.25", "regime window N_eff^(1/a) <= n_regime M (0 = off)"},
       [](V v, FitSpec& f) { f.n_regime = v.number(non_negative); }},
  };
  return keys;
}

}  // namespace

void read_fit_keys(const toml::table& t, const std::string& source, FitSpec& f) {
  read_section(t, fit_keys(), source, "fit", f);
  if (!(f.cost_fixed + f.cost_per_m > 0))
    throw ConfigError(source + ": [fit] fields 'cost_fixed', 'cost_per_m' must not both be 0");
}

std::string fit_keys_help() {
  return "\n[fit] keys of a sweep file (all optional; without grid names the fits are inferred from the grids' "
         "axes):\n" +
         section_help(key_infos(fit_keys()));
}

}  // namespace sgdlaw
