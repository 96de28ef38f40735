// The [phases] keys of a phases file, described once: type, range, default and help (`sgdlaw phases --help`).
#include <cmath>

#include "section_table.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/sweep/phase_map.hpp"

namespace sgdlaw {
namespace {

bool above_one(double x) { return x > 1.0; }
bool noise(double x) { return x >= 0.0 && x <= 1e100; }
bool positive(double x) { return x > 0.0; }
constexpr std::int64_t kMaxSize = 1000000000000000;  // 1e15
constexpr std::int64_t kBelow2To32 = 0xFFFFFFFFLL;

const std::vector<SectionKey<PhaseSpec>>& phase_keys() {
  using V = const SectionValue&;
  static const std::vector<SectionKey<PhaseSpec>> keys = {
      {{"a", "a number or a non-empty list of numbers", "each a > 1", "", "spectrum exponents of the map"},
       [](V v, PhaseSpec& s) { s.a = v.numbers(above_one); }},
      {{"b", "a number or a non-empty list of numbers", "each b > 1", "", "signal exponents of the map"},
       [](V v, PhaseSpec& s) { s.b = v.numbers(above_one); }},
      {{"sigma", "a number or a non-empty list of numbers", "each 0 <= sigma <= 1e100", "[problem] sigma",
        "noise levels, one map each"},
       [](V v, PhaseSpec& s) { s.sigma = v.numbers(noise); }},
      // The map is at d = inf, where the deterministic equivalent takes M <= 2^22 (config_fields.cpp's rule).
      {{"M", "a list of integers", "at least 3, strictly increasing, 1 <= M <= 4194304 (2^22)", "",
        "sketch sizes of every point's frontier grid"},
       [](V v, PhaseSpec& s) { s.M = v.integers(1, std::int64_t{1} << 22, 3, true); }},
      {{"N", "a list of integers", "at least 3, strictly increasing, 16 <= N <= 1e15", "",
        "sample counts of every point's frontier grid"},
       [](V v, PhaseSpec& s) { s.N = v.integers(16, kMaxSize, 3, true); }},
      {{"out", "a non-empty string", "", "runs/phases", "output folder"},
       [](V v, PhaseSpec& s) { s.out = normalize_out_folder(v.text()); }},
      {{"threads", "an integer", "0 <= threads <= 4096", "0", "threads over the map's points (0 = all)"},
       [](V v, PhaseSpec& s) { s.threads = static_cast<int>(v.integer(0, 4096)); }},
      {{"mc_points", "a list of [a, b] pairs", "each a > 1, b > 1", "[]", "Monte Carlo spot checks at the first sigma"},
       [](V v, PhaseSpec& s) {
         for (const std::vector<double>& p : v.tuples(2, true)) {
           if (!above_one(p[0]) || !above_one(p[1]) || !std::isfinite(p[0]) || !std::isfinite(p[1])) v.fail();
           s.mc_points.emplace_back(p[0], p[1]);
         }
       }},
      {{"mc_d", "an integer", "16 <= mc_d <= 1e8", "4096", "finite d of the spot checks"},
       [](V v, PhaseSpec& s) { s.mc_d = v.integer(16, 100000000); }},
      {{"mc_trials", "an integer", "2 <= mc_trials < 2^32", "100", "trials per sketch of a spot check"},
       [](V v, PhaseSpec& s) { s.mc_trials = v.integer(2, kBelow2To32); }},
      {{"mc_sketches", "an integer", "1 <= mc_sketches < 2^32", "4", "sketches of a spot check"},
       [](V v, PhaseSpec& s) { s.mc_sketches = v.integer(1, kBelow2To32); }},
      {{"mc_work", "a number", "mc_work > 0", "4e9",
        "trial*step*M budget of one spot check (picks the largest budget that fits)"},
       [](V v, PhaseSpec& s) { s.mc_work = v.number(positive); }},
  };
  return keys;
}

}  // namespace

void read_phase_keys(const toml::table& t, const std::string& source, PhaseSpec& s) {
  read_section(t, phase_keys(), source, "phases", s);
}

std::string phase_keys_help() { return "[phases] keys:\n" + section_help(key_infos(phase_keys())); }

}  // namespace sgdlaw
