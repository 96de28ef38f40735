#include "sgdlaw/sweep/sweep_spec.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "section_table.hpp"
#include "sgdlaw/core/text.hpp"
#include "sgdlaw/io/output_folder.hpp"
#include "sgdlaw/io/toml_values.hpp"

namespace sgdlaw {
namespace {

bool is_field(const std::string& key) {
  for (const auto& f : config_fields())
    if (key == f.name) return true;
  return false;
}

// " (did you mean 'gamma'?)" against every configuration key and `extra`.
std::string suggest_key(const std::string& key, std::vector<std::string> extra) {
  for (const auto& f : config_fields()) extra.push_back(f.name);
  return did_you_mean(key, extra);
}

// Characters safe in a folder name.
std::string sanitize(const std::string& s) {
  std::string out;
  for (char ch : s)
    out += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_') ? ch : '_';
  return out;
}

struct Grid {
  std::string name;
  RawSettings fixed;
  std::vector<std::pair<std::string, std::vector<RawValue>>> axes;
};

Grid read_grid(const toml::table& t, const std::string& default_name, const std::string& source) {
  Grid g;
  g.name = default_name;
  if (const auto* n = t["name"].as_string()) g.name = sanitize(n->get());  // messages below name the grid
  for (auto&& [k, node] : t) {
    const std::string key = canonical_key(std::string(k.str()));
    if (key == "name") {
      const auto* s = node.as_string();
      if (!s) throw ConfigError(source + ": [sweep.grid] field 'name' must be a string");
      g.name = sanitize(s->get());
      continue;
    }
    if (key == "out" || key == "progress" || key == "write_trials" || key == "threads")
      throw ConfigError(source + ": field '" + key + "' cannot vary inside a sweep grid");
    if (!is_field(key))
      throw ConfigError(source + ": unknown field '" + cut(key) + "' in sweep grid '" + cut(g.name) + "'" +
                        suggest_key(key, {"name"}));
    if (const auto* arr = node.as_array()) {
      if (arr->empty()) throw ConfigError(source + ": sweep axis '" + key + "' in grid '" + cut(g.name) + "' is empty");
      std::vector<RawValue> values;
      for (const auto& item : *arr) values.push_back(raw_value_from_toml(item, key, source));
      g.axes.emplace_back(key, std::move(values));
    } else {
      g.fixed[key] = raw_value_from_toml(node, key, source);
    }
  }
  return g;
}

// Fits of a grid that names none in [fit]: the laws its axes can show (at least 3 values on the axis).
void infer_fits(const std::vector<Grid>& grids, FitSpec& f) {
  for (const Grid& g : grids) {
    std::size_t m = 0, n = 0;
    for (const auto& [key, values] : g.axes) {
      if (key == "M") m = values.size();
      if (key == "N") n = values.size();
    }
    if (m >= 3) {
      f.m_axis_grids.push_back(g.name);
      f.inferred.push_back("grid '" + g.name + "' has an M axis (" + std::to_string(m) +
                           " values): the M law, risk - sigma^2 vs M at its largest N");
    }
    if (n >= 3) {
      f.n_axis_grids.push_back(g.name);
      f.inferred.push_back("grid '" + g.name + "' has an N axis (" + std::to_string(n) +
                           " values): the N law, risk - sigma^2 - Approx vs N_eff at its largest M");
    }
    if (m >= 3 && n >= 2) {
      f.frontier_grids.push_back(g.name);
      f.inferred.push_back("grid '" + g.name + "' has M and N axes: the compute-optimal frontier");
    }
  }
}

// [fit]: its keys by their table (fit_fields.cpp); without grid names, the fits the grids' axes can show.
FitSpec read_fit(const toml::table* t, const std::vector<Grid>& grids, const std::string& source) {
  FitSpec f;
  const bool names_grids =
      t && (t->contains("m_axis_grid") || t->contains("n_axis_grid") || t->contains("frontier_grid"));
  if (!names_grids) infer_fits(grids, f);
  if (!t) return f;
  read_fit_keys(*t, source, f);
  for (const auto* list : {&f.m_axis_grids, &f.n_axis_grids, &f.frontier_grids})
    for (const std::string& g : *list) {
      const bool found = std::any_of(grids.begin(), grids.end(), [&](const Grid& x) { return x.name == g; });
      if (!found) throw ConfigError(source + ": [fit] names grid '" + g + "', which the sweep does not define");
    }
  return f;
}

}  // namespace

// Counts the points of the grids before making any (overflow-safe): a sweep is a list of runs, each with its
// own folder, so the count is bounded.
void check_point_count(const std::vector<Grid>& grids, const std::string& source) {
  constexpr std::uint64_t kMaxPoints = 100000;
  std::uint64_t total = 0;
  for (const Grid& g : grids) {
    std::uint64_t n = 1;
    for (const auto& axis : g.axes)
      if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(axis.second.size()), &n)) n = ~std::uint64_t{0};
    if (__builtin_add_overflow(total, n, &total)) total = ~std::uint64_t{0};
  }
  if (total > kMaxPoints)
    throw ConfigError(source + ": the sweep grids make " +
                      (total == ~std::uint64_t{0} ? std::string("more than 2^64") : std::to_string(total)) +
                      " points; at most " + std::to_string(kMaxPoints) +
                      " per sweep file (split it into several sweeps, or use fewer axis values)");
}

SweepSpec parse_sweep_spec(const std::string& text, const std::string& source, const RawSettings& overrides) {
  const toml::table root = parse_toml_or_throw(text, source);
  const RawSettings base = parse_toml_settings(text, source);
  SweepSpec spec;
  spec.source = source;
  const toml::table* sweep = root["sweep"].as_table();
  if (!sweep) throw ConfigError(source + ": a sweep file needs a [sweep] section with at least one grid");

  std::vector<Grid> grids;
  for (auto&& [k, node] : *sweep) {
    const std::string key = canonical_key(std::string(k.str()));
    if (key == "out") {
      const auto* s = node.as_string();
      if (!s || s->get().empty()) throw ConfigError(source + ": [sweep] field 'out' must be a non-empty string");
      spec.out = s->get();
    } else if (key == "grid") {
      const auto* arr = node.as_array();
      if (!arr) throw ConfigError(source + ": [sweep] 'grid' must be an array of tables ([[sweep.grid]])");
      for (const auto& item : *arr) {
        const auto* t = item.as_table();
        if (!t) throw ConfigError(source + ": each [[sweep.grid]] must be a table");
        grids.push_back(read_grid(*t, "grid" + std::to_string(grids.size()), source));
      }
    } else if (!is_field(key)) {
      throw ConfigError(source + ": unknown key '" + cut(key) + "' in [sweep]" + suggest_key(key, {"out", "grid"}));
    }
  }
  // Axes written directly under [sweep] form one more grid.
  {
    toml::table direct;
    for (auto&& [k, node] : *sweep)
      if (k.str() != "out" && k.str() != "grid") direct.insert(k, node);
    if (!direct.empty()) grids.push_back(read_grid(direct, "grid", source));
  }
  if (grids.empty()) throw ConfigError(source + ": [sweep] defines no grid");
  std::set<std::string> names;
  for (const Grid& g : grids)
    if (!names.insert(g.name).second) throw ConfigError(source + ": two sweep grids are named '" + cut(g.name) + "'");
  if (spec.out.empty()) {
    const auto slash = source.find_last_of('/');
    std::string stem = source.substr(slash == std::string::npos ? 0 : slash + 1);
    if (stem.size() > 5 && stem.substr(stem.size() - 5) == ".toml") stem.resize(stem.size() - 5);
    spec.out = "runs/" + stem;
  }

  check_point_count(grids, source);

  std::set<std::string> point_names;
  for (const Grid& g : grids) {
    for (const auto& [key, values] : g.axes)
      if (std::find(spec.axes.begin(), spec.axes.end(), key) == spec.axes.end()) spec.axes.push_back(key);
    std::vector<std::size_t> idx(g.axes.size(), 0);
    for (;;) {
      RawSettings layer = g.fixed;
      SweepPoint p;
      p.grid = g.name;
      p.name = g.name;
      for (std::size_t i = 0; i < g.axes.size(); ++i) {
        const auto& [key, values] = g.axes[i];
        layer[key] = values[idx[i]];
        p.axis_values.emplace_back(key, values[idx[i]].text);
        p.name += "-" + key + sanitize(values[idx[i]].text);
      }
      try {
        p.config = resolve_config({base, overrides, layer});
      } catch (const ConfigError& e) {
        throw ConfigError(source + ": sweep point " + cut(p.name) + ": " + e.what());
      }
      p.config.progress = false;
      p.config.write_trials = TrialsOutput::kFinal;
      if (!point_names.insert(p.name).second) throw ConfigError(source + ": sweep point " + p.name + " appears twice");
      spec.points.push_back(std::move(p));
      std::size_t i = 0;
      while (i < idx.size() && ++idx[i] == g.axes[i].second.size()) idx[i++] = 0;
      if (i == idx.size()) break;
    }
  }
  spec.fit = read_fit(root["fit"].as_table(), grids, source);
  set_sweep_out(spec, spec.out);
  return spec;
}

void set_sweep_out(SweepSpec& spec, const std::string& out) {
  if (out.empty()) throw ConfigError("the sweep output folder must not be empty");
  check_path_text(out, "[sweep] out");
  spec.out = normalize_out_folder(out, "[sweep] out");
  for (SweepPoint& p : spec.points) p.config.out = out + "/points/" + p.name;
}

namespace {

// One value of a --grid flag as TOML: a number as it is when TOML reads it as a number, else a string.
std::string grid_value_toml(const std::string& g, const std::string& v) {
  if (v.empty()) throw ConfigError("--grid '" + cut(g) + "' has an empty value");
  char* stop = nullptr;
  std::strtod(v.c_str(), &stop);
  if (*stop == '\0') {  // looks like a number: TOML must read it as one (not ".5", "5.", "010", "infinity")
    try {
      const toml::table t = toml::parse("v = " + v);
      if (t["v"].is_number()) return v;
    } catch (const toml::parse_error&) {
    }
    throw ConfigError("--grid '" + cut(g) + "': value '" + cut(v) +
                      "' is not a number as TOML writes them (e.g. 0.5 not .5, 5.0 not 5., 10 not 010, inf not "
                      "infinity)");
  }
  if (v.find_first_of("\"\\\n") != std::string::npos)
    throw ConfigError("--grid '" + cut(g) + "': value '" + cut(v) + "' cannot hold quotes or backslashes");
  return "\"" + v + "\"";
}

}  // namespace

std::string grid_flags_toml(const std::vector<std::string>& grids) {
  if (grids.empty()) return "";
  std::string toml = "\n[[sweep.grid]]\nname = \"cli\"\n";
  std::set<std::string> keys;
  for (const std::string& g : grids) {
    const auto eq = g.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == g.size())
      throw ConfigError("--grid '" + cut(g) + "' must be KEY=v1,v2,... (e.g. --grid M=4,8,16)");
    const std::string key = g.substr(0, eq);
    if (key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != std::string::npos)
      throw ConfigError("--grid '" + cut(g) + "': '" + cut(key) + "' is not a configuration key");
    if (!keys.insert(canonical_key(key)).second)
      throw ConfigError("--grid '" + cut(g) + "': key '" + key +
                        "' is given by two --grid flags; give its values once");
    std::string values;
    for (std::size_t pos = eq + 1; pos <= g.size();) {
      const auto end = std::min(g.find(',', pos), g.size());
      values += (values.empty() ? "" : ", ") + grid_value_toml(g, g.substr(pos, end - pos));
      pos = end + 1;
    }
    toml += key + " = [" + values + "]\n";
  }
  return toml;
}

SweepSpec load_sweep_spec(const std::string& path, const RawSettings& overrides,
                          const std::vector<std::string>& grids) {
  const std::string text = read_config_file(path, "sweep file");
  if (grids.empty()) return parse_sweep_spec(text, path, overrides);
  parse_toml_or_throw(text, path);  // the file's own mistakes name the file and their line
  const std::string grid = grid_flags_toml(grids);
  try {
    (void)toml::parse(text + grid, path);
  } catch (const toml::parse_error& e) {  // the file alone and the flags alone are well-formed
    throw ConfigError("--grid: the command-line grid does not fit into " + cut(path) + " (" +
                      std::string(e.description()) +
                      "; the flags add a [[sweep.grid]] named 'cli', so the file's [sweep] must allow more grids)");
  }
  return parse_sweep_spec(text + grid, path, overrides);
}

}  // namespace sgdlaw
